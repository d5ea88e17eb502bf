"""Read-only SPARQL 1.1 Protocol over the published dumps, with a deadline and a row limit.

pyoxigraph cannot interrupt a query, so queries run in worker *processes* that each hold
their own in-memory store loaded from ``kg.nq``. A query that outlives its deadline has
its worker killed and replaced; the client gets 422 (the query, as asked, cannot be
answered within the limit) with a message. Results are cut at
``limit`` rows (or triples) and the response says so in ``KG-Results-Truncated``.
Updates are refused (the stores are in-memory copies anyway), and so is ``SERVICE``,
which would make the server fetch from the network.
"""
from __future__ import annotations

import csv
import io
import json
import os
import queue
import re
import select
import subprocess
import sys
import threading
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox

from .negotiate import choose

RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values", "application/json")
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json")
MAX_QUERY = 20_000
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_STRINGS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_UPDATE = re.compile(r"(?<![\w:?$])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)(?![\w:])", re.I)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.I)


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False


def refusal(query: str) -> Answer | None:
    """A 4xx answer for what this endpoint never runs, else ``None``."""
    if len(query) > MAX_QUERY:
        return Answer(413, "text/plain; charset=utf-8", f"query longer than {MAX_QUERY} characters\n".encode())
    code = _STRINGS.sub(" ", query)
    if _SERVICE.search(code):
        return Answer(403, "text/plain; charset=utf-8", b"SERVICE (federated query) is not allowed here\n")
    if _UPDATE.search(code) and not re.search(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", code, re.I):
        return Answer(403, "text/plain; charset=utf-8", b"this endpoint is read-only: SPARQL Update is refused\n")
    return None


# ------------------------------------------------------------------ result formats (worker side)

def _term_json(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": str(t)}


def _term_xml(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f'<literal xml:lang="{xml_escape(t.language)}">{xml_escape(t.value)}</literal>'
        return f'<literal datatype="{xml_escape(t.datatype.value)}">{xml_escape(t.value)}</literal>'
    return f"<literal>{xml_escape(str(t))}</literal>"


def format_solutions(variables: list[str], rows: list[list], media: str) -> bytes:
    if media in ("application/sparql-results+json", "application/json"):
        bindings = [{v: _term_json(t) for v, t in zip(variables, r) if t is not None} for r in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if media == "application/sparql-results+xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f'<variable name="{xml_escape(v)}"/>' for v in variables]
        out.append("</head><results>")
        for r in rows:
            out.append("<result>" + "".join(f'<binding name="{xml_escape(v)}">{_term_xml(t)}</binding>'
                                            for v, t in zip(variables, r) if t is not None) + "</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if media == "text/csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        w.writerows([["" if t is None else t.value for t in r] for r in rows])
        return buf.getvalue().encode("utf-8")
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def format_boolean(value: bool, media: str) -> bytes:
    if media == "application/sparql-results+xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if media in ("text/csv", "text/tab-separated-values"):
        return b"true\n" if value else b"false\n"
    return json.dumps({"head": {}, "boolean": value}).encode()


def execute(store: ox.Store, query: str, accept: str | None, limit: int, context: dict) -> Answer:
    """Run one query on ``store`` (in a worker) and serialise the answer by ``accept``."""
    from .rdfout import jsonld, ntriples, turtle
    try:
        result = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as e:
        return Answer(400, "text/plain; charset=utf-8", f"SPARQL syntax error: {e}\n".encode())
    except OSError as e:
        return Answer(400, "text/plain; charset=utf-8", f"query failed: {e}\n".encode())
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        media = choose(accept, RESULT_TYPES)
        if media is None:
            return Answer(406, "text/plain; charset=utf-8", ("acceptable: " + ", ".join(RESULT_TYPES) + "\n").encode())
        if isinstance(result, ox.QueryBoolean):
            return Answer(200, media, format_boolean(bool(result), media))
        variables = [v.value for v in result.variables]
        rows, truncated = [], False
        for solution in result:
            if len(rows) >= limit:
                truncated = True
                break
            rows.append([solution[v] for v in variables])
        charset = "; charset=utf-8" if media.startswith("text/") else ""
        return Answer(200, media + charset, format_solutions(variables, rows, media), truncated)
    media = choose(accept, GRAPH_TYPES)
    if media is None:
        return Answer(406, "text/plain; charset=utf-8", ("acceptable: " + ", ".join(GRAPH_TYPES) + "\n").encode())
    triples, truncated = [], False
    for t in result:
        if len(triples) >= limit:
            truncated = True
            break
        triples.append(t)
    body = {"text/turtle": lambda: turtle(triples, context), "application/n-triples": lambda: ntriples(triples),
            "application/ld+json": lambda: jsonld(triples, context)}[media]()
    return Answer(200, media, body, truncated)


# ------------------------------------------------------------------ worker processes
#
# Each worker is ``python -m kg.serve.sparql DIST`` (a fresh interpreter, so it does not
# depend on how the server was started). Protocol over its stdin/stdout: one JSON line per
# request; the answer is one JSON line (status, content type, truncated, length) followed
# by ``length`` bytes of body.

def _worker_main(dist: str) -> None:  # pragma: no cover - runs in a child process
    store = ox.Store()
    with open(os.path.join(dist, "kg.nq"), "rb") as f:
        store.bulk_load(f, ox.RdfFormat.N_QUADS)
    ctx_path = os.path.join(dist, "context.jsonld")
    context = json.load(open(ctx_path, encoding="utf-8"))["@context"] if os.path.exists(ctx_path) else {}
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        req = json.loads(line)
        try:
            a = execute(store, req["query"], req["accept"], req["limit"], context)
        except Exception as e:  # noqa: BLE001 - report, keep serving
            a = Answer(500, "text/plain; charset=utf-8", f"query failed: {type(e).__name__}: {e}\n".encode())
        head = {"status": a.status, "content_type": a.content_type, "truncated": a.truncated, "length": len(a.body)}
        out.write(json.dumps(head).encode() + b"\n" + a.body)
        out.flush()


class _Worker:
    def __init__(self, dist: str):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen([sys.executable, "-m", "kg.serve.sparql", dist], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.ready = False

    def _readable(self, timeout: float) -> bool:
        return bool(select.select([self.process.stdout], [], [], max(timeout, 0))[0])

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self._readable(timeout):
            self.ready = self.process.stdout.readline() == b"ready\n"
        return self.ready

    def send(self, query: str, accept: str | None, limit: int) -> None:
        self.process.stdin.write(json.dumps({"query": query, "accept": accept, "limit": limit}).encode() + b"\n")
        self.process.stdin.flush()

    def receive(self, timeout: float) -> Answer | None:
        """The answer, or ``None`` if none began within ``timeout`` seconds."""
        if not self._readable(timeout):
            return None
        line = self.process.stdout.readline()
        if not line:
            raise EOFError("worker exited")
        head = json.loads(line)
        body = self.process.stdout.read(head["length"])
        return Answer(head["status"], head["content_type"], body, head["truncated"])

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        for f in (self.process.stdin, self.process.stdout):
            f.close()


class QueryPool:
    """A few worker processes; each query gets one, and a query past its deadline kills it."""

    def __init__(self, dist, size: int = 2, timeout: float = 10.0, limit: int = 10_000):
        self.dist, self.timeout, self.limit = str(dist), timeout, limit
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        w = _Worker(self.dist)
        with self._lock:
            self._all.append(w)
        self._idle.put(w)

    def _drop(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            if w in self._all:
                self._all.remove(w)

    def run(self, query: str, accept: str | None) -> Answer:
        refused = refusal(query)
        if refused:
            return refused
        try:
            w = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, "text/plain; charset=utf-8", b"all query workers are busy; try again\n")
        try:
            if not w.wait_ready(60):
                raise EOFError("worker did not start")
            w.send(query, accept, self.limit)
            answer = w.receive(self.timeout)
            if answer is None:
                self._drop(w)
                self._add()
                return Answer(422, "text/plain; charset=utf-8",
                              f"query stopped after {self.timeout:g} s (the time limit); "
                              "narrow it down or add a LIMIT\n".encode())
        except (EOFError, OSError, ValueError):
            self._drop(w)
            self._add()
            return Answer(500, "text/plain; charset=utf-8", b"query worker failed; try again\n")
        self._idle.put(w)
        return answer

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()


if __name__ == "__main__":  # pragma: no cover - the worker process
    _worker_main(sys.argv[1])
