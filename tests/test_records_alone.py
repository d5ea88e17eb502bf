"""A project of real Digital Archive records of different forms and no facts files builds
with the real `kg build`, validates, and publishes each record's header (issue 8, item 6)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import ConjunctiveGraph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from .conftest import ROOT

MINI = ROOT / "tests" / "fixtures" / "mini"
REAL = ROOT / "tests" / "fixtures" / "records-real"
CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
SCHEMA = Namespace("http://schema.org/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
KGT = Namespace("https://kg.example.org/type/")

# number → (title, date, archive key, [(level, value), …] top first, translator key or None)
EXPECTED = {
    "134230": ("Record of Conversation between N.G. Sudarikov and Heo Dam, the leader of the "
               "Ministry of Foreign Affairs of DPRK", "1969-04-16", "rgani",
               [("fond", "5"), ("opis", "61"), ("delo", "462")], "gary-goldberg"),
    "114960": ("Note from the Embassy of the Polish Republic in Korea", "1953-09-02", "polish-fma",
               [], "maya-latynski"),
    "111817": ("Memorandum of Conversation, Comrade Abdyl Kellezi with Comrade Zhou Enlai",
               "1961-04-20", "albanian-csa", [], "enkel-daljani"),
    "113235": ("Conversation between Lee Hu-rak and Kim Il Sung", "1972-11-03", "south-korean-fma",
               [], None),
    "113395": ("Report, Embassy of Hungary in North Korea to the Hungarian Foreign Ministry", "1955-02-26",
               "mol", [("fond", "XIX-J-1-j"), ("series", "Korea"), ("box", "4"), ("file", "5/a"),
                       ("item", "004076/1955")], "balazs-szalontai"),
    "115608": ("Journal of Soviet Ambassador to the DPRK A.M. Puzanov for 2 May 1957", "1957-05-02", "avprf",
               [("fond", "0102"), ("opis", "13"), ("papka", "72"), ("delo", "5")], "gary-goldberg"),
    "900001": ("Telegram from Test Author to the Test Committee", "1956-09-18", "garf",
               [("fond", "1"), ("opis", "2c"), ("delo", "3")], "test-translator"),
}
REGISTRY_ADDITIONS = {
    "persons": {"gary-goldberg": {"label": "Gary Goldberg"}, "maya-latynski": {"label": "Maya Latynski"},
                "enkel-daljani": {"label": "Enkel Daljani"}, "balazs-szalontai": {"label": "Balazs Szalontai"}},
    "groups": {
        "rgani": {"label": "Russian State Archive of Contemporary History", "type": "archive",
                  "names": [{"text": "RGANI", "lang": "en"}]},
        "mol": {"label": "Hungarian National Archives", "type": "archive", "names": [{"text": "MOL", "lang": "en"}]},
        "avprf": {"label": "Archive of Foreign Policy of the Russian Federation", "type": "archive",
                  "names": [{"text": "AVPRF", "lang": "en"}]},
        "polish-fma": {"label": "Polish Foreign Ministry Archive", "type": "archive"},
        "albanian-csa": {"label": "Central State Archive, Tirana", "type": "archive"},
        "south-korean-fma": {"label": "South Korean Foreign Ministry Archive", "type": "archive"},
    },
}


def kg(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "kg", "--root", str(root), *args], capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("alone") / "project"
    shutil.copytree(MINI, root)
    shutil.rmtree(root / "data" / "documents")
    for number in EXPECTED:
        if number != "900001":
            shutil.copy(REAL / f"{number}.txt", root / "data" / "records")
    path = root / "data" / "registry.yaml"
    registry = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section, entries in REGISTRY_ADDITIONS.items():
        registry[section].update(entries)
    path.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def graph(project) -> ConjunctiveGraph:
    r = kg(project, "build")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    g = ConjunctiveGraph()
    g.parse(project / "dist" / "kg.nq", format="nquads")
    return g


def test_validates(project, graph):
    r = kg(project, "validate")
    assert r.returncode == 0, r.stderr[-3000:]


def _doc(graph, number) -> URIRef:
    docs = {d for d, _, v in graph.triples((None, SCHEMA.identifier, Literal(number)))}
    assert len(docs) == 1, number
    return docs.pop()


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_header_is_published(graph, number):
    title, date, archive, levels, translator = EXPECTED[number]
    doc = _doc(graph, number)
    assert graph.value(doc, SCHEMA.name) == Literal(title, lang="en")
    assert graph.value(doc, SCHEMA.dateCreated) == Literal(date, datatype=XSD.date)
    assert (doc, CRM.P2_has_type, KGT.record) in graph
    citation = str(graph.value(doc, DCTERMS.bibliographicCitation))
    assert title in citation and "Digital Archive" in citation
    keeper = graph.value(doc, SCHEMA.holdingArchive)
    assert str(keeper).endswith(f"/group/{archive}")
    item = graph.value(None, CRM.P128_carries, doc)
    if levels:   # the item is part of the lowest holding, which is part of the one above …
        node, found = graph.value(item, CRM.P46i_forms_part_of), []
        while node is not None:
            level = str(graph.value(node, CRM.P2_has_type)).rsplit("/", 1)[1]
            name = str(graph.value(node, RDFS.label)).rsplit(", ", 1)[1]   # "…, box 4"
            found.append((level, name.split(" ", 1)[1]))
            assert name.split(" ", 1)[0] == level
            assert graph.value(node, CRM.P50_has_current_keeper) == keeper
            node = graph.value(node, CRM.P46i_forms_part_of)
        assert found[::-1] == levels
    translation = graph.value(doc, CRM.P73_has_translation)
    if translator:
        assert str(graph.value(translation, SCHEMA.translator)).endswith(f"/person/{translator}")
        assert graph.value(translation, CRM.P190_has_symbolic_content) is not None


def test_translation_only_record_has_no_original_text(graph):
    doc = _doc(graph, "134230")
    assert graph.value(doc, CRM.P190_has_symbolic_content) is None
    assert str(graph.value(doc, SCHEMA.inLanguage)) == "ru"
    text = str(graph.value(graph.value(doc, CRM.P73_has_translation), CRM.P190_has_symbolic_content))
    assert text.startswith("[CPSU CC stamp: Korea 19361 12 June 1969] SOVIET EMBASSY IN THE DPRK")


def test_credits_are_a_note(graph):
    notes = {str(n) for n in graph.objects(_doc(graph, "114960"), CRM.P3_has_note)}
    assert notes == {"Obtained for NKIDP by Jakub Poprocki and translated for NKIDP by Maya Latynski.\n\n"
                     "This document was made possible with support from the Leon Levy Foundation."}


def test_shelfmark_identifier(graph):
    item = graph.value(None, CRM.P128_carries, _doc(graph, "134230"))
    ids = [graph.value(i, CRM.P190_has_symbolic_content) for i in graph.objects(item, CRM.P1_is_identified_by)]
    assert [str(i) for i in ids] == ["RGANI f. 5, op. 61, d. 462, ll. 71–74"]


def test_statement_citing_a_text_the_record_lacks(tmp_path):
    """The mini record without its Russian transcript: the facts file's names are in the
    original, which the record no longer has — exit 2 naming file, line, field and texts."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    record = root / "data" / "records" / "900001.txt"
    text = record.read_text(encoding="utf-8")
    start, end = text.index("Сегодня состоялась"), text.index("Secret\n")
    record.write_text(text[:start] + text[end:], encoding="utf-8")
    r = kg(root, "build")
    assert r.returncode == 2, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    assert "900001.yaml:8: field 'in': record 900001 has no original text; it has translation" in r.stderr
    assert not (root / "dist").exists()


