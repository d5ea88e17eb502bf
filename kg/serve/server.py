"""``kg serve``: the WSGI application (:mod:`kg.serve.wsgi`) on waitress, a production WSGI server.

waitress owns the sockets, HTTP parsing, keep-alive and the worker threads; it refuses a
request body over the application's limit before reading it. :func:`make_server` gives the
small interface ``kg serve`` and the tests use (``server_address``, ``serve_forever``,
``shutdown``, ``server_close``).
"""
from __future__ import annotations

import sys
import threading

import waitress

from .app import App
from .responses import MAX_BODY
from .wsgi import WsgiApp

THREADS = 8          # requests answered at once (SPARQL queries wait for a free worker process)
IDLE_TIMEOUT = 30    # seconds a client may idle on a kept-alive connection


def _log(method: str, path: str, status: int) -> None:
    print(f"kg serve: {method} {path[:300]} {status}", file=sys.stderr, flush=True)


class Server:
    def __init__(self, app: App, host: str, port: int, quiet: bool):
        self.wsgi = WsgiApp(app, log=None if quiet else _log)
        self._server = waitress.create_server(
            self.wsgi, host=host, port=port, threads=THREADS, channel_timeout=IDLE_TIMEOUT,
            max_request_body_size=MAX_BODY, ident="kg", expose_tracebacks=False, clear_untrusted_proxy_headers=True)
        self.server_address = (host, int(self._server.effective_port))
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        try:
            self._server.run()
        except (OSError, ValueError):  # the listening socket was closed by shutdown()
            if not self._stopped.is_set():
                raise

    def shutdown(self) -> None:
        self._stopped.set()
        # the request threads first: one finishing later would wake the loop through the
        # trigger's descriptor after close() freed it, i.e. write a byte into whatever file
        # got that number meanwhile
        self._server.task_dispatcher.shutdown(timeout=5)
        self._server.close()

    def server_close(self) -> None:
        if not self._stopped.is_set():
            self.shutdown()


def make_server(app: App, host: str = "127.0.0.1", port: int = 0, quiet: bool = False) -> Server:
    return Server(app, host, port, quiet)
