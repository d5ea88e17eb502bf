"""Read-only SPARQL 1.1 Protocol over the published dumps, with a deadline and a row limit.

pyoxigraph cannot interrupt a query, so queries run in worker *processes*, each over the
on-disk store of :mod:`kg.serve.storecache` opened read-only (or, without it, a store of its
own loaded into memory from ``kg.nq``). A query that outlives its deadline has
its worker killed and replaced; the client gets 422 (the query, as asked, cannot be
answered within the limit) with a message. Results are cut at
``limit`` rows (or triples), or at ``MAX_RESULT_BYTES``, and the response says so in
``KG-Results-Truncated``.

What a query can do is decided by the engine and the process, not by reading its text:
``Store.query`` parses and runs queries only (an update is a syntax error there), and
each worker is confined (:mod:`kg.serve.sandbox`) before its first query — it cannot open
a socket or a file, so ``SERVICE`` cannot reach the network whatever the query text
hides, and its memory is capped, so a runaway query ends its worker rather than the
machine. The text is looked at only for limits (length, nesting) and to word the
refusal of an update kindly.
"""
from __future__ import annotations

import io
import json
import os
import queue
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..query import fill
from . import sandbox
from .negotiate import choose
from .rdfout import jsonld, ntriples, turtle

RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values", "application/json")
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json")
MAX_QUERY = 20_000
MAX_NESTING = 200               # brackets deep; the parser's stack is finite
MAX_RESULT_BYTES = 32 << 20     # an answer is cut (and marked truncated) past this size
DEFAULT_MEMORY = 1024 << 20     # bytes a worker may add to what its loaded store takes
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_UPDATE = re.compile(r"(?:^|[\s};])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\s", re.I)
TEXT = "text/plain; charset=utf-8"


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    retry_after: int = 0  # seconds, for a 503 that will pass (the Retry-After header)


def nesting(query: str) -> int:
    """How deep brackets ``( { [`` go in ``query`` (counted over the whole text: a bound, not a parse)."""
    depth = deepest = 0
    for ch in query:
        if ch in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")}]" and depth:
            depth -= 1
    return deepest


def refusal(query: str) -> Answer | None:
    """A 4xx answer for a query over this endpoint's size limits, else ``None``."""
    if len(query) > MAX_QUERY:
        return Answer(413, TEXT, f"query longer than {MAX_QUERY} characters\n".encode())
    if nesting(query) > MAX_NESTING:
        return Answer(400, TEXT, f"query nested more than {MAX_NESTING} brackets deep\n".encode())
    return None


def _looks_like_update(query: str) -> bool:
    """Only to word the answer to a query the engine could not parse: was it an update?"""
    return bool(_UPDATE.search(query[:2000]))


# ------------------------------------------------------------------ result formats (worker side)
#
# The engine writes every result format. A cut answer is made by the engine too: it writes the
# solutions as TSV (one solution a line, the terms in N-Triples syntax, so nothing is lost) into
# a sink that stops it past the row limit or the byte cap; the complete lines kept are read back
# by the engine's TSV parser and written in the format asked for.

RESULT_FORMATS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                  "application/json": ox.QueryResultsFormat.JSON,
                  "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                  "text/csv": ox.QueryResultsFormat.CSV,
                  "text/tab-separated-values": ox.QueryResultsFormat.TSV}


class _Enough(Exception):
    """Raised into the engine's writer to stop it: the answer has what it may hold."""


class _LineSink(io.RawIOBase):
    """Collects TSV from the engine until it holds more than ``rows`` solution lines or ``max_bytes``."""

    def __init__(self, rows: int, max_bytes: int):
        super().__init__()
        self.data, self.lines, self.rows, self.max_bytes, self.full = bytearray(), 0, rows, max_bytes, False

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.data += b
        self.lines += bytes(b).count(b"\n")
        if self.lines > self.rows + 1 or len(self.data) > self.max_bytes:  # the header, then rows + 1 solutions
            self.full = True
            raise _Enough
        return len(b)


def format_solutions(result: ox.QuerySolutions, media: str, limit: int, max_bytes: int) -> tuple[bytes, bool]:
    """``result`` in ``media`` by the engine's writer, cut at ``limit`` solutions or about
    ``max_bytes``; returns the body and whether it was cut."""
    sink = _LineSink(limit, max_bytes)
    try:
        result.serialize(sink, ox.QueryResultsFormat.TSV)
    except _Enough:
        pass
    if not sink.full:
        return _reformat(bytes(sink.data), media), False
    lines = bytes(sink.data).split(b"\n")[:-1]  # complete lines only: the header and whole solutions
    keep = min(limit, len(lines) - 1)
    while True:
        body = _reformat(b"".join(line + b"\n" for line in lines[:keep + 1]), media)
        if len(body) <= max_bytes or keep == 0:
            return body, True
        keep = min(keep - 1, keep * max_bytes // len(body))  # the asked format is larger than TSV


def _reformat(tsv: bytes, media: str) -> bytes:
    fmt = RESULT_FORMATS[media]
    if fmt == ox.QueryResultsFormat.TSV:
        return tsv
    return ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=fmt)


