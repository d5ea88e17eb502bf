"""Graphs → the files of ``dist/``: canonical dumps, kg's ontology, gzip copies, VoID/DCAT, SHA256SUMS.

Every file is produced byte-identically from the same graphs, by the fast writers of
:mod:`kg.writers` (pyoxigraph): N-Triples lines are sorted, N-Quads graph by graph (graphs in
order, each graph's lines sorted), Turtle and JSON-LD are made from those sorted lines
(JSON-LD nodes in that order, their values sorted). The dumps are assembled from pieces
kept between builds (:mod:`kg.union`), so each gzip copy is a series of gzip members (one
gzip stream to every reader) whose headers carry no name or time, and the build time
comes from ``SOURCE_DATE_EPOCH`` or ``kg.toml`` — never the clock. Files are written into a fresh folder beside ``dist/`` and swapped in only when
all are written, so a failed build leaves the previous ``dist/`` as it was.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from . import writers

from .distdir import check_target, remember
from .errors import PublishError
from .namespaces import CANONICAL, Namespaces
from .ontology_dump import DUMP as ONTOLOGY, ontology
from .timings import stage
from .union import JSONLD, JSONLD_GZ, NQ, NQ_GZ, NT, NT_GZ, TTL, TTL_GZ, Union, packed

MEDIA_TYPES = {
    "kg.ttl": "text/turtle",
    "kg.jsonld": "application/ld+json",
    "kg.nt": "application/n-triples",
    "kg.nq": "application/n-quads",
    "context.jsonld": "application/ld+json",
    "ontology.ttl": "text/turtle",
    "void.ttl": "text/turtle",
}


@dataclass(frozen=True)
class Built:
    """The pieces of one build's dumps (:mod:`kg.union`): the union's chunks and the key of
    each named graph's block of kg.nq, in the order of the graphs' IRIs."""

    union: Union
    named: list[str]
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

    def __init__(self, dist: Path, keep: tuple[Path, ...] = (), *, written: Path | None = None):
        self.dist = Path(dist)
        self.written = written
        check_target(self.dist, keep, written=written)
        parent = self.dist.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.dist.name}.new-", dir=parent))
            self.tmp.chmod(0o755)
        except OSError as e:
            raise PublishError(f"cannot write the dumps: {e.strerror or e}", path=self.dist,
                               hint=f"check that {parent} is a folder you may write to") from None
        self.files: dict[str, Written] = {}

    def put(self, name: str, data: bytes | Iterable[bytes | memoryview], *,
            members: Iterable[bytes] | None = None) -> None:
        """Write ``data`` (bytes, or its parts in order) as ``name``, and with ``members`` its
        gzip copy ``name.gz``: these gzip members one after the other (each the gzip of the
        matching stretch of ``data``; :mod:`kg.union` keeps them)."""
        parts = [data] if isinstance(data, bytes) else data
        try:
            with contextlib.ExitStack() as stack:
                plain = _Counted(stack.enter_context((self.tmp / name).open("wb")))
                packed_ = None
                if members is not None:
                    packed_ = _Counted(stack.enter_context((self.tmp / f"{name}.gz").open("wb")))
                for part in parts:
                    plain.write(part)
                for member in members or ():
                    packed_.write(member)
        except OSError as e:  # the caller aborts
            raise PublishError(f"cannot write the dumps: {e.strerror or e}", path=self.dist) from None
        written = {name: plain.written()}
        if packed_ is not None:
            written[f"{name}.gz"] = packed_.written()
        self.files.update(written)

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
        if self.written is not None:
            remember(dist, self.written)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def render_dumps(built: Built, staging: Staging) -> None:
    """Write every dump file and its gzip copy, except the description (which needs their
    sizes and checksums), from the build's pieces (:mod:`kg.union`): each file is its pieces
    one after the other and its gzip copy their gzip members. The four large dumps are
    written two at a time (reading, writing and hashing them let other threads run)."""
    ns = built.namespaces
    union = built.union
    ttl_head = writers.turtle_header(prefixes(ns)) + (b"\n" if union.chunks else b"")
    ctx = context(ns)["@context"]

    def jsonld() -> tuple[Iterable[bytes], Iterable[bytes]]:
        if not union.chunks:
            empty = writers.jsonld_empty(ctx)
            return [empty], [packed(empty)]
        first = writers.jsonld_head(ctx) + union.store.read(union.chunks[0].key, JSONLD)[1:]
        rest = union.chunks[1:]
        return ([first, *(union.store.read(c.key, JSONLD) for c in rest), writers.JSONLD_TAIL],
                [packed(first), *(union.store.read(c.key, JSONLD_GZ) for c in rest), packed(writers.JSONLD_TAIL)])

    def nquads() -> tuple[Iterable[bytes], Iterable[bytes]]:
        return ((union.store.read(k, NQ) for k in built.named), (union.store.read(k, NQ_GZ) for k in built.named))

    makers = {
        "kg.nt": lambda: (union.parts(NT), union.parts(NT_GZ) if union.chunks else [packed(b"")]),
        "kg.ttl": lambda: ([ttl_head, *union.parts(TTL)], [packed(ttl_head), *union.parts(TTL_GZ)]),
        "kg.nq": nquads,
        "kg.jsonld": jsonld,
    }

    def write(name: str) -> None:
        with stage(f"publish {name}"):
            plain, members = makers[name]()
            staging.put(name, plain, members=members)

    with stage("publish dumps, wall"), ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(write, name) for name in makers]:
            done.result()
    small = {
        "context.jsonld": lambda: (json.dumps(context(ns), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        ONTOLOGY: lambda: turtle(ontology(ns), ns),  # kg's kgo: terms; the kgt: types are in the data
    }
    for name, make in small.items():
        with stage(f"publish {name}"):
            staging.put(name, make())


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

