"""Validation units (kg.units, kg.pipeline.find_violations) find exactly what validating each
document with the whole shared graph finds, SPARQL targets evaluated by rdflib (as kg did
before): on the test corpus, and on violations that cross the document/shared boundary."""
from __future__ import annotations

from collections import ChainMap

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg import pipeline
from kg.iris import Iris
from kg.settings import load_settings
from kg import units
from kg.units import SharedIndex, graph, reached
from kg.validate import SparqlTargets, shapes_graph, validate
from kg.writers import ntriples

from .conftest import CORPUS, MINI

BASE = "https://kg.example.org/"
SCHEMA = "http://schema.org/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


class RdflibTargets(SparqlTargets):
    """No SPARQL target replaced: pyshacl evaluates them itself with rdflib's engine."""

    def __init__(self, shapes: Graph):
        self.shapes, self.targets = shapes, []


def origins(facts, iris, documents) -> ChainMap:
    """Every origin of the build's, and those all ``documents``' statements assert (the document
    first in the facts wins a pair two assert): what one validation of all of them uses."""
    asserted: dict[str, str] = {}
    for d in facts.documents:
        if d.number in documents:
            for k, v in units.asserted(iris, d, documents[d.number]).items():
                asserted.setdefault(k, v)
    return ChainMap(asserted, pipeline._origins(facts, iris))


def whole_shared(settings, result) -> set:
    """The violations as kg found them before units: each document with the whole shared graph."""
    found_origins = origins(result.facts, Iris(settings.base), result.per_document)
    shapes = shapes_graph()
    targets = RdflibTargets(shapes)
    found = set()
    for number in sorted(result.per_document):
        g = Graph()
        for t in (*result.shared, *result.per_document[number]):
            g.add(t)
        found.update(validate(g, shapes, found_origins, targets))
    return found


def unit(document: Graph, shared: bytes) -> Graph:
    """A document's unit as a graph."""
    return graph(reached(ntriples(document), SharedIndex(shared)), graph(ntriples(document)))


@pytest.fixture(scope="module")
def corpus():
    settings = load_settings(CORPUS)
    return settings, pipeline.assemble(settings)


def same_as_before(settings, result) -> set:
    got = set(pipeline.find_violations(settings, result))
    expected = whole_shared(settings, result)
    assert got == expected, ("units: " + "\n".join(map(str, sorted(got - expected, key=str)))
                             + "\nwhole: " + "\n".join(map(str, sorted(expected - got, key=str))))
    return got


def test_the_corpus_gives_the_same_results(corpus):
    assert same_as_before(*corpus) == set()


def test_a_unit_holds_its_document_and_the_shared_statements_it_reaches(corpus):
    settings, result = corpus
    doc = result.per_document["121976"]
    g = unit(doc, result.shared_nt)
    assert all(t in g for t in doc)
    person = URIRef(f"{BASE}person/mao-zedong")
    assert (person, None, None) in doc or (None, None, person) in doc
    assert set(result.shared.triples((person, None, None))) <= set(g)  # all of a reached node
    assert len(g) < len(doc) + len(result.shared)  # and not the whole shared graph
    unused = [s for s in set(result.shared.subjects())
              if (s, None, None) not in doc and (None, None, s) not in doc and (s, None, None) not in g]
    assert unused, "every shared node was reached: the test corpus no longer tests the cut"


def _with(result, number: str | None, triples):
    """A copy of ``result`` with ``triples`` added to document ``number`` (None: to the shared graph)."""
    shared, docs = Graph(), {}
    for t in result.shared:
        shared.add(t)
    for n, g in result.per_document.items():
        docs[n] = Graph()
        for t in g:
            docs[n].add(t)
    for t in triples:
        (shared if number is None else docs[number]).add(t)
    return pipeline.BuildResult(result.facts, shared, docs)


def test_a_shared_node_broken_by_a_document_triple(corpus):
    """Mao (shared) said by one document to be a member of a group that does not list him:
    visible only with that document's triple."""
    settings, result = corpus
    mao, group = URIRef(f"{BASE}person/mao-zedong"), URIRef(f"{BASE}group/kwp")
    assert (group, RDF.type, None) in result.shared
    changed = _with(result, "121976", [(mao, URIRef(f"{SCHEMA}memberOf"), group)])
    found = same_as_before(settings, changed)
    assert any(v.focus == str(mao) and "inverse" in v.message for v in found), found


def test_a_document_node_broken_by_a_shared_triple(corpus):
    """A document's identifier whose type (shared) is put in a second scheme: the violation is
    on the identifier (a document node), visible only with the shared triple."""
    settings, result = corpus
    doc = result.per_document["121799"]
    ident = next(s for s in doc.subjects(RDF.type, URIRef(f"{CRM}E42_Identifier")))
    kind = doc.value(ident, URIRef(f"{CRM}P2_has_type"))
    scheme = URIRef(f"{BASE}type/document-kind")
    changed = _with(result, None, [(kind, SKOS.inScheme, scheme)])
    found = same_as_before(settings, changed)
    assert any(v.focus == str(ident) for v in found), found


def test_a_document_triple_on_a_shared_node_not_otherwise_reached(corpus):
    """A second English label for a shared place only one document names."""
    settings, result = corpus
    place = next(p for p in result.shared.subjects(RDF.type, URIRef(f"{CRM}E53_Place")))
    changed = _with(result, "121799", [(place, RDFS.label, Literal("Another name", lang="en"))])
    found = same_as_before(settings, changed)
    assert any(v.focus == str(place) for v in found), found


def test_the_mini_project_gives_the_same_results():
    settings = load_settings(MINI)
    assert same_as_before(settings, pipeline.assemble(settings)) == set()


def test_validation_leaves_the_data_graph_as_it_was(corpus):
    """kg.validate runs pyshacl in place (no copy): it must add nothing to the graph it checks."""
    settings, result = corpus
    g = unit(result.per_document["121976"], result.shared_nt)
    g.add((URIRef(f"{BASE}person/mao-zedong"), URIRef(f"{SCHEMA}memberOf"), URIRef(f"{BASE}group/kwp")))
    before = set(g)
    assert validate(g)  # the broken membership is reported
    assert set(g) == before


def test_documents_are_mapped_by_the_units_and_not_kept():
    """A build maps each document where its unit is made and keeps only its N-Triples: no
    graph is made by the build itself, none is alive at the end."""
    settings = load_settings(CORPUS)
    result = pipeline.assemble(settings)
    docs = result.per_document
    assert docs.graphs == {} and set(docs.todo) == set(docs)  # nothing mapped by assemble
    docs.mapper = None  # the build must not map in the Documents
    pipeline.find_violations(settings, result)
    assert len(docs) == 2 and docs.todo == {} and docs.graphs == {}
    assert set(result.nt) == set(docs) and all(result.nt[n] for n in docs)
    assert len(docs[next(iter(docs))]) == result.nt[next(iter(docs))].count(b"\n")  # parsed back when asked
