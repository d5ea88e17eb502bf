"""Hostile build inputs: whatever is in data/, kg.toml, the environment or --dist, a build
ends in exit 0, 1 (the SHACL verdict) or 2 naming the file — never exit 3 or a traceback —
and a failed build leaves the previous dist/ byte-identical.

Property-based (Hypothesis) over the mini fixture's facts files: wrong types and hostile
text in every field, random keys, random YAML documents, raw edits of the file text. Then
one explicit case per finding of the attack on issue 10. Builds run in-process through
``kg.cli.main`` (the same entry point as the ``kg`` command) unless a time guard is needed.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st

from kg.cli import main
from kg.errors import quote
from kg.yamlio import MAX_DEPTH, Node, load_yaml

from .conftest import CORPUS, ROOT

MINI = ROOT / "tests" / "fixtures" / "mini"
REGISTRY = Path("data/registry.yaml")
DOCUMENT = Path("data/documents/900001.yaml")
PREFIX = "kg build: error: "


# ---------------------------------------------------------------- running kg

def run_kg(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """``kg ARGS`` in this process: (exit code, stderr). SOURCE_DATE_EPOCH only from ``env``."""
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        for key in env or {}:
            os.environ.pop(key, None)
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return code, err.getvalue()


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path → bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".dist."))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The mini project with kg.toml and a built dist/ — copied, never changed."""
    root = tmp_path_factory.mktemp("template") / "p"
    shutil.copytree(MINI, root)
    shutil.copy(CORPUS / "kg.toml", root / "kg.toml")
    code, err = run_kg("--root", str(root), "build")
    assert code == 0, err
    return root


