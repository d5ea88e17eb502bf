"""A build's published union — kg.nt, kg.ttl, kg.jsonld — and kg.nq's graphs, kept in pieces between builds.

The union is every graph's sorted N-Triples lines merged, each line once. It is cut into
*chunks* at subjects: a chunk starts at each subject whose ``<IRI> `` hashes to 0 modulo
:data:`CUT` (the first chunk at the first subject), so where the union is cut depends only
on its content, never on the history of builds. A chunk's N-Triples, its Turtle body, its
JSON-LD nodes, one gzip member of each, and its counts of classes and properties are
rendered once and kept in ``<root>/.kg-cache/union/`` under a key made of the chunk's lines
and everything that shapes its rendering (prefixes, context, kg itself). Each named graph's
block of kg.nq is kept the same way, by the graph's IRI and lines. The dumps are these
pieces one after the other (a gzip file may hold several members, RFC 1952, which every
gzip reader joins), so a build renders only what changed.

Between builds the cache keeps a manifest: each graph's checksum, the chunks in order
(first subject, key, lines) and, for each line held by more than one graph, how many hold
it. A build whose graphs differ from the manifest's in a few graphs diffs only those
graphs' lines against their previous lines, applies the difference to the chunks it falls
in (a line leaves the union when the last graph holding it drops it), and cuts those
chunks again by the same rule; any other build (no manifest, other settings, many changes,
a piece missing or damaged) merges every graph. Either way the chunks are the same, so
the dumps are byte-identical to a clean build's (tests/test_union.py checks this on random
edits). ``KG_CACHE=0`` keeps the pieces in a temporary folder in the project, removed after the build.
"""
from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import multiprocessing
import os
import shutil
import tempfile
import zlib
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from . import writers
from .cachefiles import write_entry
from .doccache import kg_digest
from .unitcache import FOLDER, enabled
from .writers import RDF_TYPE, lines

SUBFOLDER = "union"
MANIFEST = "manifest.json"
VERSION = 2  # 2: a CRC-32 per part
CUT = 256  # a chunk holds about this many subjects (about 1,000 lines)
GZIP_LEVEL = 6  # gzip's own default: half the time of 9, 2% larger
REBUILD_SHARE = 8  # more than 1/8 of the graphs changed: merge them all (as fast, and simpler)
SERIAL = 32  # chunks rendered in this process; past these, by worker processes (KG_JOBS, as validation)
IN_FLIGHT = 4  # chunks being rendered per worker

# The parts of a chunk's piece, in order.
NT, TTL, JSONLD, NT_GZ, TTL_GZ, JSONLD_GZ = range(6)
# The parts of a graph's piece.
NQ, NQ_GZ = range(2)


def packed(data: bytes) -> bytes:
    """One gzip member of ``data``: no name, no time, so the same bytes every time."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def subject_key(line: bytes) -> bytes:
    """A line's subject as written, with the space after it (``<IRI> ``): the lines of one
    subject are adjacent in sorted N-Triples, and these keys sort as their lines do (an IRI
    holds no ``>`` or space)."""
    return line[:line.index(b" ") + 1]


def cuts_before(key: bytes) -> bool:
    """Whether a chunk starts at the subject ``key``."""
    return zlib.crc32(key) % CUT == 0


def rendered(nt: bytes, prefixes: dict[str, str], context: dict) -> tuple[list[bytes], dict]:
    """A chunk's parts (see :data:`NT` …) and figures."""
    triples = list(writers.parse_nt(nt))
    ttl = bytes(writers.turtle_body(triples, prefixes))
    nodes = b"".join(writers.jsonld_nodes(triples, context))
    classes, props = Counter(), Counter()
    for t in triples:
        props[t.predicate.value] += 1
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            classes[t.object.value] += 1
    return ([nt, ttl, nodes, packed(nt), packed(ttl), packed(nodes)],
            {"classes": dict(classes), "properties": dict(props)})


def render_piece(folder: str, key: str, nt: bytes, prefixes: dict[str, str], context: dict) -> None:
    """Render a chunk into its piece ``key`` in ``folder`` (here or in a worker)."""
    parts, meta = rendered(nt, prefixes, context)
    PieceStore(Path(folder)).write(key, parts, meta)


def graph_piece(folder: str, key: str, iri: str, nt: bytes) -> None:
    """Write graph ``iri``'s block of kg.nq and its gzip member as the piece ``key`` in ``folder``."""
    nq = writers.nquads_of([(iri, nt)])
    PieceStore(Path(folder)).write(key, [nq, packed(nq)], {"iri": iri})


