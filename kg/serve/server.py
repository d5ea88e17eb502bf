"""``kg serve``: the application behind the standard library's threading HTTP server."""
from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .app import MAX_BODY, SECURITY_HEADERS, App, Response, with_security_headers


class Handler(BaseHTTPRequestHandler):
    server_version = "kg"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may idle on a kept-alive connection
    app: App = None  # set on the subclass made by make_server
    quiet = False

    def _serve(self) -> None:
        length = self.headers.get("Content-Length")
        body = b""
        if length:
            try:
                n = int(length)
            except ValueError:
                n = -1
            if n < 0 or n > MAX_BODY:
                self._send(413, {"Content-Type": "text/plain; charset=utf-8", "Connection": "close", **SECURITY_HEADERS},
                           b"request body too large or bad Content-Length\n")
                self.close_connection = True
                return
            body = self.rfile.read(n)
        try:
            r = self.app.handle(self.command, self.path, dict(self.headers.items()), body)
        except Exception as e:  # noqa: BLE001 - a bug must not kill the server thread silently
            print(f"kg serve: internal error on {self.path!r}: {type(e).__name__}: {e}", file=sys.stderr)
            self._send(500, with_security_headers(Response(500, headers={"Content-Type": "text/plain; charset=utf-8"})).headers,
                       b"internal error (a bug in kg)\n")
            return
        self._send(r.status, r.headers, r.body)

    def _send(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304 and status >= 200:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        if not self.quiet:
            super().log_message(format, *args)


def make_server(app: App, host: str = "127.0.0.1", port: int = 0, quiet: bool = False) -> ThreadingHTTPServer:
    handler = type("KgHandler", (Handler,), {"app": app, "quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
