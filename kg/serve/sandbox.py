"""Confine a SPARQL worker process once its store is loaded: no new files or sockets, bounded memory.

The query engine (pyoxigraph) would evaluate ``SERVICE <url>`` by fetching ``url``. Rather
than trusting any reading of the query text to spot it, a worker gives up the ability to
open anything at all before it sees its first query: every descriptor but standard
input, output and error is closed, and ``RLIMIT_NOFILE`` is lowered to three, so the
process cannot create a socket (or open a file) whatever the query asks — the attempt
fails with ``EMFILE``. Its address space is capped at what it uses after loading plus a
budget (``RLIMIT_AS``), so a query that would grow without end makes the allocation fail
and the process end instead of the machine swapping; the pool replaces it.

Linux and other POSIX systems only (the ``resource`` module). Call it after every import
the worker needs: after it, no module file can be opened either.
"""
from __future__ import annotations

import os
import resource

STDIO = 3  # descriptors 0, 1 and 2 stay open


def address_space() -> int:
    """Bytes of address space this process maps now (``VmSize``), or 0 if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def confine(memory_budget: int | None, keep: frozenset[int] = frozenset()) -> None:
    """No new descriptors from now on; address space at most now + ``memory_budget`` bytes.

    Every descriptor but stdio and ``keep`` (an on-disk store's open files) is closed. With
    ``keep``, the numbers below the highest kept one that are free are taken by ``/dev/null``
    (read-only) and ``RLIMIT_NOFILE`` is set just above it: every number the process may
    use is taken, so opening anything fails with ``EMFILE`` as it does with stdio alone."""
    if memory_budget:
        limit = address_space() + memory_budget
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    kept = sorted(fd for fd in keep if fd >= STDIO)
    top = (kept[-1] + 1) if kept else STDIO
    start = STDIO
    for fd in kept + [_max_fd()]:
        os.closerange(start, fd)
        start = fd + 1
    if top > STDIO:
        null = os.open(os.devnull, os.O_RDONLY)
        for fd in range(STDIO, top):
            if fd != null and fd not in kept:
                os.dup2(null, fd, inheritable=False)
        if null >= top:
            os.close(null)
    resource.setrlimit(resource.RLIMIT_NOFILE, (top, top))


def open_under(folder: str) -> frozenset[int]:
    """The descriptors of this process open on files in ``folder`` (Linux: ``/proc/self/fd``)."""
    prefix = os.path.realpath(folder) + os.sep
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith(prefix):
                found.add(int(name))
        except (OSError, ValueError):
            continue
    return frozenset(found)


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if 0 < soft < 1 << 20 else 1 << 16
