"""A small real HTTP server on 127.0.0.1 that speaks enough of the protocols for tests.

SPARQL 1.1 Graph Store HTTP Protocol with indirect identification (PUT/POST/GET/DELETE
on ``/gsp?graph=<iri>``, N-Triples bodies kept as sets of lines), and the SPARQL 1.1
Protocol for the two queries kg.load sends (a COUNT per graph, the list of graphs) on
``/query``. Failures are scripted: ``fail`` holds what the next requests get instead of
an answer (an HTTP status, ``"drop"`` to close the connection unanswered, or a
:class:`Reply`: any status, headers and body, the body optionally dripped one byte at a
time). ``arrivals`` records when each request arrived (``time.monotonic()``). Optional
basic or digest authentication (RFC 7616, MD5, qop=auth) with one user.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

COUNT = re.compile(r"GRAPH <([^>]+)>")


@dataclass
class Reply:
    """A scripted answer: ``drip`` > 0 sends the body one byte per ``drip`` seconds."""

    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    drip: float = 0.0


def _md5(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


class GspServer:
    """``with GspServer() as s:`` — ``s.url``, ``s.graphs``, ``s.requests``, ``s.fail``."""

    def __init__(self, *, auth: str | None = None, user: str = "kg", password: str = "secret",
                 server_header: str = "TestGSP/1.0", lossy: bool = False):
        self.graphs: dict[str, set[str]] = {}
        self.requests: list[tuple[str, str | None, int]] = []  # method, graph, triples in the body
        self.fail: list = []
        self.arrivals: list[float] = []
        self.auth, self.user, self.password, self.lossy = auth, user, password, lossy
        self.server_header, self.realm, self.nonce = server_header, "kg-test", secrets.token_hex(8)
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def writes(self) -> list[tuple[str, str | None, int]]:
        return [r for r in self.requests if r[0] in ("PUT", "POST", "DELETE") and r[1] is not None]

    # ------------------------------------------------------------ the handler

    def _authorised(self, header: str | None, method: str) -> bool:
        if self.auth is None:
            return True
        if not header:
            return False
        if self.auth == "basic":
            expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return header == f"Basic {expected}"
        if not header.startswith("Digest "):
            return False
        f = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
        ha1 = _md5(f"{f.get('username')}:{self.realm}:{self.password}")
        ha2 = _md5(f"{method}:{f.get('uri')}")
        expected = _md5(f"{ha1}:{f.get('nonce')}:{f.get('nc')}:{f.get('cnonce')}:{f.get('qop')}:{ha2}")
        return f.get("username") == self.user and f.get("nonce") == self.nonce and f.get("response") == expected

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def version_string(self):  # the Server header
                return server.server_header

            def _reply(self, status: int, body: bytes = b"", ctype: str = "text/plain", extra=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                graph = parse_qs(url.query).get("graph", [None])[0]
                lines = {ln for ln in body.decode("utf-8").splitlines() if ln.strip()}
                with server.lock:
                    server.requests.append((self.command, graph, len(lines) if url.path == "/gsp" else 0))
                    server.arrivals.append(time.monotonic())
                    action = server.fail.pop(0) if server.fail else None
                if isinstance(action, Reply):
                    return self._scripted(action)
                if action == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if isinstance(action, int):
                    return self._reply(action, f"scripted failure {action}".encode())
                if url.path == "/":
                    return self._reply(200, b"<html></html>", "text/html")
                if not server._authorised(self.headers.get("Authorization"), self.command):
                    challenge = ('Basic realm="kg-test"' if server.auth == "basic" else
                                 f'Digest realm="{server.realm}", nonce="{server.nonce}", qop="auth", '
                                 'algorithm=MD5')
                    return self._reply(401, b"unauthorised", extra={"WWW-Authenticate": challenge})
                if url.path == "/gsp":
                    return self._gsp(graph, lines)
                if url.path == "/query":
                    return self._query(parse_qs(body.decode("utf-8")).get("query", [""])[0])
                return self._reply(404, b"no such path")

            def _scripted(self, reply: Reply):
                try:
                    self.send_response(reply.status)
                    for k, v in {"Content-Length": str(len(reply.body)), **reply.headers}.items():
                        self.send_header(k, v)
                    self.end_headers()
                    if not reply.drip:
                        self.wfile.write(reply.body)
                    for i in range(len(reply.body) if reply.drip else 0):
                        self.wfile.write(reply.body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip)
                except OSError:  # the client gave up
                    self.close_connection = True

            def _gsp(self, graph, lines):
                if not graph:
                    return self._reply(400, b"graph parameter missing")
                if server.lossy and lines:
                    lines = set(sorted(lines)[1:])
                with server.lock:
                    if self.command == "PUT":
                        created = graph not in server.graphs
                        server.graphs[graph] = set(lines)
                        return self._reply(201 if created else 204)
                    if self.command == "POST":
                        server.graphs.setdefault(graph, set()).update(lines)
                        return self._reply(204)
                    if graph not in server.graphs:
                        return self._reply(404, b"no such graph")
                    if self.command == "DELETE":
                        del server.graphs[graph]
                        return self._reply(204)
                    data = "".join(f"{ln}\n" for ln in sorted(server.graphs[graph])).encode()
                    return self._reply(200, data, "application/n-triples")

            def _query(self, sparql):
                with server.lock:
                    m = COUNT.search(sparql)
                    if m:
                        n = len(server.graphs.get(m.group(1), ()))
                        rows = [{"n": {"type": "literal", "value": str(n),
                                       "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
                    else:
                        rows = [{"g": {"type": "uri", "value": g}} for g in sorted(server.graphs)
                                if server.graphs[g]]
                return self._reply(200, json.dumps({"head": {"vars": []}, "results": {"bindings": rows}}).encode(),
                                   "application/sparql-results+json")

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        return Handler
