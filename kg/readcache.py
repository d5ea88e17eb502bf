"""The read cache: what reading the inputs made, by the hash of what it follows from.

Reading parses every YAML file and every record on each build; most are unchanged since the
last one. This cache keeps each parsed object (a record, a document's facts, the registry's
entities, the shared graph's N-Triples) under a key made of kg's own code
(:func:`kg.doccache.kg_digest`), the kind of object, the file's path (the objects hold
their origins: file and line) and everything else the object follows from — the file's
bytes, and for a document's facts the key of its record, a digest of the entities and one
of the types. Only what was made without an error is stored, so a file with an error is read
again on every build and reports the same message. The checks across documents
(:func:`kg.facts.load_facts`) run on every build.

Entries are ``<root>/.kg-cache/read/<key>.pickle``: a first line ``kg-read sha256 <hex>``
(the checksum of the rest), then the pickled object. It is kg's own cache, and still read
with care: an entry whose checksum, size or kind of file is wrong is ignored, and the
unpickler makes nothing but kg's classes and a few plain types of the standard library. Each
build that reads everything removes the entries it did not use. ``KG_CACHE=0`` turns it off,
like the other build caches.
"""
from __future__ import annotations

import copyreg
import gc
import hashlib
import io
import pickle
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, TypeVar

from .cachefiles import prune, read_entry, write_entry
from .doccache import kg_digest
from .unitcache import FOLDER, enabled

SUBFOLDER = "read"
SUFFIX = ".pickle"
MAX_BYTES = 256 << 20
_HEAD = b"kg-read sha256 "
T = TypeVar("T")
# What an entry may make besides kg's own classes (module → names).
_PLAIN = {"builtins": {"frozenset", "set", "complex"}, "pathlib": {"PosixPath", "PurePosixPath", "WindowsPath",
                                                                   "PureWindowsPath"},
          "datetime": {"date", "datetime", "time", "timedelta", "timezone"}}


def _read_only(d: dict) -> types.MappingProxyType:
    return types.MappingProxyType(d)


_TABLE = {**copyreg.dispatch_table, types.MappingProxyType: lambda m: (_read_only, (dict(m),))}


class _Pickler(pickle.Pickler):
    dispatch_table = _TABLE  # a record's lines are a read-only mapping


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module in _PLAIN and name in _PLAIN[module]:
            return super().find_class(module, name)
        if module == __name__ and name == "_read_only":
            return _read_only
        if module == "kg" or module.startswith("kg."):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"not an object of kg's read cache: {module}.{name}"[:120])


def digest(*parts: bytes | str) -> bytes:
    """A digest of ``parts`` (each framed by its length, so no two lists share one)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big") + data)
    return h.digest()


@contextmanager
def paused_gc():
    """No cyclic garbage collection for the block: reading makes a few hundred thousand
    objects that live on (no cycles to collect), and each collection would walk them all.
    After it, what the block made joins the oldest generation without a walk (a freeze and
    unfreeze moves every object there), so the next young collection does not walk it
    either; the next full collection looks at it as at any other object."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # no one else froze objects: nothing else to unfreeze
            gc.freeze()
            gc.unfreeze()
        if was:
            gc.enable()


@contextmanager
def frozen_heap():
    """The objects made so far are left out of cyclic garbage collection for the block (a
    build's facts and graphs, which live to its end: a full collection while publishing
    walked them all, a third of a second at 500 documents), and looked at again after it.
    Objects still free as soon as nothing refers to them; only cycles wait for the end of
    the block. Nothing is done if someone else froze objects (an application embedding kg)."""
    if gc.get_freeze_count() != 0:
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class ReadCache:
    """Parsed inputs by key in ``<root>/.kg-cache/read/``; ``root`` None: a cache that is off."""

    def __init__(self, root: Path | None):
        self.enabled = root is not None and enabled()
        self.folder = Path(root) / FOLDER / SUBFOLDER if root is not None else None
        self.used: set[str] = set()
        self.hits = 0
        self._digested: tuple[object, bytes] | None = None

    def digest_of(self, value: object) -> bytes:
        """A digest of ``repr(value)`` (e.g. the entities, which every document's facts and the
        shared graph follow from): made once for the last value asked about."""
        if self._digested is None or self._digested[0] is not value:
            self._digested = (value, digest(repr(value)))
        return self._digested[1]

    def key(self, kind: str, path: Path | str, *parts: bytes | str) -> str:
        """The key of a ``kind`` of object made from the file ``path`` and ``parts``."""
        return digest(kg_digest(), kind, str(path), *parts).hex()

    def load(self, key: str, make: Callable[[], T]) -> T:
        """The object stored under ``key``, else ``make()`` (then stored; an error propagates
        and nothing is stored)."""
        if not self.enabled:
            return make()
        found = self._get(key)
        if found is not None:
            self.hits += 1
            return found[0]
        value = make()
        self._put(key, value)
        return value

    def _get(self, key: str) -> tuple[object] | None:
        data = read_entry(self.folder / f"{key}{SUFFIX}", MAX_BYTES)
        if data is None:
            return None
        head, _, body = data.partition(b"\n")
        if head != _HEAD + hashlib.sha256(body).hexdigest().encode():
            return None
        try:
            value = _Unpickler(io.BytesIO(body)).load()
        except Exception:  # damaged or not kg's: read the input instead
            return None
        self.used.add(key)
        return (value,)

    def _put(self, key: str, value: object) -> None:
        """Store ``value`` (atomically); any error leaves the cache as it was."""
        buf = io.BytesIO()
        try:
            _Pickler(buf, protocol=5).dump(value)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        body = buf.getvalue()
        self.used.add(key)
        write_entry(self.folder / f"{key}{SUFFIX}", _HEAD + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)

    def prune(self) -> None:
        """Remove the entries not used since this cache was made (inputs edited or gone)."""
        if self.enabled:
            prune(self.folder, SUFFIX, self.used)
