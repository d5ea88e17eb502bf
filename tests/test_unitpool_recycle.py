"""Workers replaced without hanging: the pool is made anew every UNITS_PER_WORKER units a worker.

Python's own replacement (ProcessPoolExecutor's max_tasks_per_child) can stop spawning
workers once one exits with tasks still queued (CPython gh-115634), which hung `kg build`
on archives of a few hundred documents. Here each worker validates two units before the
pool is replaced, over 14 units on two processes: the run must finish (a subprocess with a
timeout, so a hang fails the test) and give what one process gives.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS
    from kg import unitpool
    from kg.unitcache import UnitCache
    from kg.writers import ntriples
    unitpool.UNITS_PER_WORKER = 2
    unitpool.MIN_UNITS_PER_WORKER = 1  # two processes, however few the units
    CRM = "http://www.cidoc-crm.org/cidoc-crm/"

    g = Graph()
    for i in range(14):
        node = URIRef(f"https://kg.example.org/person/p{i}")
        g.add((node, RDF.type, URIRef(CRM + "E21_Person")))
        if i % 2:
            g.add((node, RDFS.label, Literal(f"P {i}", lang="en")))
    setup = unitpool.Setup(ntriples(g), {}, None, keyed=False)
    jobs = [unitpool.Part(f"u{i}", [f"<https://kg.example.org/person/p{i}>".encode()]) for i in range(14)]
    found = []
    unitpool.validate_units(jobs, len(jobs), setup, UnitCache(sys.argv[1]), lambda d: found.extend(d.results or []))
    print(json.dumps(sorted([v.focus, v.path, v.message] for v in found)))
""")


def _run(jobs: str, folder) -> list:
    env = {**os.environ, "KG_JOBS": jobs, "KG_CACHE": "0"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(folder)], env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_pool_replaced_every_few_units_finishes_with_the_serial_results(tmp_path):
    parallel = _run("2", tmp_path)
    assert parallel == _run("1", tmp_path)
    assert {focus for focus, _, _ in parallel} >= {f"https://kg.example.org/person/p{i}" for i in range(0, 14, 2)}
