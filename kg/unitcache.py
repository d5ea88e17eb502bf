"""The build cache: which validation units are known to conform, by the hash of their content.

A unit's key is the SHA-256 of its sorted N-Triples (the document's triples and the shared
statements it reaches), the shapes, and the versions of kg and pyshacl. A unit whose key
is listed conformed with no result at all, so it is not validated again; a document whose
text, facts or shared entities change has a new key and is checked again. Only units
without any result are cached (a result names input lines, which may move). The cache
is ``<root>/.kg-cache/conforming``, one key per line, rewritten by each build with the
keys of that build's conforming units (so it never grows past the project). It is only a
cache: ``KG_CACHE=0`` turns it off, an unreadable or damaged one is ignored, and one that
cannot be written is left as it was.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from . import __version__
from .namespaces import CANONICAL, Namespaces
from .writers import ntriples

FOLDER = ".kg-cache"
FILE = "conforming"
ENV = "KG_CACHE"
MAX_BYTES = 64 << 20


@lru_cache(maxsize=1)
def _salt() -> bytes:
    """What a unit's result depends on besides its triples: the shapes, kg's and pyshacl's versions."""
    h = hashlib.sha256(f"kg {__version__} pyshacl {metadata.version('pyshacl')}\n".encode())
    for res in sorted(resources.files("kg._shapes").iterdir(), key=lambda r: r.name):
        if res.name.endswith(".ttl"):
            h.update(res.name.encode() + b"\n" + res.read_bytes())
    return h.digest()


def key(unit, namespaces: Namespaces = CANONICAL) -> str:
    """The unit's content key: its sorted N-Triples (or its rdflib triples, written so), the
    shapes in the project's namespaces, the versions."""
    nt = unit if isinstance(unit, bytes) else ntriples(unit)
    return hashlib.sha256(_salt() + namespaces.root.encode() + b"\n" + nt).hexdigest()


def enabled() -> bool:
    """The build caches are on unless ``KG_CACHE=0``."""
    return os.environ.get(ENV, "1").strip() != "0"


def dist_note(root: Path) -> Path | None:
    """Where a build notes how the output folder it wrote looks (:func:`kg.distdir.remember`),
    or None when the caches are off."""
    return Path(root) / FOLDER / "dist-written.json" if enabled() else None


class UnitCache:
    def __init__(self, root: Path):
        self.enabled = enabled()
        self.path = Path(root) / FOLDER / FILE
        self.known = self._read() if self.enabled else set()
        self.conforming: set[str] = set()

    def _read(self) -> set[str]:
        try:
            if self.path.is_symlink() or not self.path.is_file() or self.path.stat().st_size > MAX_BYTES:
                return set()
            lines = self.path.read_text(encoding="ascii").split("\n")
        except (OSError, UnicodeDecodeError):
            return set()
        return {x for x in lines if len(x) == 64 and all(c in "0123456789abcdef" for c in x)}

    def save(self) -> None:
        """Write this build's conforming keys (atomically); any error leaves the old file."""
        if not self.enabled:
            return
        folder = self.path.parent
        try:
            folder.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".conforming-", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="ascii") as f:
                    f.write("".join(f"{k}\n" for k in sorted(self.conforming)))
                os.replace(tmp, self.path)
            except OSError:
                os.unlink(tmp)
                raise
        except OSError:
            return
