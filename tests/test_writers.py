"""kg.writers: the fast dump writers say exactly the triples they are given, the same bytes
whatever the order the triples come in, and JSON-LD compacted as rdflib compacts it."""
from __future__ import annotations

import json
import random

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg import writers
from kg.publish import context, prefixes

from .graphs import assert_same_triples, canonical

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
KGT = "https://kg.example.org/type/"
BASE = "https://kg.example.org/"


def sample() -> Graph:
    """Every kind of term the dumps hold, and the awkward ones: quotes, newlines, tabs,
    backslashes, non-Latin text, IRIs that are not prefixable, several values per key."""
    g = Graph()
    doc = URIRef(f"{BASE}document/1")
    g.add((doc, RDF.type, URIRef(f"{CRM}E31_Document")))
    g.add((doc, RDF.type, URIRef("http://schema.org/Message")))
    g.add((doc, RDFS.label, Literal('He said "no"\nand left;\tthen \\ went', lang="en")))
    g.add((doc, RDFS.label, Literal("Сегодня состоялась беседа", lang="ru")))
    g.add((doc, URIRef(f"{CRM}P2_has_type"), URIRef(f"{KGT}telegram")))
    g.add((doc, URIRef(f"{CRM}P3_has_note"), Literal("plain text with a . at the end.")))
    g.add((doc, URIRef("http://schema.org/dateCreated"), Literal("1956-09-19", datatype=XSD.date)))
    g.add((doc, URIRef("http://www.w3.org/ns/oa#end"), Literal("2558", datatype=XSD.nonNegativeInteger)))
    g.add((doc, URIRef(f"{CRM}P90a_has_lower_value_limit"), Literal("5.0", datatype=XSD.decimal)))
    g.add((doc, URIRef(f"{CRM}P67_refers_to"), URIRef(f"{BASE}person/a")))
    g.add((doc, URIRef(f"{CRM}P67_refers_to"), URIRef(f"{BASE}person/b")))
    g.add((doc, URIRef(f"{CRM}P67_refers_to"), URIRef("http://www.wikidata.org/entity/Q5")))
    g.add((URIRef(f"{BASE}person/a"), RDFS.label, Literal("A")))
    g.add((URIRef(f"{BASE}person/a"), URIRef("http://example.org/unprefixed#p"), Literal("x", lang="en-gb")))
    g.add((URIRef("http://www.wikidata.org/entity/Q5"), RDFS.label, Literal("human", lang="en")))
    return g


def shuffled(g: Graph, seed: int) -> Graph:
    triples = list(g)
    random.Random(seed).shuffle(triples)
    out = Graph()
    for t in triples:
        out.add(t)
    return out


def test_ntriples_are_sorted_lines_of_exactly_the_triples():
    g = sample()
    nt = writers.ntriples(g)
    lines = nt.decode("utf-8").splitlines()
    assert lines == sorted(set(lines)) and len(lines) == len(g)
    assert_same_triples(canonical(Graph().parse(data=nt, format="nt")), canonical(g))


def test_turtle_says_the_same_triples_under_the_project_prefixes():
    g = sample()
    ttl = writers.turtle(writers.ntriples(g), prefixes())
    text = ttl.decode("utf-8")
    assert text.startswith("@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .\n")
    assert "kgt:telegram" in text and "crm:P67_refers_to" in text
    assert_same_triples(canonical(Graph().parse(data=ttl, format="turtle")), canonical(g))


def test_the_same_triples_in_any_order_give_the_same_bytes():
    g = sample()
    first = writers.ntriples(g)
    for seed in range(3):
        nt = writers.ntriples(shuffled(g, seed))
        assert nt == first
        assert writers.turtle(nt, prefixes()) == writers.turtle(first, prefixes())
        assert writers.jsonld(nt, context()["@context"]) == writers.jsonld(first, context()["@context"])


