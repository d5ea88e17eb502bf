"""Graphs → the files of ``dist/``: canonical dumps, kg's ontology, gzip copies, VoID/DCAT, SHA256SUMS.

Every file is produced byte-identically from the same graphs, by the fast writers of
:mod:`kg.writers` (pyoxigraph): N-Triples lines are sorted, N-Quads graph by graph (graphs in
order, each graph's lines sorted), Turtle and
JSON-LD are made from those sorted lines (JSON-LD nodes and values sorted), gzip headers carry no name or
time, and the build time comes from ``SOURCE_DATE_EPOCH`` or ``kg.toml`` — never the
clock. Files are written into a fresh folder beside ``dist/`` and swapped in only when
all are written, so a failed build leaves the previous ``dist/`` as it was.
"""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from typing import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from . import writers

from .distdir import check_target
from .errors import PublishError
from .namespaces import CANONICAL, Namespaces
from .ontology_dump import DUMP as ONTOLOGY, ontology
from .timings import stage

MEDIA_TYPES = {
    "kg.ttl": "text/turtle",
    "kg.jsonld": "application/ld+json",
    "kg.nt": "application/n-triples",
    "kg.nq": "application/n-quads",
    "context.jsonld": "application/ld+json",
    "ontology.ttl": "text/turtle",
    "void.ttl": "text/turtle",
}
GZIPPED = ("kg.ttl", "kg.jsonld", "kg.nt", "kg.nq")
GZIP_LEVEL = 6  # gzip's own default: half the time of 9, 2% larger


@dataclass(frozen=True)
class Built:
    """The graphs of one build, ready to write: the union and each named graph, as sorted N-Triples."""

    union: bytes
    named: list[tuple[str, bytes]]
    namespaces: Namespaces = CANONICAL  # kg's terms in the project (kg.toml's vocabulary)


def context(namespaces: Namespaces = CANONICAL) -> dict:
    """The project's JSON-LD context (``ontology/context.jsonld`` in its namespaces), a fresh copy each call."""
    return namespaces.context()


def turtle(g: Graph, namespaces: Namespaces = CANONICAL) -> bytes:
    """Turtle of ``g`` under the project's prefixes, sorted (see :mod:`kg.writers`)."""
    return writers.turtle(writers.ntriples(g), prefixes(namespaces))


def prefixes(namespaces: Namespaces = CANONICAL) -> dict[str, str]:
    """The project's prefixes (``crm``, ``schema``, ``kgo`` …), from its JSON-LD context."""
    return namespaces.prefixes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Written:
    """What stays of a written file: its size and SHA-256."""

    size: int
    sha256: str


class Staging:
    """The new ``dist/`` being written: a fresh folder beside the target, each file written
    as soon as it is made (only its size and checksum stay in memory), swapped in by
    :meth:`commit` when all are there; :meth:`abort` (or any error) leaves the old ``dist/``
    as it was. Only a folder kg wrote before (or an empty or new one) is replaced, and never
    one of ``keep`` or a folder inside or around one (see :mod:`kg.distdir`)."""

    def __init__(self, dist: Path, keep: tuple[Path, ...] = ()):
        self.dist = Path(dist)
        check_target(self.dist, keep)
        parent = self.dist.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.dist.name}.new-", dir=parent))
            self.tmp.chmod(0o755)
        except OSError as e:
            raise PublishError(f"cannot write the dumps: {e.strerror or e}", path=self.dist,
                               hint=f"check that {parent} is a folder you may write to") from None
        self.files: dict[str, Written] = {}

    def put(self, name: str, data: bytes | Iterable[bytes | memoryview], *, gzipped: bool = False) -> None:
        """Write ``data`` (bytes, or its parts in order) as ``name``, and with ``gzipped`` its
        gzip copy ``name.gz`` in the same pass."""
        parts = [data] if isinstance(data, bytes) else data
        try:
            with contextlib.ExitStack() as stack:
                plain = _Counted(stack.enter_context((self.tmp / name).open("wb")))
                packed = zipped = None
                if gzipped:
                    packed = _Counted(stack.enter_context((self.tmp / f"{name}.gz").open("wb")))
                    zipped = stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0,
                                                               compresslevel=GZIP_LEVEL))
                for part in parts:
                    plain.write(part)
                    if zipped is not None:
                        zipped.write(part)
        except OSError as e:  # the caller aborts
            raise PublishError(f"cannot write the dumps: {e.strerror or e}", path=self.dist) from None
        self.files[name] = plain.written()
        if packed is not None:
            self.files[f"{name}.gz"] = packed.written()

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def commit(self) -> None:
        dist, parent, old = self.dist, self.dist.parent, None
        try:
            if dist.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{dist.name}.old-", dir=parent))
                os.replace(dist, old)  # a folder onto an empty folder: one rename
            os.replace(self.tmp, dist)
        except OSError as e:
            self.abort()
            if old is not None:
                if dist.exists():
                    os.rmdir(old)  # the swap did not happen: only our empty folder is there
                else:
                    os.replace(old, dist)
            raise PublishError(f"cannot write the dumps: {e.strerror or e}", path=dist) from None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def render_dumps(built: Built, staging: Staging) -> None:
    """Write every dump file and its gzip copy, except the description (which needs their
    sizes and checksums); N-Quads and JSON-LD are written part by part as they are made."""
    nt = built.union
    ns = built.namespaces
    makers = {
        "kg.ttl": lambda: writers.turtle_parts(nt, prefixes(ns)),
        "kg.nt": lambda: nt,
        "kg.nq": lambda: writers.nquads_lines(built.named),
        "kg.jsonld": lambda: writers.jsonld_parts(nt, context(ns)["@context"]),
        "context.jsonld": lambda: (json.dumps(context(ns), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        ONTOLOGY: lambda: turtle(ontology(ns), ns),  # kg's kgo: terms; the kgt: types are in the data
    }
    for name, make in makers.items():
        with stage(f"publish {name}"):
            staging.put(name, make(), gzipped=name in GZIPPED)


class _Counted:
    """A binary file that counts and hashes what is written to it."""

    def __init__(self, f):
        self.f, self.size, self.hash = f, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.f.write(data)
        self.size += len(data)
        self.hash.update(data)
        return len(data)

    def flush(self) -> None:
        self.f.flush()

    def written(self) -> Written:
        return Written(self.size, self.hash.hexdigest())


def checksums(files: dict[str, Written]) -> bytes:
    return "".join(f"{files[n].sha256}  {n}\n" for n in sorted(files)).encode("utf-8")


def read_dist(dist: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(Path(dist).iterdir()) if p.is_file()}


def media_type(name: str) -> str:
    if name.endswith(".gz"):
        return "application/gzip"
    return MEDIA_TYPES.get(name, "application/octet-stream")

