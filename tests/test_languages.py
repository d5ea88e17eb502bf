"""Original languages: every English name of an ISO 639 language is read; a name kg cannot
find is a warning and the language is left unstated (never guessed), not a refused record."""
from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.languages import code_of, name_of
from kg.records import parse_record

from .conftest import CORPUS, MINI, ROOT

REAL = ROOT / "tests" / "fixtures" / "records-real"
MIKOYAN = CORPUS / "data" / "records" / "121799.txt"   # Russian transcript + English translation


@pytest.mark.parametrize("name, code, label", [
    ("Russian", "ru", "Russian"), ("russian", "ru", "Russian"), ("Greek", "el", "Greek"),
    ("Farsi", "fa", "Persian"), ("Serbo-Croatian", "sh", "Serbo-Croatian"),
    ("Uighur", "ug", "Uighur"), ("Malay", "ms", "Malay"), ("Tibetan", "bo", "Tibetan"),
    ("Dari", "prs", "Dari"), ("Modern  Greek", "el", "Greek"), ("Swahili (macrolanguage)", "sw", "Swahili")])
def test_language_names_with_an_iso_639_code(name, code, label):
    assert code_of(name) == code and name_of(code) == label


@pytest.mark.parametrize("name", ["Xyzish", "Old", "", "Russian Chinese", "ru-RU"])
def test_other_names_are_not_guessed(name):
    assert code_of(name) is None


def edited(path, old, new, tmp_path):
    text = path.read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / path.name
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def test_a_language_known_only_to_iso_639(tmp_path):
    path = edited(REAL / "111817.txt", "Original Language: Albanian", "Original Language: Uighur", tmp_path)
    r = parse_record(path.read_text(encoding="utf-8"), path)
    assert r.original_languages == ("ug",) and not [w for w in r.warnings if "original language" in w]


def test_an_unknown_language_is_left_unstated_with_a_warning(tmp_path):
    path = edited(MIKOYAN, "Original Language:\n\nRussian", "Original Language:\n\nXyzish", tmp_path)
    r = parse_record(path.read_text(encoding="utf-8"), path)
    assert r.original_languages == ()
    assert r.original.language is None and r.original.content.startswith("Ц К К П С С")
    assert r.translation.language == "en"
    (warning,) = [w for w in r.warnings if "Xyzish" in w]
    assert warning.startswith(f"{path}:18: unknown original language 'Xyzish'") and "left unstated" in warning
    (other,) = [w for w in r.warnings if "other than English" in w]   # the text itself
    assert other.startswith(f"{path}:") and "left unstated" in other


def test_a_record_with_an_unknown_language_builds_without_a_language(tmp_path, capsys):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    edited(MIKOYAN, "Original Language:\n\nRussian", "Original Language:\n\nXyzish", project / "data" / "records")
    edited(REAL / "111817.txt", "Original Language: Albanian", "Original Language: Uighur",
           project / "data" / "records")
    assert main(["--root", str(project), "build"]) == 0
    err = capsys.readouterr().err
    assert "121799.txt:18: unknown original language 'Xyzish'" in err
    store = ox.Store()
    with (project / "dist" / "kg.nq").open("rb") as f:
        store.bulk_load(f, ox.RdfFormat.N_QUADS)

    def langs(doc):
        return {(r["code"].value, r["label"].value) for r in store.query(f"""
            PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?code ?label WHERE {{ <https://kg.example.org/document/{doc}> crm:P72_has_language ?l .
                ?l rdfs:label ?label . BIND(STRAFTER(STR(?l), "/language/") AS ?code) }}""",
            use_default_graph_as_union=True)}

    assert langs("121799") == set()        # the record states no language kg knows: none is published
    assert langs("111817") == {("ug", "Uighur")}
    assert main(["--root", str(project), "validate"]) == 0, capsys.readouterr().err
