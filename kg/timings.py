"""Time per build stage, printed to stderr when ``KG_TIMINGS`` is set (for the benchmark).

``with stage("validate"): ...`` adds the wall time of the block to that stage's total;
:func:`report` prints the totals in the order the stages first ran. Without the variable
nothing is printed and the cost is one clock read per block.
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager

ENV = "KG_TIMINGS"
_totals: dict[str, float] = {}
_counts: dict[str, int] = {}


@contextmanager
def stage(name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        _totals[name] = _totals.get(name, 0.0) + time.perf_counter() - start


def count_of(name: str, n: int) -> None:
    """Add ``n`` to the counter ``name`` (reported with the stages)."""
    _counts[name] = _counts.get(name, 0) + n


def report(prefix: str = "kg") -> None:
    """Print ``<prefix>: stage <name> <seconds>`` lines to stderr if ``KG_TIMINGS`` is set."""
    if os.environ.get(ENV):
        for name, seconds in _totals.items():
            print(f"{prefix}: stage {name} {seconds:.3f} s", file=sys.stderr)
        for name, n in _counts.items():
            print(f"{prefix}: count {name} {n}", file=sys.stderr)
    _totals.clear()
    _counts.clear()
