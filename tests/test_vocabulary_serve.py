"""kg's own vocabulary dereferences and is published: ``dist/ontology.ttl`` (listed in VoID and
SHA256SUMS), ``/ontology`` over real HTTP as Turtle, JSON-LD, N-Triples and HTML with every term's
label and comment, each ``/type/<key>``, the types' index ``/type/`` (every type of the ``kgt:``
namespace with label and comment, in the same four formats), the same files from ``kg site``;
and nothing is served when the project's vocabulary lies outside the base."""
from __future__ import annotations

import hashlib
import http.client
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespaces import Namespaces
from kg.serve.app import App
from kg.serve.site import export
from kg.vocab import KGO

from .serving import serving
from .test_build import kg
from .test_namespaces import set_namespaces

BASE = "https://kg.example.org/"
KGO_NS = BASE + "ontology#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"


@pytest.fixture(scope="module")
def server(tmp_path_factory, corpus_dist):
    dist = tmp_path_factory.mktemp("vocab") / "dist"
    shutil.copytree(corpus_dist, dist)
    with serving(App(dist, BASE)) as port:
        yield port, dist


def get(port: int, path: str, accept: str | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept": accept} if accept else {})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def ontology_of(dist: Path) -> Graph:
    return Graph().parse(dist / "ontology.ttl", format="turtle")


def types_of(dist: Path, types_ns: str = BASE + "type/") -> Graph:
    """Every triple of the dumps about a type of the kgt: namespace (read with rdflib)."""
    data, out = Graph().parse(dist / "kg.nt", format="nt"), Graph()
    for t in data:
        local = str(t[0])[len(types_ns):]
        if str(t[0]).startswith(types_ns) and local and "/" not in local:
            out.add(t)
    return out


# ---------------------------------------------------------------- the dump

def test_the_ontology_dump_has_every_kgo_term_with_label_and_comment(corpus_dist):
    g = ontology_of(corpus_dist)
    terms = {s for s in g.subjects() if str(s).startswith(KGO_NS) and s != URIRef(KGO_NS)}
    assert {str(t)[len(KGO_NS):] for t in terms} == set(KGO.__annotations__)
    assert (URIRef(KGO_NS), RDF.type, OWL.Ontology) in g
    for s in terms | {URIRef(KGO_NS)}:
        for p in (RDFS.label, RDFS.comment):
            values = list(g.objects(s, p))
            assert len(values) == 1 and values[0].language == "en" and str(values[0]).strip(), (s, p)


def test_types_are_in_the_data_once_and_not_repeated_in_the_ontology_dump(corpus_dist):
    """kg's types go to the shared graph of kg.nq; the ontology dump holds kgo: terms only."""
    onto = ontology_of(corpus_dist)
    assert all(str(s).startswith(KGO_NS) for s in onto.subjects())
    data = Dataset()
    data.parse(corpus_dist / "kg.nq", format="nquads")
    meeting = URIRef(BASE + "type/meeting")
    graphs = {str(c.identifier) for c in data.graphs() if (meeting, RDFS.label, None) in c}
    assert graphs == {BASE + "graph/shared"}
    assert not any(str(s).startswith(KGO_NS) for s, _, _ in data.triples((None, None, None)) if s != URIRef(KGO_NS))


def test_the_dump_is_a_distribution_in_void_and_in_the_checksums(corpus_dist):
    body = (corpus_dist / "ontology.ttl").read_bytes()
    sums = dict(line.split("  ")[::-1] for line in (corpus_dist / "SHA256SUMS").read_text().splitlines())
    assert sums["ontology.ttl"] == hashlib.sha256(body).hexdigest()
    void = Graph().parse(corpus_dist / "void.ttl", format="turtle")
    ds, node = URIRef(BASE + "dataset"), URIRef(BASE + "dataset/distribution/ontology.ttl")
    assert (ds, URIRef(DCAT + "distribution"), node) in void
    assert (ds, URIRef(VOID + "vocabulary"), URIRef(KGO_NS)) in void
    assert void.value(node, URIRef(DCAT + "downloadURL")) == URIRef(BASE + "dumps/ontology.ttl")
    assert void.value(node, URIRef(DCAT + "mediaType")) == \
        URIRef("https://www.iana.org/assignments/media-types/text/turtle")
    assert int(void.value(node, URIRef(DCAT + "byteSize"))) == len(body)


# ---------------------------------------------------------------- dereferencing over HTTP

@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/n-triples", "nt")])
@pytest.mark.parametrize("path,stem,data", [("/ontology", "/ontology", ontology_of),
                                            ("/type/", "/type/index", types_of)])
def test_the_vocabulary_dereferences_as_data(server, accept, fmt, path, stem, data):
    """The ontology, and the types' index (a folder's address: its files are type/index.*)."""
    port, dist = server
    status, h, body = get(port, path, accept)
    assert status == 200 and h["content-type"].split(";")[0] == accept and "Accept" in h["vary"]
    assert h["access-control-allow-origin"] == "*"
    suffix = {"turtle": "ttl", "json-ld": "jsonld", "nt": "nt"}[fmt]
    assert h["content-location"] == f"{stem}.{suffix}"
    assert f'<{stem}.html>; rel="alternate"; type="text/html"' in h["link"]
    assert isomorphic(Graph().parse(data=body, format=fmt, publicID=BASE), data(dist))
    assert get(port, f"{stem}.{suffix}", "text/html")[2] == body  # the suffix wins over Accept


def test_ontology_page_shows_every_term_with_label_and_comment(server):
    port, dist = server
    status, h, body = get(port, "/ontology", "text/html,application/xhtml+xml;q=0.9")
    html = body.decode("utf-8")
    assert status == 200 and h["content-type"] == "text/html; charset=utf-8"
    assert '</ontology.ttl>; rel="alternate"; type="text/turtle"' in h["link"]
    g = ontology_of(dist)
    for name in KGO.__annotations__:
        term = URIRef(KGO_NS + name)
        assert f'id="{name}"' in html and f"kgo:{name}" in html
        for p in (RDFS.label, RDFS.comment):
            text = str(g.value(term, p)).replace("'", "&#39;").replace('"', "&#34;")
            assert text in html, (name, p)
    assert 'href="http://www.cidoc-crm.org/cidoc-crm/E7_Activity"' in html  # a domain, linked


def test_a_term_used_in_the_data_links_to_an_address_that_answers(server):
    """An entity using a kgo: property links it by its IRI, whose document this server answers."""
    port, _ = server
    status, _, body = get(port, "/event/joint-delegation-pyongyang", "text/html")
    assert status == 200 and f'href="{KGO_NS}proposedParticipant"' in body.decode("utf-8")
    assert get(port, "/" + KGO_NS[len(BASE):].rstrip("#"), "text/html")[0] == 200


def test_a_type_dereferences_with_its_label_and_comment(server):
    port, _ = server
    status, h, body = get(port, "/type/meeting", "text/turtle")
    assert status == 200 and h["content-type"].startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    meeting = URIRef(BASE + "type/meeting")
    assert g.value(meeting, RDFS.label) == Literal("meeting", lang="en")
    assert g.value(meeting, SKOS.inScheme) == URIRef(BASE + "type/event") and g.value(meeting, RDFS.comment)
    status, _, html = get(port, "/type/meeting", "text/html")
    assert status == 200 and str(g.value(meeting, RDFS.comment)) in html.decode("utf-8")


def test_kg_site_writes_what_kg_serve_answers_for_the_ontology(server, tmp_path):
    port, dist = server
    out = tmp_path / "site"
    export(dist, BASE, out)
    for suffix in ("ttl", "jsonld", "nt"):
        assert (out / f"ontology.{suffix}").read_bytes() == get(port, f"/ontology.{suffix}")[2], suffix
    page = (out / "ontology.html").read_text(encoding="utf-8")  # kg serve's page, less the SPARQL link
    assert all(f'id="{name}"' in page for name in KGO.__annotations__) and 'href="/sparql"' not in page
    assert "URI: ontology.ttl" in (out / "ontology.var").read_text()
    assert (out / "dumps" / "ontology.ttl").read_bytes() == (dist / "ontology.ttl").read_bytes()


# ---------------------------------------------------------------- the types' index, /type/

def test_the_types_index_holds_every_type_of_the_data(corpus_dist):
    assert len(set(types_of(corpus_dist).subjects(SKOS.inScheme, None))) > 50


def test_the_types_index_page_lists_every_type_with_label_and_comment_by_scheme(server):
    port, dist = server
    status, h, body = get(port, "/type/", "text/html,application/xhtml+xml;q=0.9")
    html = body.decode("utf-8")
    assert status == 200 and h["content-type"] == "text/html; charset=utf-8"
    assert h["content-location"] == "/type/index.html"
    g = types_of(dist)
    schemes = set(g.subjects(RDF.type, SKOS.ConceptScheme))
    for t in set(g.subjects(RDF.type, None)):
        key = str(t)[len(BASE + "type/"):]
        assert f'id="{key}" data-iri="{t}"' in html and f'href="/type/{key}"' in html and f"kgt:{key}" in html
        for p in (RDFS.label, RDFS.comment):
            for text in g.objects(t, p):
                assert str(text).replace("'", "&#39;").replace('"', "&#34;") in html, (key, p)
    for t, scheme in g.subject_objects(SKOS.inScheme):  # each type in its scheme's section
        assert scheme in schemes
        section = html[html.index(f'<section class="scheme" id="{str(scheme)[len(BASE + "type/"):]}"'):]
        assert f'data-iri="{t}"' in section[:section.index("</section>")], (t, scheme)
    assert 'href="/type/"' in get(port, "/ontology", "text/html")[2].decode("utf-8")  # the ontology links it


def test_only_the_folder_address_and_its_files_answer(server):
    port, _ = server
    assert get(port, "/type", "text/turtle")[0] == 404
    assert get(port, "/type/index", "text/turtle")[0] == 404
    assert get(port, "/type/index.xml")[0] == 404
    assert get(port, "/type/", "image/png")[0] == 406
    sitemap = get(port, "/sitemap.xml")[2].decode("utf-8")
    assert f"<loc>{BASE}type/</loc>" in sitemap and f"<loc>{BASE}ontology</loc>" in sitemap


def test_kg_site_writes_what_kg_serve_answers_for_the_types_index(server, tmp_path):
    port, dist = server
    out = tmp_path / "site"
    export(dist, BASE, out)
    for suffix in ("ttl", "jsonld", "nt"):
        assert (out / "type" / f"index.{suffix}").read_bytes() == get(port, f"/type/index.{suffix}")[2], suffix
    page = (out / "type" / "index.html").read_text(encoding="utf-8")
    assert f'data-iri="{BASE}type/meeting"' in page and 'href="/sparql"' not in page
    assert "URI: index.ttl" in (out / "type" / "index.var").read_text()


# ---------------------------------------------------------------- a project's own vocabulary root

def built_mini(project: Path, vocabulary: str) -> Path:
    set_namespaces(project, base=BASE, vocabulary=vocabulary)
    run = kg("--root", str(project), "build", cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr
    return project / "dist"


def test_a_vocabulary_below_the_base_is_served_at_its_own_path(mini_project):
    vocab = BASE + "vocab/"
    dist = built_mini(mini_project, vocab)
    onto = ontology_of(dist)
    assert (URIRef(vocab + "ontology#"), RDF.type, OWL.Ontology) in onto and "kg.example.org/ontology#" not in \
        (dist / "ontology.ttl").read_text()
    with serving(App(dist, BASE, namespaces=Namespaces(vocab))) as port:
        status, _, body = get(port, "/vocab/ontology", "text/turtle")
        assert status == 200 and isomorphic(Graph().parse(data=body, format="turtle"), onto)
        assert get(port, "/ontology", "text/turtle")[0] == 404
        assert get(port, "/vocab/type/meeting", "text/turtle")[0] == 200
        status, h, body = get(port, "/vocab/type/", "text/turtle")
        assert status == 200 and h["content-location"] == "/vocab/type/index.ttl"
        assert isomorphic(Graph().parse(data=body, format="turtle"), types_of(dist, vocab + "type/"))
        assert get(port, "/type/", "text/turtle")[0] == 404


def test_a_vocabulary_outside_the_base_is_published_in_the_dump_but_not_served(mini_project):
    vocab = "https://vocab.example.net/kg/"
    dist = built_mini(mini_project, vocab)
    onto = ontology_of(dist)
    assert (URIRef(vocab + "ontology#statedAs"), RDFS.label, Literal("stated as", lang="en")) in onto
    app = App(dist, BASE, namespaces=Namespaces(vocab))
    assert app.graph.ontology_path is None and app.graph.types_path is None
    with serving(app) as port:
        assert get(port, "/ontology", "text/turtle")[0] == 404
        assert get(port, "/type/", "text/turtle")[0] == 404
        assert json.loads(get(port, "/search.json")[2]) is not None