@pytest.fixture()
def project(template, tmp_path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(template, root)
    return root


def assert_refused_cleanly(root: Path, code: int, err: str, dist_before: dict[str, bytes]) -> None:
    """The invariant: 0, 1 or 2 naming a file of the project; no traceback; old dist/ intact."""
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in (0, 1, 2), err
    if code == 2:
        assert err.startswith(PREFIX + str(root)), err
        named = Path(err[len(PREFIX):].split(":", 1)[0])
        assert named.exists(), err
        assert len(err) < 4000, "an error message repeats a large value"
    if code != 0:
        assert files_of(root / "dist") == dist_before
        assert leftovers(root) == []


# ---------------------------------------------------------------- strategies

SPECIAL_TEXT = ["", " ", "\t", "mao-zedong\n", "beijing ", " trip", "\x00", "\x01", "\x7f", "\x85", "\u2028",
                "\ud800", "\udfff", "\ufeff", "\u202e", "1956-02-30", "0000", "1956-13", "9999-12-31T23:59",
                "1956-09-18T24:00", "<!--", "</script>", '"', "\\", "'", "&a", "*a", "!!python/object:os.system",
                "a" * 300, "Ω 毛泽东 🙂"]
TEXT = st.one_of(st.text(st.characters(exclude_categories=()), max_size=20), st.sampled_from(SPECIAL_TEXT))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


def plain(value):
    """kg's YAML model (Node) as plain data that yaml.safe_dump writes."""
    if isinstance(value, Node):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def places(value, at=()):
    """Every (path, value) of a nested structure, the root included."""
    yield at, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from places(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from places(v, at + (i,))


def fixture_yaml(rel: Path):
    return plain(load_yaml(MINI / rel))


FIXTURES = {rel: fixture_yaml(rel) for rel in (REGISTRY, DOCUMENT)}
# Values that are valid somewhere in the fixture: the right type, often the wrong place.
KNOWN = sorted({repr(v) for data in FIXTURES.values() for _, v in places(data)
                if isinstance(v, (str, int, bool)) and len(str(v)) < 60})


def _set(data, at, value):
    if not at:
        return value
    parent = data
    for step in at[:-1]:
        parent = parent[step]
    parent[at[-1]] = value
    return data


@st.composite
def mutated_facts(draw):
    """(file, new text): one field of a fixture file given a hostile value, key or shape."""
    rel = draw(st.sampled_from(sorted(FIXTURES)))
    data = plain(load_yaml(MINI / rel))  # a fresh copy
    at, old = draw(st.sampled_from(list(places(data))))
    op = draw(st.sampled_from(["value", "known", "drop", "add", "rename"]))
    if op == "value":
        data = _set(data, at, draw(VALUES))
    elif op == "known":
        data = _set(data, at, ast.literal_eval(draw(st.sampled_from(KNOWN))))
    elif op == "drop" and at:
        parent = data
        for step in at[:-1]:
            parent = parent[step]
        del parent[at[-1]]
    elif op == "add" and isinstance(old, dict):
        old[draw(TEXT)] = draw(VALUES)
    elif op == "rename" and at and isinstance(at[-1], str):
        parent = data
        for step in at[:-1]:
            parent = parent[step]
        parent[draw(TEXT)] = parent.pop(at[-1])
    text = yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False, width=10_000)
    return rel, text


# YAML syntax a hand edit may bring: anchors, aliases, tags, merge keys, odd numbers, directives.
FRAGMENTS = ["&a ", "*a", "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ", "!!set ", "!!omap ", "! ",
             "? ", "- ", ": ", "[", "]", "{", "}", ",", "<<: ", "0b_", "0x_", "._", "1e99999", ".nan", "~", "---\n",
             "...\n", "%YAML 1.1\n", "\t", "\n  ", "#", "|\n", ">-\n", '"\\x01"', '"\\ud800"', "\x00"]


@st.composite
def raw_edits(draw):
    """(file, new text): the fixture file's text with characters inserted, or a slice cut out."""
    rel = draw(st.sampled_from(sorted(FIXTURES)))
    text = (MINI / rel).read_text(encoding="utf-8")
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        text = text[:at] + draw(st.one_of(TEXT, st.sampled_from(FRAGMENTS))) + text[at:]
    else:
        text = text[:at] + text[at + draw(st.integers(1, 40)):]
    return rel, text


@st.composite
def random_documents(draw):
    rel = draw(st.sampled_from(sorted(FIXTURES)))
    return rel, yaml.safe_dump(draw(VALUES), allow_unicode=draw(st.booleans()))


PROPERTY = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def build_with(template: Path, rel: Path, text: str) -> None:
    dist_before = files_of(template / "dist")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(template, root)
        # surrogatepass: a lone surrogate becomes bytes that are not UTF-8, as a hostile file would hold
        (root / rel).write_bytes(text.encode("utf-8", "surrogatepass"))
        code, err = run_kg("--root", str(root), "build")
        event(f"exit {code}")
        assert_refused_cleanly(root, code, err, dist_before)


@PROPERTY
@given(case=mutated_facts())
def test_any_field_with_any_value_exits_0_1_or_2_naming_the_file(template, case):
    build_with(template, *case)


@PROPERTY
@given(case=raw_edits())
def test_raw_edits_of_the_facts_text_exit_0_1_or_2_naming_the_file(template, case):
    build_with(template, *case)


@PROPERTY
@given(case=random_documents())
def test_random_yaml_documents_exit_0_1_or_2_naming_the_file(template, case):
    build_with(template, *case)


def toml_value(value) -> str:
    """A TOML literal of a str, int, bool or list (text as a JSON string: TOML may refuse its escapes)."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value) if isinstance(value, str) else str(value)


TOML_VALUES = st.one_of(TEXT, st.sampled_from(["https://kg.example.org/", "http://x/#", "https://x", "ftp://x/",
                                               "2026-01-01", "2026-02-30", "10:00:00"]),
                        st.integers(), st.booleans(), st.lists(TEXT, max_size=2))
TOML_RAW = st.sampled_from(["2026-01-01", "2026-01-01T10:00:00Z", "10:00:00", "1979-05-27 07:32:00", "inf", "nan"])


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.one_of(st.none(), TOML_VALUES.map(toml_value)),
       modified=st.one_of(st.none(), TOML_VALUES.map(toml_value), TOML_RAW))
def test_any_kg_toml_exits_0_or_2_naming_it(template, base, modified):
    dist_before = files_of(template / "dist")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(template, root)
        lines = ["[kg]"] + [f"{k} = {v}" for k, v in (("base", base), ("modified", modified)) if v is not None]
        (root / "kg.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        code, err = run_kg("--root", str(root), "build")
        event(f"exit {code}")
        assert code in (0, 2), err
        if code == 2:
            assert err.startswith(f"{PREFIX}{root / 'kg.toml'}"), err
        assert_refused_cleanly(root, code, err, dist_before)


ENV_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=25)


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(epoch=st.one_of(st.integers(-10 ** 25, 10 ** 25).map(str), st.integers(0, 300_000_000_000).map(str), ENV_TEXT))
def test_any_source_date_epoch_exits_0_or_2_naming_it(template, epoch):
    dist_before = files_of(template / "dist")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        shutil.copytree(template, root)
        code, err = run_kg("--root", str(root), "build", env={"SOURCE_DATE_EPOCH": epoch})
        event(f"exit {code}")
        assert code in (0, 2) and "internal error" not in err, err
        if code == 2:
            assert "SOURCE_DATE_EPOCH" in err and len(err) < 600, err
            assert files_of(root / "dist") == dist_before


def test_the_fixture_survives_a_round_trip_through_safe_dump(template):
    """The mutation strategy's baseline: the unmutated files, re-dumped, still build."""
    for rel, data in FIXTURES.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "p"
            shutil.copytree(template, root)
            (root / rel).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            code, err = run_kg("--root", str(root), "build")
            assert code == 0, err


# ---------------------------------------------------------------- wrong types, field by field

def edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


STATEMENTS = "statements:\n"
NAMES = "names:\n  - {entity: mao-zedong, text: Мао Цзе-дун, lang: ru}\n  - {entity: peng-dehuai, text: Пин Дэ-хуэй, lang: ru}\n"
WRONG_TYPES = [  # file, fixture text, replacement, field named; each was exit 3 or a huge message
    (REGISTRY, "type: central-committee", "type: [central-committee]", "type"),
    (REGISTRY, "type: central-committee", "type: {a: 1}", "type"),
    (REGISTRY, "type: city}", "type: city, part_of: [beijing]}", "part_of"),
    (REGISTRY, "type: city}", "type: city, part_of: {a: b}}", "part_of"),
    (REGISTRY, "{label: Test Author}", "{label: [a]}", "label"),
    (REGISTRY, "{label: Test Author}", "{label: 5}", "label"),
    (REGISTRY, "names: [{text: GARF, lang: en}]", "names: {text: GARF}", "names"),
    (REGISTRY, "planned: true", "planned: yes please", "planned"),
    (DOCUMENT, "record: 900001", "record: [900001]", "record"),
    (DOCUMENT, "record: 900001", "record: {a: 900001}", "record"),
    (DOCUMENT, "record: 900001", "record: true", "record"),
    (DOCUMENT, "kind: telegram", "kind: [telegram]", "kind"),
    (DOCUMENT, "{type: secret,", "{type: [secret],", "type"),
    (DOCUMENT, "{type: secret,", "{type: {a: 1},", "type"),
    (DOCUMENT, "role: proposed-member", "role: [proposed-member]", "role"),
    (DOCUMENT, "role: proposed-member", "role: {a: b}", "role"),
    (DOCUMENT, "passage: TEST AUTHOR", "passage: [TEST AUTHOR]", "passage"),
    (DOCUMENT, "passage: TEST AUTHOR}", "passage: TEST AUTHOR, text: [a]}", "text"),
    (DOCUMENT, "lang: ru}", "lang: ru, in: [a]}", "in"),
    (DOCUMENT, "participant: mao-zedong", "participant: {mao-zedong: 1}", "participant"),
    (DOCUMENT, "begin: 1956-09-18T18:00", "begin: [1956]", "begin"),
    (DOCUMENT, "begin: 1956-09-18T18:00", "begin: {a: 1}", "begin"),
    (DOCUMENT, "begin: 1956-09-18T18:00", "begin: true", "begin"),
    (DOCUMENT, "begin: 1956-09-18T18:00", "begin: ~", "begin"),
    (DOCUMENT, "end: 1956-09-18T22:00", "end: [1]", "end"),
    (DOCUMENT, "begin: 1956-09-18T18:00, end: 1956-09-18T22:00", 'begin: "١٩٥٦"', "begin"),
    (DOCUMENT, "min_days: 7, max_days: 7", "min_days: .inf, max_days: .inf", "min_days"),
    (DOCUMENT, "min_days: 7, max_days: 7", "min_days: .nan, max_days: .nan", "min_days"),
    (DOCUMENT, "min_days: 7, max_days: 7", "min_days: 1e400, max_days: 1e400", "min_days"),
    (DOCUMENT, "min_days: 7, max_days: 7", f"min_days: {10 ** 30}, max_days: {10 ** 30}", "min_days"),
    (DOCUMENT, NAMES, "names: 5\n", "names"),
    (DOCUMENT, NAMES, "names: {a: b}\n", "names"),
    (DOCUMENT, "kind: telegram", f'kind: "{"x" * 100_000}"', "kind"),
    (DOCUMENT, "participant: mao-zedong", f'participant: "{"m" * 100_000}"', "participant"),
]


@pytest.mark.parametrize("rel,old,new,field", WRONG_TYPES, ids=[f"{c[0].name}:{c[3]}:{c[2][:24]}" for c in WRONG_TYPES])
def test_a_wrong_type_in_a_known_field_is_named_with_file_line_and_field(project, rel, old, new, field):
    dist_before = files_of(project / "dist")
    edit(project / rel, old, new)
    code, err = run_kg("--root", str(project), "build")
    assert_refused_cleanly(project, code, err, dist_before)
    assert code == 2, err
    assert f"{project / rel}:" in err and f"field '{field}'" in err, err
    assert len(err) < 600, err


def test_statements_that_are_not_a_list_are_named(project):
    path = project / DOCUMENT
    path.write_text(path.read_text(encoding="utf-8").split(STATEMENTS)[0] + "statements: 5\n", encoding="utf-8")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and f"{path}:" in err and "field 'statements'" in err and "a list" in err, err


@pytest.mark.parametrize("key", ["1.5", "[a, b]", "{a: b}", "~", "true"])
def test_a_key_that_is_not_text_is_refused(project, key):
    line = edit(project / REGISTRY, "  test-author:", f"  ? {key}\n  :")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2, err
    assert f"{project / REGISTRY}:{line}: " in err and "a key is text" in err, err


# ---------------------------------------------------------------- the findings, one by one

@pytest.mark.parametrize("where", ["  peng-dehuai:", "  trip:"])
def test_a_registry_key_ending_in_a_newline_is_refused(project, where):
    """`$` accepted 'key\\n'; the build exited 0 with dumps no parser could read."""
    line = edit(project / REGISTRY, where, f'  "{where.strip()[:-1]}\\n":')
    code, err = run_kg("--root", str(project), "build")
    assert code == 2, err
    assert f"{project / REGISTRY}:{line}: " in err and "is not a curated key" in err, err


def test_a_reference_ending_in_a_newline_is_not_a_key(project):
    line = edit(project / DOCUMENT, "participant: mao-zedong", 'participant: "mao-zedong\\n"')
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and f"{project / DOCUMENT}:{line}: field 'participant'" in err, err


def test_a_date_ending_in_a_newline_or_in_other_digits_is_not_a_date(project):
    edit(project / DOCUMENT, "begin: 1956-09-18T18:00, end: 1956-09-18T22:00", 'begin: "1956-09-18T18:00Z"')
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and "is not a date" in err, err


BOMB = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10 if p else ['x'] * 10)}]\n"
               for p, c in zip([None, *"abcdefgh"], "abcdefghi"))


