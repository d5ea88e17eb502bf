"""Validation units on all cores: each unit validated in a worker process, results merged.

Units are independent (:mod:`kg.units`), so they are validated by a pool of processes
(started with ``spawn``: nothing of the parent's state but what is passed) and the results
merged into one sorted list, the same as a serial run gives. ``KG_JOBS`` sets the number
of processes (default: the machine's cores); with one, or with few units, it all runs in
this process, which is faster than starting workers. Workers are replaced by a fresh pool
every ``UNITS_PER_WORKER`` units each — not by ``max_tasks_per_child``, with which
Python's ProcessPoolExecutor can stop replacing exited workers and hang (CPython
gh-115634, in 3.11 up to 3.15 beta). Units the build cache
(:mod:`kg.unitcache`) knows to conform are not validated again. A bar (:mod:`kg.progress`)
counts the units done.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import ChainMap, deque
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable

from rdflib import Graph

from . import progress
from .errors import KgError
from .timings import count_of
from .unitcache import UnitCache, key
from .namespaces import CANONICAL, Namespaces
from .validate import SparqlTargets, Violation, shapes_graph, validate

ENV = "KG_JOBS"
MIN_UNITS_PER_WORKER = 4  # below this a worker costs more to start than it saves
WINDOW = 4  # units in flight per worker
UNITS_PER_WORKER = 250  # then fresh workers: what pyshacl and rdflib keep between units cannot pile up

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


def _start(origins: dict[str, str], namespaces: Namespaces = CANONICAL) -> None:
    shapes = shapes_graph(namespaces)
    _worker.update(shapes=shapes, targets=SparqlTargets(shapes), origins=origins)


def _validate(triples: list, origins: dict[str, str]) -> list[Violation]:
    g = Graph()
    for t in triples:
        g.add(t)
    return validate(g, _worker["shapes"], ChainMap(origins, _worker["origins"]), _worker["targets"])


def validate_units(units: Iterable[tuple[str, Graph, dict[str, str]]], count: int, origins: dict[str, str],
                   cache: UnitCache | None = None, namespaces: Namespaces = CANONICAL,
                   conformed: dict[str, str | None] | None = None) -> list[Violation]:
    """Every result of every ``(name, graph, origins of its own)`` unit, sorted; in ``jobs(count)``
    processes (a result's origin is looked up in the unit's own origins, then in ``origins``). A
    unit ``cache`` knows to conform is skipped; one that conforms now is recorded in it.
    Each unit found with no result at all is added to ``conformed``: its name → its cache key."""
    found: set[Violation] = set()
    validated = 0
    advance = None  # the progress bar's, set below

    def pending():
        nonlocal validated
        for name, g, own in units:
            k = key(g, namespaces=namespaces) if cache is not None and cache.enabled else None
            if k is None or not cache.hit(k):
                validated += 1
                yield (name, k), g, own
            else:
                record((name, k), [])

    def record(name_key, results: list[Violation]) -> None:
        name, k = name_key
        found.update(results)
        if not results:
            if k is not None:
                cache.conforming.add(k)
            if conformed is not None:
                conformed[name] = k
        advance(1)

    n = jobs(count)
    with progress.bar(count, "validating", "units") as advance:  # the closures above see it
        if n == 1:
            _start(origins, namespaces)
            try:
                for k, g, own in pending():
                    record(k, validate(g, _worker["shapes"], ChainMap(own, origins), _worker["targets"]))
            finally:
                _worker.clear()
        else:
            context = multiprocessing.get_context("spawn")
            todo = pending()
            while True:  # a fresh pool every UNITS_PER_WORKER units a worker (see the note at the top)
                batch = itertools.islice(todo, UNITS_PER_WORKER * n)
                first = next(batch, None)
                if first is None:
                    break
                with ProcessPoolExecutor(n, mp_context=context, initializer=_start,
                                         initargs=(origins, namespaces)) as pool:
                    window: deque = deque()
                    for k, g, own in itertools.chain([first], batch):  # a few units ahead per worker
                        window.append((k, pool.submit(_validate, list(g), own)))
                        if len(window) >= WINDOW * n:
                            k0, future = window.popleft()
                            record(k0, future.result())
                    for k0, future in window:
                        record(k0, future.result())
    if cache is not None:
        cache.save()
    count_of("units validated", validated)
    count_of("units", count)
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))
