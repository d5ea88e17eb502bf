"""``kg serve``'s first start over a new dist/: nothing worked out in advance.

Real servers on 127.0.0.1 (and one real ``kg serve`` process): pages come before the SPARQL
store is built, each rendered on its first request and then answered from the page cache;
/sparql says 503 with Retry-After until its store is built, then answers as from memory;
a hub's lists worked out on its first request are what the stores' build used to work out
for every hub; the pages' store filled from kg.nt has the subjects, types and size the
store filled from kg.nq's quads has; pages come from kg.nt in memory, then from the
pages' store built in the background, the same; a server killed on its first start leaves nothing the next
one reads wrong; a new build of dist/ is never served from the last one's stores.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.serve import lists, pagecache, pagestore, parts, storecache, views
from kg.serve.app import App
from kg.serve.graph import CRM, Graph
from kg.serve.pagestore import Scan
from kg.serve.pending import RETRY_AFTER, Deferred
from kg.serve.sparql import QueryPool

from .serving import serving, when_ready
from .test_serve_cache import BASE, _app, _hub_dist
from .test_serve_http import request

ROOT = Path(__file__).resolve().parent.parent
COUNT = "/sparql?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
JSON = {"Accept": "application/sparql-results+json"}


def _copy(corpus_dist, tmp_path) -> Path:
    dist = tmp_path / "dist"
    shutil.copytree(corpus_dist, dist)
    return dist


def _html_files(app) -> list[Path]:
    return sorted(p for p in app.pages.folder.iterdir() if p.suffix == ".html")


def test_a_page_asked_first_is_rendered_right_then_answered_from_the_page_cache(tmp_path, corpus_dist):
    dist, cache = _copy(corpus_dist, tmp_path), tmp_path / "cache"
    memory, app = App(dist, BASE), App(dist, BASE, cache=cache)
    assert _html_files(app) == []  # nothing rendered before the first request
    paths = ["/person/peng-dehuai", "/document/121799", "/event/conversation-1956-09-18"]
    with serving(app) as port:
        for path in paths:
            status, _, body = request((port,), "GET", path, {"Accept": "text/html"})
            assert status == 200 and body == memory.handle("GET", path, {"Accept": "text/html"}).body, path
    kept = _html_files(app)
    assert len(kept) == len(paths)
    for f in kept:  # marked, to see where the next server's answer comes from
        f.write_bytes(f.read_bytes().replace(b"</body>", b"<!-- kept --></body>"))
    again = App(dist, BASE, cache=cache)  # a second start over the same build: nothing rendered again
    with serving(again) as port:
        for path in paths:
            status, _, body = request((port,), "GET", path, {"Accept": "text/html"})
            assert status == 200 and b"<!-- kept -->" in body, path


def test_sparql_answers_503_with_retry_after_until_its_store_and_workers_are_ready(tmp_path, corpus_dist):
    dist, cache = _copy(corpus_dist, tmp_path), tmp_path / "cache"
    memory = _app(dist)
    app, gate = App(dist, BASE, cache=cache), threading.Event()

    def pool():
        gate.wait(120)  # the workers start when the test says
        return QueryPool(dist, size=1, timeout=20, store=app.graph.cached.sparql)

    app.pool = Deferred(app.graph.cached, pool, 10_000)
    with serving(memory) as mport, serving(app) as port:
        status, headers, body = request((port,), "GET", COUNT, JSON)
        assert status == 503 and headers["retry-after"] == str(RETRY_AFTER) and b"being built" in body
        form = request((port,), "GET", COUNT, {"Accept": "text/html"})  # the query form says so too
        assert form[0] == 503 and form[1]["retry-after"] == str(RETRY_AFTER)
        assert request((port,), "GET", "/person/peng-dehuai")[0] == 200  # pages meanwhile
        gate.set()
        status, headers, body = when_ready(lambda: request((port,), "GET", COUNT, JSON))
        assert status == 200 and "retry-after" not in headers
        assert json.loads(body) == json.loads(request((mport,), "GET", COUNT, JSON)[2])
        described = [request((p,), "GET", "/sparql", {"Accept": "application/n-triples"}) for p in (port, mport)]
        assert described[0][0] == 200 and described[0][2] == described[1][2]  # the graphs' sizes as from memory


def test_a_sparql_store_that_cannot_be_built_leaves_the_pages_served(tmp_path, corpus_dist):
    dist, cache = _copy(corpus_dist, tmp_path), tmp_path / "cache"
    app = App(dist, BASE, cache=cache)
    (dist / "kg.nq").rename(tmp_path / "kg.nq.away")  # gone after the pages' store was built
    app.pool = Deferred(app.graph.cached, lambda: QueryPool(dist, size=1, store=app.graph.cached.sparql), 10_000)
    assert not app.graph.cached.wait_sparql(120)
    with serving(app) as port:
        status, headers, body = request((port,), "GET", COUNT, JSON)
        assert status == 503 and "retry-after" not in headers and b"could not be built" in body
        status, headers, _ = request((port,), "GET", "/sparql", {"Accept": "text/turtle"})
        assert status == 503 and "retry-after" not in headers
        assert request((port,), "GET", "/person/peng-dehuai")[0] == 200
    assert not (cache / app.graph.cached.folder.name / "sparql").exists()
    assert [p.name for p in app.graph.cached.folder.glob(".sparql.build-*")] == []


def test_a_hub_worked_out_on_its_first_request_is_what_was_worked_out_in_advance(tmp_path):
    dist = _hub_dist(tmp_path)
    memory, app = Graph(dist, BASE), App(dist, BASE, cache=tmp_path / "cache")
    g, kept = app.graph, app.graph.cached.folder / "lists"
    # the hubs as the stores' build picked them, by one query over the pages' graph
    found = g.store.query("SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?o)) } GROUP BY ?o "
                          f"HAVING (COUNT(*) >= {lists.HUB})")
    hubs = sorted(o.value for o, _ in found if o.value.startswith(BASE))
    assert hubs == [BASE + "person/hub", BASE + "place/here"]
    everything = {t.value for q in g.store for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    assert sorted(iri for iri in everything if lists.is_hub(g, iri)) == hubs
    assert not kept.exists()  # nothing worked out before a request
    with serving(app) as port:
        threads = [threading.Thread(target=request, args=((port,), "GET", "/person/hub?page=2")) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert request((port,), "GET", "/event/e001")[0] == 200
    (written,) = [p for p in kept.iterdir()]  # the hub's file, once; no file for a non-hub
    assert json.loads(written.read_text(encoding="utf-8")) == _as_kept(memory, hubs[0])
    assert App(dist, BASE, cache=tmp_path / "cache").graph.kept.get(hubs[1]) == _as_kept(memory, hubs[1])


def _as_kept(g, iri: str) -> dict:
    """What the stores' build wrote for a hub: its ordered lists, as JSON."""
    return json.loads(json.dumps({"iri": iri, **views.ordered(g, iri)}, ensure_ascii=False))