@pytest.mark.parametrize("rel", [REGISTRY, DOCUMENT])
def test_an_alias_bomb_is_refused_at_its_first_anchor(project, rel):
    """Nine levels of ten aliases: 10^9 values if expanded (and repr()'d in a message)."""
    (project / rel).write_text(BOMB + "persons: *i\nkind: *i\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kg", "--root", str(project), "build"], capture_output=True,
                       text=True, timeout=60, env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"})
    assert r.returncode == 2, r.stderr
    assert f"{project / rel}:1: " in r.stderr and "anchors and aliases" in r.stderr


def test_a_single_alias_is_refused_too(project):
    edit(project / REGISTRY, "  test-author: {label: Test Author}", "  test-author: {label: &l Test Author}")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and "anchors and aliases" in err, err


@pytest.mark.parametrize("shape", ["flow-list", "flow-map", "block"])
def test_deep_nesting_is_refused_with_the_line(project, shape):
    depth = 100_000 if shape != "block" else MAX_DEPTH + 5
    if shape == "flow-list":
        value = "[" * depth + "]" * depth
    elif shape == "flow-map":
        value = "{a: " * depth + "1" + "}" * depth
    else:
        value = "\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(depth)) + "  " * (depth + 1) + "x"
    (project / DOCUMENT).write_text(f"record: 900001\nkind: {value}\n", encoding="utf-8")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2, err
    assert f"{project / DOCUMENT}:" in err and f"nested deeper than {MAX_DEPTH} levels" in err, err


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", encoding="utf-8")
    value, depth = load_yaml(path), 0
    while isinstance(value, list):
        value, depth = value[0] if value else None, depth + 1
    assert depth == MAX_DEPTH - 1