def _canon(value):
    if isinstance(value, dict):
        return {k: _canon(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return sorted((_canon(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def rdflib_jsonld(g: Graph, ctx: dict) -> bytes:
    """The JSON-LD kg wrote before kg.writers: rdflib's compaction, then sorted (nodes in the
    order of their subjects in sorted N-Triples, ``<IRI>`` as written there)."""
    doc = json.loads(g.serialize(format="json-ld", context=ctx, auto_compact=True))
    nodes = doc.get("@graph", [doc] if "@id" in doc else [])

    def written(node: dict) -> bytes:
        prefix, _, rest = node.get("@id", "").partition(":")
        full = ctx[prefix] + rest if isinstance(ctx.get(prefix), str) and not rest.startswith("//") else node["@id"]
        return f"<{full}> ".encode("utf-8")

    nodes = sorted((_canon({k: v for k, v in n.items() if k != "@context"}) for n in nodes), key=written)
    return (json.dumps({"@context": ctx, "@graph": nodes}, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def test_jsonld_is_compacted_as_rdflib_compacts_it_with_the_context():
    g = sample()
    ctx = context()["@context"]
    got = writers.jsonld(writers.ntriples(g), ctx)
    assert got == rdflib_jsonld(g, ctx)
    back = Graph().parse(data=got, format="json-ld")
    assert_same_triples(canonical(back), canonical(g))


def test_nquads_put_each_triple_in_its_graph():
    a, b = Graph(), Graph()
    a.add((URIRef(f"{BASE}s"), RDFS.label, Literal("in a")))
    b.add((URIRef(f"{BASE}s"), RDFS.label, Literal("in b", lang="en")))
    nq = writers.nquads_of([(f"{BASE}graph/a", writers.ntriples(a)), (f"{BASE}graph/b", writers.ntriples(b))])
    ds = Dataset()
    ds.parse(data=nq, format="nquads")
    got = {str(g.identifier): {str(o) for o in g.objects()} for g in ds.graphs() if len(g)}
    assert got == {f"{BASE}graph/a": {"in a"}, f"{BASE}graph/b": {"in b"}}
    lines = nq.decode("utf-8").splitlines()
    assert lines == sorted(lines)  # here graph order and line order agree


@pytest.mark.parametrize("batch", [1 << 20, 7])
def test_nquads_are_written_graph_by_graph_each_graph_sorted(batch, monkeypatch):
    """Graphs sharing subjects and literals, given out of order: the N-Quads hold each graph
    whole (graphs in order of their IRIs), each graph's lines sorted and once, each line what
    pyoxigraph writes for the quad — written a block at a time, so block boundaries must not
    change the bytes."""
    monkeypatch.setattr(writers, "QUAD_BLOCK", batch)
    graphs = []
    for g in (2, 0, 3, 1):
        graph = Graph()
        for i in range(30):
            s = URIRef(f"{BASE}s{(i * 7 + g) % 9}")
            graph.add((s, RDFS.label, Literal(f"v{i % 5}" + ("" if i % 2 else "x"), lang="en" if i % 3 else None)))
            graph.add((s, RDFS.seeAlso, URIRef(f"{BASE}o{(i + g) % 4}")))
        graph.add((URIRef(f"{BASE}s0"), RDFS.comment, Literal(f"ends a line .\nand {g} .\r\n .")))
        graphs.append((f"{BASE}graph/{g}", writers.ntriples(graph)))
    nq = writers.nquads_of(graphs)
    lines = nq.split(b"\n")[:-1]
    assert len(lines) == sum(nt.count(b"\n") for _, nt in graphs)
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
             for name, nt in sorted(graphs) for t in writers.parse_nt(nt)]
    assert nq == ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    names = [line.rsplit(b" ", 2)[1] for line in lines]
    assert names == sorted(names) and len(set(names)) == 4  # each graph whole, in order
    for name in set(names):
        block = [line for line, n in zip(lines, names) if n == name]
        assert block == sorted(set(block))
    monkeypatch.setattr(writers, "QUAD_BLOCK", 1 << 20)
    assert writers.nquads_of(graphs) == nq


def test_the_union_of_sorted_chunks_is_the_sorted_union():
    """kg.nt is merged from each graph's sorted N-Triples: the same bytes as writing the union at once."""
    from kg.merged import Merged
    a, b, union = Graph(), Graph(), Graph()
    for i in range(40):
        t = (URIRef(f"{BASE}s{i % 7}"), RDFS.label, Literal(f"v{i % 11}", lang="en"))
        (a if i % 3 else b).add(t)
        union.add(t)
    a.add((URIRef(f"{BASE}s1"), RDFS.label, Literal("v1", lang="en")))  # in both graphs: written once
    b.add((URIRef(f"{BASE}s1"), RDFS.label, Literal("v1", lang="en")))
    union.add((URIRef(f"{BASE}s1"), RDFS.label, Literal("v1", lang="en")))
    merged = Merged([writers.ntriples(a), writers.ntriples(b), b""])
    assert merged.nt == writers.ntriples(union) and len(merged) == len(union)
    assert merged.partitions[1] == {RDFS.label: len(union)}


def test_blank_nodes_are_written_too():
    g = Graph()
    node = BNode("b0")
    g.add((URIRef(f"{BASE}s"), RDFS.seeAlso, node))
    g.add((node, RDFS.label, Literal("anonymous")))
    back = Graph().parse(data=writers.turtle(writers.ntriples(g), prefixes()), format="turtle")
    assert len(back) == 2 and back.value(URIRef(f"{BASE}s"), RDFS.seeAlso) is not None


def test_a_file_written_in_parts_is_the_file_written_at_once(tmp_path):
    """Dumps are written part by part, their gzip copy member by member: the bytes, the
    size and the checksum are those of the whole, and the gzip copy reads back as the whole
    with any gzip reader (here Python's and the gzip program's)."""
    import gzip
    import hashlib
    import shutil
    import subprocess

    from kg.publish import Staging
    from kg.union import packed
    parts = [b"<a> <b> \"x\" .\n" * 5000, b"", b"<c> <d> <e> .\n", "<f> <g> \"\u00fc\" .\n".encode() * 9000]
    staging = Staging(tmp_path / "dist")
    staging.put("parts.nt", iter(parts), members=[packed(p) for p in parts])
    staging.put("whole.nt", b"".join(parts))
    staging.commit()
    d = tmp_path / "dist"
    whole = b"".join(parts)
    assert (d / "parts.nt").read_bytes() == (d / "whole.nt").read_bytes() == whole
    assert not (d / "whole.nt.gz").exists()
    assert gzip.decompress((d / "parts.nt.gz").read_bytes()) == whole
    if shutil.which("gzip"):
        assert subprocess.run(["gzip", "-dc", str(d / "parts.nt.gz")], capture_output=True, check=True).stdout == whole
    got = staging.files["parts.nt"]
    assert (got.size, got.sha256) == (len(whole), hashlib.sha256(whole).hexdigest())
    assert staging.files["parts.nt.gz"].size == (d / "parts.nt.gz").stat().st_size


def test_indented_json_is_what_json_dumps_writes():
    """The JSON-LD dump's own indenting gives json.dumps(indent=1, ensure_ascii=False)'s text."""
    rng = random.Random(7)
    texts = ["", "a", "Mao Zedong", "Ким Ир Сен", '"quoted" \\ back', "line\nbreak\ttab", "\u2028\x00\x1f", "毛泽东"]

    def value(depth: int):
        kind = rng.randrange(5 if depth < 3 else 1)
        if kind == 0:
            return rng.choice(texts)
        if kind == 1:
            return {rng.choice(texts): value(depth + 1) for _ in range(rng.randrange(4))}
        if kind == 2:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        if kind == 3:
            return {"@id": rng.choice(texts), "@value": rng.choice(texts)}
        return rng.choice([1, 2.5, True, None])

    for _ in range(500):
        v = value(0)
        expected = json.dumps(v, ensure_ascii=False, indent=1)
        assert writers.indented(v) == expected
        assert writers.indented(v, "  ") == expected.replace("\n", "\n  ")
