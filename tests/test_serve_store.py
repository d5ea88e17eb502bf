"""The pages' graph is an Oxigraph store: what it shows is still the published triples.

The store would keep XSD literals in a canonical form of their value (``"5.0"`` →
``"5"``, ``+00:00`` → ``Z``, ``xsd:nonNegativeInteger`` → ``xsd:integer``); kg.lexical
keeps them as written, also where a literal's own text holds the datatype marker.
"""
from __future__ import annotations

import io
import shutil

import pyoxigraph as ox
import pytest

from kg import lexical
from kg.serve.app import App
from kg.serve.graph import Graph

BASE = "https://kg.example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
S = f"<{BASE}thing/x>"
G1, G2 = f"<{BASE}graph/document/1>", f"<{BASE}graph/shared>"
# literals the store would rewrite, and texts that hold the marker a rewrite looks for
WRITTEN = [f'"5.0"^^<{XSD}decimal>', f'"0012"^^<{XSD}nonNegativeInteger>', f'"1"^^<{XSD}boolean>',
           f'"2026-11-24T00:00:00+00:00"^^<{XSD}dateTime>', f'"1.0E0"^^<{XSD}double>',
           f'"a \\"^^<{XSD}decimal> b"', f'"ends in a backslash \\\\"^^<{XSD}decimal>',
           f'"odd \\\\\\"^^<{XSD}integer> run"']


def _dist(tmp_path, lines: list[str]):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "kg.nq").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return dist


def test_literals_are_shown_as_published(tmp_path):
    lines = [f"{S} <{BASE}p/{i}> {lit} {G1} ." for i, lit in enumerate(WRITTEN)]
    dist = _dist(tmp_path, lines)
    with (dist / "kg.nq").open("rb") as f:
        published = {str(q.object) for q in ox.parse(f, ox.RdfFormat.N_QUADS)}
    g = Graph(dist, BASE)
    shown = {str(t.object) for t in g.outgoing(f"{BASE}thing/x")}
    assert shown == published and len(shown) == len(WRITTEN)
    assert g.first(f"{BASE}thing/x", f"{BASE}p/0") == "5.0"
    assert str(g.values(f"{BASE}thing/x", f"{BASE}p/1")[0].datatype) == f"<{XSD}nonNegativeInteger>"
    nt = App(dist, BASE).handle("GET", "/thing/x", {"Accept": "application/n-triples"}).body.decode()
    for lit in WRITTEN:
        assert lit in nt


def test_a_triple_in_two_graphs_counts_once_and_lists_are_in_order(tmp_path):
    lines = [f'{S} <{BASE}p/b> "z" {G1} .', f'{S} <{BASE}p/b> "z" {G2} .', f'{S} <{BASE}p/b> "a" {G2} .',
             f"{S} <{BASE}p/a> <{BASE}thing/x/part> {G1} .", f"{S} <{BASE}p/a> <{BASE}thing/x-y> {G1} .",
             f'<{BASE}thing/x/part> <{BASE}p/c> "1"^^<{XSD}integer> {G2} .',
             f"<{BASE}thing/w> <{BASE}p/a> {S} {G1} .", f"<{BASE}thing/x-y> <{BASE}p/a> {S} {G2} ."]
    g = Graph(_dist(tmp_path, lines), BASE)
    assert g.graph_sizes == {G1.strip("<>"): 4, G2.strip("<>"): 4}
    assert g.data_triples == 7
    x = f"{BASE}thing/x"
    # objects by their N-Triples text: "<…/x-y>" before "<…/x/part>" ('-' < '/'), as a sorted dump
    assert g.iris(x, f"{BASE}p/a") == [f"{BASE}thing/x-y", f"{BASE}thing/x/part"]
    assert [o.value for o in g.values(x, f"{BASE}p/b")] == ["a", "z"]
    assert g.subjects_of(f"{BASE}p/a", x) == [f"{BASE}thing/w", f"{BASE}thing/x-y"]
    assert [str(t.predicate) for t in g.outgoing(x)] == [f"<{BASE}p/a>"] * 2 + [f"<{BASE}p/b>"] * 2
    assert len(g.describe(x)) == 5  # its own four and its part's one
    assert g.subjects == [f"{BASE}thing/w", x, f"{BASE}thing/x-y", f"{BASE}thing/x/part"]
    assert g.has(x) and not g.has(f"{BASE}thing/nothing") and not g.has(f"{BASE}not an iri")
    assert g.under("thing") == [f"{BASE}thing/w", x, f"{BASE}thing/x-y"]


def test_the_reader_rewrites_only_closing_quotes():
    text = "".join(f"{S} <{BASE}p> {lit} {G1} .\n" for lit in WRITTEN).encode()
    rewritten = lexical.reader(io.BytesIO(text)).read()
    assert rewritten.count(lexical.KEPT.encode()) == 6  # the five typed, and the one after an even run
    store = ox.Store()
    store.bulk_load(lexical.reader(io.BytesIO(text)), ox.RdfFormat.N_QUADS)
    assert {str(lexical.shown(q.object)) for q in store} == {str(q.object) for q in ox.parse(text, ox.RdfFormat.N_QUADS)}


def test_a_large_dump_crosses_the_reader_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(lexical, "_CHUNK", 1000)
    lines = [f'<{BASE}thing/{i}> <{BASE}p> "{i}.0"^^<{XSD}decimal> {G1} .' for i in range(500)]
    g = Graph(_dist(tmp_path, lines), BASE)
    assert [g.first(f"{BASE}thing/{i}", f"{BASE}p") for i in range(500)] == [f"{i}.0" for i in range(500)]


@pytest.mark.parametrize("bad", ["<x> <y> .", '<http://a/> <http://b/> "unterminated'])
def test_a_broken_dump_is_refused(tmp_path, bad):
    with pytest.raises(SyntaxError):
        Graph(_dist(tmp_path, [bad]), BASE)


def test_the_corpus_pages_equal_the_store_free_reading(corpus_dist, tmp_path):
    """Every subject's triples from the store equal those parsed straight from the dumps."""
    dist = tmp_path / "dist"
    shutil.copytree(corpus_dist, dist)
    g = Graph(dist, BASE)
    expected: dict[str, set] = {}
    for name, fmt in (("kg.nq", ox.RdfFormat.N_QUADS), ("void.ttl", ox.RdfFormat.TURTLE),
                      ("ontology.ttl", ox.RdfFormat.TURTLE)):
        with (dist / name).open("rb") as f:
            for q in ox.parse(f, fmt):
                if isinstance(q.subject, ox.NamedNode):
                    expected.setdefault(q.subject.value, set()).add(ox.Triple(q.subject, q.predicate, q.object))
    assert g.subjects == sorted(s for s in expected if s.startswith(BASE))
    for s, triples in expected.items():
        assert g.outgoing(s) == sorted(triples, key=lambda t: (str(t.predicate), str(t.object))), s
