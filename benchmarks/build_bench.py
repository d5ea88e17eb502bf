#!/usr/bin/env python3
"""Build benchmark: ``kg build`` against the naive pipeline and pyoxigraph, on N documents.

A script that prints figures, not a test. For each N it makes a corpus from the shipped
project: the two shipped documents, then clones of them (each clone a record of its own
number, with its own copies of the events it states, sharing the persons, groups and
places of the registry as documents of one archive do). Then it runs, each in a fresh
process, measuring wall time and peak RSS:

* ``kg build``   — with ``KG_TIMINGS=1``, so it reports the time of each stage;
* ``rebuild``    — ``kg build`` again after editing one document's facts (an inferred note),
                   three times, each after a new edit: their median is reported;
* ``naive``      — on the same triples (kg's ``kg.nt``): rdflib parse → pyshacl with kg's
                   shapes on the whole graph → rdflib Turtle, JSON-LD and N-Triples;
* ``oxigraph``   — pyoxigraph parse of ``kg.nq`` + Turtle, N-Triples and N-Quads serialise.

It prints triples/s, the ratio of the naive pipeline's time to kg's (above 1: kg is
faster), the rebuild ÷ full-build ratio, and the growth exponent of each over the N it
ran (the slope of log time against log triples; 1.0 is linear). Usage:

    .venv/bin/python benchmarks/build_bench.py 10 50
    .venv/bin/python benchmarks/build_bench.py 50 500 --skip-naive
"""
from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
KG = Path(sys.executable).parent / "kg"
FIRST_CLONE = 200000
REBUILDS = 3  # rebuilds measured, each after a new edit; the median is reported


# ---------------------------------------------------------------- the corpus

def _event_keys(registry: dict) -> dict[str, dict]:
    return registry.get("events") or {}


def _used_events(text: str, events: dict[str, dict]) -> set[str]:
    """The registry events a document's facts name, and the events those are part of."""
    used = {k for k in events if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)}
    todo = list(used)
    while todo:
        parent = (events[todo.pop()] or {}).get("part_of")
        if parent in events and parent not in used:
            used.add(parent)
            todo.append(parent)
    return used


