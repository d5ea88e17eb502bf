#!/usr/bin/env python3
"""Load benchmark: Graph Store Protocol vs chunked SPARQL UPDATE vs each server's bulk loader.

A script that prints figures, not a test. It generates a seeded synthetic dump shaped like
kg's (N-Quads, a named graph per "document"), then loads it into each server started by
``bash .ci/servers.sh start`` three ways:

* ``gsp``     — kg.load (PUT + POST chunks of N-Triples to the Graph Store Protocol endpoint);
* ``update``  — ``DROP SILENT GRAPH`` + ``INSERT DATA`` chunks through the SPARQL 1.1 Update
                endpoint (Oxigraph ``/update``; Virtuoso ``/sparql-auth``, digest auth);
* ``bulk``    — the server's own loader: ``oxigraph load`` into a fresh store folder (the
                running server holds its own folder's lock), Virtuoso's ``ld_dir`` +
                ``rdf_loader_run()`` + ``checkpoint`` through isql.

and prints triples/s and the ratio of each HTTP path to the bulk loader. Usage:

    bash .ci/servers.sh start
    .venv/bin/python benchmarks/load_bench.py --triples 1000000
"""
from __future__ import annotations

import argparse
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import load

BASE = "http://bench.kg.invalid/"
WORDS = ["archive", "cable", "telegram", "delegation", "congress", "plenum", "committee", "comrade", "meeting", "letter"]


def servers_env() -> dict[str, str]:
    path = ROOT / ".ci" / "servers.env"
    if not path.exists():
        sys.exit("no .ci/servers.env: start the servers with `bash .ci/servers.sh start`")
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")


def generate(folder: Path, triples: int, graphs: int, seed: int) -> Path:
    """``triples`` distinct quads over ``graphs`` document graphs and a shared graph, seeded."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kg.nq"
    with path.open("w", encoding="utf-8") as f:
        for i in range(triples):
            g = f"{BASE}graph/shared" if i % (graphs + 1) == graphs else f"{BASE}graph/document/{i % (graphs + 1)}"
            s = f"<{BASE}node/{i // 8}>"
            if i % 3 == 0:
                o = f"<{BASE}node/{rng.randrange(triples // 8 + 1)}>"
            else:
                o = '"' + " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))) + f' {i}"@en'
            f.write(f"{s} <{BASE}p/{i % 8}> {o} <{g}> .\n")
    return path


def clear(target: load.Target, graphs: list[str]) -> None:
    c = load.GspClient(target, timeout=3600)
    for g in graphs:
        c.delete(g)


def total(target: load.Target, graphs: list[str]) -> int:
    c = load.GspClient(target, timeout=3600)
    return sum(c.count(g) for g in graphs)


def via_gsp(target, dist: Path, chunk: int) -> float:
    report = load.load(dist, target, base=BASE, chunk_triples=chunk, verify=False,
                       client=load.GspClient(target, timeout=3600))
    return report.seconds


def via_update(target, dist: Path, chunk: int, update_url: str) -> float:
    auth = target.http_auth()
    session = load.new_session()

    def send(text: str) -> None:
        r = session.post(update_url, data=text.encode("utf-8"), auth=auth, timeout=3600,
                         headers={"Content-Type": "application/sparql-update"})
        if r.status_code >= 400:
            sys.exit(f"SPARQL UPDATE failed: HTTP {r.status_code} {r.text[:300]}")

    with tempfile.TemporaryDirectory() as tmp:
        graphs = load.spool(dist / "kg.nq", Path(tmp))
        start = time.perf_counter()
        for g in graphs:
            iri = load.check_iri(g.graph)
            send(f"DROP SILENT GRAPH <{iri}>")
            for body in load.chunks(g.path, chunk):
                send(f"INSERT DATA {{ GRAPH <{iri}> {{\n{body.decode('utf-8')}}} }}")
        return time.perf_counter() - start


def bulk_oxigraph(env, dist: Path, workdir: Path) -> float:
    location = workdir / "oxigraph-bulk"
    start = time.perf_counter()
    subprocess.run([env["KG_OXIGRAPH_BIN"], "load", "--location", str(location), "--file", str(dist / "kg.nq")],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def bulk_virtuoso(env, dist: Path) -> float:
    isql = shlex.split(env["KG_VIRTUOSO_ISQL"]) + [env["KG_VIRTUOSO_USER"], env["KG_VIRTUOSO_PASSWORD"]]
    sql = (f"DELETE FROM DB.DBA.load_list; ld_dir('{dist}', 'kg.nq', '{BASE}default'); "
           "rdf_loader_run(); checkpoint;")
    start = time.perf_counter()
    out = subprocess.run(isql + [f"exec={sql}"], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if out.returncode != 0 or "Error" in out.stdout + out.stderr:
        sys.exit(f"Virtuoso bulk load failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--graphs", type=int, default=20, help="document graphs (plus one shared graph)")
    ap.add_argument("--seed", type=int, default=1956)
    ap.add_argument("--chunk-triples", type=int, default=100_000, help="GSP request size")
    ap.add_argument("--update-chunk", type=int, help="triples per INSERT DATA (default: 10000 for "
                    "Oxigraph, 1000 for Virtuoso, whose SPARQL compiler refuses much larger INSERT DATA)")
    ap.add_argument("--servers", default="oxigraph,virtuoso")
    args = ap.parse_args()
    env = servers_env()
    work = Path(env["KG_SERVERS_DIR"]) / "bench"  # inside Virtuoso's DirsAllowed
    dist = work / "dist"
    t0 = time.perf_counter()
    generate(dist, args.triples, args.graphs, args.seed)
    print(f"generated {args.triples:,} triples in {args.graphs + 1} graphs ({time.perf_counter() - t0:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        graphs = [g.graph for g in load.spool(dist / "kg.nq", Path(tmp))]
    rows = []
    for name in args.servers.split(","):
        url = env[f"KG_{name.upper()}_URL"]
        target = load.resolve_target(url, name, password=env.get("KG_VIRTUOSO_PASSWORD"))
        update_url = url + ("/update" if name == "oxigraph" else "/sparql-auth")
        timings = {}
        for method in ("gsp", "update", "bulk"):
            clear(target, graphs)
            if method == "gsp":
                timings[method] = via_gsp(target, dist, args.chunk_triples)
            elif method == "update":
                chunk = args.update_chunk or (10_000 if name == "oxigraph" else 1_000)
                timings[method] = via_update(target, dist, chunk, update_url)
            elif name == "oxigraph":
                with tempfile.TemporaryDirectory(dir=work) as bulk_dir:
                    timings[method] = bulk_oxigraph(env, dist, Path(bulk_dir))
                print(f"  {name} {method}: {timings[method]:.1f} s", flush=True)
                continue  # loaded into a separate folder: nothing to count in the server
            else:
                timings[method] = bulk_virtuoso(env, dist)
            print(f"  {name} {method}: {timings[method]:.1f} s", flush=True)
            held = total(target, graphs)
            if held != args.triples:
                print(f"warning: {name} {method}: the store holds {held:,} triples, expected {args.triples:,}")
        clear(target, graphs)
        for method, seconds in timings.items():
            rows.append((name, method, seconds, args.triples / seconds, timings["bulk"] / seconds))
    print(f"\n{'server':<9} {'method':<7} {'seconds':>8} {'triples/s':>11} {'vs bulk':>8}")
    for name, method, seconds, rate, ratio in rows:
        print(f"{name:<9} {method:<7} {seconds:>8.1f} {rate:>11,.0f} {ratio:>7.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