def test_the_pages_store_from_kg_nt_knows_what_the_one_from_kg_nq_knows(tmp_path, corpus_dist):
    dist = _copy(corpus_dist, tmp_path)
    memory = Graph(dist, BASE)
    fast = Graph(dist, BASE, cache=tmp_path / "cache")
    assert fast.cached.merged and isinstance(fast.store, parts.Parts)  # kg.nt, in parts in memory
    slow_dist = _copy(corpus_dist, tmp_path / "edited")
    with (slow_dist / "kg.nt").open("a", encoding="utf-8") as f:  # no longer what SHA256SUMS lists
        f.write(f'<{BASE}person/nobody> <http://www.w3.org/2000/01/rdf-schema#label> "Nobody" .\n')
    slow = Graph(slow_dist, BASE, cache=tmp_path / "cache2")
    assert slow.cached.meta["merged"] is False  # filled from kg.nq's quads, on disk at once
    merge = len(memory.store) - sum(n for name, n in memory.graph_sizes.items() if name)  # the default graph
    for g in (fast, slow):
        assert (g.subjects, g.type_terms, g.data_triples) == (memory.subjects, memory.type_terms, memory.data_triples)
        assert g.outgoing(f"{BASE}person/nobody") == [] and len(g.store) == merge
    assert slow.graph_sizes == memory.graph_sizes  # counted as the SPARQL store is built
    assert fast.cached.wait_background(120) and fast.cached.meta["merged"] is True  # the store on disk, built
    assert isinstance(fast.store, ox.Store) and len(fast.store) == merge


