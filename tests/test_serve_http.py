"""``kg serve`` over real HTTP on 127.0.0.1: negotiation, status codes, headers, SPARQL,
dumps, and hostile requests (traversal, long IRIs, bad Accept, updates, runaway queries)."""
from __future__ import annotations

import http.client
import json
import shutil
import threading
import time
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

from kg.serve.app import App
from kg.serve.server import make_server
from kg.serve.sparql import QueryPool

from .conftest import CORPUS
from .serving import when_ready

BASE = "https://kg.example.org/"
PENG = "/person/peng-dehuai"
SECRET = "TOP-SECRET-SENTINEL-9f2c"
TIMEOUT = 3.0
LIMIT = 50


@pytest.fixture(scope="module")
def server(tmp_path_factory, corpus_dist):
    """A server over a copy of the test corpus's dist/, with a sentinel file beside (outside) the dumps."""
    tmp = tmp_path_factory.mktemp("serve")
    dist = tmp / "dist"
    shutil.copytree(corpus_dist, dist)
    (tmp / "secret.txt").write_text(SECRET)
    app = App(dist, BASE, queries_dir=CORPUS / "queries")
    app.pool = QueryPool(dist, size=2, timeout=TIMEOUT, limit=LIMIT)
    srv = make_server(app, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1], dist
    srv.shutdown()
    srv.server_close()
    app.pool.close()


def request(server, method, path, headers=None, body=None):
    port = server[0]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, path, skip_accept_encoding=True)
    for k, v in (headers or {}).items():
        conn.putheader(k, v)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def void_triples(server) -> int:
    """The dataset's void:triples (read as RDF: the Turtle layout may put it anywhere)."""
    with (server[1] / "void.ttl").open("rb") as f:
        counts = [q.object.value for q in ox.parse(f, ox.RdfFormat.TURTLE)
                  if q.subject.value == f"{BASE}dataset" and q.predicate.value == "http://rdfs.org/ns/void#triples"]
    assert len(counts) == 1, counts
    return int(counts[0])


def parse(body: bytes, fmt) -> set:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, fmt, base_iri=BASE)}


# ---------------------------------------------------------------- pages and negotiation

def test_home_page(server):
    status, h, body = request(server, "GET", "/", {"Accept": "text/html"})
    html = body.decode()
    assert status == 200 and h["content-type"] == "text/html; charset=utf-8"
    assert f"{void_triples(server)} triples" in html  # from void.ttl
    assert 'href="/person/peng-dehuai"' in html and "<svg" in html and 'id="timeline"' in html
    import re
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html.split("<main>")[0])  # no CDN in the head


@pytest.mark.parametrize("accept,media", [
    ("text/html", "text/html"), ("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"), ("*/*", "text/html"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("application/*", "application/ld+json"), ("", "text/html"),
])
def test_negotiation(server, accept, media):
    status, h, _ = request(server, "GET", PENG, {"Accept": accept})
    assert status == 200
    assert h["content-type"].split(";")[0] == media
    assert "Accept" in [v.strip() for v in h["vary"].split(",")]
    suffix = {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt"}
    assert h["content-location"] == f"{PENG}.{suffix[media]}"
    assert f'<{PENG}.ttl>; rel="alternate"; type="text/turtle"' in h["link"]


def test_data_formats_agree(server):
    """Turtle, N-Triples and JSON-LD of an entity hold the same triples, about the right IRI."""
    got = {}
    for suffix, fmt in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD)):
        status, h, body = request(server, "GET", f"{PENG}.{suffix}")
        assert status == 200 and "Accept" not in [v.strip() for v in h.get("vary", "").split(",")]
        assert h["access-control-allow-origin"] == "*"
        got[suffix] = parse(body, fmt)
    assert got["ttl"] == got["nt"] == got["jsonld"]
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    assert ox.Triple(ox.NamedNode(BASE + "person/peng-dehuai"), alt, ox.Literal("Пин Дэ-хуэй", language="ru")) in got["nt"]


