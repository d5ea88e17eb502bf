"""Validation units on all cores: each document mapped, cut into its unit and validated in a worker.

A job is a document (its facts, or its N-Triples when it is mapped already) or a part of
the shared graph (:func:`kg.units.parts`). A worker maps the document (in the project's
namespaces), writes its sorted N-Triples, notes where its statements' pairs were written,
makes its unit (:mod:`kg.units`), computes the unit's key (:mod:`kg.unitcache`) and, unless
the key is one the build cache knows to conform, validates it; it returns a :class:`Done`:
the document's N-Triples, the key and the results. The caller only collects. What every
job needs (the mapping context, the namespaces, the shared graph as N-Triples, the
origins, the known keys) is given to each worker once, as it starts (:class:`Setup`).

Workers are started with ``spawn`` (nothing of the parent's state but what is passed) and
replaced after ``UNITS_PER_WORKER`` jobs each, so what pyshacl and rdflib keep cannot pile
up: by a fresh pool, not by ``max_tasks_per_child``, with which Python's ProcessPoolExecutor
can stop replacing exited workers and hang (CPython gh-115634, in 3.11 up to 3.15 beta).
``KG_JOBS`` sets the number of processes (default: the machine's cores); with one, or with
few units, it all runs in this process, which is faster than starting workers. A bar
(:mod:`kg.progress`) counts the units done.
"""
from __future__ import annotations

import copyreg
import itertools
import multiprocessing
import os
import types
from collections import ChainMap, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from rdflib import Graph

from . import progress
from .errors import KgError
from .facts import DocumentFacts
from .mapping import Context, map_one_document
from .namespaces import CANONICAL, Namespaces
from .timings import count_of
from .unitcache import UnitCache, key
from .units import SharedIndex, asserted, graph, reached
from .validate import SparqlTargets, Violation, shapes_graph, validate
from .writers import merge_lines, ntriples

ENV = "KG_JOBS"
# below this a worker costs more to start than it saves: spawning two (each importing kg and
# reading the shapes) costs ~1.3 s, a document's unit ~0.2 s in this process (500-document archive)
MIN_UNITS_PER_WORKER = 8
WINDOW = 4  # units in flight per worker
UNITS_PER_WORKER = 250  # then fresh workers: what pyshacl and rdflib keep between units cannot pile up


def _read_only(d: dict) -> types.MappingProxyType:
    return types.MappingProxyType(d)


# a record's lines are a read-only mapping, which pickle cannot send as it is
copyreg.pickle(types.MappingProxyType, lambda m: (_read_only, (dict(m),)))


@dataclass(frozen=True)
class Setup:
    """What every job needs, given to each worker once."""

    shared_nt: bytes                 # the shared graph's sorted N-Triples
    origins: dict[str, str]          # where each node was written (see kg.pipeline)
    ctx: Context                     # to map documents given by their facts
    namespaces: Namespaces = CANONICAL
    known: frozenset[str] = frozenset()  # unit keys the build cache knows to conform
    keyed: bool = True               # compute unit keys (the build cache is on)


@dataclass(frozen=True)
class Document:
    """A document's job: its facts, and its N-Triples if it is mapped already."""

    facts: DocumentFacts
    nt: bytes | None = None

    @property
    def name(self) -> str:
        return self.facts.number


@dataclass(frozen=True)
class Part:
    """A part of the shared graph's job: its roots (:func:`kg.units.parts`)."""

    name: str
    roots: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class Done:
    """A job's outcome: the unit's key (None: not keyed), its results (None: not validated,
    known to conform) and, for a document, its sorted N-Triples."""

    name: str
    key: str | None
    results: list[Violation] | None
    nt: bytes = b""


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


def _start(setup: Setup) -> None:
    shapes = shapes_graph(setup.namespaces)
    _worker.update(setup=setup, shapes=shapes, targets=SparqlTargets(shapes), index=SharedIndex(setup.shared_nt))


def _run(job: Document | Part) -> Done:
    setup: Setup = _worker["setup"]
    if isinstance(job, Part):
        g, own, nt = Graph(), {}, b""
        shared = unit = _worker["index"].closure(job.roots)
    else:
        if job.nt is None:
            g = setup.namespaces.rewrite(map_one_document(setup.ctx, job.facts))  # kg's terms in the project's
            nt = ntriples(g)
        else:
            nt = job.nt
            g = graph(nt)
        own = asserted(setup.ctx.iris, job.facts, g)
        shared = reached(nt, _worker["index"])
        unit = merge_lines([nt, shared])
    k = key(unit, setup.namespaces) if setup.keyed else None
    if k is not None and k in setup.known:
        return Done(job.name, k, None, nt)
    graph(shared, g)  # the document's graph (its own terms) and the shared lines it reaches
    return Done(job.name, k, validate(g, _worker["shapes"], ChainMap(own, setup.origins), _worker["targets"]), nt)


def validate_units(units: Iterable[Document | Part], count: int, setup: Setup, cache: UnitCache,
                   done: Callable[[Done], None]) -> None:
    """Run every job of ``units`` (``count`` of them) in ``jobs(count)`` processes and hand each
    :class:`Done` to ``done``, in the order of ``units``. A unit found with no result (or known
    to conform) is recorded in ``cache`` as conforming, and the cache is saved."""
    validated = 0

    def record(d: Done) -> None:
        nonlocal validated
        validated += d.results is not None
        if not d.results and d.key is not None:
            cache.conforming.add(d.key)
        done(d)
        advance(1)

    n = jobs(count)
    with progress.bar(count, "validating", "units") as advance:
        if n == 1:
            try:
                for job in units:
                    if not _worker:  # started at the first job: a build with none reads no shapes
                        _start(setup)
                    record(_run(job))
            finally:
                _worker.clear()
        else:
            context = multiprocessing.get_context("spawn")
            todo = iter(units)
            while True:  # a fresh pool every UNITS_PER_WORKER jobs a worker (see the note at the top)
                batch = itertools.islice(todo, UNITS_PER_WORKER * n)
                first = next(batch, None)
                if first is None:
                    break
                with ProcessPoolExecutor(n, mp_context=context, initializer=_start, initargs=(setup,)) as pool:
                    window: deque = deque()
                    for job in itertools.chain([first], batch):  # a few units ahead per worker
                        window.append(pool.submit(_run, job))
                        if len(window) >= WINDOW * n:
                            record(window.popleft().result())
                    for future in window:
                        record(future.result())
    cache.save()
    count_of("units validated", validated)
    count_of("units", count)