def test_the_scan_reads_escaped_subjects_and_counts_triples(tmp_path):
    nt, nq = tmp_path / "kg.nt", tmp_path / "kg.nq"
    nt.write_bytes(b'<https://kg.example.org/thing/caf\\u00E9> <urn:x:p> "a" .\n'
                   b'_:b <urn:x:p> <https://kg.example.org/thing/b> .\n'
                   b'\n'
                   b'<https://kg.example.org/thing/caf\\u00E9> <urn:x:p> "b" .\n'  # its lines need not be together
                   b'<https://kg.example.org/thing/a> <urn:x:p> "1" .\n'
                   b'<https://kg.example.org/thing/a> <urn:x:p> "x>y" .')  # no newline at the end
    nq.write_bytes(b"")
    scan = Scan(nt)
    scan.read()
    assert scan.triples == 5 and not pagestore.verified(nt, nq, {})
    assert scan.subjects == {"https://kg.example.org/thing/café", "https://kg.example.org/thing/a"}


def test_kg_serve_answers_pages_at_once_and_sparql_when_its_store_is_built(tmp_path, corpus_dist):
    from .conftest import CORPUS
    project = tmp_path / "p"
    shutil.copytree(CORPUS, project, ignore=shutil.ignore_patterns(".kg-cache", "dist"))
    shutil.copytree(corpus_dist, project / "dist")
    env = {k: v for k, v in os.environ.items() if k != "KG_CACHE"}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "--root", str(project), "serve", "--port", "0", "--quiet",
                             "--workers", "1", "--cache", str(tmp_path / "cache")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        line = proc.stdout.readline()  # "kg serve: <base> at http://127.0.0.1:<port>/ …", once pages are served
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        assert request((port,), "GET", "/person/peng-dehuai", {"Accept": "text/html"})[0] == 200
        status, _, body = when_ready(lambda: request((port,), "GET", COUNT, JSON))
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 3000
    finally:
        proc.terminate()
        err = proc.communicate(timeout=60)[1]
    assert "building the pages' store" in err and "the SPARQL store is built" in err


def test_top_level_items_picked_at_once_are_those_picked_item_by_item(corpus_dist):
    g = Graph(corpus_dist, BASE)
    part_of, acted, proposed = CRM + "P9i_forms_part_of", CRM + "P14_carried_out_by", g.term(views.KGO_PROPOSED)
    seen = 0
    for iri in g.under("person") + g.under("group") + g.under("place"):
        by_item = [a for a in g.subjects_of(acted, iri) if g.first(a, part_of) is None and CRM + "E7_Activity" in g.types(a)]
        assert g.top_level(acted, iri, part_of, CRM + "E7_Activity") == by_item, iri
        by_item = [e for e in g.subjects_of(proposed, iri) if g.first(e, part_of) is None]
        assert g.top_level(proposed, iri, part_of) == by_item, iri
        seen += len(by_item)
    assert seen > 0


def test_query_workers_that_cannot_start_are_said_so_and_pages_go_on(tmp_path, corpus_dist):
    dist = _copy(corpus_dist, tmp_path)
    app = App(dist, BASE, cache=tmp_path / "cache")

    def pool():
        raise OSError("no more processes")  # as Popen says when the system has none left

    app.pool = Deferred(app.graph.cached, pool, 10_000)
    assert app.graph.cached.wait_sparql(120)
    with serving(app) as port:
        status, headers, body = when_ready(lambda: request((port,), "GET", COUNT, JSON), 60)
        assert status == 503 and "retry-after" not in headers and b"could not start: OSError" in body
        assert request((port,), "GET", "/person/peng-dehuai")[0] == 200


