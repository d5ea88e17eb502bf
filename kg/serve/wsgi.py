"""The application as a standard WSGI callable (Werkzeug), for any WSGI server.

:class:`kg.serve.app.App` answers one request with one :class:`Response`; this layer adds
what HTTP gives every resource and that a static host gives files: ``Last-Modified``
(when the dumps were written) and ``If-Modified-Since``, ``Range`` requests on every
``GET`` (206, 416), and gzip for clients that accept it (text and RDF over 1 KiB; the
``.gz`` dumps go as they are). ``kg serve`` runs it on waitress; any WSGI server can::

    gunicorn --workers 2 'kg.serve.wsgi:create_app(root="/srv/my-archive")'

(see the README's "Serving" section for nginx in front).
"""
from __future__ import annotations

import gzip
import sys
from pathlib import Path
from urllib.parse import quote

from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wrappers import Request, Response as WsgiResponse

from .app import App
from .responses import MAX_BODY, Response, with_security_headers

MIN_GZIP = 1024
_COMPRESSIBLE = ("text/", "application/ld+json", "application/json", "application/n-triples",
                 "application/n-quads", "application/xml", "application/sparql-results+", "image/svg+xml")
# Characters kept as they are when the request path is re-quoted for App.handle.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _last_modified(dist: Path) -> float | None:
    """When the dumps were written: the newest file of ``dist/``."""
    times = [p.stat().st_mtime for p in Path(dist).iterdir() if p.is_file()]
    return max(times) if times else None


def _compressible(ctype: str) -> bool:
    return any(ctype.startswith(t) for t in _COMPRESSIBLE)


class WsgiApp:
    """``App`` behind WSGI: ``WsgiApp(app)(environ, start_response)``."""

    def __init__(self, app: App, *, log=None):
        self.app = app
        self.modified = _last_modified(app.dist)
        self.log = log  # a callable(method, path, status), or None for no request log

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self._respond(request)
        if self.log is not None:
            self.log(request.method, request.full_path.rstrip("?"), response.status_code)
        return response(environ, start_response)

    def _respond(self, request: Request) -> WsgiResponse:
        length = request.content_length
        if length is not None and length > MAX_BODY:
            return self._plain(413, "request body too large")
        body = request.get_data(cache=False) if length else b""
        target = quote(environ_path(request.environ), safe=_PATH_SAFE)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        try:
            r = self.app.handle(request.method, target, dict(request.headers.items()), body)
        except Exception as e:  # noqa: BLE001 - a bug must not take the server down
            print(f"kg serve: internal error on {target[:200]!r}: {type(e).__name__}: {e}", file=sys.stderr)
            return self._plain(500, "internal error (a bug in kg)")
        return self._http(request, r)

    def _http(self, request: Request, r: Response) -> WsgiResponse:
        headers = Headers(list(r.headers.items()))
        out = WsgiResponse(r.body, status=r.status, headers=headers)
        if r.status != 200 or request.method not in ("GET", "HEAD"):
            return out
        if self.modified is not None:
            out.last_modified = self.modified
        ctype = r.headers.get("Content-Type", "")
        wants_gzip = "gzip" in request.accept_encodings and not request.range and \
            len(r.body) >= MIN_GZIP and _compressible(ctype)
        if wants_gzip:
            out.set_data(gzip.compress(r.body, mtime=0))  # deterministic bytes
            out.headers["Content-Encoding"] = "gzip"
            if r.headers.get("ETag"):
                out.headers["ETag"] = "W/" + r.headers["ETag"]  # same content, another encoding
        if r.body:
            out.vary.add("Accept-Encoding")
        # If-Modified-Since → 304; Range → 206 / 416; Accept-Ranges on every answer.
        try:
            return out.make_conditional(request, accept_ranges=not wants_gzip, complete_length=len(r.body))
        except RequestedRangeNotSatisfiable:
            bad = self._plain(416, "the range is outside the representation")
            bad.headers["Content-Range"] = f"bytes */{len(r.body)}"
            return bad

    @staticmethod
    def _plain(status: int, message: str) -> WsgiResponse:
        r = with_security_headers(Response(status, (message + "\n").encode(),
                                           {"Content-Type": "text/plain; charset=utf-8"}))
        return WsgiResponse(r.body, status=status, headers=list(r.headers.items()))


def environ_path(environ) -> bytes:
    """The request path's bytes, decoded from %XX by the server (WSGI passes them as latin-1)."""
    return (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")


def project_app(settings, dist: Path | None = None, *, workers: int = 2, query_timeout: float = 10.0,
                result_limit: int = 10_000, query_memory: int = 1024, sparql_url: str | None = None,
                cache: Path | None = None) -> App:
    """The application over a project's dist/ (or ``dist``), with its /sparql answered by
    confined query workers, or by the triplestore at ``sparql_url``: what ``kg serve`` and
    :func:`create_app` both run. The stores are on disk in ``cache`` (by default the
    project's ``.kg-cache/serve/``; see :mod:`kg.serve.storecache`), or in memory with ``KG_CACHE=0``."""
    from .cli import queries_dir
    from ..unitcache import dist_note
    from .storecache import FOLDER, enabled
    folder = Path(dist) if dist else settings.dist_dir
    stores = (Path(cache) if cache else settings.root / FOLDER) if enabled() else None
    app = App(folder, settings.base, queries_dir=queries_dir(settings), namespaces=settings.namespaces, cache=stores,
              note=dist_note(settings.root))
    if sparql_url is not None:
        from ..remote import endpoint
        from .proxy import EndpointPool
        app.pool = EndpointPool(endpoint(sparql_url, timeout=query_timeout))
    else:
        from .sparql import QueryPool
        make = lambda store=None: QueryPool(folder, size=workers, timeout=query_timeout,  # noqa: E731
                                            limit=result_limit, memory=query_memory << 20, store=store)
        if stores:  # the workers start once the SPARQL store is built, in the background
            from .pending import Deferred
            app.pool = Deferred(app.graph.cached, lambda: make(app.graph.cached.sparql), result_limit)
        else:
            app.pool = make()
    return app


def create_app(root: str = ".", *, dist: str | None = None, base: str | None = None, workers: int = 2,
               query_timeout: float = 10.0, result_limit: int = 10_000, query_memory: int = 1024,
               sparql_url: str | None = None, cache: str | None = None) -> WsgiApp:
    """A WSGI application for the project at ``root`` (its kg.toml and dist/)."""
    from ..settings import load_settings
    return WsgiApp(project_app(load_settings(root, base=base), Path(dist) if dist else None, workers=workers,
                               query_timeout=query_timeout, result_limit=result_limit,
                               query_memory=query_memory, sparql_url=sparql_url,
                               cache=Path(cache) if cache else None))