def test_jsonld_with_pyld(server):
    pyld = pytest.importorskip("pyld")
    _, _, body = request(server, "GET", PENG, {"Accept": "application/ld+json"})
    nq = pyld.jsonld.to_rdf(json.loads(body), {"format": "application/n-quads"})
    _, _, nt = request(server, "GET", PENG + ".nt")
    assert parse(nq.encode(), ox.RdfFormat.N_TRIPLES) == parse(nt, ox.RdfFormat.N_TRIPLES)


def test_html_links_and_schema_org(server):
    status, h, body = request(server, "GET", PENG + ".html")
    html = body.decode()
    assert status == 200 and "access-control-allow-origin" not in h
    assert f'<{PENG}.ttl>; rel="describedby"; type="text/turtle"' in h["link"]
    assert '<link rel="alternate" type="text/turtle" href="/person/peng-dehuai.ttl">' in html
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["@type"] == ["Person"] and data["@id"] == BASE + "person/peng-dehuai"
    assert "Пин Дэ-хуэй" in html and "https://www.wikidata.org/wiki/Q381823" in html
    assert "/event/conversation-1956-09-18" in html and "/event/joint-delegation-pyongyang" in html


def test_event_page(server):
    _, _, body = request(server, "GET", "/event/conversation-1956-09-18", {"Accept": "text/html"})
    html = body.decode()
    for name in ("Mao Zedong", "Liu Shaoqi", "Zhou Enlai", "Peng Dehuai", "Deng Xiaoping", "Wang Jiaxiang"):
        assert name in html
    assert "head of delegation" in html and "18 September 1956, 18:00–22:00" in html
    assert '/document/121799#translation-en-passage-' in html


def test_document_page_side_by_side(server):
    _, _, body = request(server, "GET", "/document/121799", {"Accept": "text/html"})
    html = body.decode()
    assert 'class="text original" lang="ru"' in html and 'class="text translation" lang="en"' in html
    assert '<a class="mention" href="/person/peng-dehuai" title="Peng Dehuai">Пин Дэ-хуэй</a>' in html
    assert 'mark class="passage" data-passages="translation-en-passage-' in html
    assert "Gary Goldberg" in html and "GARF f. 5446, op. 98c, d. 718" in html


def test_document_page_shows_where_the_texts_disagree(server):
    """121799's certification: the Russian reads "Верно: Микоян", the translation "authenticated:
    V. Chistov"; the page shows both readings, each with its passage, and the note."""
    html = request(server, "GET", "/document/121799", {"Accept": "text/html"})[2].decode()
    section = html[html.index('<section class="readings">'):]
    section = section[:section.index("</section>")]
    rows = section.split("<tr")
    original = next(r for r in rows if "<td>original</td>" in r)
    translation = next(r for r in rows if "<td>translation</td>" in r)
    assert 'href="/person/anastas-mikoyan"' in original and "Верно: Микоян" in original
    assert 'href="/person/v-chistov"' in translation and "authenticated: V. Chistov" in translation
    assert "editorial" in translation and "Gary Goldberg" in translation
    assert "Both readings are kept." in section          # the shared note on the disagreement
    other = request(server, "GET", "/document/121976", {"Accept": "text/html"})[2].decode()
    assert 'class="readings"' not in other              # no disagreement recorded there


def test_passage_offsets_match_the_text(server):
    """Every highlighted run sits at oa:start/oa:end: the marked text is the passage."""
    from kg.serve.graph import Graph
    g = Graph(server[1], BASE)
    crm, oa = "http://www.cidoc-crm.org/cidoc-crm/", "http://www.w3.org/ns/oa#"
    checked = 0
    for s in g.subjects:
        start = g.first(s, oa + "start")
        if start is None:
            continue
        text = g.first(g.first(s, crm + "P106i_forms_part_of"), crm + "P190_has_symbolic_content")
        assert text[int(start):int(g.first(s, oa + "end"))] == g.first(s, crm + "P190_has_symbolic_content")
        checked += 1
    assert checked > 90


