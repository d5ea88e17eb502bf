"""kg.toml read once, in kg.settings: [kg], [dataset] and [wikidata] checked there, errors
naming kg.toml and the field, whichever command runs."""
from __future__ import annotations

import pytest

from kg.errors import KgError
from kg.settings import DEFAULT_MODIFIED, WikidataSettings, load_settings

from .test_build import kg


def write_toml(root, text: str) -> None:
    (root / "kg.toml").write_text('[kg]\nbase = "https://kg.example.org/"\n' + text, encoding="utf-8")


def test_settings_carry_the_wikidata_table_and_modified(tmp_path):
    write_toml(tmp_path, 'modified = 2026-03-04\n[wikidata]\ncontact = " me@example.org "\n'
                         'endpoint = "http://127.0.0.1:1/w/api.php"\ncache = "c"\nmaxlag = 3\ntimeout = 2\n'
                         'retries = 0\nbackoff = 0.5\nmax_bytes = 1000\n')
    s = load_settings(tmp_path)
    assert s.modified == "2026-03-04"
    assert s.wikidata == WikidataSettings(contact="me@example.org", endpoint="http://127.0.0.1:1/w/api.php",
                                          cache="c", maxlag=3, timeout=2.0, retries=0, backoff=0.5, max_bytes=1000)
    assert isinstance(s.wikidata.timeout, float) and isinstance(s.wikidata.maxlag, int)


def test_without_the_tables_nothing_is_set(tmp_path):
    s = load_settings(tmp_path)                      # no kg.toml at all
    assert s.wikidata == WikidataSettings() and s.modified == DEFAULT_MODIFIED


@pytest.mark.parametrize("text, field", [
    ('[wikidata]\ncontakt = "x@example.org"\n', "wikidata.contakt"),
    ('[wikidata]\ncontact = "a\\nb"\n', "wikidata.contact"),
    ('[wikidata]\ncontact = ""\n', "wikidata.contact"),
    ("[wikidata]\nmaxlag = 2.5\n", "wikidata.maxlag"),
    ("[wikidata]\nbackoff = -1\n", "wikidata.backoff"),
    ("[wikidata]\nretries = true\n", "wikidata.retries"),
    ("[wikidata]\ntimeout = inf\n", "wikidata.timeout"),
    ("", "wikidata"),
])
def test_a_bad_wikidata_value_is_named_with_kg_toml(tmp_path, text, field):
    write_toml(tmp_path, text)
    if not text:                                     # a value where a table belongs
        (tmp_path / "kg.toml").write_text("wikidata = 5\n", encoding="utf-8")
    with pytest.raises(KgError) as e:
        load_settings(tmp_path)
    assert e.value.field == field and e.value.path == tmp_path / "kg.toml"


def test_every_command_checks_kg_toml_once_at_start(mini_project):
    """A bad [wikidata] is found by kg validate too, before any work, as an input error."""
    toml = mini_project / "kg.toml"
    toml.write_text('[wikidata]\ntimeout = "soon"\n', encoding="utf-8")
    r = kg("validate", "--root", str(mini_project))
    assert r.returncode == 2
    assert f"{toml}: field 'wikidata.timeout': 'soon' is not a usable value" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_bad_option_is_named_as_the_option(mini_project):
    r = kg("link", "--root", str(mini_project), "--contact", "t@example.org", "--timeout", "0",
           "--endpoint", "http://127.0.0.1:9/w/api.php", "--no-cache")
    assert r.returncode == 2, r.stderr
    assert "field '--timeout'" in r.stderr and "kg.toml" not in r.stderr.split("field")[0]


def test_the_readme_example_loads_and_states_the_defaults(tmp_path):
    """The README documents [wikidata] once; its example is valid and gives kg link's defaults."""
    from kg.wikidata.cli import DEFAULT_CACHE
    from kg.wikidata.client import WIKIDATA_API, ClientConfig

    from .conftest import ROOT
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("```toml\n[kg]") + len("```toml\n"):]
    (tmp_path / "kg.toml").write_text(block[:block.index("```")], encoding="utf-8")
    w = load_settings(tmp_path).wikidata
    d = ClientConfig()
    assert (w.endpoint, w.cache) == (WIKIDATA_API, DEFAULT_CACHE)
    assert (w.maxlag, w.timeout, w.retries, w.backoff, w.max_bytes) == \
        (d.maxlag, d.timeout, d.retries, d.backoff, d.max_bytes)
