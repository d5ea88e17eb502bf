"""A kg web application on a real HTTP server on 127.0.0.1, for the duration of a ``with``."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from kg.serve.server import make_server


@contextmanager
def serving(app):
    """Yield the port ``app`` answers on; stop the server (and the app's query pool) after."""
    srv = make_server(app, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()
        if app.pool is not None:
            app.pool.close()


def when_ready(send, seconds: float = 120):
    """``send()`` (giving ``(status, headers, body)``) again while it answers 503 with Retry-After
    (the SPARQL store being built on a first start), for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    answer = send()
    while answer[0] == 503 and "retry-after" in answer[1] and time.monotonic() < deadline:
        time.sleep(0.1)
        answer = send()
    return answer
