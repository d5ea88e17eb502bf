"""kg load: the Graph Store Protocol loader against a real small HTTP server on 127.0.0.1
(tests/gsp_server.py, no mocks), and the embedded store in a temp folder."""
from __future__ import annotations

import argparse
import shutil

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, VOID, Graph, URIRef

from kg import load, load_cli, store
from kg.errors import KgError
from kg.load import (
    GspClient,
    StoreAuthError,
    StoreRejected,
    StoreUnreachable,
    Target,
    VerifyError,
    resolve_target,
)
from kg.namespaces import Namespaces
from kg.ontology_dump import ontology
from kg.settings import load_settings

from .conftest import CORPUS
from .gsp_server import GspServer
from .rdfgen import graph_sizes, write_dist

BASE = "https://kg.example.org/"


@pytest.fixture(scope="module")
def dump(corpus_dist) -> dict[str, int]:
    """Triples per named graph of the test corpus's kg.nq, counted independently of kg.load."""
    sizes: dict[str, int] = {}
    for q in ox.parse(path=str(corpus_dist / "kg.nq"), format=ox.RdfFormat.N_QUADS):
        sizes[q.graph_name.value] = sizes.get(q.graph_name.value, 0) + 1
    return sizes


@pytest.fixture(scope="module")
def vocab(corpus_dist) -> str:
    """The ontology's IRI as the corpus's VoID names it (void:vocabulary): the vocabulary's graph."""
    iris = set(Graph().parse(corpus_dist / "void.ttl").objects(None, VOID.vocabulary))
    assert len(iris) == 1
    return str(iris.pop())


@pytest.fixture(scope="module")
def loaded(corpus_dist, dump, vocab) -> dict[str, int]:
    """What a server holds after a load: the dump's graphs, and dist/ontology.ttl in the graph
    named by the ontology's IRI (its triples counted with rdflib)."""
    terms = Graph().parse(corpus_dist / "ontology.ttl")
    assert (URIRef(vocab), RDF.type, OWL.Ontology) in terms
    assert vocab not in dump
    return {**dump, vocab: len(terms)}


@pytest.fixture(scope="module")
def total(loaded) -> int:
    return sum(loaded.values())


DOC = f"{BASE}graph/document/121799"
SHARED = f"{BASE}graph/shared"
TEST_BASE = "http://test.kg.invalid/"


def target(server: GspServer, **kw) -> Target:
    return Target("generic", server.url + "/gsp", server.url + "/query", **kw)


def client(server: GspServer, **kw) -> GspClient:
    kw.setdefault("backoff", 0)
    return GspClient(target(server, **{k: kw.pop(k) for k in ("user", "password", "auth") if k in kw}), **kw)


def counts(server: GspServer) -> dict[str, int]:
    return {g: len(t) for g, t in server.graphs.items()}


# ---------------------------------------------------------------- graphs, chunks, verification

def test_each_graph_is_put_whole_and_verified(corpus_dist, dump, vocab, loaded, total):
    with GspServer() as s:
        report = load.load(corpus_dist, target(s), base=BASE, client=client(s))
        assert counts(s) == loaded
        assert [(m, g) for m, g, _ in s.writes()] == [("PUT", g) for g in [*sorted(dump), vocab]]
        assert {r.graph: r.stored for r in report.graphs} == loaded
        assert report.triples == total and report.rate > 0
        lines = report.lines()
        assert f"{len(loaded)} graphs, {total} triples" in lines[0] and "triples/s" in lines[0]
        n = loaded[vocab]
        assert f"  <{vocab}> (kg's vocabulary, ontology.ttl): {n} triples in 1 request(s), {n} in the store" in lines


def test_the_vocabulary_graph_holds_the_ontology_dump(corpus_dist, vocab):
    with GspServer() as s:
        load.load(corpus_dist, target(s), base=BASE, client=client(s))
        sent = Graph().parse(data="\n".join(s.graphs[vocab]), format="nt")
    assert set(sent) == set(Graph().parse(corpus_dist / "ontology.ttl"))


def test_a_projects_own_vocabulary_is_loaded_under_its_ontology_iri(tmp_path, corpus_dist, dump):
    ns = Namespaces("https://vocab.example.org/terms/")
    dist = tmp_path / "dist"
    shutil.copytree(corpus_dist, dist)
    ontology(ns).serialize(dist / "ontology.ttl", format="turtle")
    with GspServer() as s:
        load.load(dist, target(s), base=BASE, ontology=ns.ontology, client=client(s))
        assert counts(s) == {**dump, "https://vocab.example.org/terms/ontology#": len(ontology(ns))}


