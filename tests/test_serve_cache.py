"""``kg serve``'s stores on disk (kg.serve.storecache) and the long lists a page at a time (kg.serve.lists).

Real servers on 127.0.0.1: the stores are built on the first start, reused on the next,
built again when kg.nq changes or the cache is damaged; every page of the test corpus is
the same from the cached stores as from memory; a hub's lists come 100 items a page in
the order one long page had, worked out in advance into the cache or as the page is made.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.serve import lists, sandbox
from kg.serve.app import App
from kg.serve.sparql import QueryPool

from .serving import serving, when_ready
from .test_serve_http import request

BASE = "https://kg.example.org/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
G = f"<{BASE}graph/shared>"


def _app(dist, cache=None, workers=1):
    app = App(dist, BASE, cache=cache)
    app.pool = QueryPool(dist, size=workers, timeout=20, store=app.graph.cached.sparql if cache else None)
    return app


def _count(port) -> int:
    q = urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    status, _, body = when_ready(lambda: request((port,), "GET", "/sparql?" + q,
                                                 {"Accept": "application/sparql-results+json"}))
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _folders(cache):
    return sorted(p.name for p in cache.iterdir())


def test_cached_stores_serve_what_memory_serves(tmp_path, corpus_dist):
    dist = tmp_path / "dist"
    shutil.copytree(corpus_dist, dist)
    memory, cached = App(dist, BASE), App(dist, BASE, cache=tmp_path / "cache")
    g = memory.graph
    paths = [g.path_of(s) for s in g.subjects + [g.ontology_document, g.types_index]]
    paths = [p for p in paths if p] + ["/", "/sitemap.xml", "/search.json", "/dataset"]
    for path in paths:
        for accept in ("text/html", "text/turtle", "application/ld+json", "application/n-triples"):
            a, b = (app.handle("GET", path, {"Accept": accept}) for app in (memory, cached))
            assert (a.status, a.body, a.headers) == (b.status, b.body, b.headers), (path, accept)
    assert cached.graph.graph_sizes == g.graph_sizes and cached.graph.data_triples == g.data_triples


def test_stores_are_built_once_and_again_when_kg_nq_changes(tmp_path, corpus_dist, capfd):
    dist, cache = tmp_path / "dist", tmp_path / "cache"
    shutil.copytree(corpus_dist, dist)
    with serving(app := _app(dist, cache, workers=2)) as port:
        first = _count(port)
        assert request((port,), "GET", "/person/peng-dehuai")[0] == 200
    assert app.graph.cached.wait_background(120)  # the pages' store built after the SPARQL store
    err = capfd.readouterr().err
    assert "building the pages' store" in err and "building the SPARQL store" in err and "rendering" not in err
    (key,) = _folders(cache)
    kept = {p.name for p in (cache / key).iterdir()}
    assert {p for p in kept if not p.startswith("html-")} - {"lists"} == {"pages", "sparql", "subjects",
                                                                             "meta.json"}
    assert len([p for p in kept if p.startswith("html-")]) == 1  # the pages rendered, html-<code>/
    meta = (cache / key / "meta.json").stat()

    with serving(_app(dist, cache)) as port:  # the second start: the same folder, nothing built
        assert _count(port) == first
    err = capfd.readouterr().err
    assert "building" not in err and "rendering" not in err
    assert _folders(cache) == [key] and (cache / key / "meta.json").stat().st_mtime_ns == meta.st_mtime_ns

    with (dist / "kg.nq").open("a", encoding="utf-8") as f:  # kg.nq edited (SHA256SUMS left as it was)
        f.write(f'<{BASE}person/peng-dehuai> <{LABEL}> "Edited label" {G} .\n')
    with serving(_app(dist, cache)) as port:
        assert _count(port) == first + 1  # the default graph (the merge) has one triple more
        assert "Edited label" in request((port,), "GET", "/person/peng-dehuai.nt")[2].decode()
    assert "building the pages' store" in capfd.readouterr().err
    (new,) = _folders(cache)  # the outdated folder is gone
    assert new != key


@pytest.mark.parametrize("damage", ["meta.json", "sparql"])
def test_a_damaged_cache_is_built_again(tmp_path, corpus_dist, capfd, damage):
    dist, cache = tmp_path / "dist", tmp_path / "cache"
    shutil.copytree(corpus_dist, dist)
    assert App(dist, BASE, cache=cache).graph.cached.wait_background(120)  # both stores built
    (key,) = _folders(cache)
    if damage == "meta.json":
        (cache / key / "meta.json").write_text("{not json", encoding="utf-8")
    else:
        shutil.rmtree(cache / key / damage)
    capfd.readouterr()
    with serving(_app(dist, cache)) as port:
        assert _count(port) > 3000
        assert request((port,), "GET", "/person/peng-dehuai")[0] == 200
    err = capfd.readouterr().err  # each store is rebuilt only if it was damaged (its own meta.json unreadable)
    assert ("building the pages' store" in err) == (damage == "meta.json")
    assert ("building the SPARQL store" in err) == (damage == "sparql")
    assert _folders(cache) == [key]


# ---------------------------------------------------------------- long lists, a page at a time

N_EVENTS, N_DOCS = 250, 130


def _hub_dist(tmp_path):
    """A person who attended 250 events (dates repeat, some have none, labels tie-break) and is
    mentioned in 130 documents; a place where the same events took place."""
    lines = [f"<{BASE}person/hub> <{TYPE}> <{CRM}E21_Person> {G} .", f'<{BASE}person/hub> <{LABEL}> "Hub"@en {G} .',
             f"<{BASE}place/here> <{TYPE}> <{CRM}E53_Place> {G} .", f'<{BASE}place/here> <{LABEL}> "Here"@en {G} .']
    for i in range(N_EVENTS):
        ev = f"<{BASE}event/e{i:03d}>"
        lines += [f"{ev} <{TYPE}> <{CRM}E7_Activity> {G} .", f'{ev} <{LABEL}> "Meeting {(i * 37) % 50}"@en {G} .',
                  f"{ev} <{CRM}P11_had_participant> <{BASE}person/hub> {G} .",
                  f"{ev} <{CRM}P7_took_place_at> <{BASE}place/here> {G} ."]
        if i % 7:
            span = f"<{BASE}event/e{i:03d}/time>"
            lines += [f"{ev} <{CRM}P4_has_time-span> {span} {G} .",
                      f'{span} <{CRM}P82a_begin_of_the_begin> "1956-{1 + i % 12:02d}-01"^^'
                      f"<http://www.w3.org/2001/XMLSchema#date> {G} ."]
    name = f"<{BASE}person/hub/name/x>"
    lines += [f"<{BASE}person/hub> <{CRM}P1_is_identified_by> {name} {G} .",
              f'{name} <{CRM}P190_has_symbolic_content> "Hub as written" {G} .']
    for i in range(N_DOCS):
        doc = f"<{BASE}document/d{i:03d}>"
        lines += [f'{doc} <{LABEL}> "Document {i}"@en {G} .', f"{doc} <{CRM}P67_refers_to> <{BASE}person/hub> {G} .",
                  f"{name} <{CRM}P106i_forms_part_of> {doc} {G} ."]
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "kg.nq").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return dist


def _expected_events() -> list[str]:
    def key(i):
        return ("" if i % 7 == 0 else f"1956-{1 + i % 12:02d}-01"), f"Meeting {(i * 37) % 50}"
    return [f"/event/e{i:03d}" for i in sorted(range(N_EVENTS), key=key)]


def _section(html: str, css: str) -> str:
    m = re.search(rf'<section class="{css}">(.*?)</section>', html, re.S)
    return m.group(1) if m else ""


def _events_on(html: str, css: str) -> list[str]:
    return re.findall(r'href="(/event/e\d+)"', _section(html, css))


@pytest.mark.parametrize("where", ["in memory", "on disk"])
def test_long_lists_come_a_page_at_a_time_in_order(tmp_path, where):
    dist = _hub_dist(tmp_path)
    app = _app(dist, tmp_path / "cache" if where == "on disk" else None)
    if where == "on disk":
        assert app.graph.kept.get(BASE + "person/hub") is not None  # a hub: worked out on its first request
    with serving(app) as port:
        pages = [request((port,), "GET", f"/person/hub?page={n}", {"Accept": "text/html"}) for n in (1, 2, 3)]
        assert [p[0] for p in pages] == [200, 200, 200]
        html = [p[2].decode() for p in pages]
        assert request((port,), "GET", "/person/hub", {"Accept": "text/html"})[2].decode() == html[0]
        seen = [_events_on(h, "attended") for h in html]
        assert [len(s) for s in seen] == [lists.PAGE, lists.PAGE, N_EVENTS - 2 * lists.PAGE]
        assert sum(seen, []) == _expected_events()
        assert 'rel="next" href="/person/hub?page=2"' in html[0] and "rel=\"prev\"" not in html[0]
        assert 'rel="prev" href="/person/hub?page=2"' in html[2] and 'rel="next"' not in html[2]
        assert "201–250 of 250" in html[2] and "1–100 of 130" in html[0] and "of 130" not in html[2]
        mentioned = [re.findall(r'href="(/document/d\d+)"', _section(h, "documents")) for h in html]
        assert sum(mentioned, []) == [f"/document/d{i:03d}" for i in range(N_DOCS)]
        written = [re.findall(r'href="(/document/d\d+)"', _section(h, "names")) for h in html]
        assert sum(written, []) == [f"/document/d{i:03d}" for i in range(N_DOCS)] and written[2] == []
        assert request((port,), "GET", "/person/hub?page=4", {"Accept": "text/html"})[0] == 404
        for bad in ("0", "x", "-1", "99999999999"):
            assert request((port,), "GET", f"/person/hub?page={bad}", {"Accept": "text/html"})[0] == 400
        place = [request((port,), "GET", f"/place/here?page={n}")[2].decode() for n in (1, 2, 3)]
        here = [h.split("Events here")[1].split("</section>")[0] for h in place]
        assert sum((re.findall(r'href="(/event/e\d+)"', h) for h in here), []) == _expected_events()
        # the data is whole on every page
        nt = request((port,), "GET", "/place/here.nt?page=2")[2].decode()
        assert nt == request((port,), "GET", "/place/here.nt")[2].decode() and nt.count("\n") == 2
        assert request((port,), "GET", "/event/e001")[0] == 200


def test_hub_pages_are_the_same_worked_out_in_advance_or_live(tmp_path):
    dist = _hub_dist(tmp_path)
    live, kept = App(dist, BASE), App(dist, BASE, cache=tmp_path / "cache")
    assert live.graph.kept.get(BASE + "person/hub") is None
    for path in ("/person/hub", "/place/here"):
        for page in (1, 2, 3):
            a, b = (app.handle("GET", f"{path}?page={page}", {"Accept": "text/html"}) for app in (live, kept))
            assert a.status == b.status == 200 and a.body == b.body, (path, page)


@pytest.mark.parametrize("setting", [None, "0"])
def test_the_project_cache_and_kg_cache_0(tmp_path, corpus_dist, monkeypatch, setting):
    from kg.serve.wsgi import project_app
    from kg.settings import load_settings

    from .conftest import CORPUS
    project = tmp_path / "p"
    shutil.copytree(CORPUS, project, ignore=shutil.ignore_patterns(".kg-cache", "dist"))
    shutil.copytree(corpus_dist, project / "dist")
    if setting is None:
        monkeypatch.delenv("KG_CACHE", raising=False)
    else:
        monkeypatch.setenv("KG_CACHE", setting)
    app = project_app(load_settings(str(project)), workers=1)
    with serving(app) as port:
        assert _count(port) > 3000
    stores = project / ".kg-cache" / "serve"
    if setting is None:
        assert app.graph.cached is not None and app.graph.cached.folder.parent == stores
        assert {p.name for p in stores.iterdir()} == {app.graph.cached.folder.name}
    else:
        assert app.graph.cached is None and not stores.exists()


@pytest.mark.skipif(not sandbox.can_deny_sockets(), reason="seccomp filters here: Linux on x86-64 or arm64")
def test_a_worker_over_a_store_on_disk_can_read_files_but_make_no_socket(tmp_path):
    """What kg.serve.sandbox.confine_on_disk relies on, in a process of its own (the filter stays for life)."""
    code = ("import socket, sys; from kg.serve import sandbox; assert sandbox.deny_sockets(); "
            "open(sys.argv[1]).read()\n"
            "for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_DGRAM), "
            "(socket.AF_UNIX, socket.SOCK_STREAM)):\n"
            "    try:\n        socket.socket(family, kind)\n    except PermissionError:\n        continue\n"
            "    sys.exit('a socket was made')\nprint('denied')")
    (tmp_path / "f.txt").write_text("x")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "f.txt")], capture_output=True, text=True,
                          timeout=60, cwd=str(Path(__file__).resolve().parent.parent))
    assert done.returncode == 0 and done.stdout.strip() == "denied", done.stderr