@pytest.mark.parametrize("text,char", [('"Test\\x01Author"', "U+0001"), ('"Test\\0Author"', "U+0000"),
                                       ('"Test\\ud800Author"', "U+D800"), ('"Test\\x85Author"', "U+0085"),
                                       ("Test\x01Author", "U+0001"), ("Test\x7fAuthor", "U+007F")])
def test_control_characters_and_lone_surrogates_are_refused(project, text, char):
    """Escaped (YAML builds the character) or raw (YAML refuses the file): named with the line."""
    line = edit(project / REGISTRY, "{label: Test Author}", "{label: " + text + "}")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2, err
    assert f"{project / REGISTRY}:{line}: " in err and char in err, err


@pytest.mark.parametrize("value,says", [("!!timestamp hello", "YAML tags"), ("!!bool maybe", "YAML tags"),
                                        ("!!map x", "YAML tags"), ("!!float x", "YAML tags"), ("! x", "YAML tags"),
                                        ("0b_", "cannot read the number"), ("0x_", "cannot read the number")])
def test_tags_and_numbers_yaml_cannot_construct_are_refused(project, value, says):
    """Each of these crashed PyYAML's constructors (AttributeError, KeyError, ValueError)."""
    line = edit(project / DOCUMENT, "note: The date is a handwritten insertion.", f"note: {value}")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and f"{project / DOCUMENT}:{line}: " in err and says in err, err


