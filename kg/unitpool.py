"""Validation units on all cores: each unit validated in a worker process, results merged.

Units are independent (:mod:`kg.units`), so they are validated by a pool of processes
(started with ``spawn``: nothing of the parent's state but what is passed) and the results
merged into one sorted list, the same as a serial run gives. ``KG_JOBS`` sets the number
of processes (default: the machine's cores); with one, or with few units, it all runs in
this process, which is faster than starting workers.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable

from rdflib import Graph

from .errors import KgError
from .validate import SparqlTargets, Violation, shapes_graph, validate

ENV = "KG_JOBS"
MIN_UNITS_PER_WORKER = 4  # below this a worker costs more to start than it saves

_worker: dict = {}


def jobs(units: int) -> int:
    """How many processes validate ``units`` units: ``KG_JOBS`` or the cores, at most one per
    few units."""
    raw = os.environ.get(ENV, "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise KgError(f"expected a whole number of processes, 1 or more, got {raw[:60]!r}", field=ENV)
        wanted = int(raw)
    else:
        wanted = os.cpu_count() or 1
    return max(1, min(wanted, units // MIN_UNITS_PER_WORKER))


def _start(origins: dict[str, str]) -> None:
    shapes = shapes_graph()
    _worker.update(shapes=shapes, targets=SparqlTargets(shapes), origins=origins)


def _validate(triples: list) -> list[Violation]:
    g = Graph()
    for t in triples:
        g.add(t)
    return validate(g, _worker["shapes"], _worker["origins"], _worker["targets"])


def validate_units(units: Iterable[Graph], count: int, origins: dict[str, str]) -> list[Violation]:
    """Every result of every unit, sorted; in ``jobs(count)`` processes."""
    n = jobs(count)
    found: set[Violation] = set()
    if n == 1:
        _start(origins)
        try:
            for g in units:
                found.update(validate(g, _worker["shapes"], origins, _worker["targets"]))
        finally:
            _worker.clear()
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(n, mp_context=context, initializer=_start, initargs=(origins,)) as pool:
            for result in pool.map(_validate, (list(g) for g in units), chunksize=2):
                found.update(result)
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))