def test_not_found_and_not_acceptable(server):
    assert request(server, "GET", "/person/nobody")[0] == 404
    assert request(server, "GET", PENG + ".xml")[0] == 404
    status, h, body = request(server, "GET", PENG, {"Accept": "image/png"})
    assert status == 406 and "text/turtle" in body.decode() and h["vary"] == "Accept"
    assert request(server, "GET", "/nope", {"Accept": "text/plain"})[2].startswith(b"nothing is published at")


def test_etag_and_if_none_match(server):
    _, h, _ = request(server, "GET", PENG, {"Accept": "text/turtle"})
    etag = h["etag"]
    status, h2, body = request(server, "GET", PENG, {"Accept": "text/turtle", "If-None-Match": etag})
    assert status == 304 and body == b"" and h2["etag"] == etag
    assert request(server, "GET", PENG, {"Accept": "text/turtle", "If-None-Match": f'"x", W/{etag}'})[0] == 304
    assert request(server, "GET", PENG, {"Accept": "text/turtle", "If-None-Match": '"other"'})[0] == 200
    _, h3, _ = request(server, "GET", PENG, {"Accept": "text/html"})
    assert h3["etag"] != etag  # each representation has its own tag


def test_head_and_options(server):
    status, h, body = request(server, "HEAD", PENG + ".ttl")
    assert status == 200 and body == b"" and int(h["content-length"]) > 100
    status, h, _ = request(server, "OPTIONS", PENG)
    assert status == 204 and h["access-control-allow-origin"] == "*"
    assert request(server, "PUT", PENG, body=b"x")[0] == 405
    assert request(server, "DELETE", PENG)[0] == 405


def test_dataset_dereferences(server):
    status, _, body = request(server, "GET", "/dataset", {"Accept": "text/turtle"})
    assert status == 200 and f"void:triples {void_triples(server)} ;".encode() in body
    status, h, _ = request(server, "GET", "/", {"Accept": "text/turtle"})
    assert status == 303 and h["location"] == "/dataset"


def test_search_any_spelling(server):
    for q in ("Пин Дэ-хуэй", "пин дэ хуэй", "Peng Dehuai", "peng"):
        _, _, body = request(server, "GET", "/search?" + urlencode({"q": q}), {"Accept": "application/json"})
        hits = json.loads(body)["results"]
        assert hits and hits[0]["href"] == PENG, q
    _, _, body = request(server, "GET", "/search?" + urlencode({"q": "Пин Дэ-хуэй"}), {"Accept": "text/html"})
    assert 'href="/person/peng-dehuai"' in body.decode()


def test_static_assets(server):
    status, h, body = request(server, "GET", "/static/kg.css")
    assert status == 200 and h["content-type"].startswith("text/css") and b"mark.passage" in body


# ---------------------------------------------------------------- dumps

def test_dumps_media_types_and_lengths(server):
    dist = server[1]
    expected = {"kg.ttl": "text/turtle", "kg.jsonld": "application/ld+json", "kg.nt": "application/n-triples",
                "kg.nq": "application/n-quads", "kg.ttl.gz": "application/gzip", "void.ttl": "text/turtle",
                "context.jsonld": "application/ld+json", "SHA256SUMS": "text/plain"}
    for name, media in expected.items():
        status, h, body = request(server, "GET", f"/dumps/{name}")
        assert status == 200, name
        assert h["content-type"].split(";")[0] == media, name
        assert int(h["content-length"]) == (dist / name).stat().st_size == len(body)
        assert body == (dist / name).read_bytes()
    status, _, body = request(server, "GET", "/dumps/")
    assert status == 200 and b'href="/dumps/kg.nq.gz"' in body


# ---------------------------------------------------------------- hostile requests

@pytest.mark.parametrize("path", [
    "/dumps/../secret.txt", "/dumps/%2e%2e/secret.txt", "/dumps/..%2fsecret.txt", "/dumps/%2E%2E%2Fsecret.txt",
    "/dumps/..%5csecret.txt", "/static/../../secret.txt", "/static/%2e%2e%2f%2e%2e%2fapp.py", "/static/app.py",
    "/../secret.txt", "/%2e%2e/%2e%2e/etc/passwd", "/dumps/%2fetc%2fpasswd", "//etc/passwd", "/dumps//etc/passwd",
    "/dumps/kg.ttl%00.txt", "/person/../../secret.txt", "/dumps/%252e%252e/secret.txt", "/static/%ff",
])
def test_path_traversal(server, path):
    status, _, body = request(server, "GET", path)
    assert 400 <= status < 500
    assert SECRET.encode() not in body and b"root:" not in body and b"import " not in body


def test_over_long_iri(server):
    status, _, _ = request(server, "GET", "/person/" + "a" * 5000)
    assert status == 414
    status, _, _ = request(server, "GET", "/person/" + "a" * 70000)
    assert 400 <= status < 500


@pytest.mark.parametrize("accept", [
    "garbage", ";;;", "text/", "/html", "*/html", "text/turtle;q=abc", "text/turtle;q=5", "a" * 5000,
    ",".join(["text/x"] * 500), "text/turtle;q=0", "\x7f\x01", "text/html;;q=;", "*/*;q=-1",
])
def test_malformed_accept(server, accept):
    status, _, _ = request(server, "GET", PENG, {"Accept": accept})
    if any(ord(c) < 32 or ord(c) == 127 for c in accept):  # not a valid field value (RFC 9110 5.5):
        assert status == 400                                 # the HTTP server refuses the request
    else:
        assert status in (200, 406)


def test_big_body_refused(server):
    status, _, _ = request(server, "POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"x" * 200_000)
    assert status == 413


# ---------------------------------------------------------------- SPARQL

PEOPLE = ("PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?p ?l WHERE { ?p a crm:E21_Person ; rdfs:label ?l } ORDER BY ?l")


def sparql(server, query, accept="application/sparql-results+json", method="GET"):
    if method == "GET":
        return request(server, "GET", "/sparql?" + urlencode({"query": query}), {"Accept": accept})
    return request(server, "POST", "/sparql", {"Accept": accept, "Content-Type": "application/sparql-query"},
                   query.encode())


@pytest.mark.parametrize("accept,check", [
    ("application/sparql-results+json", lambda b: len(json.loads(b)["results"]["bindings"]) == 20),
    ("application/sparql-results+xml", lambda b: b.count(b"<result>") == 20),
    ("text/csv", lambda b: b.decode().splitlines()[0] == "p,l" and len(b.decode().splitlines()) == 21),
    ("text/tab-separated-values", lambda b: b.decode().splitlines()[0] == "?p\t?l" and "@en" in b.decode()),
])
def test_sparql_result_formats(server, accept, check):
    status, h, body = sparql(server, PEOPLE, accept)
    assert status == 200 and h["content-type"].split(";")[0] == accept
    assert h["access-control-allow-origin"] == "*"
    assert check(body)


def test_sparql_post_ask_construct(server):
    status, _, body = sparql(server, "ASK { ?s ?p ?o }", method="POST")
    assert status == 200 and json.loads(body)["boolean"] is True
    q = f"CONSTRUCT {{ <{BASE}person/peng-dehuai> ?p ?o }} WHERE {{ <{BASE}person/peng-dehuai> ?p ?o }}"
    status, h, body = sparql(server, q, "text/turtle")
    assert status == 200 and h["content-type"].startswith("text/turtle") and len(parse(body, ox.RdfFormat.TURTLE)) > 5
    status, _, _ = request(server, "POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded",
                                                       "Accept": "text/csv"}, urlencode({"query": PEOPLE}).encode())
    assert status == 200


def test_competency_questions_run(server):
    for rq in sorted((CORPUS / "queries").glob("*.rq")):
        status, _, body = sparql(server, rq.read_text(encoding="utf-8"))
        assert status == 200, (rq.name, body[:300])