def test_a_lone_surrogate_as_bytes_is_not_utf8(project):
    (project / REGISTRY).write_bytes((project / REGISTRY).read_bytes().replace(b"Test Author", b"Test \xed\xa0\x80"))
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and "not UTF-8" in err and str(project / REGISTRY) in err, err


def test_a_huge_integer_is_refused_not_converted(project):
    edit(project / DOCUMENT, "record: 900001", "record: " + "9" * 5000)
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and f"{project / DOCUMENT}:1: " in err and "cannot read the number" in err and len(err) < 600, err


@pytest.mark.parametrize("epoch", ["99999999999999999999", "-1", "253402300800", "²", "1e9", " 86400", "86400\n"])
def test_an_absurd_source_date_epoch_is_named(project, epoch):
    dist_before = files_of(project / "dist")
    code, err = run_kg("--root", str(project), "build", env={"SOURCE_DATE_EPOCH": epoch})
    assert code == 2, err
    assert "SOURCE_DATE_EPOCH" in err and "internal error" not in err, err
    assert files_of(project / "dist") == dist_before


def test_the_last_second_of_year_9999_is_a_build_time(project):
    code, err = run_kg("--root", str(project), "build", env={"SOURCE_DATE_EPOCH": "253402300799"})
    assert code == 0, err
    assert "9999-12-31T23:59:59" in (project / "dist" / "void.ttl").read_text(encoding="utf-8")


KG_TOMLS = [
    ("[kg]\nbase = 5\n", "base"),
    ("[kg]\nbase = [\"https://kg.example.org/\"]\n", "base"),
    ('[kg]\nbase = "https://kg.example.org/ x/"\n', "base"),
    ('[kg]\nbase = "https://kg.example.org/\\nx/"\n', "base"),
    ('[kg]\nbase = "https://kg.example.org/\\"x/"\n', "base"),
    ('[kg]\nbase = "https:///"\n', "base"),
    ('[kg]\nbase = "https://[x/"\n', "base"),
    ("kg = 5\n", "kg"),
    ('[kg]\nmodified = 5\n', "modified"),
    ('[kg]\nmodified = "yesterday"\n', "modified"),
    ('[kg]\nmodified = 10:00:00\n', "modified"),
    ('[kg]\nmodified = [2026-01-01]\n', "modified"),
]


@pytest.mark.parametrize("text,field", KG_TOMLS)
def test_bad_kg_toml_values_are_named(project, text, field):
    dist_before = files_of(project / "dist")
    (project / "kg.toml").write_text(text, encoding="utf-8")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2, err
    assert f"{project / 'kg.toml'}: field '{field}'" in err, err
    assert files_of(project / "dist") == dist_before


