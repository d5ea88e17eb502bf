"""The review file: deterministic, diff-friendly, strictly read; and ``kg build`` takes its
links from the accepted rows only, with errors that name file, line and column."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import URIRef

from kg import pipeline
from kg.errors import FactsError
from kg.facts import load_facts
from kg.settings import load_settings
from kg.vocab import OWL, SCHEMA
from kg.wikidata import review
from kg.wikidata.review import COLUMNS, Row

from .conftest import CORPUS, ROOT

BASE = "https://kg.example.org/"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / "data", tmp_path / "data")
    shutil.copy(CORPUS / "kg.toml", tmp_path / "kg.toml")
    return tmp_path / "data"


def review_path(data: Path) -> Path:
    return data / review.PATH


def append(data: Path, *cells: str) -> int:
    """Add a row (cells after key, qid, status default to empty); return its line number."""
    path = review_path(data)
    cells = list(cells) + [""] * (len(COLUMNS) - len(cells))
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\t".join(cells) + "\n", encoding="utf-8")
    return text.count("\n") + 1


def error_of(data: Path) -> FactsError:
    with pytest.raises(FactsError) as info:
        load_facts(data)
    assert info.value.path.name == "review.tsv"
    return info.value


# ---------------------------------------------------------------- the format

def test_rows_are_written_sorted_and_read_back_identically(tmp_path):
    path = tmp_path / "review.tsv"
    rows = [Row("b-key", "Q20", "proposed", 0.5, (1.0, None, 0.25, None, None, None, 0.0), "B", "a\tb\nc", "kg link", "x"),
            Row("b-key", "Q3", "rejected", by="me", evidence="no"),
            Row("a-key", "Q100", "accepted", by="seed: list.tsv", evidence="seeded")]
    review.write(path, rows)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[2] == "\t".join(COLUMNS)
    assert [ln.split("\t")[:2] for ln in lines[3:]] == [["a-key", "Q100"], ["b-key", "Q3"], ["b-key", "Q20"]]
    assert lines[5].split("\t")[3:11] == ["0.50", "1.00", "", "0.25", "", "", "", "0.00"]
    back = review.read(path)
    assert back[2].description == "a b c"          # no tab or line break inside a cell
    review.write(path, back)
    assert path.read_text(encoding="utf-8") == text


def test_a_missing_file_has_no_links(data):
    review_path(data).unlink()
    assert all(e.wikidata is None for e in load_facts(data).entities.values())


@pytest.mark.parametrize("cells, field, message", [
    (("mao-zedong", "5816", "proposed"), "qid", "'5816' is not a Wikidata item id"),
    (("zhou-enlai", "Q17410", "maybe"), "status", "'maybe' is not a status"),
    (("zhou-enlai", "Q17410", "proposed", "1.7"), "score", "'1.7' is not a number between 0 and 1"),
    (("zhou-enlai", "Q17410", "proposed", "", "high"), "name", "'high' is not a number"),
    (("zhou-enlai", "Q17410", "accepted", "", "", "", "", "", "", "", "", "", "", "", "x", "extra"), None,
     "expected 15 tab-separated cells, found 16"),
    (("zhou-enlai", "Q17410", "accepted"), None, None),   # fine: the control case
    (("zhou-enlai-x", "Q17410", "accepted"), "key", "'zhou-enlai-x' is not a key of the registry"),
    (("mao-zedong", "Q17410", "accepted"), "status", "mao-zedong has two accepted items: Q5816"),
    (("zhou-enlai", "Q5816", "accepted"), "qid", "Q5816 is already accepted for mao-zedong"),
    (("mao-zedong", "Q5816", "proposed"), "qid", "mao-zedong Q5816 is already on line"),
])
def test_bad_rows_name_file_line_and_column(data, cells, field, message):
    line = append(data, *cells)
    if message is None:
        assert load_facts(data).entities["zhou-enlai"].wikidata == "Q17410"
        return
    err = error_of(data)
    assert err.line == line and err.field == field, str(err)
    assert message in str(err)


def test_a_bad_header_is_reported(data):
    path = review_path(data)
    path.write_text(path.read_text(encoding="utf-8").replace("\tevidence\n", "\tnote\n"), encoding="utf-8")
    err = error_of(data)
    assert err.line == 3 and "header" in str(err)


# ---------------------------------------------------------------- the build

def links_in(graph) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s, o in graph.subject_objects(OWL.sameAs):
        out.setdefault(str(s).removeprefix(BASE), set()).add(str(o))
    return out


def test_only_accepted_rows_become_links(data):
    append(data, "zhou-enlai", "Q17410", "proposed", "0.90")
    append(data, "wang-jiaxiang", "Q1", "rejected")
    append(data, "ccp-8th-congress", "Q2", "accepted")
    result = pipeline.assemble(load_settings(data.parent))
    links = links_in(result.union)
    assert "person/zhou-enlai" not in links and "person/wang-jiaxiang" not in links
    assert links["event/ccp-8th-congress"] == {"http://www.wikidata.org/entity/Q2"}
    assert links["person/mao-zedong"] == {"http://www.wikidata.org/entity/Q5816"}
    node = URIRef(BASE + "person/mao-zedong")
    assert set(result.union.objects(node, SCHEMA.sameAs)) == {URIRef("https://www.wikidata.org/wiki/Q5816")}


def test_the_corpus_links_are_the_accepted_rows():
    facts = load_facts(CORPUS / "data")
    accepted = {r.key: r.qid for r in review.read(CORPUS / "data" / review.PATH) if r.status == "accepted"}
    assert {k: e.wikidata for k, e in facts.entities.items() if e.wikidata} == accepted
    assert len(accepted) == 19


def test_the_mini_fixture_has_its_own_review_file():
    facts = load_facts(ROOT / "tests" / "fixtures" / "mini" / "data")
    assert {k: e.wikidata for k, e in facts.entities.items() if e.wikidata} == {
        "mao-zedong": "Q5816", "peng-dehuai": "Q381823", "beijing": "Q956", "pyongyang": "Q18808"}
