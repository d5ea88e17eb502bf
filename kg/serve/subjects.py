"""The subject IRIs pages look up: a sorted list, or kg.nt itself searched in place.

Pages ask which subjects lie below an IRI (an entity's own nodes, a kind's entities, the
sitemap) and whether an IRI is a subject (to link it). Both answers come from the subject
IRIs below the base, sorted (:class:`Listed`). Making that list means reading the whole of
kg.nt (seconds for a large archive), so on the first start after a build, while the list is
made in the background, the same answers come from kg.nt itself (:class:`InFile`): kg
writes its lines sorted by their bytes, so the lines of the subjects that start with an IRI
prefix are together, and a binary search over the file finds them. Either gives the same
answers; a test compares them on every subject and prefix.
"""
from __future__ import annotations

import bisect
import mmap
from pathlib import Path

import pyoxigraph as ox

_LAST = b"\xff"  # after every byte of UTF-8 text: b"<s> " + _LAST comes after every line of the subject s
_NEAR = 1 << 12  # below this many bytes the lines are read one by one


class Listed:
    """Subject IRIs, sorted."""

    def __init__(self, iris: list[str]):
        self.iris = iris

    def holds(self, iri: str) -> bool:
        i = bisect.bisect_left(self.iris, iri)
        return i < len(self.iris) and self.iris[i] == iri

    def below(self, prefix: str) -> list[str]:
        """The IRIs that start with ``prefix``, sorted."""
        i = bisect.bisect_left(self.iris, prefix)
        j = i
        while j < len(self.iris) and self.iris[j].startswith(prefix):
            j += 1
        return self.iris[i:j]

    def all(self) -> list[str]:
        return self.iris


def iri_text(raw: bytes) -> str:
    """An N-Triples IRI's text (escapes such as ``\\u00e9`` resolved by the parser)."""
    if b"\\" not in raw:
        return raw.decode("utf-8")
    return next(iter(ox.parse(b"<" + raw + b"> <urn:x:p> <urn:x:o> .", ox.RdfFormat.N_TRIPLES))).subject.value


class InFile:
    """The subject IRIs of ``nt`` with ``extra`` (sorted: void.ttl's and ontology.ttl's), read
    from the file where they are asked for; :meth:`holds`, :meth:`below` and :meth:`all` give
    those that start with ``base``, as :class:`Listed` of them would.

    ``nt`` is N-Triples as kg writes it: one triple a line, the lines sorted by their bytes, each
    IRI as its UTF-8 text (kg writes no escapes in IRIs; a subject written with one is still read
    right, but a prefix is looked for as written)."""

    def __init__(self, nt: Path, base: str, extra: list[str]):
        self.base, self.extra = base, Listed(extra)
        with Path(nt).open("rb") as f:
            self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if Path(nt).stat().st_size else b""

    def _first(self, key: bytes) -> int:
        """Where the first line not before ``key`` starts (the file's end if there is none)."""
        data = self._data
        lo, hi = 0, len(data)  # both line starts (or the end); every line before lo sorts before key
        n = len(key)
        while hi - lo > _NEAR:
            mid = (lo + hi) // 2
            start = data.find(b"\n", mid, hi) + 1
            if start <= 0 or start >= hi:
                break
            if data[start:start + n] < key:
                end = data.find(b"\n", start, hi)
                lo = hi if end < 0 else end + 1
            else:
                hi = start
        while lo < hi:
            if data[lo:lo + n] >= key:
                return lo
            end = data.find(b"\n", lo, hi)
            lo = hi if end < 0 else end + 1
        return hi

    def holds(self, iri: str) -> bool:
        if not iri.startswith(self.base):
            return False
        if self.extra.holds(iri):
            return True
        key = b"<" + iri.encode("utf-8") + b"> "
        at = self._first(key)
        return self._data[at:at + len(key)] == key

    def starting(self, prefix: str) -> list[str]:
        """Every subject IRI that starts with ``prefix``, sorted."""
        data = self._data
        key = b"<" + prefix.encode("utf-8")
        found: set[str] = set(self.extra.below(prefix))
        at, size = self._first(key), len(data)
        while at < size and data[at:at + len(key)] == key:
            close = data.find(b"> ", at)
            found.add(iri_text(data[at + 1:close]))
            run = data[at:close + 2]  # this subject's lines: the next is read, the rest searched for
            end = data.find(b"\n", at)
            at = size if end < 0 else end + 1
            if at < size and data[at:at + len(run)] == run:
                at = self._first(run + _LAST)
        return sorted(found)

    def below(self, prefix: str) -> list[str]:
        """The IRIs that start with ``prefix`` and the base, sorted."""
        if prefix.startswith(self.base):
            return self.starting(prefix)
        if self.base.startswith(prefix):
            return self.starting(self.base)
        return []

    def all(self) -> list[str]:
        return self.starting(self.base)