@pytest.mark.parametrize("modified", ["2026-01-01", "2026-01-01T10:00:00+05:00", '"2026-01-01"'])
def test_kg_toml_modified_may_be_a_date_or_a_date_and_time(project, modified):
    (project / "kg.toml").write_text(f'[kg]\nbase = "https://kg.example.org/"\nmodified = {modified}\n', encoding="utf-8")
    code, err = run_kg("--root", str(project), "build")
    assert code == 0, err
    assert "2026-01-01T" in (project / "dist" / "void.ttl").read_text(encoding="utf-8")


def test_an_unreadable_kg_toml_is_named(project):
    (project / "kg.toml").write_bytes(b'[kg]\nbase = "\xff"\n')
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and f"{project / 'kg.toml'}:2: the file is not UTF-8" in err, err
    (project / "kg.toml").unlink()
    (project / "kg.toml").mkdir()
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and f"{project / 'kg.toml'}: is a folder" in err, err
    (project / "kg.toml").rmdir()
    os.mkfifo(project / "kg.toml")  # read without blocking: refused as a named pipe
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and f"{project / 'kg.toml'}: is a named pipe" in err, err


def test_a_bad_base_option_is_named():
    code, err = run_kg("--base", "https://kg.example.org/\n", "validate")
    assert code == 2 and "field '--base'" in err, err


# ---------------------------------------------------------------- --dist

def tree(folder: Path) -> dict[str, bytes]:
    return files_of(folder) | {p.relative_to(folder).as_posix() + "/": b"" for p in folder.rglob("*") if p.is_dir()}


@pytest.mark.parametrize("target", ["data", ".", "data/records", "data/new", "data/../data/x", ".."])
def test_dist_never_points_into_data_nor_at_the_root_or_around_it(project, target):
    """`kg build --dist data` deleted data/."""
    before = tree(project)
    code, err = run_kg("--root", str(project), "build", "--dist", str(project / target))
    assert code == 2, err
    assert "must not be, contain or sit inside" in err and str(project / "data") in err, err
    assert tree(project) == before


def test_an_empty_dist_option_is_refused(project):
    """`--dist ""` used to build, write nothing and report the files as written."""
    code, err = run_kg("--root", str(project), "build", "--dist", "")
    assert code == 2 and "field '--dist'" in err, err


def test_dist_through_a_symlink_into_data_is_refused(project, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(project / "data")
    before = tree(project)
    code, err = run_kg("--root", str(project), "build", "--dist", str(link / "out"))
    assert code == 2 and "must not be, contain or sit inside" in err, err
    assert tree(project) == before


def test_a_default_dist_that_is_a_symlink_is_refused(project, tmp_path):
    shutil.rmtree(project / "dist")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep.txt").write_text("mine", encoding="utf-8")
    (project / "dist").symlink_to(tmp_path / "elsewhere")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and "symbolic link" in err, err
    assert (project / "dist").is_symlink() and files_of(tmp_path / "elsewhere") == {"keep.txt": b"mine"}


def test_a_foreign_non_empty_folder_is_refused_and_untouched(project, tmp_path):
    foreign = tmp_path / "photos"
    (foreign / "2019").mkdir(parents=True)
    (foreign / "2019" / "a.jpg").write_bytes(b"\xff\xd8 not really")
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree(foreign)
    code, err = run_kg("--root", str(project), "build", "--dist", str(foreign))
    assert code == 2, err
    assert f"{PREFIX}{foreign}: " in err and "not a dist/ kg wrote" in err and "no SHA256SUMS" in err, err
    assert tree(foreign) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".photos.")]


def test_a_previous_dist_with_an_extra_or_changed_file_is_not_replaced(project):
    dist = project / "dist"
    (dist / "README.txt").write_text("my notes", encoding="utf-8")
    before = tree(project)
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and "'README.txt' is not listed in SHA256SUMS" in err, err
    assert tree(project) == before
    (dist / "README.txt").unlink()
    (dist / "kg.nt").write_bytes((dist / "kg.nt").read_bytes() + b"# edited\n")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and "'kg.nt' differs from its SHA256SUMS line" in err, err
    assert (dist / "kg.nt").read_bytes().endswith(b"# edited\n")