def _sample(g) -> list[str]:
    """A page of each kind, the dataset's and a hub's (the kinds' lists) pages."""
    paths = [g.path_of(g.under(kind)[0]) for kind in ("person", "event", "document", "group", "place")]
    return paths + ["/dataset", "/", "/person/peng-dehuai", "/person/peng-dehuai?page=2"]


def _bodies(app, paths, accept="text/html") -> dict[str, bytes]:
    app.pages = None  # rendered now, from the store, not from the page cache
    app._cache.clear()
    return {p: app.handle("GET", p, {"Accept": accept}).body for p in paths}


def test_pages_come_from_memory_then_from_the_store_built_in_the_background(tmp_path, corpus_dist, monkeypatch):
    dist, cache = _copy(corpus_dist, tmp_path), tmp_path / "cache"
    go, build = threading.Event(), storecache.Cached._pages_later
    monkeypatch.setattr(storecache.Cached, "_pages_later", lambda self, log: go.wait(60) and build(self, log))
    memory, app = App(dist, BASE), App(dist, BASE, cache=cache)
    cached = app.graph.cached
    folder = cached.folder
    assert not cached.complete and isinstance(app.graph.store, parts.Parts)  # kg.nt in memory
    paths = _sample(memory.graph)
    for accept in ("text/html", "text/turtle"):
        assert _bodies(app, paths, accept) == _bodies(memory, paths, accept)
    loaded = app.graph.store
    go.set()  # the store on disk may now be built
    assert cached.wait_background(120) and cached.complete
    assert isinstance(app.graph.store, ox.Store) and app.graph.store is not loaded  # read from now on
    assert sorted(map(str, app.graph.store)) == sorted(str(q) for store in loaded.all() for q in store)
    assert _bodies(app, paths) == _bodies(memory, paths)
    again = App(dist, BASE, cache=cache)  # the next start reads the store on disk
    assert again.graph.cached.complete and isinstance(again.graph.store, ox.Store)
    assert _bodies(again, paths) == _bodies(memory, paths)
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_a_killed_servers_half_built_stores_are_removed_and_never_read(tmp_path, corpus_dist):
    dist, cache = _copy(corpus_dist, tmp_path), tmp_path / "cache"
    memory, app = _app(dist), App(dist, BASE, cache=cache)
    folder = app.graph.cached.folder
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)
    assert app.graph.cached.wait_background(120) and app.graph.cached.error is None
    half = folder / f".pages.build-{dead}-x" / "store"  # a pages' store cut short: some files written
    shutil.copytree(folder / "pages", half)
    for f in sorted(half.glob("*.sst"))[::2]:
        f.unlink()
    (folder / f".sparql.build-{dead}-y" / "store").mkdir(parents=True)  # a SPARQL store begun
    (folder / f".subjects-{dead}-z").write_text("12\nhttps://kg.example.org/person/a\n", encoding="utf-8")
    shutil.rmtree(folder / "pages")  # as if the dead server's first start had been the first
    (folder / "meta.json").unlink()
    (folder / "subjects").unlink()
    app = App(dist, BASE, cache=cache)
    assert app.graph.cached.wait_background(120) and app.graph.cached.error is None
    assert sorted(p.name for p in folder.iterdir()) == ["html-" + pagecache.code_key(), "meta.json", "pages",
                                                      "sparql", "subjects"]
    paths = _sample(memory.graph)
    assert _bodies(App(dist, BASE, cache=cache), paths) == _bodies(memory, paths)
    app.pool = QueryPool(dist, size=1, timeout=20, store=app.graph.cached.sparql)
    with serving(memory) as mport, serving(app) as port:
        assert request((port,), "GET", COUNT, JSON)[2] == request((mport,), "GET", COUNT, JSON)[2]


