"""One rule for shortening IRIs (kg.curie): the pages, the served JSON-LD, the JSON-LD dump, the
SHACL report and the VoID partitions all split at the longest namespace."""
from __future__ import annotations

import json

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg import writers
from kg.curie import Prefixes, simple_local
from kg.describe import _prefixed
from kg.serve import rdfout
from kg.serve.rdfout import _compact
from kg.validate import _short

# Nested namespaces: the longer one must win wherever it is listed.
CONTEXT = {"@vocab": "http://ex.org/", "ex": "http://ex.org/", "exs": "http://ex.org/sub#",
           "term": {"@id": "http://ex.org/term"}, "other": "http://other.org/"}


def test_the_longest_namespace_wins_and_ties_keep_the_first():
    p = Prefixes.of(CONTEXT)
    assert p.split("http://ex.org/sub#Thing") == ("exs", "Thing")
    assert p.curie("http://ex.org/Thing") == "ex:Thing"
    assert p.curie("http://nowhere.org/x") is None
    assert Prefixes([("b", "http://a/"), ("a", "http://a/")]).curie("http://a/x") == "b:x"


def test_a_refused_local_name_falls_back_to_the_next_namespace():
    p = Prefixes.of(CONTEXT)
    assert p.curie("http://ex.org/sub#a/b", simple_local) is None      # 'sub#a/b' is not simple either
    assert p.curie("http://ex.org/sub#", simple_local) is None           # empty local name
    assert p.curie("http://ex.org/sub#a-b", simple_local) == "exs:a-b"
    # the longest namespace leaves an empty local name: the next one is tried
    assert Prefixes([("exd", "http://ex.org/a."), ("ex", "http://ex.org/")]).curie(
        "http://ex.org/a.", simple_local) == "ex:a."
    assert p.curie("http://ex.org/sub#") == "exs:"                       # accepted without the check
    assert p.curie("http://ex.org/x.y-z_1", simple_local) == "ex:x.y-z_1"


def test_every_caller_follows_the_rule():
    iri = "http://ex.org/sub#Thing"
    assert _compact(iri, Prefixes.of(CONTEXT)) == "exs:Thing"
    assert _compact("http://ex.org/a b", Prefixes.of(CONTEXT)) == "http://ex.org/a b"
    prefixes = {k: v for k, v in CONTEXT.items() if isinstance(v, str) and not k.startswith("@")}
    assert _prefixed(URIRef(iri), prefixes) == "exs-Thing"
    assert _prefixed(URIRef("http://nowhere.org/x"), prefixes).startswith("x-")
    g = Graph(bind_namespaces="none")
    for k, v in prefixes.items():
        g.bind(k, v)
    assert _short(g, URIRef(iri)) == "exs:Thing"
    assert _short(g, URIRef("http://nowhere.org/x")) == "<http://nowhere.org/x>"


def test_the_served_pages_use_it(corpus_dist):
    from kg.serve.graph import Graph as SiteGraph
    g = SiteGraph(corpus_dist, "https://kg.example.org/")
    assert g.curie("http://www.cidoc-crm.org/cidoc-crm/E21_Person") == "crm:E21_Person"
    assert g.curie("http://nowhere.org/x") == "http://nowhere.org/x"


# IRIs where a rule of its own (split at the last '#', '/' or ':', then look the namespace up,
# a later name winning) would shorten otherwise than kg.curie: a local name that is empty or
# not simple, nested and duplicate namespaces, a term that is no JSON-LD prefix.
JSONLD_CONTEXT = {"ex": "http://ex.org/", "exs": "http://ex.org/sub#", "exa": "http://ex.org/a/",
                  "exb": "http://ex.org/b", "dup1": "http://dup.org/", "dup2": "http://dup.org/",
                  "lbl": {"@id": "http://ex.org/label"}, "p": "http://subject.org/p#"}
COMPACT = {
    "http://ex.org/name": "ex:name",
    "http://ex.org/sub#Thing": "exs:Thing",
    "http://ex.org/a/b": "exa:b",
    "http://ex.org/a/b/c": "http://ex.org/a/b/c",
    "http://ex.org/sub#a/b": "http://ex.org/sub#a/b",
    "http://ex.org/a:b": "http://ex.org/a:b",
    "http://ex.org/": "http://ex.org/",
    "http://ex.org/bc": "ex:bc",
    "http://ex.org/a%20b": "http://ex.org/a%20b",
    "http://dup.org/x": "dup1:x",
    "http://nowhere.org/x": "http://nowhere.org/x",
}


def _roles(doc: dict, subject: str) -> dict[str, set[str]]:
    """The strings a JSON-LD document uses for IRIs of one node: keys, types, datatypes, object ids."""
    node = next(n for n in doc["@graph"] if n["@id"] in (subject, "p:s"))
    out: dict[str, set[str]] = {"key": set(), "type": set(), "datatype": set(), "id": set()}
    types = node.get("@type", [])
    out["type"] |= set([types] if isinstance(types, str) else types)
    for key, values in node.items():
        if key.startswith("@"):
            continue
        for v in values if isinstance(values, list) else [values]:
            if "@id" in v:
                out["id"].add(v["@id"])
            else:
                out["key"].add(key)
                out["datatype"].add(v["@type"])
    return out


def test_the_jsonld_dump_and_the_served_jsonld_compact_by_this_rule():
    """kg.writers (the dump) and kg.serve.rdfout (the served data) shorten every IRI as
    Prefixes.compact does, as key, type, datatype and (the dump) object @id, and the dump
    reads back as the same triples."""
    rule = Prefixes.jsonld(JSONLD_CONTEXT)
    assert {iri: rule.compact(iri) for iri in COMPACT} == COMPACT
    subject, link = "http://subject.org/p#s", URIRef("http://subject.org/p#link")
    g = Graph()
    for iri in COMPACT:
        g.add((URIRef(subject), URIRef(iri), Literal("v", datatype=URIRef(iri))))
        g.add((URIRef(subject), RDF.type, URIRef(iri)))
        g.add((URIRef(subject), link, URIRef(iri)))
    dump = writers.jsonld(writers.ntriples(g), JSONLD_CONTEXT)
    want = set(COMPACT.values())
    got = _roles(json.loads(dump), subject)
    assert got == {"key": want, "type": want, "datatype": want, "id": want}
    terms = writers.Terms()
    served = _roles(rdfout.jsonld_doc([ox.Triple(*map(terms, t)) for t in g], JSONLD_CONTEXT), subject)
    assert {k: served[k] for k in ("key", "type", "datatype")} == {"key": want, "type": want, "datatype": want}
    assert isomorphic(Graph().parse(data=dump, format="json-ld"), g)
