"""kg.nt loaded into memory in parts at once, one a processor, and read as one store.

On the first start after a build, pages wait for their store. Oxigraph's in-memory store
loads kg.nt with a fraction of the work its on-disk store's bulk loader does (no sorted
files to write), but one load uses one processor: kg.nt is therefore cut, at subjects, into
one range of lines per processor, and each range is loaded into its own in-memory store in
its own thread (at 2,500 documents, 7.5 million triples: 12 s on two processors, against
25 s for the on-disk bulk load). :class:`Parts` reads them as one store, the way pages read
a store (:meth:`quads_for_pattern`): a subject's triples are all in one part (kg.nt's lines
are sorted by their bytes, each subject's together), found by its place among the parts'
first subjects. The on-disk store is then built in the background for the next starts
(:mod:`kg.serve.storecache`).
"""
from __future__ import annotations

import bisect
import io
import itertools
import os
import threading
from pathlib import Path

import pyoxigraph as ox

from .. import lexical

_BUFFER = 8 << 20
_MIN_PART = 64 << 20  # smaller files are loaded in one part
MEMORY_PER_BYTE = 2.5  # the stores' memory per byte of kg.nt (2.0 measured at 2,500 documents), with room


def available_memory() -> int | None:
    """Bytes of memory available now (Linux's ``MemAvailable``, else the free pages), or ``None`` if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def fits(path: Path) -> bool:
    """Whether kg.nt's parts in memory would take at most half the memory available now (if
    that is unknown, they are taken to fit). If not, the first start loads kg.nt into the
    store on disk instead, before serving (about twice as long, in bounded memory)."""
    free = available_memory()
    return free is None or Path(path).stat().st_size * MEMORY_PER_BYTE <= free / 2


class _Range(io.RawIOBase):
    """The bytes ``start:stop`` of a file, as a readable file."""

    def __init__(self, path: Path, start: int, stop: int):
        super().__init__()
        self._f = Path(path).open("rb")
        self._f.seek(start)
        self._left = stop - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self._left)
        if n <= 0:
            return 0
        data = self._f.read(n)
        buffer[:len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._f.close()
        super().close()


def subject_key(line: bytes) -> bytes:
    """The start ``<iri> `` an N-Triples line's subject gives all its lines (the line itself if it has none)."""
    end = line.find(b"> ")
    return line[:end + 2] if line.startswith(b"<") and end > 0 else line


def cuts(path: Path, parts: int) -> list[tuple[int, bytes]]:
    """Where to cut the sorted N-Triples file ``path`` into about ``parts`` ranges of whole
    subjects: each range's first byte and its first line's :func:`subject_key`."""
    size = Path(path).stat().st_size
    found = [(0, b"")]
    with Path(path).open("rb") as f:
        for i in range(1, parts):
            f.seek(max(size * i // parts - 1, found[-1][0]))
            f.readline()  # to the start of the next line
            line = f.readline()
            if not line:
                break
            key = subject_key(line)
            while line.startswith(key):  # past this subject's lines
                at = f.tell()
                line = f.readline()
                if not line:
                    return found
            if at > found[-1][0]:
                found.append((at, subject_key(line)))
    return found


class Parts:
    """In-memory stores of kg.nt's ranges (:func:`load`) and one of further triples, read as one."""

    def __init__(self, stores: list[ox.Store], keys: list[bytes], extra: ox.Store):
        self.stores, self.keys, self.extra = stores, keys, extra

    def part_of(self, subject: ox.NamedNode) -> ox.Store:
        """The part that holds ``subject``'s lines of kg.nt."""
        key = b"<" + subject.value.encode("utf-8") + b"> "
        return self.stores[max(bisect.bisect_right(self.keys, key) - 1, 0)]

    def quads_for_pattern(self, s, p, o, g=None):
        if isinstance(s, ox.NamedNode):
            return itertools.chain(self.part_of(s).quads_for_pattern(s, p, o, g),
                                   self.extra.quads_for_pattern(s, p, o, g))
        return itertools.chain.from_iterable(store.quads_for_pattern(s, p, o, g) for store in self.all())

    def all(self) -> list[ox.Store]:
        return [*self.stores, self.extra]

    def extend(self, quads) -> None:
        """Further triples (void.ttl's, ontology.ttl's), each once: those kg.nt has are left out."""
        self.extra.extend(q for q in quads if not any(q in store for store in self.stores))

    def __len__(self) -> int:
        return sum(len(store) for store in self.all())


def load(path: Path, parts: int | None = None) -> Parts:
    """kg.nt (``path``, literals kept as written: :mod:`kg.lexical`) into in-memory stores, one
    range of it per processor (``parts``), each loaded in its own thread."""
    size = Path(path).stat().st_size
    if parts is None:
        parts = os.cpu_count() or 1
    parts = max(1, min(parts, size // _MIN_PART or 1))
    found = cuts(path, parts)
    bounds = [at for at, _ in found] + [size]
    stores = [ox.Store() for _ in found]
    errors: list[BaseException] = []

    def fill(i: int) -> None:
        try:
            with io.BufferedReader(_Range(path, bounds[i], bounds[i + 1]), _BUFFER) as f:
                stores[i].bulk_load(lexical.reader(f), ox.RdfFormat.N_TRIPLES, lenient=True)
        except BaseException as e:  # noqa: BLE001 - raised below, in the caller's thread
            errors.append(e)

    threads = [threading.Thread(target=fill, args=(i,), name=f"kg-serve-load-{i}") for i in range(1, len(stores))]
    for t in threads:
        t.start()
    fill(0)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return Parts(stores, [key for _, key in found], ox.Store())