def _serve(project: Path, cache: Path):
    """``kg serve`` over ``project`` as a subprocess, and its port once it serves pages."""
    env = {k: v for k, v in os.environ.items() if k != "KG_CACHE"}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "--root", str(project), "serve", "--port", "0", "--quiet",
                             "--workers", "1", "--cache", str(cache)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    line = proc.stdout.readline()  # "kg serve: <base> at http://127.0.0.1:<port>/ …", once pages are served
    assert "http://127.0.0.1:" in line, proc.stderr.read() if proc.poll() is not None else line
    return proc, int(line.split("http://127.0.0.1:")[1].split("/")[0])


def _project(tmp_path, corpus_dist) -> Path:
    from .conftest import CORPUS
    project = tmp_path / "p"
    shutil.copytree(CORPUS, project, ignore=shutil.ignore_patterns(".kg-cache", "dist"))
    shutil.copytree(corpus_dist, project / "dist")
    return project


def test_a_server_killed_on_its_first_start_leaves_nothing_the_next_one_reads_wrong(tmp_path, corpus_dist):
    project, cache = _project(tmp_path, corpus_dist), tmp_path / "cache"
    proc, port = _serve(project, cache)
    try:
        first = {p: request((port,), "GET", p, {"Accept": "text/html"}) for p in ("/person/peng-dehuai", "/dataset")}
    finally:
        proc.kill()  # as the SPARQL store and the compaction may be under way
        proc.communicate(timeout=60)
    proc, port = _serve(project, cache)
    try:
        for path, (status, _, body) in first.items():
            assert status == 200 and request((port,), "GET", path, {"Accept": "text/html"})[2] == body, path
        status, _, body = when_ready(lambda: request((port,), "GET", COUNT, JSON))
        with serving(_app(project / "dist")) as mport:
            assert status == 200 and json.loads(body) == json.loads(request((mport,), "GET", COUNT, JSON)[2])
    finally:
        proc.terminate()
        proc.communicate(timeout=60)


def test_a_new_build_of_dist_is_never_served_from_the_stores_of_the_last(tmp_path, corpus_dist):
    project, cache = _project(tmp_path, corpus_dist), tmp_path / "cache"
    dist, label = project / "dist", "http://www.w3.org/2000/01/rdf-schema#label"
    proc, port = _serve(project, cache)
    try:
        assert request((port,), "GET", "/person/newcomer", {"Accept": "text/html"})[0] == 404
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    (old,) = [p.name for p in cache.iterdir()]
    triple = f'<{BASE}person/newcomer> <{label}> "Newcomer" '.encode()
    lines = (dist / "kg.nt").read_bytes().splitlines(keepends=True)  # a new build: both dumps (kg.nt's lines
    (dist / "kg.nt").write_bytes(b"".join(sorted(lines + [triple + b".\n"])))  # sorted) and their checksums
    with (dist / "kg.nq").open("ab") as f:
        f.write(triple + f"<{BASE}graph/new> .\n".encode())
    sums = (dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    (dist / "SHA256SUMS").write_text("".join(
        (f"{storecache.sha256(dist / line.split('  ')[1])}  {line.split('  ')[1]}" if line.endswith(("kg.nt", "kg.nq"))
         else line) + "\n" for line in sums), encoding="utf-8")
    proc, port = _serve(project, cache)
    try:
        status, _, body = request((port,), "GET", "/person/newcomer", {"Accept": "text/html"})
        assert status == 200 and b"Newcomer" in body
        found = when_ready(lambda: request((port,), "GET", "/sparql?" + urlencode(
            {"query": f"SELECT ?g {{ GRAPH ?g {{ <{BASE}person/newcomer> ?p ?o }} }}"}), JSON))
        assert found[0] == 200 and f"{BASE}graph/new" in found[2].decode()
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    (new,) = [p.name for p in cache.iterdir() if not p.name.startswith(".")]
    assert new != old and json.loads((cache / new / "meta.json").read_text(encoding="utf-8"))["merged"] is True
