"""Graphs → the files of ``dist/``: canonical dumps, kg's ontology, gzip copies, VoID/DCAT, SHA256SUMS.

Every file is produced byte-identically from the same graphs, by the fast writers of
:mod:`kg.writers` (pyoxigraph): N-Triples and N-Quads lines are sorted, Turtle and
JSON-LD are made from those sorted lines (JSON-LD nodes and values sorted), gzip headers carry no name or
time, and the build time comes from ``SOURCE_DATE_EPOCH`` or ``kg.toml`` — never the
clock. Files are written into a fresh folder beside ``dist/`` and swapped in only when
all are written, so a failed build leaves the previous ``dist/`` as it was.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
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


def gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_dumps(built: Built) -> dict[str, bytes]:
    """All dump files except the description (which needs their sizes and checksums)."""
    nt = built.union
    ns = built.namespaces
    makers = {
        "kg.ttl": lambda: writers.turtle(nt, prefixes(ns)),
        "kg.nt": lambda: nt,
        "kg.nq": lambda: writers.nquads_of(built.named),
        "kg.jsonld": lambda: writers.jsonld(nt, context(ns)["@context"]),
        "context.jsonld": lambda: (json.dumps(context(ns), ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        ONTOLOGY: lambda: turtle(ontology(ns), ns),  # kg's kgo: terms; the kgt: types are in the data
    }
    files = {}
    for name, make in makers.items():
        with stage(f"publish {name}"):
            files[name] = make()
    with stage("publish gzip"):
        for name in GZIPPED:
            files[name + ".gz"] = gz(files[name])
    return files


def checksums(files: dict[str, bytes]) -> bytes:
    return "".join(f"{sha256(files[n])}  {n}\n" for n in sorted(files)).encode("utf-8")


def write_dist(dist: Path, files: dict[str, bytes], *, keep: tuple[Path, ...] = ()) -> None:
    """Write ``files`` as the new ``dist/`` in one swap; on any error the old one stays.

    Only a folder kg wrote before (or an empty or new one) is replaced, and never one of
    ``keep`` or a folder inside or around one (see :mod:`kg.distdir`).
    """
    dist = Path(dist)
    check_target(dist, keep)
    parent = dist.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dist.name}.new-", dir=parent))
    except OSError as e:
        raise PublishError(f"cannot write the dumps: {e.strerror or e}", path=dist,
                           hint=f"check that {parent} is a folder you may write to") from None
    old = None
    try:
        tmp.chmod(0o755)
        for name in sorted(files):
            (tmp / name).write_bytes(files[name])
        if dist.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dist.name}.old-", dir=parent))
            os.replace(dist, old)  # a folder onto an empty folder: one rename
        os.replace(tmp, dist)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            if dist.exists():
                os.rmdir(old)  # the swap did not happen: only our empty folder is there
            else:
                os.replace(old, dist)
        raise PublishError(f"cannot write the dumps: {e.strerror or e}", path=dist) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_dist(dist: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(Path(dist).iterdir()) if p.is_file()}


def media_type(name: str) -> str:
    if name.endswith(".gz"):
        return "application/gzip"
    return MEDIA_TYPES.get(name, "application/octet-stream")