@dataclass(frozen=True)
class Source:
    """A graph of the build: its IRI, the SHA-256 of its sorted N-Triples, and those (read on demand)."""

    iri: str
    sha: str
    nt: Callable[[], bytes]


@dataclass
class Chunk:
    first: bytes  # its first subject's key
    key: str
    lines: int


@dataclass
class Union:
    """The union's chunks in order (their pieces in ``store``) and its figures."""

    store: "PieceStore"
    chunks: list[Chunk]
    dups: dict[bytes, int]
    meta: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(c.lines for c in self.chunks)

    @property
    def partitions(self) -> tuple[Counter, Counter]:
        """``(instances by class, triples by property)``, keyed by rdflib IRIs."""
        classes, props = Counter(), Counter()
        for m in self.meta:
            classes.update(m["classes"])
            props.update(m["properties"])
        return ({URIRef(k): n for k, n in sorted(classes.items())}, {URIRef(k): n for k, n in sorted(props.items())})

    def instances(self, classes: dict[str, URIRef]) -> dict[str, int]:
        counts = self.partitions[0]
        return {name: counts.get(URIRef(str(c)), 0) for name, c in classes.items()}

    def parts(self, which: int) -> Iterator[bytes]:
        """The bytes of part ``which`` of each chunk, in order."""
        for c in self.chunks:
            yield self.store.read(c.key, which)

    def in_documents(self, line: bytes) -> bool:
        """Whether more than one graph holds ``line``."""
        return line in self.dups


