"""kg load into real triplestores: Oxigraph's server and Virtuoso, started by
``bash .ci/servers.sh start`` (which writes their endpoints to ``.ci/servers.env``).

The competency-question queries (queries/*.rq of tests/fixtures/corpus) must give the same answers through
each server's SPARQL endpoint as on the embedded store. Answers are compared as multisets
of rows after normalising what SPARQL leaves to the engine or what the engines are known
to do differently: the order of GROUP_CONCAT's parts (and "" for an empty group),
integer-derived datatypes (Oxigraph answers xsd:integer for xsd:nonNegativeInteger), and
booleans (Virtuoso answers EXISTS as 1/0).

In CI (CI=true) a server that is not running fails these tests; elsewhere they skip.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import VOID, Graph

from kg import load, store
from kg.load import GspClient, StoreAuthError, StoreUnreachable

from .conftest import CORPUS, ROOT
from .rdfgen import graph_sizes, write_dist

BASE = "https://kg.example.org/"
QUERIES = sorted((CORPUS / "queries").glob("*.rq"))
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long")}
SERVERS = ("oxigraph", "virtuoso")


def servers_env() -> dict[str, str]:
    env: dict[str, str] = {}
    path = ROOT / ".ci" / "servers.env"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k] = v
    env.update({k: v for k, v in os.environ.items() if k.startswith(("KG_OXIGRAPH_", "KG_VIRTUOSO_"))})
    return env


def _unavailable(why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}; CI must start the servers with `bash .ci/servers.sh start`", pytrace=False)
    pytest.skip(f"{why} (start them with `bash .ci/servers.sh start`)")


@pytest.fixture(scope="module", params=SERVERS)
def server(request):
    name, env = request.param, servers_env()
    url = env.get(f"KG_{name.upper()}_URL")
    if not url:
        _unavailable(f"{name}: no endpoint in .ci/servers.env or KG_{name.upper()}_URL")
    try:
        requests.get(url + "/", timeout=5)
    except requests.RequestException as e:
        _unavailable(f"{name} is not answering at {url}: {type(e).__name__}")
    password = env.get("KG_VIRTUOSO_PASSWORD") if name == "virtuoso" else None
    return load.resolve_target(url, name, password=password)


def _load(target, dist, base=BASE, **kw):
    return load.load(dist, target, base=base, client=GspClient(target, backoff=0.2), **kw)


# ---------------------------------------------------------------- answers as comparable rows

def _aggregated(sparql: str) -> dict[str, str]:
    """GROUP_CONCAT result variables and their separators."""
    return {m.group(2): m.group(1) for m in re.finditer(
        r'GROUP_CONCAT\s*\(.*?separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)', sparql, re.DOTALL | re.IGNORECASE)}


def _norm(kind, value, lang, datatype, sep=None):
    if sep is not None:
        return ("concat", tuple(sorted(p for p in (value or "").split(sep) if p)))
    if kind is None:
        return None
    if datatype in INTEGERS:
        datatype = XSD + "integer"
    if datatype == XSD + "boolean":
        value, datatype = ("1" if value == "true" else "0"), XSD + "integer"
    return (kind, value, (lang or "").lower(), datatype if kind == "literal" and not lang else None)


def embedded_rows(st, sparql: str) -> list | bool:
    agg, result = _aggregated(sparql), st.query(sparql, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    rows = []
    for row in result:
        out = []
        for n in names:
            t = row[n]
            kind = None if t is None else {"NamedNode": "uri", "Literal": "literal"}.get(type(t).__name__, "bnode")
            dt = getattr(t, "datatype", None)
            out.append(_norm(kind, None if t is None else t.value, getattr(t, "language", None),
                             dt.value if dt is not None else None, agg.get(n)))
        rows.append(tuple(out))
    return sorted(rows, key=repr)


def server_rows(query_url: str, sparql: str) -> list | bool:
    r = requests.post(query_url, data={"query": sparql}, headers={"Accept": "application/sparql-results+json"},
                      timeout=120)
    assert r.status_code == 200, r.text[:500]
    agg, doc = _aggregated(sparql), r.json()
    if "boolean" in doc:
        return doc["boolean"]
    rows = []
    for b in doc["results"]["bindings"]:
        out = []
        for n in doc["head"]["vars"]:
            t = b.get(n, {})
            kind = {"uri": "uri", "literal": "literal", "typed-literal": "literal"}.get(t.get("type"), t.get("type"))
            dt = t.get("datatype") or (None if kind != "literal" or "xml:lang" in t else XSD + "string")
            out.append(_norm(kind, t.get("value"), t.get("xml:lang"), dt, agg.get(n)))
        rows.append(tuple(out))
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, corpus_dist):
    folder = tmp_path_factory.mktemp("embedded") / "store"
    store.load_embedded(corpus_dist, folder, base=BASE)
    return store.open_for_query(folder)


# ---------------------------------------------------------------- the tests

def test_competency_answers_match_the_embedded_store(server, embedded, corpus_dist):
    report = _load(server, corpus_dist)
    assert report.triples > 0 and all(r.stored == r.triples for r in report.graphs)
    for path in QUERIES:
        sparql = path.read_text(encoding="utf-8")
        expected = embedded_rows(embedded, sparql)
        assert isinstance(expected, bool) or expected, f"{path.name} answers nothing on the embedded store"
        assert server_rows(server.query_url, sparql) == expected, f"{path.name} differs on {server.kind}"


def test_the_vocabulary_is_its_own_graph_and_prune_keeps_it(server, corpus_dist, tmp_path):
    """dist/ontology.ttl goes to the graph VoID's void:vocabulary names; the store holds its
    triples (as rdflib reads the file) and keeps them when a prune covers that IRI."""
    (vocab,) = {str(o) for o in Graph().parse(corpus_dist / "void.ttl").objects(None, VOID.vocabulary)}
    terms = Graph().parse(corpus_dist / "ontology.ttl")
    report = _load(server, corpus_dist)
    assert report.vocabulary == vocab and {r.graph: r.stored for r in report.graphs}[vocab] == len(terms)
    stored = _triples(server, vocab)
    assert stored == {(str(s), str(p), str(o)) for s, p, o in terms}
    # a dist/ with no graphs and no vocabulary, pruned under a prefix that covers the ontology's IRI
    assert vocab.startswith(BASE)
    empty = write_dist(tmp_path / "empty", BASE, docs=0, shared=0)
    try:
        pruned = set(_load(server, empty, graph_prefix=BASE, prune=True).pruned)
        assert {r.graph for r in report.graphs} - {vocab} <= pruned and vocab not in pruned
        assert GspClient(server).count(vocab) == len(terms)
    finally:
        _load(server, corpus_dist)  # the corpus back in place for the other tests


def test_reload_leaves_the_counts_unchanged(server, corpus_dist):
    first = {r.graph: r.stored for r in _load(server, corpus_dist).graphs}
    second = {r.graph: r.stored for r in _load(server, corpus_dist).graphs}
    assert first == second == {r.graph: r.triples for r in _load(server, corpus_dist, dry_run=True).graphs}


def test_a_changed_document_replaces_only_its_own_graph(server, tmp_path):
    base = f"http://test.kg.invalid/{uuid.uuid4().hex}/"
    c = GspClient(server)
    try:
        _load(server, write_dist(tmp_path / "v1", base), base)
        before = {g: _triples(server, g) for g in graph_sizes(base)}
        report = _load(server, write_dist(tmp_path / "v2", base, version=5, changed=2), base)
        changed = f"{base}graph/document/2"
        assert {r.graph: r.stored for r in report.graphs} == graph_sizes(base, version=5, changed=2)
        for g, triples in before.items():
            after = _triples(server, g)
            assert (after == triples) == (g != changed), g
        assert all(" v5 " in o or not o.startswith("d2 ") for _, _, o in _triples(server, changed))
        pruned = _load(server, write_dist(tmp_path / "v3", base, docs=2), base, prune=True).pruned
        assert pruned == (f"{base}graph/document/3",) and c.count(f"{base}graph/document/3") == 0
    finally:
        for g in graph_sizes(base):
            c.delete(g)


def _triples(target, graph: str) -> set:
    rows = GspClient(target).select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{load.check_iri(graph)}> {{ ?s ?p ?o }} }}",
                                    "test read")
    return {(r["s"]["value"], r["p"]["value"], r["o"]["value"]) for r in rows}


def test_wrong_credentials_give_a_clear_error(server, corpus_dist):
    if server.kind == "oxigraph":
        pytest.skip("Oxigraph's server has no authentication")
    wrong = load.Target(server.kind, server.gsp_url, server.query_url, "dba", "not-the-password", "digest")
    with pytest.raises(StoreAuthError, match=r"refused .*HTTP 401, user 'dba'.*SPARQL_UPDATE"):
        _load(wrong, corpus_dist)


# ---------------------------------------------------------------- a server killed mid-load

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_oxigraph(binary: str, location: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        if proc.poll() is not None:
            pytest.fail(f"{binary} serve exited with {proc.returncode}")
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    pytest.fail(f"a private Oxigraph server did not start on 127.0.0.1:{port}")


def test_killing_the_server_mid_load_then_rerunning_gives_a_consistent_store(tmp_path):
    beside = Path(sys.executable).parent / "oxigraph"  # installed by `pip install oxigraph`
    binary = servers_env().get("KG_OXIGRAPH_BIN") or (str(beside) if beside.exists() else shutil.which("oxigraph"))
    if not binary or not Path(binary).exists():
        _unavailable("no oxigraph binary (KG_OXIGRAPH_BIN in .ci/servers.env)")
    base = "http://test.kg.invalid/kill/"
    dist = write_dist(tmp_path / "dist", base, docs=4, per_doc=2000, shared=500)
    port, location = _free_port(), tmp_path / "oxigraph"
    proc = _start_oxigraph(binary, location, port)
    target = load.resolve_target(f"http://127.0.0.1:{port}", "oxigraph")
    sent = []

    def kill_after_five(graph, n):
        sent.append(graph)
        if len(sent) == 5:
            proc.kill()
            proc.wait()

    try:
        with pytest.raises(StoreUnreachable) as e:
            load.load(dist, target, base=base, chunk_triples=500, on_chunk=kill_after_five,
                      client=GspClient(target, retries=2, backoff=0.1))
        message = str(e.value)
        assert "no answer from the store" in message and "connection refused" in message
        assert "rerun `kg load`" in message
        proc = _start_oxigraph(binary, location, port)
        report = load.load(dist, target, base=base, chunk_triples=500)
        assert {r.graph: r.stored for r in report.graphs} == graph_sizes(base, docs=4, per_doc=2000, shared=500)
    finally:
        proc.kill()
        proc.wait()