def test_sparql_form(server):
    status, _, body = request(server, "GET", "/sparql", {"Accept": "text/html"})
    assert status == 200 and b"CQ3" in body and b"<textarea" in body
    status, _, body = request(server, "GET", "/sparql?" + urlencode({"query": PEOPLE}), {"Accept": "text/html"})
    assert status == 200 and b"Peng Dehuai" in body and b"<table" in body


@pytest.mark.parametrize("how", ["update-type", "update-form", "update-get", "insert-as-query", "delete-as-query",
                                 "load", "drop"])
def test_sparql_update_refused(server, how):
    upd = f"INSERT DATA {{ <{BASE}x> <{BASE}y> <{BASE}z> }}"
    if how == "update-type":
        r = request(server, "POST", "/sparql", {"Content-Type": "application/sparql-update"}, upd.encode())
    elif how == "update-form":
        r = request(server, "POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"},
                    urlencode({"update": upd}).encode())
    elif how == "update-get":
        r = request(server, "GET", "/sparql?" + urlencode({"update": upd}))
    elif how == "insert-as-query":
        r = sparql(server, upd, method="POST")
    elif how == "delete-as-query":
        r = sparql(server, "DELETE WHERE { ?s ?p ?o }")
    elif how == "load":
        r = sparql(server, "LOAD <http://127.0.0.1:1/x.ttl>")
    else:
        r = sparql(server, "DROP ALL")
    assert 400 <= r[0] < 500
    status, _, body = sparql(server, "ASK { ?s ?p ?o }")
    assert json.loads(body)["boolean"] is True  # still there
    assert json.loads(sparql(server, f"ASK {{ <{BASE}x> ?p ?o }}")[2])["boolean"] is False


def test_sparql_service_refused(server):
    status, _, _ = sparql(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    assert status == 403


def test_sparql_syntax_error_and_missing_query(server):
    assert sparql(server, "SELECT WHERE {")[0] == 400
    assert request(server, "GET", "/sparql", {"Accept": "application/sparql-results+json"})[0] == 400
    assert request(server, "POST", "/sparql", {"Content-Type": "text/plain"}, b"ASK {}")[0] == 415


def test_sparql_result_limit(server):
    status, h, body = sparql(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == LIMIT
    assert h["kg-results-truncated"].startswith("true")


def test_sparql_runaway_query_is_stopped(server):
    """A query that would run for ages is cut at the deadline; the endpoint keeps working."""
    forever = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }")
    t0 = time.monotonic()
    status, _, body = sparql(server, forever)
    elapsed = time.monotonic() - t0
    assert status == 422 and b"time limit" in body
    assert elapsed < TIMEOUT + 5
    status, _, body = sparql(server, PEOPLE)
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 20


def test_sparql_cannot_read_files(server):
    """FROM / LOAD of a file IRI never reaches the filesystem."""
    secret = quote(str(server[1].parent / "secret.txt"))
    status, _, body = sparql(server, f"SELECT * FROM <file://{secret}> WHERE {{ ?s ?p ?o }} LIMIT 5")
    assert SECRET.encode() not in body
    status, _, body = sparql(server, f"LOAD <file://{secret}>")
    assert 400 <= status < 500 and SECRET.encode() not in body


# ---------------------------------------------------------------- static export

def test_site_export_matches_server(server, tmp_path):
    from kg.serve.site import export
    out = tmp_path / "site"
    n = export(server[1], BASE, out, queries_dir=CORPUS / "queries")
    assert n > 400
    for rel in ("index.html", "search.json", "static/kg.css", "dumps/kg.nq.gz", "person/peng-dehuai.html",
                "person/peng-dehuai.ttl", "person/peng-dehuai.jsonld", "person/peng-dehuai.nt",
                "document/121799.html", "document/121799/translation/en.ttl"):
        assert (out / rel).is_file(), rel
    _, _, ttl = request(server, "GET", PENG + ".ttl")
    assert (out / "person/peng-dehuai.ttl").read_bytes() == ttl
    assert b"/sparql" not in (out / "index.html").read_bytes().split(b"<main>")[0]


def test_site_refuses_non_empty_folder(server, tmp_path):
    from kg.errors import KgError
    from kg.serve.site import export
    (tmp_path / "x").write_text("keep me")
    with pytest.raises(KgError, match="not empty"):
        export(server[1], BASE, tmp_path)


def test_cli_adapters(tmp_path, capsys, corpus_dist):
    """The two commands as kg.cli wires them: (help, description, add_arguments, run)."""
    import argparse

    from kg.serve.cli import COMMANDS
    from kg.settings import load_settings
    assert set(COMMANDS) == {"serve", "site"}
    p = argparse.ArgumentParser()
    COMMANDS["serve"][2](p)
    args = p.parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8080)
    p = argparse.ArgumentParser()
    COMMANDS["site"][2](p)
    settings = load_settings(CORPUS)
    assert COMMANDS["site"][3](p.parse_args([str(tmp_path / "out"), "--dist", str(corpus_dist)]), settings) == 0
    assert "wrote" in capsys.readouterr().out and (tmp_path / "out" / "index.html").is_file()