def test_a_folder_with_a_forged_sha256sums_but_no_void_is_refused(project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("x", encoding="utf-8")
    (out / "SHA256SUMS").write_text(f"{hashlib.sha256(b'x').hexdigest()}  a.txt\n", encoding="utf-8")
    code, err = run_kg("--root", str(project), "build", "--dist", str(out))
    assert code == 2 and "lists no void.ttl" in err, err
    assert (out / "a.txt").read_text(encoding="utf-8") == "x"


def test_a_previous_dist_an_empty_folder_and_a_new_one_are_written(project, tmp_path):
    empty, new = tmp_path / "empty", tmp_path / "new" / "deeper"
    empty.mkdir()
    for target in (empty, new, empty):  # the last one replaces the dist written first
        code, err = run_kg("--root", str(project), "build", "--dist", str(target))
        assert code == 0, err
        assert files_of(target) == files_of(project / "dist")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "new", "p"]  # nothing left beside them


def test_a_folder_named_like_the_old_swap_folder_is_not_deleted(project):
    """The swap used `.dist.old` beside dist/ and removed whatever was there."""
    mine = project / ".dist.old"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine", encoding="utf-8")
    code, err = run_kg("--root", str(project), "build")
    assert code == 0, err
    assert (mine / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".dist.")) == [".dist.old"]


def test_dist_under_a_regular_file_is_exit_2(project):
    """Fails for root too: no folder can be made below a file."""
    code, err = run_kg("--root", str(project), "build", "--dist", str(project / "kg.toml" / "dist"))
    assert code == 2 and "cannot write the dumps" in err and str(project / "kg.toml") in err, err
    code, err = run_kg("--root", str(project), "build", "--dist", str(project / "kg.toml"))
    assert code == 2 and "not a folder" in err, err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_dist_where_no_folder_can_be_made_is_exit_2(project):
    """mkdtemp fails (here even for root: /proc takes no new folders); the folder is named."""
    code, err = run_kg("--root", str(project), "build", "--dist", "/proc/kg-hostile-test/dist")
    assert code == 2, err
    assert "/proc/kg-hostile-test/dist: cannot write the dumps" in err, err


def test_a_read_only_project_folder_is_exit_2_naming_it(project):
    """The attack's case. Root ignores permission bits, so as root the folder stays writable
    and the test is skipped; the /proc and regular-file cases above cover the same path."""
    dist_before = files_of(project / "dist")
    project.chmod(0o555)
    try:
        if os.access(project, os.W_OK):
            pytest.skip("running as a user that may write to a read-only folder (root)")
        code, err = run_kg("--root", str(project), "build")
    finally:
        project.chmod(0o755)
    assert code == 2 and f"{project / 'dist'}: cannot write the dumps" in err, err
    assert files_of(project / "dist") == dist_before


# ---------------------------------------------------------------- messages

def test_quote_keeps_messages_short():
    assert quote("mao-zedong") == "'mao-zedong'"
    assert quote("x" * 10_000) == repr("x" * 60) + "… (10000 characters)"
    assert quote("a\nb") == "'a\\nb'"
    assert quote(list(range(10 ** 6))) == "a list of 1000000 item(s)"
    assert quote({"a": 1}) == "a mapping of 1 key(s)"
    assert quote(10 ** 5000) == "a very large number"
    assert quote(None) == "None" and quote(True) == "True" and quote(7) == "7"
    assert quote(b"x" * 1000) == "a bytes value"


def _same_nodes(a, b) -> bool:
    """Equal values, and every mapping with the same lines."""
    if isinstance(a, Node) or isinstance(b, Node):
        return (isinstance(a, Node) and isinstance(b, Node) and (a.line, a.key_lines) == (b.line, b.key_lines)
                and a.keys() == b.keys() and all(_same_nodes(a[k], b[k]) for k in a))
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(_same_nodes, a, b))
    return type(a) is type(b) and a == b


