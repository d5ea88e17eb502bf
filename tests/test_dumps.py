"""The dumps in dist/: every format parses back (rdflib, pyoxigraph, pyld) to the same graph;
gzip copies, checksums and the VoID description agree with the files. They run on the test
corpus's build (tests/fixtures/corpus); that the committed dist/ is current is .ci/run's check."""
from __future__ import annotations

import gzip
import hashlib
import json

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import BNode, Graph

from kg.settings import load_settings
from kg.writers import to_rdflib
from kg.vocab import DCAT, RDF, SPDX, VOID

from .conftest import CORPUS
from .graphs import assert_same_triples, canonical

FORMATS = {"kg.ttl": "turtle", "kg.nt": "nt", "kg.jsonld": "json-ld", "kg.nq": "nquads"}


def rdflib_triples(corpus_dist, name: str) -> set:
    if name == "kg.nq":
        from rdflib import Dataset
        ds = Dataset()
        ds.parse(corpus_dist / name, format="nquads")
        return canonical((s, p, o) for s, p, o, _ in ds.quads())
    return canonical(Graph().parse(corpus_dist / name, format=FORMATS[name]))


def oxigraph_triples(corpus_dist, name: str) -> set:
    fmt = {"kg.ttl": ox.RdfFormat.TURTLE, "kg.nt": ox.RdfFormat.N_TRIPLES, "kg.nq": ox.RdfFormat.N_QUADS,
           "kg.jsonld": ox.RdfFormat.JSON_LD}[name]
    with open(corpus_dist / name, "rb") as f:
        return canonical((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                         for q in ox.parse(f, fmt))


@pytest.fixture(scope="module")
def reference(corpus_dist) -> set:
    return rdflib_triples(corpus_dist, "kg.nt")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_dump_parses_to_the_same_graph_with_rdflib(name, reference, corpus_dist):
    assert_same_triples(rdflib_triples(corpus_dist, name), reference, f"rdflib {name}", "kg.nt")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_dump_parses_to_the_same_graph_with_pyoxigraph(name, reference, corpus_dist):
    assert_same_triples(oxigraph_triples(corpus_dist, name), reference, f"pyoxigraph {name}", "kg.nt")


def test_jsonld_expands_with_pyld_to_the_same_graph(reference, corpus_dist):
    doc = json.loads((corpus_dist / "kg.jsonld").read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    g = Graph().parse(data=nquads, format="nquads")
    assert_same_triples(canonical(g), reference, "pyld kg.jsonld", "kg.nt")


def test_published_data_has_no_blank_nodes(reference):
    assert not [t for t in reference for x in t if isinstance(x, BNode)]


def test_jsonld_uses_the_published_context(corpus_dist):
    doc = json.loads((corpus_dist / "kg.jsonld").read_text(encoding="utf-8"))
    ctx = json.loads((corpus_dist / "context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == ctx["@context"]
    assert ctx["@context"]["schema"] == "http://schema.org/"


def test_nquads_has_one_graph_per_document_and_one_shared(dist_dataset):
    graphs = {str(c.identifier) for c in dist_dataset.contexts() if len(c)}
    base = load_settings(CORPUS).base
    assert graphs == {f"{base}graph/shared", f"{base}graph/document/121799", f"{base}graph/document/121976"}


def test_ntriples_are_sorted_and_nquads_sorted_graph_by_graph(corpus_dist):
    lines = (corpus_dist / "kg.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(set(lines))
    quads = [ox.Quad(q.subject, q.predicate, q.object, q.graph_name)
             for q in ox.parse(path=str(corpus_dist / "kg.nq"), format=ox.RdfFormat.N_QUADS)]
    lines = (corpus_dist / "kg.nq").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(quads)
    graphs = [q.graph_name.value for q in quads]
    assert graphs == sorted(graphs)  # each graph whole, graphs in order of their IRIs
    for name in set(graphs):
        own = [line for line, g in zip(lines, graphs) if g == name]
        assert own == sorted(set(own)), name


@pytest.mark.parametrize("name", ["kg.ttl", "kg.nt", "kg.nq", "kg.jsonld"])
def test_gzip_copies_hold_the_same_bytes(name, corpus_dist):
    assert gzip.decompress((corpus_dist / (name + ".gz")).read_bytes()) == (corpus_dist / name).read_bytes()


def test_sha256sums_lists_every_file_with_its_digest(corpus_dist):
    listed = {}
    for line in (corpus_dist / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.name for p in corpus_dist.iterdir() if p.is_file() and p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((corpus_dist / name).read_bytes()).hexdigest() == digest, name


def test_void_describes_the_dumps(reference, corpus_dist):
    void = Graph().parse(corpus_dist / "void.ttl", format="turtle")
    ds = next(void.subjects(RDF.type, VOID.Dataset))
    assert (ds, RDF.type, DCAT.Dataset) in void
    assert int(void.value(ds, VOID.triples)) == len(reference)
    dists = {str(void.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1]: d
             for d in void.objects(ds, DCAT.distribution)}
    for name in ("kg.ttl", "kg.nt", "kg.nq", "kg.jsonld", "kg.nt.gz", "context.jsonld"):
        d = dists[name]
        data = (corpus_dist / name).read_bytes()
        assert int(void.value(d, DCAT.byteSize)) == len(data)
        checksum = void.value(d, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert void.value(d, DCAT.mediaType) is not None
    classes = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
               for p in void.objects(ds, VOID.classPartition)}
    from kg.vocab import CRM
    assert classes[CRM.E21_Person] == len(set(s for s, p, o in reference
                                               if p == RDF.type and o == CRM.E21_Person))