def format_boolean(value: ox.QueryBoolean, media: str) -> bytes:
    return value.serialize(format=RESULT_FORMATS[media])


def _weight(term) -> int:
    """About how many bytes ``term`` adds to an answer (to cut answers by size)."""
    if term is None:
        return 0
    return len(term.value) + 16 if hasattr(term, "value") else len(str(term)) + 16


def execute(store: ox.Store, query: str, accept: str | None, limit: int, context: dict,
            max_bytes: int = MAX_RESULT_BYTES, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None) -> Answer:
    """Run one query on ``store`` (in a worker) and serialise the answer by ``accept``.

    The default graph is the store's (the merge of the named graphs, see :func:`kg.query.fill`)
    unless the protocol's ``default-graph-uri`` names graphs; ``named-graph-uri`` limits what
    ``GRAPH`` sees. Either overrides the query's own ``FROM`` / ``FROM NAMED``."""
    dataset = {}
    if default_graphs:
        dataset["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        dataset["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(query, **dataset)
        return _serialise(result, accept, limit, context, max_bytes)
    except SyntaxError as e:
        if _looks_like_update(query):
            return Answer(403, TEXT, b"this endpoint is read-only: SPARQL Update is refused\n")
        return Answer(400, TEXT, f"SPARQL syntax error: {e}\n".encode())
    except OSError as e:
        # The only I/O a query can ask for is a SERVICE call, and the confined worker
        # cannot open a socket (nor resolve a name).
        return Answer(403, TEXT, f"SERVICE (federated query) is not allowed here: this endpoint does not "
                                 f"reach the network ({e})\n".encode())
    except (RuntimeError, ValueError, TypeError) as e:
        return Answer(400, TEXT, f"query failed: {e}\n".encode())


def _serialise(result, accept: str | None, limit: int, context: dict, max_bytes: int) -> Answer:
    size = 0
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        media = choose(accept, RESULT_TYPES)
        if media is None:
            return Answer(406, "text/plain; charset=utf-8", ("acceptable: " + ", ".join(RESULT_TYPES) + "\n").encode())
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        if isinstance(result, ox.QueryBoolean):
            return Answer(200, media + charset, format_boolean(result, media))
        body, truncated = format_solutions(result, media, limit, max_bytes)
        return Answer(200, media + charset, body, truncated)
    media = choose(accept, GRAPH_TYPES)
    if media is None:
        return Answer(406, "text/plain; charset=utf-8", ("acceptable: " + ", ".join(GRAPH_TYPES) + "\n").encode())
    triples, truncated = [], False
    for t in result:
        size += _weight(t.subject) + _weight(t.predicate) + _weight(t.object)
        if len(triples) >= limit or size > max_bytes:
            truncated = True
            break
        triples.append(t)
    body = {"text/turtle": lambda: turtle(triples, context), "application/n-triples": lambda: ntriples(triples),
            "application/ld+json": lambda: jsonld(triples, context)}[media]()
    return Answer(200, media, body, truncated)


# ------------------------------------------------------------------ worker processes
#
# Each worker is a fresh interpreter (``python -I``) running ``_worker_main`` from the very
# kg package this server runs (its folder is put first on ``sys.path``; the working folder
# is not on it), so it does not depend on how or where the server was started. Protocol
# over its stdin/stdout: one JSON line per request; the answer is one JSON line (status,
# content type, truncated, length) followed by ``length`` bytes of body. Its stderr goes
# to a file the pool reads when the worker dies, to say why.

def _worker_main(dist: str, memory_budget: int, store_path: str = "") -> None:  # pragma: no cover - a child process
    if store_path and sandbox.can_deny_sockets():  # the cached store (kg.serve.storecache), shared read-only
        store = ox.Store.read_only(store_path)
    else:
        store_path, store = "", ox.Store()
        fill(store, Path(dist) / "kg.nq")
    ctx_path = os.path.join(dist, "context.jsonld")
    context = {}
    if os.path.exists(ctx_path):
        with open(ctx_path, encoding="utf-8") as f:
            context = json.load(f)["@context"]
    if store_path:
        sandbox.confine_on_disk(memory_budget, store_path)
    else:
        sandbox.confine(memory_budget)
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        req = json.loads(line)
        try:
            a = execute(store, req["query"], req["accept"], req["limit"], context,
                        default_graphs=req.get("default_graphs"), named_graphs=req.get("named_graphs"))
        except MemoryError:
            a = Answer(422, TEXT, b"query stopped: it needed more memory than a query may use here; "
                                  b"narrow it down or add a LIMIT\n")
        except Exception as e:  # noqa: BLE001 - report, keep serving
            a = Answer(500, TEXT, f"query failed: {type(e).__name__}: {e}\n".encode())
        head = {"status": a.status, "content_type": a.content_type, "truncated": a.truncated, "length": len(a.body)}
        out.write(json.dumps(head).encode() + b"\n" + a.body)
        out.flush()


_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from kg.serve.sparql import _worker_main; " \
        "_worker_main(sys.argv[2], int(sys.argv[3]), sys.argv[4])"


class WorkerDied(Exception):
    """A worker ended while answering; ``reason`` says why, as far as its stderr tells."""

    def __init__(self, reason: str, status: int):
        super().__init__(reason)
        self.reason, self.status = reason, status


class _Worker:
    def __init__(self, dist: str, memory_budget: int, store: str = ""):
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, "-I", "-c", _BOOT, _PACKAGE_ROOT, dist, str(memory_budget),
                                         store],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr)
        self.ready = False

    def _readable(self, timeout: float) -> bool:
        return bool(select.select([self.process.stdout], [], [], max(timeout, 0))[0])

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self._readable(timeout):
            self.ready = self.process.stdout.readline() == b"ready\n"
        return self.ready

    def send(self, query: str, accept: str | None, limit: int, dataset: dict) -> None:
        req = {"query": query, "accept": accept, "limit": limit, **dataset}
        self.process.stdin.write(json.dumps(req).encode() + b"\n")
        self.process.stdin.flush()

    def receive(self, timeout: float) -> Answer | None:
        """The answer, or ``None`` if none began within ``timeout`` seconds."""
        if not self._readable(timeout):
            return None
        line = self.process.stdout.readline()
        if not line:
            raise self.death()
        head = json.loads(line)
        body = self.process.stdout.read(head["length"])
        return Answer(head["status"], head["content_type"], body, head["truncated"])

    def death(self) -> WorkerDied:
        """Why the worker ended, from its exit status and the end of its stderr."""
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - 4096))
        tail = self.stderr.read().decode("utf-8", "replace")
        if "memory allocation" in tail or "MemoryError" in tail or "Cannot allocate memory" in tail:
            return WorkerDied("query stopped: it needed more memory than a query may use here; "
                              "narrow it down or add a LIMIT", 422)
        if "overflow" in tail or code == -signal.SIGSEGV:
            return WorkerDied("query stopped: it is nested too deeply for the query engine", 422)
        return WorkerDied(f"the query worker ended unexpectedly (exit status {code}); try again", 503)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        for f in (self.process.stdin, self.process.stdout, self.stderr):
            f.close()


