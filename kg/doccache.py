"""The document cache: each document's published triples, by the hash of what they follow from.

A document's graph follows from its two input files (the record and its facts file), the
shared graph it is mapped against, the project's settings that shape IRIs (base,
vocabulary, archive) and kg itself. The key is the SHA-256 of all of these: the bytes of
the document's files, the sorted N-Triples of the shared graph, the settings, and a digest
of kg's own files (code, shapes, ontology, templates) with the versions of rdflib,
pyshacl and pyoxigraph. A document is stored only after its validation unit conformed
with no result at all, so a hit is neither mapped nor validated again: an edit to one
document re-maps and re-checks that document only. A change to the shared graph (the
registry, the types, a name minted from a header) changes every key: every document is
mapped again, and the unit cache (:mod:`kg.unitcache`) then re-checks only the units
whose content changed — the documents that use the changed entities.

Entries are ``<root>/.kg-cache/documents/<key>.nt``: a first line ``# sha256 <hex> unit <key>
lines <n> bytes <n>`` (the checksum of the rest, the document's validation-unit key, which
the unit cache keeps knowing while the document comes from here, and the size of the rest),
then the sorted N-Triples. Only the first line is read when the entry is found: a build
that publishes from kept pieces (:mod:`kg.union`) never needs an unchanged document's
triples. An entry of the wrong size or a link is ignored; one whose triples do not match
their checksum when read is removed, and the build stops asking to be run again. Each
build removes the entries it did not use, so the folder holds one entry per document.
``KG_CACHE=0`` turns it off, like the unit cache.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Iterable

from .cachefiles import prune, write_entry
from .errors import KgError
from .unitcache import FOLDER, enabled

SUBFOLDER = "documents"
MAX_BYTES = 256 << 20
_HEAD = b"# sha256 "
_SUFFIXES = (".py", ".ttl", ".yaml", ".jsonld", ".html", ".j2", ".txt", ".css", ".js", ".json", ".tsv")


def _files(folder) -> Iterable:
    for res in sorted(folder.iterdir(), key=lambda r: r.name):
        if res.is_dir():
            if res.name != "__pycache__":
                yield from _files(res)
        elif res.name.endswith(_SUFFIXES):
            yield res


@lru_cache(maxsize=1)
def kg_digest() -> bytes:
    """A digest of kg's own files and of the libraries that shape its output."""
    h = hashlib.sha256()
    for lib in ("rdflib", "pyshacl", "pyoxigraph"):
        h.update(f"{lib} {metadata.version(lib)}\n".encode())
    for package in ("kg", "kg._shapes", "kg._ontology"):
        try:
            root = resources.files(package)
        except ModuleNotFoundError:  # pragma: no cover - a kg without that package data
            continue
        for res in _files(root):
            h.update(f"{package}/{res.name}\n".encode())
            h.update(hashlib.sha256(res.read_bytes()).digest())
    return h.digest()


class DamagedEntry(KgError):
    """A document cache entry's triples do not match their checksum."""


@dataclass(frozen=True)
class Stored:
    """A document's entry in the cache: the SHA-256 of its sorted N-Triples, its unit key,
    its number of triples; the triples themselves are read by :meth:`read`."""

    sha: str
    unit: str
    lines: int
    path: Path
    offset: int

    def read(self) -> bytes:
        try:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                data = f.read(MAX_BYTES + 1)
        except OSError as e:
            raise DamagedEntry(f"cannot read the build cache: {e.strerror}", path=self.path,
                               hint="run the build again") from None
        if hashlib.sha256(data).hexdigest() != self.sha:
            try:
                self.path.unlink()
            except OSError:
                pass
            raise DamagedEntry("a document's entry in the build cache was damaged (it is removed now)",
                               path=self.path, hint="run the build again")
        return data


class DocumentCache:
    """Documents' sorted N-Triples by input key, in ``<root>/.kg-cache/documents/``."""

    def __init__(self, root: Path, context: Iterable[bytes]):
        """``context``: what every document's graph depends on besides its own files (the
        settings, the shared graph's N-Triples)."""
        self.enabled = enabled()
        self.folder = Path(root) / FOLDER / SUBFOLDER
        h = hashlib.sha256(kg_digest())
        for part in context:
            h.update(hashlib.sha256(part).digest())
        self._context = h.digest()
        self.used: set[str] = set()

    def key(self, files: Iterable[Path]) -> str:
        h = hashlib.sha256(self._context)
        for p in files:
            h.update(p.name.encode() + b"\n")
            h.update(hashlib.sha256(p.read_bytes()).digest())
        return h.hexdigest()

    def get(self, key: str) -> Stored | None:
        """The entry stored for ``key`` (its first line read), or None (none stored, damaged,
        or the cache off)."""
        if not self.enabled:
            return None
        path = self.folder / f"{key}.nt"
        try:
            if path.is_symlink() or not path.is_file():
                return None
            size = path.stat().st_size
            with path.open("rb") as f:
                head = f.readline(512)
        except OSError:
            return None
        fields = head.removeprefix(_HEAD).split()
        if not head.startswith(_HEAD) or len(fields) != 7 or fields[1:6:2] != [b"unit", b"lines", b"bytes"]:
            return None
        try:
            lines, body = int(fields[4]), int(fields[6])
        except ValueError:
            return None
        if len(fields[0]) != 64 or body > MAX_BYTES or size != len(head) + body:
            return None
        self.used.add(key)
        return Stored(fields[0].decode("ascii"), fields[2].decode("ascii", "replace"), lines, path, len(head))

    def put(self, key: str, nt: bytes, unit: str) -> None:
        """Store ``nt`` and its ``unit`` key for ``key`` (atomically); any error leaves the
        cache as it was."""
        if not self.enabled:
            return
        self.used.add(key)
        head = (_HEAD + hashlib.sha256(nt).hexdigest().encode() + b" unit " + unit.encode("ascii")
                + b" lines %d bytes %d\n" % (nt.count(b"\n"), len(nt)))
        write_entry(self.folder / f"{key}.nt", head + nt)

    def prune(self) -> None:
        """Remove the entries this build did not use (documents edited or gone)."""
        if self.enabled:
            prune(self.folder, ".nt", self.used)
