"""kg query, kg check and kg serve asking a real triplestore (--sparql URL) instead of dist/:
Oxigraph's server and Virtuoso, filled by kg load (see tests/test_load_servers.py; in CI
.ci/run starts both, elsewhere these tests skip)."""
from __future__ import annotations

import json
import socket
import threading
from urllib.parse import urlencode

import pytest

from kg.remote import Endpoint
from kg.serve.app import App
from kg.serve.proxy import EndpointPool
from kg.serve.server import make_server

from .conftest import CORPUS
from .test_build import kg
from .test_load_servers import BASE, _load, server  # noqa: F401 - the server fixture
from .test_serve_http import request

DOCS = ("PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> PREFIX schema: <http://schema.org/> "
        "SELECT DISTINCT ?n WHERE { ?d a crm:E31_Document ; schema:identifier ?n "
        f"FILTER(STRSTARTS(STR(?d), \"{BASE}\")) }} ORDER BY ?n")


@pytest.fixture(scope="module")
def loaded(server, corpus_dist):  # noqa: F811 - the fixture above
    _load(server, corpus_dist)
    return server


def test_kg_query_asks_the_endpoint(loaded, corpus_dist):
    local = kg("query", "--dist", str(corpus_dist), "--format", "csv", DOCS)
    remote = kg("query", "--sparql", loaded.query_url, "--format", "csv", DOCS)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout and remote.stdout.splitlines()[1:] == ["121799", "121976"]
    ask = kg("query", "--sparql", loaded.query_url, f"ASK {{ <{BASE}person/peng-dehuai> ?p ?o }}")
    assert ask.stdout == "true\n"


def test_kg_check_against_the_endpoint(loaded):
    # a check of plain names (engines differ in the lexical forms of dates and in GROUP_CONCAT order)
    r = kg("check", "--sparql", loaded.query_url, "cq02-authorship", cwd=CORPUS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "all 1 checks passed" in r.stdout


def test_a_bad_query_and_an_unreachable_endpoint(loaded):
    bad = kg("query", "--sparql", loaded.query_url, "SELECT WHERE {")
    assert bad.returncode == 2 and "refused the query" in bad.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    down = kg("query", "--sparql", f"http://127.0.0.1:{port}/sparql", DOCS)
    assert down.returncode == 4 and "the SPARQL endpoint failed" in down.stderr


@pytest.fixture(scope="module")
def proxied(loaded, tmp_path_factory, corpus_dist):
    app = App(corpus_dist, BASE, queries_dir=CORPUS / "queries")
    app.pool = EndpointPool(Endpoint(loaded.query_url, timeout=30))
    srv = make_server(app, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], corpus_dist
    srv.shutdown()


def test_kg_serve_answers_sparql_from_the_triplestore(proxied, loaded):
    status, h, body = request(proxied, "GET", "/sparql?" + urlencode({"query": DOCS}),
                              {"Accept": "application/sparql-results+json"})
    assert status == 200 and h["content-type"].startswith("application/sparql-results+json")
    assert [b["n"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["121799", "121976"]
    status, h, body = request(proxied, "GET", "/sparql?" + urlencode({"query": DOCS}), {"Accept": "text/html"})
    assert status == 200 and b"121976" in body  # the query form renders the store's answer
    # the pages still come from dist/
    assert request(proxied, "GET", "/person/peng-dehuai", {"Accept": "text/turtle"})[0] == 200


def test_the_proxy_never_lets_service_or_updates_through(proxied):
    """A listener stands for another server: no query makes the store (or kg) call it."""
    calls = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]

    def accept():
        try:
            calls.append(listener.accept())
        except OSError:
            pass
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        for q in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }} }} }}",
                  f"ASK {{ FILTER EXISTS {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }} }}",
                  f"SELECT * WHERE {{ # }} SERVICE\n SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}"):
            assert request(proxied, "GET", "/sparql?" + urlencode({"query": q}))[0] == 403, q
        upd = f"INSERT DATA {{ <{BASE}x> <{BASE}y> <{BASE}z> }}"
        assert request(proxied, "GET", "/sparql?" + urlencode({"query": upd}))[0] == 400
        assert request(proxied, "POST", "/sparql", {"Content-Type": "application/sparql-update"}, upd.encode())[0] == 403
        status, _, body = request(proxied, "GET", "/sparql?" + urlencode({"query": f"ASK {{ <{BASE}x> ?p ?o }}"}),
                                  {"Accept": "application/sparql-results+json"})
        assert status == 200 and json.loads(body)["boolean"] is False
    finally:
        t.join(2)
        listener.close()
    assert calls == []


def test_the_stores_non_rdf_answers_go_out_as_text():
    """A store's HTML error page must not be served as a page of this site."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Store(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b"<html><script>alert(1)</script></html>"
            self.send_response(400)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Store)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        pool = EndpointPool(Endpoint(f"http://127.0.0.1:{srv.server_address[1]}/sparql", timeout=5, retries=0))
        a = pool.run("ASK {}", "application/sparql-results+json")
        assert a.status == 400 and a.content_type.startswith("text/plain")
    finally:
        srv.shutdown()


def test_kg_serve_sparql_option(loaded, tmp_path, corpus_dist):
    import shutil
    import signal
    import subprocess
    import sys
    project = tmp_path / "p"
    shutil.copytree(CORPUS, project)
    shutil.copytree(corpus_dist, project / "dist")
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--root", str(project), "--port", "0", "--quiet",
                             "--sparql", loaded.query_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().split("http://127.0.0.1:")[1].split("/")[0])
        status, _, body = request((port, None), "GET", "/sparql?" + urlencode({"query": DOCS}),
                                  {"Accept": "application/sparql-results+json"})
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 2
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