@pytest.mark.parametrize("written, value, datatype, begin, end", [
    ("Sep, 1956", "1956-09", XSD.gYearMonth, "1956-09-01T00:00:00", "1956-09-30T23:59:59"),
    ("September 1956", "1956-09", XSD.gYearMonth, "1956-09-01T00:00:00", "1956-09-30T23:59:59"),
    ("1956", "1956", XSD.gYear, "1956-01-01T00:00:00", "1956-12-31T23:59:59"),
])
def test_a_record_dated_to_the_month_or_year(tmp_path, written, value, datatype, begin, end):
    """A header that gives only the month or the year: the date says so (never a made-up day),
    and the creation spans the whole month or year. Such a record used to fail validation."""
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    record = project / "data" / "records" / "900001.txt"
    record.write_text(record.read_text(encoding="utf-8").replace("**September 18, 1956**", f"**{written}**", 1),
                      encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kg", "--root", str(project), "build"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    g = ConjunctiveGraph()
    g.parse(project / "dist" / "kg.nq", format="nquads")
    doc = URIRef("https://kg.example.org/document/900001")
    assert list(g.objects(doc, SCHEMA.dateCreated)) == [Literal(value, datatype=datatype)]
    span = URIRef("https://kg.example.org/document/900001/creation/time")
    assert str(g.value(span, CRM.P82a_begin_of_the_begin)) == begin
    assert str(g.value(span, CRM.P82b_end_of_the_end)) == end
