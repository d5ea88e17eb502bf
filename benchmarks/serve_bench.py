"""Load ``kg serve`` from a second process and print its start time, memory, and latency p50/p99 and requests/s.

    python benchmarks/serve_bench.py [--dist DIR] [--requests 600] [--concurrency 8] [--seconds 30]
    python benchmarks/serve_bench.py --first-start ROOT [--dist DIR] --cache DIR

Starts the server on 127.0.0.1 (a free port) over ``dist/`` (or ``--dist``, e.g. the
dist/ of a project made by ``build_bench.make_corpus``; its entities include the shipped
ones the mixes ask for), timing the start (the graph loaded, the search index made, the
query workers ready; with a cache, then waiting for the background's work, once per build:
the pages' store on disk, which pages read instead of kg.nt in memory once it is built) and
reading the server's resident memory and its workers'. Then a
client process sends a bounded number of concurrent requests — entity pages, an entity's
Turtle, and a typical SPARQL query — and stops at the count or the time limit, whichever
comes first.

``--first-start ROOT`` instead runs ``kg --root ROOT serve`` as a subprocess with an empty
``--cache`` (as after a new ``kg build``) and prints how long after its start the first
200 came on an entity page and on ``/sparql``, polling both (and when its pages' store on
disk was built, in the background; it is let run until then); then the same for a second
start over the stores the first one built.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPARQL = ("PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?event ?label WHERE { ?event crm:P11_had_participant ?p ; rdfs:label ?label . "
          "?p rdfs:label \"Peng Dehuai\"@en }")
MIXES = {
    "entity page (HTML)": [("/person/peng-dehuai", "text/html"), ("/event/conversation-1956-09-18", "text/html"),
                           ("/document/121799", "text/html")],
    "entity data (Turtle)": [("/person/peng-dehuai", "text/turtle")],
    "SPARQL query": [("/sparql?" + urlencode({"query": SPARQL}), "application/sparql-results+json")],
}


def _one(port: int, path: str, accept: str) -> float:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept": accept})
    r = conn.getresponse()
    r.read()
    conn.close()
    if r.status != 200:
        raise RuntimeError(f"{path}: HTTP {r.status}")
    return time.perf_counter() - t0


def distinct_pages(graph, n: int) -> list[tuple[str, str]]:
    """Up to ``n`` entity pages, each asked for once (so each is rendered, not answered from the
    server's cache): documents, events, persons, groups and places in turn."""
    kinds = [[graph.path_of(iri) for iri in graph.under(kind)] for kind in ("document", "event", "person", "group",
                                                                           "place")]
    paths = [p for row in itertools.zip_longest(*kinds) for p in row if p]
    return [(p, "text/html") for p in paths[:n]]


def client(port: int, requests: int, concurrency: int, seconds: float, out, distinct) -> None:
    """Runs in the second process: each mix in turn, bounded in count and time."""
    results = {}
    for name, targets in {**MIXES, "distinct pages (HTML)": distinct}.items():
        deadline = time.monotonic() + seconds
        latencies: list[float] = []
        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            futures = []
            for i in range(requests):
                if time.monotonic() > deadline:
                    break
                path, accept = targets[i % len(targets)]
                futures.append(pool.submit(_one, port, path, accept))
            failed = 0
            for f in futures:
                try:
                    latencies.append(f.result())
                except (OSError, RuntimeError):  # a timeout (30 s) or an error status: counted, not timed
                    failed += 1
        wall = time.perf_counter() - t0
        results[name] = (latencies, wall, failed)
    out.send(results)


def rss_mib(pid: int | str = "self") -> float:
    """Resident memory of a process (Linux /proc), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def _status(port: int, path: str, accept: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Accept": accept})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status
    except OSError:
        return None


def first_start(root: Path, dist: Path | None, cache: Path, page: str, limit: float) -> None:
    """``kg serve`` started twice over ``cache`` (emptied first): seconds to the first 200 on
    ``page`` and on /sparql, each start; the first start is let run until its pages' store
    on disk is built (pages are served from kg.nt in memory until then), so that the second
    start finds everything the first one builds once per build."""
    shutil.rmtree(cache, ignore_errors=True)
    targets = {"entity page": (page, "text/html"),
               "/sparql": ("/sparql?" + urlencode({"query": SPARQL}), "application/sparql-results+json")}
    for run in ("first start (empty cache)", "second start (stores built)"):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cmd = [sys.executable, "-m", "kg", "--root", str(root), "serve", "--port", str(port), "--quiet",
               "--cache", str(cache)] + (["--dist", str(dist)] if dist else [])
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        said: list[str] = []
        built = threading.Event()

        def listen() -> None:
            for line in proc.stderr:
                said.append(line.decode("utf-8", "replace"))
                if "the pages' store is built" in said[-1]:
                    built.set()

        threading.Thread(target=listen, daemon=True).start()
        found: dict[str, float] = {}
        try:
            while len(found) < len(targets) and time.perf_counter() - t0 < limit and proc.poll() is None:
                for name, (path, accept) in targets.items():
                    if name not in found and _status(port, path, accept) == 200:
                        found[name] = time.perf_counter() - t0
                time.sleep(0.2)
            if run.startswith("first") and built.wait(max(limit - (time.perf_counter() - t0), 0)):
                found["pages' store on disk"] = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        report = ", ".join(f"{name} after {found[name]:.1f} s" if name in found else f"{name}: no 200 within the limit"
                           for name in targets)
        disk = found.get("pages' store on disk")
        print(f"{run}: first 200 on {report}" + (f"; pages' store on disk after {disk:.1f} s" if disk else ""),
              flush=True)
        if len([n for n in found if n in targets]) < len(targets):
            print("".join(said)[-2000:], file=sys.stderr)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dist", type=Path, default=ROOT / "dist", help="the dumps to serve (default: dist/)")
    ap.add_argument("--requests", type=int, default=600, help="requests per mix (default 600)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30, help="time limit per mix (default 30)")
    ap.add_argument("--cache", type=Path, help="the stores' folder (default: .kg-cache/serve beside --dist)")
    ap.add_argument("--in-memory", action="store_true", help="load the stores into memory at start (as before the cache)")
    ap.add_argument("--first-start", type=Path, metavar="ROOT",
                    help="time `kg --root ROOT serve`'s first and second start instead (needs --cache)")
    ap.add_argument("--page", default="/person/peng-dehuai", help="the entity page --first-start asks for")
    ap.add_argument("--limit", type=float, default=3600, help="seconds --first-start waits at most (default 3600)")
    args = ap.parse_args(argv)
    if args.first_start:
        if not args.cache:
            ap.error("--first-start needs --cache (a folder of its own: it is emptied)")
        first_start(args.first_start, args.dist if args.dist != ap.get_default("dist") else None, args.cache,
                    args.page, args.limit)
        return 0

    from kg.serve.app import App
    from kg.serve.server import make_server
    from kg.serve.sparql import QueryPool
    from kg.serve.storecache import default_cache
    cache = None if args.in_memory else (args.cache or default_cache(args.dist))
    t0 = time.perf_counter()
    app = App(args.dist, "https://kg.example.org/", queries_dir=ROOT / "tests" / "queries", cache=cache)
    t_app = time.perf_counter() - t0
    app.pool = QueryPool(args.dist, size=2, timeout=10, store=app.graph.cached.sparql if cache else None)
    srv = make_server(app, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    try:
        for w in list(app.pool._all):
            w.wait_ready(600)
        _one(port, "/sparql?" + urlencode({"query": "ASK {}"}), "application/sparql-results+json")  # warm workers
        t_ready = time.perf_counter() - t0
        if cache:  # the pages' store on disk built in the background (once per build): done before the clients
            app.graph.cached.wait_background()
        workers = [rss_mib(w.process.pid) for w in app.pool._all]
        print(f"start: pages served after {t_app:.1f} s, SPARQL workers ready after {t_ready:.1f} s; "
              f"RSS: server {rss_mib():.0f} MiB, workers {' + '.join(f'{w:.0f}' for w in workers)} MiB", flush=True)
        ctx = mp.get_context("spawn")
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=client, args=(port, args.requests, args.concurrency, args.seconds, send,
                                                    distinct_pages(app.graph, args.requests)))
        proc.start()
        results = recv.recv()
        proc.join()
    finally:
        srv.shutdown()
        srv.server_close()
        app.pool.close()
    print(f"kg serve on 127.0.0.1:{port}, {args.concurrency} concurrent clients in a second process")
    print(f"{'mix':24} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'failed':>7}")
    for name, (lat, wall, failed) in results.items():
        print(f"{name:24} {len(lat):5d} {1000 * statistics.median(lat or [0]):8.1f} {1000 * pct(lat or [0], 99):8.1f} "
              f"{len(lat) / wall:8.1f} {failed:7d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
