"""SPARQL results in every standard format, written by the engine (pyoxigraph) and read here
by an independent parser (rdflib's result parsers), over real HTTP and at the row and byte cuts."""
from __future__ import annotations

import io
import json
import shutil
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

from kg.serve import sparql as sp
from kg.serve.app import App
from kg.serve.sparql import QueryPool

from .serving import serving
from .test_serve_http import BASE, request

FORMATS = {"application/sparql-results+json": "json", "application/json": "json",
           "application/sparql-results+xml": "xml", "text/csv": "csv", "text/tab-separated-values": "tsv"}
PEOPLE = ("PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?p ?label ?missing WHERE { ?p a crm:E21_Person ; rdfs:label ?label } ORDER BY ?p ?label")
LIMIT = 7


@pytest.fixture(scope="module")
def server(tmp_path_factory, corpus_dist):
    dist = tmp_path_factory.mktemp("formats") / "dist"
    shutil.copytree(corpus_dist, dist)
    app = App(dist, BASE)
    app.pool = QueryPool(dist, size=1, timeout=10, limit=LIMIT)
    with serving(app) as port:
        yield port, dist


def parsed(body: bytes, fmt: str) -> Result:
    return Result.parse(io.BytesIO(body), format=fmt)


def expected_people(dist, limit: int) -> list[tuple]:
    store = ox.Store()
    store.load(path=str(dist / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    rows = [(s["p"].value, s["label"].value) for s in store.query(PEOPLE, use_default_graph_as_union=True)]
    return rows[:limit], len(rows)


@pytest.mark.parametrize("media", sorted(FORMATS))
def test_select_in_every_format_is_cut_at_the_row_limit(server, media):
    status, h, body = request(server, "GET", "/sparql?" + urlencode({"query": PEOPLE}), {"Accept": media})
    assert status == 200 and h["content-type"].split(";")[0] == media
    rows, total = expected_people(server[1], LIMIT)
    assert total > LIMIT and h.get("kg-results-truncated", "").startswith("true")
    result = parsed(body, FORMATS[media])
    assert [str(v) for v in result.vars] == ["p", "label", "missing"]
    got = [(str(r[0]), str(r[1])) for r in result]
    assert got == rows
    if FORMATS[media] != "csv":  # CSV carries no term types: the others keep IRIs and language tags
        assert all(isinstance(r[0], URIRef) and r[1].language == "en" and r[2] is None for r in result)


@pytest.mark.parametrize("media", sorted(FORMATS))
def test_ask_in_every_format(server, media):
    q = "ASK { ?s a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> }"
    status, h, body = request(server, "GET", "/sparql?" + urlencode({"query": q}), {"Accept": media})
    assert status == 200
    if FORMATS[media] in ("json", "xml"):
        assert parsed(body, FORMATS[media]).askAnswer is True
    else:
        assert body.strip().lower() == b"true"


def odd_store() -> ox.Store:
    """Terms a hand-written writer gets wrong: blank nodes, tabs, newlines, quotes, markup,
    datatypes, language tags, unbound variables."""
    store = ox.Store()
    p = ox.NamedNode("http://example.org/p")
    for i, o in enumerate([ox.BlankNode("b1"), ox.Literal('tab\tline\nquote" <a>&amp;'),
                           ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                           ox.Literal("été", language="fr"), ox.Literal("x\r\ny")]):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/{i}"), p, o))
    return store


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_odd_terms_survive_the_cut(fmt):
    media = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
             "tsv": "text/tab-separated-values"}[fmt]
    q = "SELECT ?s ?o ?none { ?s ?p ?o } ORDER BY ?s"
    whole = sp.execute(odd_store(), q, media, 100, {})
    cut = sp.execute(odd_store(), q, media, 3, {})
    assert not whole.truncated and cut.truncated
    rows = [tuple(r) for r in parsed(whole.body, fmt)]
    assert len(rows) == 5 and [tuple(r) for r in parsed(cut.body, fmt)] == rows[:3]
    objects = [r[1] for r in rows]
    assert isinstance(objects[0], BNode)
    assert objects[1] == Literal('tab\tline\nquote" <a>&amp;')
    assert objects[2] == Literal("12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))
    assert objects[3] == Literal("été", lang="fr")
    # XML parsers read a raw CR LF as LF (XML's end-of-line rule); oxigraph's XML writer does not escape CR
    assert objects[4] == Literal("x\ny" if fmt == "xml" else "x\r\ny")
    assert all(r[2] is None for r in rows)


def test_exactly_the_limit_is_not_truncated():
    q = "SELECT ?s { ?s ?p ?o }"
    a = sp.execute(odd_store(), q, "application/sparql-results+json", 5, {})
    assert not a.truncated and len(json.loads(a.body)["results"]["bindings"]) == 5
    a = sp.execute(odd_store(), q, "application/sparql-results+json", 4, {})
    assert a.truncated and len(json.loads(a.body)["results"]["bindings"]) == 4


def test_the_byte_cap_holds_in_the_larger_formats():
    """The cut is measured in TSV; an XML answer of many short terms is larger, and still kept under the cap."""
    store = ox.Store()
    for i in range(3000):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{i}"), ox.NamedNode("http://e/p"), ox.NamedNode("http://e/o")))
    a = sp.execute(store, "SELECT ?s ?p ?o { ?s ?p ?o }", "application/sparql-results+xml", 10_000, {},
                   max_bytes=50_000)
    rows = list(parsed(a.body, "xml"))
    assert a.truncated and len(a.body) <= 50_000 and 0 < len(rows) < 3000


def test_no_variables_and_empty_results():
    store = odd_store()
    a = sp.execute(store, "SELECT * {}", "application/sparql-results+json", 10, {})
    assert json.loads(a.body) == {"head": {"vars": []}, "results": {"bindings": [{}]}} and not a.truncated
    a = sp.execute(store, "SELECT ?x { ?x <http://nothing/> ?y }", "application/sparql-results+xml", 10, {})
    assert list(parsed(a.body, "xml")) == [] and not a.truncated
