"""Progress of long work on a terminal: a bar with counts and rates (tqdm), silent when piped.

``with bar(total, "loading", "triples") as advance: … advance(n)``. The bar goes to stderr
and only when stderr is a terminal, so logs, pipes, CI and ``--json`` reports stay clean;
``KG_PROGRESS=0`` turns it off, ``KG_PROGRESS=1`` on (e.g. to see it under ``script``);
``with off():`` turns it off whatever the setting (a ``--json`` run).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


_silenced = 0   # how many ``off()`` blocks are open


@contextmanager
def off() -> Iterator[None]:
    """No bar inside this block (a ``--json`` run: its output is for a program)."""
    global _silenced
    _silenced += 1
    try:
        yield
    finally:
        _silenced -= 1


def enabled() -> bool:
    if _silenced:
        return False
    setting = os.environ.get("KG_PROGRESS", "").strip()
    if setting in ("0", "1"):
        return setting == "1"
    return sys.stderr.isatty()


@contextmanager
def bar(total: int | None, what: str, unit: str) -> Iterator[Callable[[int], None]]:
    """A progress bar for ``total`` ``unit``s of ``what``; yields ``advance(n)``."""
    if not enabled():
        yield lambda n=1: None
        return
    from tqdm import tqdm
    with tqdm(total=total, desc=f"kg: {what}", unit=f" {unit}", unit_scale=(total or 0) >= 10_000, file=sys.stderr,
              dynamic_ncols=True, leave=False) as t:
        yield t.update