class QueryPool:
    """A few confined worker processes; each query gets one, and one past its deadline is killed.

    ``memory`` is the address space (bytes) a worker may add to what its loaded store
    takes; a query that needs more ends its worker, the client gets 422 with the reason,
    and a fresh worker takes its place.
    """

    def __init__(self, dist, size: int = 2, timeout: float = 10.0, limit: int = 10_000,
                 memory: int = DEFAULT_MEMORY, store: Path | None = None):
        self.dist, self.timeout, self.limit, self.memory = str(dist), timeout, limit, memory
        self.store = str(store) if store else ""  # an on-disk store the workers open read-only
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        w = _Worker(self.dist, self.memory, self.store)
        with self._lock:
            self._all.append(w)
        self._idle.put(w)

    def _drop(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            if w in self._all:
                self._all.remove(w)

    def _replace(self, w: _Worker) -> None:
        self._drop(w)
        self._add()

    def run(self, query: str, accept: str | None, *, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None) -> Answer:
        """Answer ``query``; ``default_graphs`` / ``named_graphs``: the protocol's dataset (IRIs)."""
        refused = refusal(query)
        if refused:
            return refused
        try:
            w = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, TEXT, b"all query workers are busy; try again\n")
        try:
            if not w.wait_ready(60):
                raise EOFError("worker did not start")
            w.send(query, accept, self.limit, {"default_graphs": default_graphs, "named_graphs": named_graphs})
            answer = w.receive(self.timeout)
            if answer is None:
                self._replace(w)
                return Answer(422, TEXT, f"query stopped after {self.timeout:g} s (the time limit); "
                                         "narrow it down or add a LIMIT\n".encode())
        except WorkerDied as e:
            self._replace(w)
            print(f"kg serve: SPARQL worker ended: {e.reason}", file=sys.stderr)
            return Answer(e.status, TEXT, (e.reason + "\n").encode())
        except (EOFError, OSError, ValueError):
            self._replace(w)
            return Answer(503, TEXT, b"query worker failed; try again\n")
        self._idle.put(w)
        return answer

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