class PieceStore:
    """Pieces by key in one folder: each file a JSON header line (the size and CRC-32 of each
    part, figures) and the parts. A part is read alone; a damaged one reads as missing."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()
        self.written: set[str] = set()
        self.trusted = True  # pieces of earlier builds are used
        self._heads: dict[str, tuple[int, dict]] = {}  # key → (the header's length, the header)

    def _path(self, key: str) -> Path:
        return self.folder / key

    def read(self, key: str, which: int) -> bytes:
        """Part ``which`` of the piece ``key`` (:class:`MissingPiece` if missing or damaged)."""
        start, head = self._head(key)
        sizes = head["sizes"]
        try:
            with self._path(key).open("rb") as f:
                f.seek(start + sum(sizes[:which]))
                data = f.read(sizes[which])
        except OSError:
            raise MissingPiece(key) from None
        if len(data) != sizes[which] or zlib.crc32(data) != head["crcs"][which]:
            raise MissingPiece(key)
        return data

    def meta(self, key: str) -> dict:
        return self._head(key)[1]["meta"]

    def has(self, key: str) -> bool:
        if not self.trusted and key not in self.written:
            return False
        try:
            self._head(key)
        except MissingPiece:
            return False
        return True

    def _head(self, key: str) -> tuple[int, dict]:
        if key in self._heads:
            return self._heads[key]
        path = self._path(key)
        try:
            if path.is_symlink() or not path.is_file():
                raise MissingPiece(key)
            with path.open("rb") as f:
                line = f.readline()
            head = json.loads(line)
        except (OSError, ValueError):
            raise MissingPiece(key) from None
        if not (isinstance(head, dict) and isinstance(head.get("sizes"), list) and isinstance(head.get("crcs"), list)
                and len(head["sizes"]) == len(head["crcs"]) and isinstance(head.get("meta"), dict)):
            raise MissingPiece(key)
        self.used.add(key)
        self._heads[key] = (len(line), head)
        return self._heads[key]

    def write(self, key: str, parts: list[bytes], meta: dict) -> None:
        body = b"".join(parts)
        head = json.dumps({"sizes": [len(p) for p in parts], "crcs": [zlib.crc32(p) for p in parts], "meta": meta},
                          sort_keys=True).encode("ascii")
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".piece-", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(head + b"\n" + body)
            os.replace(tmp, self._path(key))
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        self.wrote(key)

    def wrote(self, key: str) -> None:
        """Note the piece ``key`` as written by this build (here or by a worker)."""
        self.used.add(key)
        self.written.add(key)
        self._heads.pop(key, None)

    def prune(self) -> None:
        """Remove the pieces this build did not use."""
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for e in entries:
            if e.name not in self.used and e.name != MANIFEST and not e.name.startswith("."):
                try:
                    os.unlink(e.path)
                except OSError:
                    pass


class MissingPiece(Exception):
    """A piece the manifest names is missing or damaged (the build then merges every graph)."""


class Pieces:
    """The union and the named graphs of a build, rendered into pieces (reusing those of
    earlier builds): see the module's docstring."""

    def __init__(self, root: Path, prefixes: dict[str, str], context: dict):
        self.prefixes, self.context = prefixes, context
        self.keep = enabled()
        if self.keep:
            folder = Path(root) / FOLDER / SUBFOLDER
        else:
            folder = Path(tempfile.mkdtemp(prefix=".kg-union-", dir=root))  # beside dist/, not in a RAM /tmp
        self.store = PieceStore(folder)
        h = hashlib.sha256(kg_digest())
        h.update(json.dumps([VERSION, CUT, GZIP_LEVEL, prefixes, context], sort_keys=True).encode("utf-8"))
        self.salt = h.digest()
        self.rendered = 0
        self._made = 0
        self._pool: ProcessPoolExecutor | None = None
        self._workers = 1
        self.pooled = False  # whether worker processes rendered chunks
        self._inflight: deque = deque()

    # ------------------------------------------------------------- keys and rendering

    def _chunk_key(self, nt: bytes) -> str:
        return "c" + hashlib.sha256(self.salt + nt).hexdigest()[:40]

    def _graph_key(self, iri: str, sha: str) -> str:
        return "g" + hashlib.sha256(self.salt + iri.encode("utf-8") + b"\n" + sha.encode("ascii")).hexdigest()[:40]

    def _chunk(self, chunk_lines: list[bytes]) -> Chunk:
        nt = b"".join(line + b"\n" for line in chunk_lines)
        key = self._chunk_key(nt)
        if not self.store.has(key):
            self._render(key, nt)
        return Chunk(subject_key(chunk_lines[0]), key, len(chunk_lines))

    def _render(self, key: str, nt: bytes) -> None:
        self.rendered += 1
        self._make(render_piece, key, nt, self.prefixes, self.context)

    def _make(self, make: Callable[..., None], key: str, *args) -> None:
        """``make(folder, key, *args)``: here for the first :data:`SERIAL` pieces of a build,
        then by worker processes (a few pieces in flight each)."""
        self._made += 1
        if self._made == SERIAL + 1:
            from .unitpool import jobs  # here: a worker imports this module, and needs no pyshacl
            self._workers = jobs(1 << 20)
            if self._workers > 1:
                self._pool = ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("spawn"))
                self.pooled = True
        if self._pool is None:
            make(str(self.store.folder), key, *args)
            self.store.wrote(key)
            return
        self._inflight.append((key, self._pool.submit(make, str(self.store.folder), key, *args)))
        if len(self._inflight) >= IN_FLIGHT * self._workers:
            self._collect(1)

    def _collect(self, at_most: int | None = None) -> None:
        """Take the pieces the workers wrote (the oldest ``at_most``, or all)."""
        while self._inflight and (at_most is None or at_most > 0):
            key, future = self._inflight.popleft()
            future.result()
            self.store.wrote(key)
            if at_most is not None:
                at_most -= 1

    def _settle(self) -> None:
        """Wait for every piece being rendered, and end the workers."""
        try:
            self._collect()
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
            self._inflight.clear()

    def graph(self, iri: str, sha: str, nt: Callable[[], bytes]) -> str:
        """The key of the piece holding graph ``iri``'s block of kg.nq (and its gzip member)."""
        key = self._graph_key(iri, sha)
        if not self.store.has(key):
            self._make(graph_piece, key, iri, nt())
        return key

    def graph_nt(self, iri: str, sha: str) -> bytes | None:
        """A graph's N-Triples as an earlier build kept them (None if not kept)."""
        try:
            nq = self.store.read(self._graph_key(iri, sha), NQ)
        except MissingPiece:
            return None
        end = b" " + str(ox.NamedNode(iri)).encode("utf-8") + b" .\n"
        return nq.replace(end, b" .\n")

    # ------------------------------------------------------------- the union

    def union(self, sources: list[Source]) -> Union:
        """The union of ``sources``: from the previous build's chunks when few graphs changed,
        else merged anew; every graph is also kept whole (for the next build's diff)."""
        manifest = self._manifest()
        result = None
        try:
            if manifest is not None:
                try:
                    result = self._update(sources, manifest)
                except MissingPiece:
                    result = None
            if result is None:
                result = self._merge(sources)
            for s in sources:
                self.graph(s.iri, s.sha, s.nt)
        finally:
            self._settle()
        result.meta = [self.store.meta(c.key) for c in result.chunks]
        self._save(sources, result)
        return result

    def _merge(self, sources: list[Source]) -> Union:
        dups: dict[bytes, int] = {}

        def once() -> Iterator[bytes]:  # each line once, counting the graphs that hold it
            last, run = None, 0
            for line in heapq.merge(*(lines(s.nt()) for s in sources)):
                if line == last:
                    run += 1
                    continue
                if run > 1:
                    dups[last] = run
                if last is not None:
                    yield last
                last, run = line, 1
            if run > 1:
                dups[last] = run
            if last is not None:
                yield last

        return Union(self.store, self._cut(once()), dups)

    def _cut(self, union_lines: Iterable[bytes]) -> list[Chunk]:
        """The chunks of sorted ``union_lines`` (a stretch of the union that starts at a chunk's start)."""
        chunks: list[Chunk] = []
        current: list[bytes] = []
        subject = None
        for line in union_lines:
            key = subject_key(line)
            if key != subject:
                subject = key
                if current and cuts_before(key):
                    chunks.append(self._chunk(current))
                    current = []
            current.append(line)
        if current:
            chunks.append(self._chunk(current))
        return chunks

    def _update(self, sources: list[Source], manifest: dict) -> Union | None:
        before: dict[str, str] = manifest["graphs"]
        now = {s.iri: s for s in sources}
        changed = [s.iri for s in sources if before.get(s.iri) != s.sha] + [i for i in before if i not in now]
        chunks = [Chunk(bytes.fromhex(f), k, n) for f, k, n in manifest["chunks"]]
        dups = {bytes.fromhex(line): n for line, n in manifest["dups"]}
        if len(changed) * REBUILD_SHARE > max(len(sources), REBUILD_SHARE):
            return None
        delta: Counter = Counter()
        for iri in changed:
            old = self.graph_nt(iri, before[iri]) if iri in before else b""
            if old is None:
                return None
            new = set(lines(now[iri].nt())) if iri in now else set()
            old = set(lines(old))
            delta.update(dict.fromkeys(new - old, 1))
            delta.subtract(dict.fromkeys(old - new, 1))
        firsts = [c.first for c in chunks]
        held: dict[int, set[bytes]] = {}

        def chunk_lines(i: int) -> set[bytes]:
            if i not in held:
                held[i] = set(lines(self.store.read(chunks[i].key, NT)))
            return held[i]

        adds: dict[int, set[bytes]] = {}
        drops: dict[int, set[bytes]] = {}
        for line, d in sorted(delta.items()):
            if d == 0:
                continue
            i = max(bisect_right(firsts, subject_key(line)) - 1, 0)
            had = dups.get(line) or (1 if chunks and line in chunk_lines(i) else 0)
            has = had + d
            if has < 0:
                return None  # the manifest does not describe these graphs
            if has >= 2:
                dups[line] = has
            else:
                dups.pop(line, None)
            if had == 0 and has > 0:
                adds.setdefault(i, set()).add(line)
            elif had > 0 and has == 0:
                drops.setdefault(i, set()).add(line)
        if not chunks:
            return None if adds else Union(self.store, [], dups)
        new_lines: dict[int, list[bytes]] = {}
        todo = sorted(set(adds) | set(drops))
        while todo:
            i = todo.pop()
            if i in new_lines:
                continue
            new_lines[i] = sorted((chunk_lines(i) - drops.get(i, set())) | adds.get(i, set()))
            if i > 0 and (not new_lines[i] or subject_key(new_lines[i][0]) != chunks[i].first):
                todo.append(i - 1)  # its first subject is gone: it joins the chunk before
        for start, end in reversed(_runs(sorted(new_lines))):
            chunks[start:end + 1] = self._cut(line for i in range(start, end + 1) for line in new_lines[i])
        return Union(self.store, chunks, dups)

    # ------------------------------------------------------------- the manifest

    def _manifest(self) -> dict | None:
        if not self.keep or not self.store.trusted:
            return None
        try:
            data = json.loads((self.store.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("salt") != self.salt.hex():
            return None
        return data

    def _save(self, sources: list[Source], union: Union) -> None:
        if not self.keep:
            return
        data = {"salt": self.salt.hex(), "graphs": {s.iri: s.sha for s in sources},
                "chunks": [[c.first.hex(), c.key, c.lines] for c in union.chunks],
                "dups": sorted([line.hex(), n] for line, n in union.dups.items())}
        write_entry(self.store.folder / MANIFEST, json.dumps(data).encode("utf-8"))

    def forget(self) -> None:
        """Use nothing of earlier builds (one of their pieces was found damaged)."""
        self.store.trusted = False
        self.store._heads.clear()
        self.rendered = 0

    def finish(self) -> None:
        """After the dumps are written: drop unused pieces (or the whole temporary folder)."""
        if self.keep:
            self.store.prune()
        else:
            shutil.rmtree(self.store.folder, ignore_errors=True)


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive numbers in sorted ``indexes``."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs
