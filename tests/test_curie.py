"""One rule for shortening IRIs (kg.curie): the pages, the served JSON-LD, the SHACL report and
the VoID partitions all split at the longest namespace."""
from __future__ import annotations

from rdflib import Graph, URIRef

from kg.curie import Prefixes, simple_local
from kg.describe import _prefixed
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