def test_the_fast_parser_reads_what_the_checked_one_reads():
    """Facts files are parsed by libyaml when PyYAML has it: the values and the lines kg reports
    are the same as the pure-Python parser's, on every YAML file of the corpus."""
    import yaml

    from kg import yamlio
    files = sorted((CORPUS / "data").rglob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        fast = load_yaml(path)
        assert _same_nodes(fast, yamlio._load(path.read_text(encoding="utf-8"), path)), path
    assert yaml.__with_libyaml__, "PyYAML without libyaml: kg reads facts with the slow parser"


def test_a_dist_changed_after_the_first_check_is_still_refused(project):
    """The check before the work verifies the checksums in the background; the check before
    the folder is replaced waits for that verdict only if the files are still those it read."""
    from kg.distdir import check_target
    from kg.errors import PublishError
    dist = project / "dist"
    check_target(dist, in_background=True)
    check_target(dist)  # unchanged: the background verdict (it conforms)
    check_target(dist, in_background=True)
    (dist / "kg.nt").write_bytes((dist / "kg.nt").read_bytes() + b"# edited\n")
    with pytest.raises(PublishError, match="'kg.nt' differs from its SHA256SUMS line"):
        check_target(dist)
    (dist / "kg.ttl").write_bytes(b"x")
    check_target(dist / ".." / "dist", in_background=True)  # the same folder by another path
    with pytest.raises(PublishError, match="differs from its SHA256SUMS line"):
        check_target(dist)


def test_a_build_trusts_the_output_it_noted_only_while_it_is_untouched(project):
    """A build notes how the dist/ it wrote looks on disk; the next build does not read a dist/
    that still looks so, and reads (and refuses) one whose file was rewritten, even to the same
    size and modification time."""
    from kg.distdir import check_target, remember
    from kg.errors import PublishError
    code, err = run_kg("--root", str(project), "build")
    assert code == 0, err
    note = project / ".kg-cache" / "dist-written.json"
    dist = project / "dist"
    assert json.loads(note.read_text(encoding="utf-8"))["folder"] == str(dist.resolve())
    check_target(dist, written=note)

    # a folder whose checksums are wrong is refused, unless noted as written just so
    (dist / "kg.ttl").write_bytes(b"x")
    with pytest.raises(PublishError, match="'kg.ttl' differs from its SHA256SUMS line"):
        check_target(dist, written=note)
    remember(dist, note)
    check_target(dist, written=note)  # trusted unread: this is what the note is for
    st = os.stat(dist / "kg.ttl")
    os.utime(dist / "kg.ttl", ns=(st.st_atime_ns, st.st_mtime_ns))  # the same times: only ctime moves
    with pytest.raises(PublishError, match="'kg.ttl' differs from its SHA256SUMS line"):
        check_target(dist, written=note)
    with pytest.raises(PublishError):
        check_target(dist)


def test_an_edit_of_the_same_size_and_time_after_a_build_is_caught(project):
    code, err = run_kg("--root", str(project), "build")
    assert code == 0, err
    nt = project / "dist" / "kg.nt"
    st = os.stat(nt)
    data = bytearray(nt.read_bytes())
    data[-2:-1] = b"!" if data[-2:-1] != b"!" else b"?"
    nt.write_bytes(bytes(data))
    os.utime(nt, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(nt).st_size == st.st_size and os.stat(nt).st_mtime_ns == st.st_mtime_ns
    before = tree(project / "dist")
    code, err = run_kg("--root", str(project), "build")
    assert code == 2 and "'kg.nt' differs from its SHA256SUMS line" in err, err
    assert tree(project / "dist") == before


def test_a_build_without_caches_notes_nothing(project):
    note = project / ".kg-cache" / "dist-written.json"
    note.unlink(missing_ok=True)
    code, err = run_kg("--root", str(project), "build", env={"KG_CACHE": "0"})
    assert code == 0, err
    assert not note.exists()


def test_the_description_names_each_input_read_with_its_checksum(project):
    """void.ttl's provenance lists kg.toml and every input file with the SHA-256 of the bytes the
    build read (noted while reading, not read a second time)."""
    import hashlib

    from rdflib import Graph, Namespace
    from rdflib.namespace import RDFS
    code, err = run_kg("--root", str(project), "build")
    assert code == 0, err
    prov, spdx = Namespace("http://www.w3.org/ns/prov#"), Namespace("http://spdx.org/rdf/terms#")
    g = Graph().parse(project / "dist" / "void.ttl")
    listed = {}
    for node in g.objects(None, prov.used):
        digest = next(g.objects(next(g.objects(node, spdx.checksum)), spdx.checksumValue))
        listed[str(next(g.objects(node, RDFS.label)))] = str(digest)
    files = {p.relative_to(project).as_posix() for p in (project / "data").rglob("*")
             if p.is_file() and p.suffix in (".txt", ".yaml", ".tsv", ".ttl")}
    assert set(listed) == files | {"kg.toml"}
    for path, digest in listed.items():
        assert digest == hashlib.sha256((project / path).read_bytes()).hexdigest(), path
