"""Whether the shared graph's parts are all known to conform, without cutting it again.

The shared graph is validated in parts (:func:`kg.units.parts`), each a unit the build
cache (:mod:`kg.unitcache`) knows by its key. A build whose parts all conformed writes
``<root>/.kg-cache/shared-parts``: a first line, the key of what the cut follows from (the
shared graph's sorted N-Triples, the part size, kg's code, and what a unit key holds: the
shapes, the versions, the namespaces), then each part's unit key. A later build with the
same shared graph whose unit cache still knows every one of those keys knows the parts'
outcome without indexing and cutting the graph again: each part would be the same unit,
known to conform. Off with the unit cache (``KG_CACHE=0``); a damaged file is a miss.
"""
from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from . import units
from .cachefiles import read_entry, write_entry
from .doccache import kg_digest
from .namespaces import Namespaces
from .unitcache import FOLDER, key

FILE = "shared-parts"
MAX_BYTES = 1 << 20


class SharedParts:
    def __init__(self, root: Path, shared_nt: bytes, namespaces: Namespaces):
        self.path = Path(root) / FOLDER / FILE
        head = f"# the shared graph in parts of {units.PART_TRIPLES} triples; kg {kg_digest().hex()}\n"
        self.key = key(head.encode() + shared_nt, namespaces)

    def known(self, conforming: Collection[str]) -> list[str] | None:
        """The parts' unit keys if the last cut was of this shared graph and each of them is
        in ``conforming``; else None."""
        data = read_entry(self.path, MAX_BYTES)
        if data is None:
            return None
        head, *keys = data.decode("ascii", "replace").split("\n")
        keys = [k for k in keys if k]
        if head != self.key or not keys or not all(k in conforming for k in keys):
            return None
        return keys

    def save(self, keys: list[str]) -> None:
        """Note that every part conformed, with ``keys`` (written whole, or not at all)."""
        write_entry(self.path, "".join(f"{k}\n" for k in [self.key, *keys]).encode("ascii"))