def test_sparql_any_accept_gets_results_not_the_form(server):
    status, h, body = sparql(server, "ASK { ?s ?p ?o }", accept="*/*")
    assert status == 200 and h["content-type"].startswith("application/sparql-results+json")


# ---------------------------------------------------------------- SPARQL protocol: dataset, description

def _count(server, query, **params) -> int:
    status, _, body = request(server, "GET", "/sparql?" + urlencode({"query": query, **params}, doseq=True),
                              {"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _graph_sizes(server) -> dict[str, int]:
    from collections import Counter
    with (server[1] / "kg.nq").open("rb") as f:
        return dict(Counter(q.graph_name.value for q in ox.parse(f, ox.RdfFormat.N_QUADS)))


def test_default_graph_counts_each_triple_once(server):
    """The default graph is the merge of the named graphs: VoID's triple count, not the sum."""
    sizes = _graph_sizes(server)
    assert sum(sizes.values()) > void_triples(server)  # some triples are in two graphs
    assert _count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == void_triples(server)
    assert _count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == sum(sizes.values())


def test_dataset_parameters(server):
    sizes = _graph_sizes(server)
    one, other = sorted(sizes)[:2]
    assert _count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": one}) == sizes[one]
    both = _count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": [one, other]})
    assert both == sizes[one] + sizes[other]
    status, _, body = request(server, "GET", "/sparql?" + urlencode(
        {"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": other}),
        {"Accept": "application/sparql-results+json"})
    assert status == 200
    assert [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]] == [other]
    # the protocol's dataset overrides the query's FROM
    q = f"SELECT (COUNT(*) AS ?n) FROM <{other}> WHERE {{ ?s ?p ?o }}"
    assert _count(server, q) == sizes[other]
    assert _count(server, q, **{"default-graph-uri": one}) == sizes[one]
    status, _, body = request(server, "GET", "/sparql?" + urlencode(
        {"query": "ASK {}", "default-graph-uri": "not an iri"}), {"Accept": "application/sparql-results+json"})
    assert status == 400 and b"default-graph-uri must be an absolute IRI" in body


@pytest.mark.parametrize("accept, fmt", [(None, ox.RdfFormat.TURTLE), ("text/turtle", ox.RdfFormat.TURTLE),
                                         ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                         ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_service_description(server, accept, fmt):
    status, h, body = request(server, "GET", "/sparql", {"Accept": accept} if accept else {})
    assert status == 200 and h["access-control-allow-origin"] == "*"
    store = ox.Store()
    store.load(body, fmt, base_iri=BASE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rows = list(store.query(f"""PREFIX sd: <{sd}> PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?endpoint ?n WHERE {{ ?s a sd:Service ; sd:endpoint ?endpoint ; sd:supportedLanguage sd:SPARQL11Query ;
            sd:defaultDataset/sd:defaultGraph/void:triples ?n }}"""))
    assert [(r["endpoint"].value, int(r["n"].value)) for r in rows] == [(f"{BASE}sparql", void_triples(server))]
    named = {r["name"].value: int(r["n"].value) for r in store.query(f"""PREFIX sd: <{sd}>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?name ?n WHERE {{ ?d sd:namedGraph [ sd:name ?name ; sd:graph/void:triples ?n ] }}""")}
    assert named == _graph_sizes(server)
    formats = {r["f"].value for r in store.query(f"PREFIX sd: <{sd}> SELECT ?f WHERE {{ ?s sd:resultFormat ?f }}")}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert not any(isinstance(t, ox.BlankNode) for q in store for t in (q.subject, q.object))


# ---------------------------------------------------------------- the dataset describes itself

def test_well_known_void_robots_and_sitemap(server):
    status, h, _ = request(server, "GET", "/.well-known/void")
    assert status == 303 and h["location"] == "/dataset"
    status, h, body = request(server, "GET", "/robots.txt")
    assert status == 200 and h["content-type"].startswith("text/plain")
    assert f"Sitemap: {BASE}sitemap.xml" in body.decode() and "Disallow: /sparql" in body.decode()
    status, h, body = request(server, "GET", "/sitemap.xml")
    assert status == 200 and h["content-type"] == "application/xml"
    import xml.etree.ElementTree as ET
    locs = [e.text for e in ET.fromstring(body).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert BASE in locs and f"{BASE}person/peng-dehuai" in locs and f"{BASE}document/121799" in locs
    assert f"{BASE}ontology" in locs
    for loc in locs:  # every address is a page that answers
        assert request(server, "GET", "/" + loc[len(BASE):], {"Accept": "text/html"})[0] == 200, loc
    assert request(server, "GET", "/sitemap/1.xml")[0] == 404  # one sitemap is enough here


def test_a_large_archive_gets_a_sitemap_index(server):
    from kg.serve import crawl
    from kg.serve.graph import Graph
    g = Graph(server[1], BASE)
    index = crawl.sitemap(g, "/sitemap.xml", per=100)
    assert b"<sitemapindex" in index
    parts, n = [], 1
    while (part := crawl.sitemap(g, f"/sitemap/{n}.xml", per=100)) is not None:
        parts.append(part)
        n += 1
    assert index.count(b"<sitemap>") == len(parts) > 1
    assert sum(p.count(b"<url>") for p in parts) == len(crawl.addresses(g))
    assert crawl.sitemap(g, "/sitemap/01.xml", per=100) is None and crawl.sitemap(g, "/sitemap/0.xml", per=100) is None


def test_void_is_complete(server):
    from rdflib import Graph as RG, URIRef
    from kg.vocab import DCAT, DCTERMS, SCHEMA, VOID
    void = RG().parse(server[1] / "void.ttl", format="turtle")
    ds = URIRef(f"{BASE}dataset")
    assert (ds, VOID.sparqlEndpoint, URIRef(f"{BASE}sparql")) in void
    assert void.value(ds, DCTERMS.description) is not None and void.value(ds, DCTERMS.publisher) is not None
    for d in void.objects(ds, DCAT.distribution):
        name = str(void.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1]
        assert void.value(d, DCAT.accessURL) == URIRef(f"{BASE}dumps/")
        media = str(void.value(d, DCAT.mediaType))
        if name.endswith(".gz"):
            assert str(void.value(d, DCAT.compressFormat)).endswith("/application/gzip")
            assert not media.endswith("/gzip"), (name, media)   # what the file holds
        else:
            assert void.value(d, DCAT.compressFormat) is None
    assert (ds, SCHEMA.distribution, None) in void and (ds, SCHEMA.name, None) in void


@pytest.mark.parametrize("path", ["/", "/dataset"])
def test_schema_org_dataset_on_home_and_dataset_pages(server, path):
    import re
    status, _, body = request(server, "GET", path, {"Accept": "text/html"})
    assert status == 200
    js = json.loads(re.search(rb'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))
    assert js["@id"] == f"{BASE}dataset" and js["@type"] == ["Dataset"]
    assert js["name"] and js["description"] and js["license"]
    downloads = {d["contentUrl"][0]["@id"]: d for d in js["distribution"]}
    assert f"{BASE}dumps/kg.ttl" in downloads
    assert downloads[f"{BASE}dumps/kg.ttl"]["@type"] == ["DataDownload"]
    assert downloads[f"{BASE}dumps/kg.ttl"]["encodingFormat"] == ["text/turtle"]


# ---------------------------------------------------------------- HTTP as a WSGI application

def test_gzip_when_accepted(server):
    import gzip as gz
    plain = request(server, "GET", f"{PENG}.ttl")
    zipped = request(server, "GET", f"{PENG}.ttl", {"Accept-Encoding": "gzip"})
    assert zipped[0] == 200 and zipped[1]["content-encoding"] == "gzip"
    assert gz.decompress(zipped[2]) == plain[2] and len(zipped[2]) < len(plain[2])
    assert "content-encoding" not in plain[1]
    assert zipped[1]["etag"] == "W/" + plain[1]["etag"]
    assert "Accept-Encoding" in zipped[1]["vary"]
    # the weak tag revalidates
    assert request(server, "GET", f"{PENG}.ttl", {"Accept-Encoding": "gzip",
                                                  "If-None-Match": zipped[1]["etag"]})[0] == 304
    # a gzipped dump goes as it is
    gzd = request(server, "GET", "/dumps/kg.nt.gz", {"Accept-Encoding": "gzip"})
    assert gzd[0] == 200 and "content-encoding" not in gzd[1]
    assert gzd[2] == (server[1] / "kg.nt.gz").read_bytes()


def test_range_requests(server):
    whole = (server[1] / "kg.nt").read_bytes()
    status, h, body = request(server, "GET", "/dumps/kg.nt", {"Range": "bytes=10-99"})
    assert status == 206 and body == whole[10:100]
    assert h["content-range"] == f"bytes 10-99/{len(whole)}"
    status, h, body = request(server, "GET", "/dumps/kg.nt", {"Range": "bytes=-20"})
    assert status == 206 and body == whole[-20:]
    assert request(server, "GET", "/dumps/kg.nt", {"Range": f"bytes={len(whole) + 5}-"})[0] == 416
    assert request(server, "GET", "/dumps/kg.nt")[1]["accept-ranges"] == "bytes"


def test_last_modified(server):
    status, h, _ = request(server, "GET", "/dumps/kg.nt")
    assert status == 200 and h["last-modified"].endswith("GMT")
    assert request(server, "GET", "/dumps/kg.nt", {"If-Modified-Since": h["last-modified"]})[0] == 304
    assert request(server, "GET", "/dumps/kg.nt", {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})[0] == 200


def test_the_wsgi_app_runs_on_another_wsgi_server(tmp_path, corpus_dist):
    """create_app() is what gunicorn or uwsgi would load; here the standard library's wsgiref serves it."""
    import shutil
    from wsgiref.simple_server import WSGIRequestHandler, make_server as wsgiref_server
    project = tmp_path / "p"
    shutil.copytree(CORPUS, project)
    shutil.copytree(corpus_dist, project / "dist")
    from kg.serve.wsgi import create_app
    application = create_app(str(project), workers=1)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass
    srv = wsgiref_server("127.0.0.1", 0, application, handler_class=Quiet)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        port = srv.server_address[1]
        status, h, body = request((port, None), "GET", PENG, {"Accept": "text/turtle"})
        assert status == 200 and h["content-type"].startswith("text/turtle") and b"Peng Dehuai" in body
        status, _, body = when_ready(lambda: request((port, None), "GET", "/sparql?" + urlencode(
            {"query": "ASK { ?s ?p ?o }"}), {"Accept": "application/sparql-results+json"}))
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        srv.shutdown()
        srv.server_close()
        application.app.pool.close()
