"""The dumps in dist/: every format parses back (rdflib, pyoxigraph, pyld) to the same graph;
gzip copies, checksums and the VoID description agree with the files; dist/ is current."""
from __future__ import annotations

import gzip
import hashlib
import json

import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import BNode, Graph, Literal, URIRef

from kg import pipeline
from kg.settings import load_settings
from kg.vocab import DCAT, RDF, SPDX, VOID

from .conftest import DIST, ROOT
from .graphs import assert_same_triples, canonical

FORMATS = {"kg.ttl": "turtle", "kg.nt": "nt", "kg.jsonld": "json-ld", "kg.nq": "nquads"}


def rdflib_triples(name: str) -> set:
    if name == "kg.nq":
        from rdflib import Dataset
        ds = Dataset()
        ds.parse(DIST / name, format="nquads")
        return canonical((s, p, o) for s, p, o, _ in ds.quads())
    return canonical(Graph().parse(DIST / name, format=FORMATS[name]))


def _ox_term(t):
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    if t.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(t.value)
    return Literal(t.value, datatype=URIRef(t.datatype.value))


def oxigraph_triples(name: str) -> set:
    fmt = {"kg.ttl": ox.RdfFormat.TURTLE, "kg.nt": ox.RdfFormat.N_TRIPLES, "kg.nq": ox.RdfFormat.N_QUADS,
           "kg.jsonld": ox.RdfFormat.JSON_LD}[name]
    with open(DIST / name, "rb") as f:
        return canonical((_ox_term(q.subject), _ox_term(q.predicate), _ox_term(q.object))
                         for q in ox.parse(f, fmt))


@pytest.fixture(scope="module")
def reference() -> set:
    return rdflib_triples("kg.nt")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_dump_parses_to_the_same_graph_with_rdflib(name, reference):
    assert_same_triples(rdflib_triples(name), reference, f"rdflib {name}", "kg.nt")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_dump_parses_to_the_same_graph_with_pyoxigraph(name, reference):
    assert_same_triples(oxigraph_triples(name), reference, f"pyoxigraph {name}", "kg.nt")


def test_jsonld_expands_with_pyld_to_the_same_graph(reference):
    doc = json.loads((DIST / "kg.jsonld").read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    g = Graph().parse(data=nquads, format="nquads")
    assert_same_triples(canonical(g), reference, "pyld kg.jsonld", "kg.nt")


def test_published_data_has_no_blank_nodes(reference):
    assert not [t for t in reference for x in t if isinstance(x, BNode)]


def test_jsonld_uses_the_published_context():
    doc = json.loads((DIST / "kg.jsonld").read_text(encoding="utf-8"))
    ctx = json.loads((DIST / "context.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == ctx["@context"]
    assert ctx["@context"]["schema"] == "http://schema.org/"


def test_nquads_has_one_graph_per_document_and_one_shared(dist_dataset):
    graphs = {str(c.identifier) for c in dist_dataset.contexts() if len(c)}
    base = load_settings(ROOT).base
    assert graphs == {f"{base}graph/shared", f"{base}graph/document/121799", f"{base}graph/document/121976"}


def test_ntriples_and_nquads_are_sorted():
    for name in ("kg.nt", "kg.nq"):
        lines = (DIST / name).read_text(encoding="utf-8").splitlines()
        assert lines == sorted(lines), name


@pytest.mark.parametrize("name", ["kg.ttl", "kg.nt", "kg.nq", "kg.jsonld"])
def test_gzip_copies_hold_the_same_bytes(name):
    assert gzip.decompress((DIST / (name + ".gz")).read_bytes()) == (DIST / name).read_bytes()


def test_sha256sums_lists_every_file_with_its_digest():
    listed = {}
    for line in (DIST / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.name for p in DIST.iterdir() if p.is_file() and p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((DIST / name).read_bytes()).hexdigest() == digest, name


def test_void_describes_the_dumps(reference):
    void = Graph().parse(DIST / "void.ttl", format="turtle")
    ds = next(void.subjects(RDF.type, VOID.Dataset))
    assert (ds, RDF.type, DCAT.Dataset) in void
    assert int(void.value(ds, VOID.triples)) == len(reference)
    dists = {str(void.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1]: d
             for d in void.objects(ds, DCAT.distribution)}
    for name in ("kg.ttl", "kg.nt", "kg.nq", "kg.jsonld", "kg.nt.gz", "context.jsonld"):
        d = dists[name]
        data = (DIST / name).read_bytes()
        assert int(void.value(d, DCAT.byteSize)) == len(data)
        checksum = void.value(d, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert void.value(d, DCAT.mediaType) is not None
    classes = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
               for p in void.objects(ds, VOID.classPartition)}
    from kg.vocab import CRM
    assert classes[CRM.E21_Person] == len(set(s for s, p, o in reference
                                               if p == RDF.type and o == CRM.E21_Person))


def test_dist_is_current_with_data():
    """Rebuilding from data/ in memory gives exactly the committed files."""
    settings = load_settings(ROOT)
    settings = settings.with_(source_date_epoch=None)
    result = pipeline.build(settings, write=False)
    on_disk = {p.name: p.read_bytes() for p in DIST.iterdir() if p.is_file()}
    stale = sorted(n for n in set(on_disk) | set(result.files) if on_disk.get(n) != result.files.get(n))
    assert not stale, f"dist/ is out of date ({', '.join(stale)}): run `kg build` and commit dist/"