def test_a_vocabulary_dump_of_another_ontology_is_refused_before_anything_is_sent(corpus_dist):
    with GspServer() as s:
        with pytest.raises(KgError, match=r"ontology.ttl: the vocabulary dump does not declare "
                                          r"<https://vocab.example.org/ontology#> an owl:Ontology.*kg build") as e:
            load.load(corpus_dist, target(s), base=BASE, ontology="https://vocab.example.org/ontology#",
                      client=client(s))
        assert e.value.exit_code == 2 and s.requests == []


def test_large_graphs_go_in_chunks_put_then_post(corpus_dist, dump, loaded):
    with GspServer() as s:
        report = load.load(corpus_dist, target(s), base=BASE, chunk_triples=500, client=client(s))
        assert counts(s) == loaded
        shared = [(m, n) for m, g, n in s.writes() if g == SHARED]
        n = dump[SHARED]
        sizes = [500] * (n // 500) + ([n % 500] if n % 500 else [])
        assert shared == [("PUT", sizes[0])] + [("POST", k) for k in sizes[1:]]
        assert {r.graph: r.chunks for r in report.graphs}[DOC] == -(-dump[DOC] // 500)


def test_reload_is_idempotent_and_a_changed_document_replaces_only_its_graph(tmp_path):
    with GspServer() as s:
        v1 = write_dist(tmp_path / "v1", TEST_BASE)
        load.load(v1, target(s), base=TEST_BASE, client=client(s))
        before = {g: set(t) for g, t in s.graphs.items()}
        load.load(v1, target(s), base=TEST_BASE, client=client(s))
        assert s.graphs == before
        v2 = write_dist(tmp_path / "v2", TEST_BASE, version=3, changed=2)
        load.load(v2, target(s), base=TEST_BASE, client=client(s))
        changed = f"{TEST_BASE}graph/document/2"
        assert counts(s) == graph_sizes(TEST_BASE, version=3, changed=2)
        assert all(s.graphs[g] == before[g] for g in before if g != changed)
        assert not (s.graphs[changed] & {t for t in before[changed] if '"d2 v1' in t})


def test_prune_drops_graphs_the_dump_no_longer_has(tmp_path):
    with GspServer() as s:
        load.load(write_dist(tmp_path / "a", TEST_BASE, docs=3), target(s), base=TEST_BASE, client=client(s))
        s.graphs["http://elsewhere.invalid/g"] = {"<a:s> <a:p> <a:o> ."}
        report = load.load(write_dist(tmp_path / "b", TEST_BASE, docs=2), target(s), base=TEST_BASE,
                           prune=True, client=client(s))
        assert report.pruned == (f"{TEST_BASE}graph/document/3",)
        assert set(s.graphs) == set(graph_sizes(TEST_BASE, docs=2)) | {"http://elsewhere.invalid/g"}


def test_prune_never_drops_the_vocabulary_graph(tmp_path, corpus_dist, dump, vocab, loaded):
    """Even with a prefix that covers the ontology's IRI, and a dist/ without ontology.ttl."""
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(corpus_dist / "kg.nq", bare / "kg.nq")
    assert vocab.startswith(BASE)
    with GspServer() as s:
        load.load(corpus_dist, target(s), base=BASE, client=client(s))
        report = load.load(bare, target(s), base=BASE, graph_prefix=BASE, prune=True, client=client(s))
        assert report.pruned == tuple(sorted(dump)) and report.vocabulary is None
        assert counts(s)[vocab] == loaded[vocab]
        assert set(s.graphs) == {vocab} | {BASE + g[len(BASE + "graph/"):] for g in dump}


def test_graph_prefix_renames_the_graphs_but_not_the_vocabulary(corpus_dist, vocab):
    with GspServer() as s:
        load.load(corpus_dist, target(s), base=BASE, graph_prefix="urn:x-kg:", client=client(s))
        assert set(s.graphs) == {"urn:x-kg:document/121799", "urn:x-kg:document/121976", "urn:x-kg:shared", vocab}


def test_a_graph_prefix_that_is_not_an_iri_is_refused_before_anything_is_sent(corpus_dist):
    with GspServer() as s:
        with pytest.raises(KgError, match="graph prefix .* is not an absolute IRI"):
            load.load(corpus_dist, target(s), base=BASE, graph_prefix="http://x/> } DROP ALL; {", client=client(s))
        assert s.requests == []


def test_a_store_that_loses_triples_fails_verification(corpus_dist, dump):
    with GspServer(lossy=True) as s:
        with pytest.raises(VerifyError, match=rf"holds {dump[DOC] - 1}, sent {dump[DOC]}") as e:
            load.load(corpus_dist, target(s), base=BASE, client=client(s))
        assert e.value.exit_code == 4


def test_dry_run_sends_nothing(corpus_dist, loaded, total):
    with GspServer() as s:
        report = load.load(corpus_dist, target(s), base=BASE, chunk_triples=1000, dry_run=True, client=client(s))
        assert s.requests == []
        assert report.dry_run and report.lines()[0].startswith(
            f"kg load: dry run: would load {len(loaded)} graphs, {total}")
        assert {r.graph: r.chunks for r in report.graphs} == {g: -(-n // 1000) for g, n in loaded.items()}


def test_no_dump_says_to_build_first(tmp_path):
    with pytest.raises(KgError, match=r"no published dump.*run `kg build` first"):
        load.load(tmp_path, Target("generic", "http://127.0.0.1:9/gsp", "http://127.0.0.1:9/q"), base=BASE)


# ---------------------------------------------------------------- transient failures

def test_transient_failures_are_retried_with_backoff(corpus_dist, loaded):
    slept: list[float] = []
    with GspServer() as s:
        s.fail = [503, "drop", 502]
        c = GspClient(target(s), retries=4, backoff=0.5, sleep=slept.append)
        load.load(corpus_dist, target(s), base=BASE, client=c)
        assert counts(s) == loaded
        assert slept == [0.5, 1.0, 2.0]


def test_a_server_that_stays_down_gives_a_clear_error(corpus_dist):
    with GspServer() as s:
        s.fail = [503] * 10
        with pytest.raises(StoreUnreachable) as e:
            load.load(corpus_dist, target(s), base=BASE, client=client(s, retries=2))
        assert "after 3 attempts (HTTP 503)" in str(e.value) and "rerun `kg load`" in str(e.value)


def test_a_refused_connection_gives_a_clear_error(corpus_dist):
    with GspServer() as s:
        url = s.url
    dead = Target("generic", url + "/gsp", url + "/query")
    with pytest.raises(StoreUnreachable, match=r"after 2 attempts \(connection refused\).*is the server running"):
        load.load(corpus_dist, dead, base=BASE, client=GspClient(dead, retries=1, backoff=0))


def test_a_client_error_is_not_retried_and_shows_the_servers_message(corpus_dist):
    with GspServer() as s:
        s.fail = [None, 400]  # the access check passes, the first PUT is refused
        with pytest.raises(StoreRejected, match="HTTP 400 scripted failure 400"):
            load.load(corpus_dist, target(s), base=BASE, client=client(s))
        assert len(s.writes()) == 1


# ---------------------------------------------------------------- authentication

@pytest.mark.parametrize("scheme", ["basic", "digest"])
def test_credentials_are_sent_with_basic_and_digest_auth(scheme, corpus_dist, loaded):
    with GspServer(auth=scheme) as s:
        load.load(corpus_dist, target(s), base=BASE, chunk_triples=1000,
                  client=client(s, user="kg", password="secret", auth=scheme))
        assert counts(s) == loaded


@pytest.mark.parametrize("scheme", ["basic", "digest"])
def test_wrong_credentials_fail_before_any_data_is_sent(scheme, corpus_dist):
    with GspServer(auth=scheme) as s:
        with pytest.raises(StoreAuthError, match=r"refused .*HTTP 401, user 'kg'.*KG_STORE_PASSWORD"):
            load.load(corpus_dist, target(s), base=BASE, client=client(s, user="kg", password="wrong", auth=scheme))
        assert s.writes() == []


# ---------------------------------------------------------------- which store

def test_store_type_from_the_server_header_or_the_url():
    with GspServer(server_header="Virtuoso/07.20.3229 (Linux)") as s:
        t = resolve_target(s.url + "/", password="pw")
        assert (t.kind, t.gsp_url, t.query_url, t.user, t.auth) == (
            "virtuoso", s.url + "/sparql-graph-crud-auth", s.url + "/sparql", "dba", "digest")
    with GspServer(server_header="Oxigraph/0.5.13") as s:
        t = resolve_target(s.url)
        assert (t.kind, t.gsp_url, t.query_url) == ("oxigraph", s.url + "/store", s.url + "/query")
    assert resolve_target("http://h:7878/store", online=False).query_url == "http://h:7878/query"
    with GspServer() as s:
        with pytest.raises(KgError, match="cannot tell which triplestore"):
            resolve_target(s.url)
        assert resolve_target(s.url + "/gsp", query_url=s.url + "/query").kind == "generic"
    with pytest.raises(KgError, match="needs --query-url"):
        resolve_target("http://h/gsp", "generic")
    with pytest.raises(KgError, match="needs a password"):
        resolve_target("http://h:8890", "virtuoso")


# ---------------------------------------------------------------- the embedded store

def test_embedded_store_load_reload_and_query(tmp_path, corpus_dist, dump):
    """The embedded store holds kg.nq's graphs only, not the vocabulary (see kg.store)."""
    folder = tmp_path / "store"
    report = store.load_embedded(corpus_dist, folder, base=BASE)
    assert {r.graph: r.stored for r in report.graphs} == dump
    store.load_embedded(corpus_dist, folder, base=BASE)
    s = store.open_for_query(folder)
    assert store.graph_counts(s) == dump
    from kg import query
    _, rows = query.run(s, (CORPUS / "queries" / "cq05-shared-mentions.rq").read_text())
    assert [r[1] for r in rows] == ["Kim Il Sung", "Mao Zedong", "Pak Heon-yeong"]


def test_embedded_store_replaces_only_the_changed_graph_and_prunes(tmp_path):
    folder = tmp_path / "store"
    store.load_embedded(write_dist(tmp_path / "v1", TEST_BASE), folder, base=TEST_BASE)
    store.load_embedded(write_dist(tmp_path / "v2", TEST_BASE, version=4, changed=1), folder, base=TEST_BASE)
    assert store.graph_counts(store.open_for_query(folder)) == graph_sizes(TEST_BASE, version=4, changed=1)
    r = store.load_embedded(write_dist(tmp_path / "v3", TEST_BASE, docs=2), folder, base=TEST_BASE, prune=True)
    assert r.pruned == (f"{TEST_BASE}graph/document/3",)


def test_embedded_dry_run_writes_nothing_and_query_without_store_says_what_to_do(tmp_path, corpus_dist):
    report = store.load_embedded(corpus_dist, tmp_path / "store", base=BASE, dry_run=True)
    assert report.dry_run and not (tmp_path / "store").exists()
    with pytest.raises(KgError, match="no embedded store to query.*run `kg load` first"):
        store.open_for_query(tmp_path / "store")


# ---------------------------------------------------------------- the command

def _cli(argv: list[str]):
    p = argparse.ArgumentParser()
    load_cli.add_arguments(p)
    return p.parse_args(argv)


def test_cli_loads_a_server_with_credentials_from_the_environment(monkeypatch, capsys, corpus_dist, dump, loaded,
                                                                  total):
    monkeypatch.setenv("KG_STORE_USER", "kg")
    monkeypatch.setenv("KG_STORE_PASSWORD", "secret")
    with GspServer(auth="digest") as s:
        args = _cli(["--endpoint", s.url + "/gsp", "--store-type", "generic", "--query-url", s.url + "/query",
                     "--auth", "digest", "--chunk-triples", "1000", "--dist", str(corpus_dist)])
        assert load_cli.run(args, load_settings(CORPUS)) == 0
        assert counts(s) == loaded
    out = capsys.readouterr().out
    assert f"kg load: {len(loaded)} graphs, {total} triples" in out and f"{dump[SHARED]} in the store" in out


def test_cli_embedded_default(tmp_path, capsys, corpus_dist, dump):
    args = _cli(["--store-dir", str(tmp_path / "st"), "--dist", str(corpus_dist)])
    assert load_cli.run(args, load_settings(CORPUS)) == 0
    assert f"into {tmp_path / 'st'}" in capsys.readouterr().out
    assert store.graph_counts(store.open_for_query(tmp_path / "st")) == dump


@pytest.mark.parametrize("setting", ["1", None])
def test_progress_bar_on_a_terminal_only(monkeypatch, capsys, corpus_dist, total, setting):
    """KG_PROGRESS=1 stands for a terminal: the bar counts the triples sent; piped, nothing."""
    if setting:
        monkeypatch.setenv("KG_PROGRESS", setting)
    else:
        monkeypatch.delenv("KG_PROGRESS", raising=False)   # pytest's stderr is not a terminal
    with GspServer() as s:
        args = _cli(["--endpoint", s.url + "/gsp", "--store-type", "generic", "--query-url", s.url + "/query",
                     "--chunk-triples", "1000", "--dist", str(corpus_dist)])
        assert load_cli.run(args, load_settings(CORPUS)) == 0
    err = capsys.readouterr().err
    if setting:
        assert "kg: loading" in err and "triples" in err
        assert f"/{total} " in err, err  # the count of triples to send, the vocabulary's too
    else:
        assert "kg: loading" not in err