def make_corpus(folder: Path, n: int) -> Path:
    """A project of ``n`` documents in ``folder`` (the shipped two, then clones)."""
    shutil.copytree(ROOT / "data", folder / "data", ignore=shutil.ignore_patterns("README.md"))
    shutil.copy(ROOT / "kg.toml", folder / "kg.toml")
    data = folder / "data"
    registry = yaml.safe_load((data / "registry.yaml").read_text(encoding="utf-8"))
    events = _event_keys(registry)
    originals = sorted(p.stem for p in (data / "documents").glob("*.yaml"))
    facts = {num: (data / "documents" / f"{num}.yaml").read_text(encoding="utf-8") for num in originals}
    records = {num: (data / "records" / f"{num}.txt").read_text(encoding="utf-8") for num in originals}
    used = {num: _used_events(facts[num], events) for num in originals}
    for i in range(max(0, n - len(originals))):
        num = originals[i % len(originals)]
        clone = str(FIRST_CLONE + i)
        suffix = f"-c{i}"
        text = facts[num].replace(num, clone)
        for key in sorted(used[num], key=len, reverse=True):
            text = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", key + suffix, text)
            entry = dict(events[key] or {})
            if entry.get("part_of") in used[num]:
                entry["part_of"] += suffix
            events[key + suffix] = entry
        (data / "documents" / f"{clone}.yaml").write_text(text, encoding="utf-8")
        (data / "records" / f"{clone}.txt").write_text(records[num].replace(num, clone), encoding="utf-8")
    (data / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    return folder


def edit_one(folder: Path) -> None:
    """Change one document's facts the way a curator would: a word of an inferred note."""
    path = sorted((folder / "data" / "documents").glob("*.yaml"))[-1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("inferred: >-\n", "inferred: >-\n      (Edited.)\n", 1), encoding="utf-8")


# ---------------------------------------------------------------- running and measuring

def run(argv: list[str], env: dict | None = None) -> tuple[float, float, str, str]:
    """Run ``argv``; return wall seconds, peak RSS in MiB (of the largest process: wait4), stdout, stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, argv))} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return wall, usage.ru_maxrss / 1024, out.decode(), err.decode()


def stages(stderr: str) -> dict[str, float]:
    out = {}
    for line in stderr.splitlines():
        m = re.fullmatch(r"[\w ]+: stage (.+) ([0-9.]+) s", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def count_triples(nt: Path) -> int:
    with nt.open("rb") as f:
        return sum(1 for line in f if line.strip())


# ---------------------------------------------------------------- the other pipelines (child mode)

def naive(dist: Path, out: Path) -> None:
    """rdflib parse → pyshacl (whole graph, kg's shapes) → rdflib Turtle, JSON-LD, N-Triples."""
    from pyshacl import validate
    from rdflib import Graph

    from kg.validate import shapes_graph
    from kg.timings import report, stage
    with stage("parse"):
        g = Graph()
        g.parse(dist / "kg.nt", format="nt")
    with stage("validate"):
        validate(g, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True)
    with stage("serialise"):
        g.serialize(out / "kg.ttl", format="turtle")
        g.serialize(out / "kg.jsonld", format="json-ld")
        g.serialize(out / "kg.nt", format="nt")
    report("naive")


def oxigraph(dist: Path, out: Path) -> None:
    """pyoxigraph parse of kg.nq, then Turtle, N-Triples and N-Quads."""
    import pyoxigraph as ox

    from kg.timings import report, stage
    with stage("parse"):
        quads = list(ox.parse(path=str(dist / "kg.nq"), format=ox.RdfFormat.N_QUADS))
    with stage("serialise"):
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        ox.serialize(triples, output=str(out / "kg.ttl"), format=ox.RdfFormat.TURTLE)
        ox.serialize(triples, output=str(out / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
        ox.serialize(quads, output=str(out / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    report("oxigraph")


# ---------------------------------------------------------------- the report

def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log y against log x (None with fewer than two points)."""
    if len(xs) < 2:
        return None
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / den if den else None


def bench(n: int, work: Path, skip_naive: bool, rebuild: bool, kg: Path = KG, verify: bool = False) -> dict:
    project = make_corpus(work / f"n{n}", n)
    env = {"KG_TIMINGS": "1", "SOURCE_DATE_EPOCH": "1764547200"}
    row: dict = {"n": n}
    wall, rss, _, err = run([str(kg), "--root", str(project), "build"], env)
    row.update(kg=wall, kg_rss=rss, stages=stages(err))
    dist = project / "dist"
    row["triples"] = count_triples(dist / "kg.nt")
    if rebuild:  # the median of REBUILDS rebuilds, each after a new edit
        runs = []
        for _ in range(REBUILDS):
            edit_one(project)
            wall, _, _, err = run([str(kg), "--root", str(project), "build"], env)
            runs.append((wall, stages(err)))
        runs.sort(key=lambda r: r[0])
        row["rebuild"], row["rebuild_stages"] = runs[len(runs) // 2]
        row["rebuilds"] = [w for w, _ in runs]
        if verify:  # the rebuild's dist/ against a clean build's of the same inputs, byte by byte
            clean = work / f"n{n}-clean"
            run([str(kg), "--root", str(project), "build", "--dist", str(clean)], {**env, "KG_CACHE": "0"})
            same = all((dist / f.name).read_bytes() == f.read_bytes() for f in clean.iterdir()) and \
                sorted(p.name for p in dist.iterdir()) == sorted(p.name for p in clean.iterdir())
            row["identical"] = same
            print(f"N={n}: rebuild's dist/ {'is' if same else 'is NOT'} byte-identical to a clean build's", flush=True)
    me = [sys.executable, str(Path(__file__).resolve())]
    if not skip_naive:
        out = Path(tempfile.mkdtemp(dir=work))
        wall, rss, _, err = run([*me, "--child", "naive", str(dist), str(out)], env)
        row.update(naive=wall, naive_rss=rss, naive_stages=stages(err))
    out = Path(tempfile.mkdtemp(dir=work))
    wall, rss, _, err = run([*me, "--child", "oxigraph", str(dist), str(out)], env)
    row.update(ox=wall, ox_rss=rss, ox_stages=stages(err))
    return row


def fmt_stages(st: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in st.items())


def print_report(rows: list[dict]) -> None:
    print()
    print("| documents | triples | kg build | peak RSS | triples/s | naive pipeline | naive ÷ kg "
          "| pyoxigraph parse+serialise | rebuild after one edit ÷ full |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        naive_s = f"{r['naive']:.1f} s, {r['naive_rss']:.0f} MiB" if "naive" in r else "–"
        ratio = f"{r['naive'] / r['kg']:.2f}×" if "naive" in r else "–"
        reb = f"{r['rebuild']:.2f} s, {r['rebuild'] / r['kg']:.3f}" if "rebuild" in r else "–"
        print(f"| {r['n']} | {r['triples']:,} | {r['kg']:.1f} s | {r['kg_rss']:.0f} MiB "
              f"| {r['triples'] / r['kg']:,.0f} | {naive_s} | {ratio} | {r['ox']:.2f} s | {reb} |")
    print()
    for r in rows:
        print(f"N={r['n']}: kg stages (s): {fmt_stages(r['stages'])}")
        if "rebuild_stages" in r:
            print(f"N={r['n']}: rebuilds (s, each after a new edit): {', '.join(f'{w:.2f}' for w in r['rebuilds'])}; "
                  f"the median's stages (s): {fmt_stages(r['rebuild_stages'])}")
        if "naive_stages" in r:
            print(f"N={r['n']}: naive stages (s): {fmt_stages(r['naive_stages'])}")
        print(f"N={r['n']}: oxigraph stages (s): {fmt_stages(r['ox_stages'])}")
    xs = [r["triples"] for r in rows]
    for key, label in (("kg", "kg build"), ("naive", "naive pipeline"), ("ox", "pyoxigraph")):
        if all(key in r for r in rows):
            k = slope(xs, [r[key] for r in rows])
            if k is not None:
                print(f"growth of {label}: time ∝ triples^{k:.2f} over N={', '.join(str(r['n']) for r in rows)}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("sizes", nargs="*", type=int, default=[10, 50], help="numbers of documents (default: 10 50)")
    p.add_argument("--skip-naive", action="store_true", help="do not run the naive pipeline (slow at large N)")
    p.add_argument("--no-rebuild", action="store_true", help="do not measure the rebuild after one edit")
    p.add_argument("--kg", metavar="PATH", default=str(KG),
                   help="the kg command to measure (default: this environment's; give another "
                        "checkout's to measure it side by side)")
    p.add_argument("--keep", metavar="DIR", help="make the corpora in DIR and keep them")
    p.add_argument("--verify", action="store_true",
                   help="after the rebuild, build the same inputs clean (KG_CACHE=0) and compare the dumps byte by byte")
    p.add_argument("--child", nargs=3, metavar=("MODE", "DIST", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        mode, dist, out = args.child
        sys.path.insert(0, str(ROOT))
        {"naive": naive, "oxigraph": oxigraph}[mode](Path(dist), Path(out))
        return
    if any(n < 2 for n in args.sizes):
        sys.exit("each size must be at least 2 (the shipped documents)")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-build-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.sizes:
            rows.append(bench(n, work, args.skip_naive, not args.no_rebuild, Path(args.kg), args.verify))
            r = rows[-1]
            print(f"N={n}: {r['triples']:,} triples, kg build {r['kg']:.1f} s"
                  + (f", naive {r['naive']:.1f} s" if "naive" in r else "") + f", oxigraph {r['ox']:.2f} s",
                  flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_report(rows)


if __name__ == "__main__":
    main()
