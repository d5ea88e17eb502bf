"""The web application as one pure function of the request: ``App.handle`` → ``Response``.

The HTTP server (``server.py``) and the static export (``site.py``) both call it, so
what ``kg site`` writes is byte for byte what ``kg serve`` answers.
"""
from __future__ import annotations

import json
import os
import threading
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

import jinja2
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from ..namespaces import CANONICAL, Namespaces
from ..publish import media_type
from . import crawl, home, lists, pagecache, rdfout, views, vocabpage
from .graph import Graph, file_stem, safe_href
from .negotiate import DATA_TYPES, ENTITY_TYPES, SUFFIXES, choose
from .responses import CONTENT_SECURITY_POLICY  # noqa: F401 - the page policy, as the tests read it
from .responses import (CORS, MAX_PARAMS, MAX_PATH, MAX_QUERY_STRING, Response, etag as _etag,
                        matches as _matches, query_params, with_security_headers)

SUFFIX_OF = {v: k for k, v in SUFFIXES.items()}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}


# The routing table: path → the App's ``route_<endpoint>`` method. Everything not named here
# is an entity's IRI below the base (``/person/x``, ``/person/x.ttl``, ``/dataset``).
_READ = ("GET", "HEAD")
ROUTES = Map([
    Rule("/", endpoint="home", methods=_READ),
    Rule("/search", endpoint="search", methods=_READ),
    Rule("/search.json", endpoint="search_json", methods=_READ),
    Rule("/sparql", endpoint="sparql", methods=("GET", "HEAD", "POST")),
    Rule("/.well-known/void", endpoint="well_known_void", methods=_READ),
    Rule("/robots.txt", endpoint="robots", methods=_READ),
    Rule("/sitemap.xml", endpoint="sitemap", methods=_READ),
    Rule("/sitemap/<part>", endpoint="sitemap", methods=_READ),
    Rule("/static/<name>", endpoint="static", methods=_READ),
    Rule("/dumps/", endpoint="dumps", methods=_READ),
    Rule("/dumps/<name>", endpoint="dump", methods=_READ),
    Rule("/<path:path>", endpoint="entity", methods=_READ),
], strict_slashes=False, merge_slashes=False, redirect_defaults=False)


class App:
    """Serves one published ``dist/`` under one IRI base."""

    def __init__(self, dist: Path, base: str, *, queries_dir: Path | None = None, pool=None, static_site: bool = False,
                 namespaces: Namespaces = CANONICAL, cache: Path | None = None, note: Path | None = None):
        # cache: kg.serve.storecache's folder, or in memory; note: the build's note of how it wrote dist/
        self.graph = Graph(dist, base, namespaces, cache=cache, note=note)
        if self.graph.cached is not None:  # a hub's lists worked out on its first request, then kept
            self.graph.kept = lists.Kept(self.graph.cached.folder / "lists", self.graph, views.ordered)
        self.dist = Path(dist)
        self.pool = pool
        self.static_site = static_site
        self.env = jinja2.Environment(loader=jinja2.PackageLoader("kg.serve", "templates"),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                      undefined=jinja2.StrictUndefined)
        self.env.globals.update(base=base, static_site=static_site, version=self.graph.version, list_page=lists.PAGE)
        self.env.filters["href"] = safe_href
        self.static = {p.name: p for p in resources.files("kg.serve").joinpath("static").iterdir() if p.is_file()}
        self.examples = _examples(queries_dir)
        self._index: list[dict] | None = None  # the name search's index, made on the first search
        self._index_lock = threading.Lock()
        self._cache: dict[tuple[str, str], Response] = {}
        self._lock = threading.Lock()
        self.pages = None  # the entity pages kept on disk beside the stores, each once rendered (kg.serve.pagecache)
        if self.graph.cached is not None:
            self.pages = pagecache.Pages(self.graph.cached.folder / f"html-{pagecache.code_key()}")

    @property
    def index(self) -> list[dict]:
        """Every spelling of every entity (:func:`kg.serve.home.search_index`), made on the first
        search rather than at start: at 2,500 documents it took seconds before any page."""
        with self._index_lock:
            if self._index is None:
                self._index = home.search_index(self.graph)
            return self._index

    # ------------------------------------------------------------------ dispatch
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Response:
        """One request → one response. ``headers`` keys are case-insensitive (lower-cased here)."""
        return with_security_headers(self._handle(method, target, headers, body))

    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        h = {k.lower(): v for k, v in headers.items()}
        raw_path, _, qs = target.partition("?")
        if len(raw_path) > MAX_PATH or len(qs) > MAX_QUERY_STRING:
            return self.error(414, "the address is too long", h)
        try:
            path = unquote(raw_path, errors="strict")
        except UnicodeDecodeError:
            return self.error(400, "the address is not valid UTF-8", h)
        if not path.startswith("/") or "\x00" in path:
            return self.error(400, "bad request path", h)
        if method == "OPTIONS":
            return Response(204, headers={**CORS, "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                                          "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match",
                                          "Allow": "GET, HEAD, POST, OPTIONS"})
        try:
            endpoint, args = ROUTES.bind("kg").match(path, method=method)
        except MethodNotAllowed as e:
            allowed = ", ".join(sorted(set(e.valid_methods or ()) | {"OPTIONS"}))
            return self.error(405, f"{method} is not allowed here (use {allowed})", h, allow=allowed)
        except NotFound:  # only paths the catch-all rule cannot take ("//", an empty segment …)
            return self.error(404, "nothing is published here", h)
        if endpoint == "sparql":
            return self.sparql(method, qs, h, body)
        params = query_params(qs)
        if params is None:
            return self.error(400, f"too many query parameters (at most {MAX_PARAMS})", h)
        return getattr(self, f"route_{endpoint}")(h, params, **args)

    # ------------------------------------------------------------------ routes (see ROUTES)
    def route_home(self, h: dict, params: dict) -> Response:
        return self.conditional(self.home(h), h)

    def route_search(self, h: dict, params: dict) -> Response:
        return self.search(params.get("q", [""])[0], h)

    def route_search_json(self, h: dict, params: dict) -> Response:
        return self._bytes(json.dumps([{k: e[k] for k in ("href", "label", "kind", "keys", "spellings")}
                                       for e in self.index], ensure_ascii=False).encode(), "application/json", h)

    def route_well_known_void(self, h: dict, params: dict) -> Response:  # the VoID convention's address
        return Response(303, b"", {"Location": "/dataset", **CORS})

    def route_robots(self, h: dict, params: dict) -> Response:
        return self._bytes(crawl.robots(self.graph.base).encode("utf-8"), "text/plain; charset=utf-8", h)

    def route_sitemap(self, h: dict, params: dict, part: str | None = None) -> Response:
        body = crawl.sitemap(self.graph, "/sitemap.xml" if part is None else f"/sitemap/{part}")
        if body is None:
            return self.error(404, "no such sitemap", h)
        return self._bytes(body, "application/xml", h)

    def route_static(self, h: dict, params: dict, name: str) -> Response:
        return self.static_file(name, h)

    def route_dumps(self, h: dict, params: dict) -> Response:
        return self.conditional(self.page(200, "dumps.html", title="Downloads", files=self.dumps_list()), h)

    def route_dump(self, h: dict, params: dict, name: str) -> Response:
        return self.dump(name, h)

    def route_entity(self, h: dict, params: dict, path: str) -> Response:
        page = params.get("page", ["1"])[0]
        if not (page.isascii() and page.isdigit() and 0 < len(page) < 10 and int(page) > 0):
            return self.error(400, "?page= takes a page number (1, 2 …)", h)
        return self.entity("/" + path, h, int(page))

    # ------------------------------------------------------------------ helpers
    def page(self, code: int, template: str, **ctx) -> Response:
        html = self.env.get_template(template).render(**ctx).encode("utf-8")
        return Response(code, html, {"Content-Type": "text/html; charset=utf-8"})

    def error(self, status: int, message: str, h: dict, allow: str | None = None) -> Response:
        if choose(h.get("accept"), ("text/html", "text/plain")) == "text/html":
            r = self.page(status, "error.html", title=f"{status}", status=status, message=message)
        else:
            r = Response(status, (message + "\n").encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})
        if allow:
            r.headers["Allow"] = allow
        return r

    def conditional(self, r: Response, h: dict) -> Response:
        """Add ETag; answer 304 when the client already has this representation."""
        etag = _etag(r.body)
        r.headers["ETag"] = etag
        if r.status == 200 and _matches(h.get("if-none-match"), etag):
            keep = {k: v for k, v in r.headers.items() if k in ("ETag", "Vary", "Link", "Content-Location")
                    or k.startswith("Access-Control")}
            return Response(304, b"", keep)
        return r

    def _bytes(self, body: bytes, ctype: str, h: dict, cors: bool = True) -> Response:
        r = Response(200, body, {"Content-Type": ctype, **(CORS if cors else {})})
        return self.conditional(r, h)

    # ------------------------------------------------------------------ pages
    def home(self, h: dict) -> Response:
        if choose(h.get("accept"), ("text/html",) + DATA_TYPES) in DATA_TYPES:
            return Response(303, b"", {"Location": "/dataset", "Vary": "Accept"})
        r = self._cached(("/", "home"), lambda: self.page(
            200, "home.html", title="kg", dataset=home.dataset(self.graph), kinds=home.by_kind(self.graph),
            timeline=home.timeline(self.graph), network=home.network_svg(self.graph),
            schema=rdfout.schema_org(self.graph.describe(self.graph.base + "dataset"), self.graph.base + "dataset")))
        return Response(r.status, r.body, {**r.headers, "Vary": "Accept",
                                           "Link": '</dataset>; rel="describedby"; type="text/turtle"'})

    def search(self, q: str, h: dict) -> Response:
        hits = home.search(self.index, q)
        if choose(h.get("accept"), ("text/html", "application/json")) == "application/json":
            body = json.dumps({"query": q, "results": hits}, ensure_ascii=False).encode("utf-8")
            return Response(200, body, {"Content-Type": "application/json", "Vary": "Accept", **CORS})
        r = self.page(200, "search.html", title=f"Search: {q}", q=q, hits=hits)
        r.headers["Vary"] = "Accept"
        return r

    def _cached(self, key, make) -> Response:
        with self._lock:
            hit = self._cache.get(key)
        if hit is None:
            hit = make()
            with self._lock:
                if len(self._cache) < 5000:
                    self._cache[key] = hit
        return hit

    def entity(self, path: str, h: dict, page: int = 1) -> Response:
        g = self.graph
        iri, fixed = g.iri_of(path), None
        if not g.has(iri) or g.path_of(iri) is None:
            stem, dot, suffix = path.rpartition(".")
            # the suffix URLs: /person/x.ttl for /person/x, and /type/index.ttl for the folder /type/
            docs = [d for d in (stem, stem[:-len("index")] if stem.endswith("/index") else "") if d]
            doc = next((d for d in docs if g.has(g.iri_of(d)) and g.path_of(g.iri_of(d))), None)
            if dot and suffix in SUFFIXES and doc is not None:
                iri, fixed, path = g.iri_of(doc), SUFFIXES[suffix], doc
            else:
                return self.error(404, f"nothing is published at {iri}", h)
        files = file_stem(path)
        media = fixed or choose(h.get("accept"), ENTITY_TYPES)
        if media is None:
            r = self.error(406, "available as: " + ", ".join(ENTITY_TYPES) +
                           " (or add .html, .ttl, .jsonld or .nt to the address)", {})
            r.headers.update({"Vary": "Accept", "Link": self._alternates(files)})
            return r
        if media != "text/html":
            page = 1  # the data is whole, whatever the page
        r = self._cached((path, media, page), lambda: self._render_kept(path, iri, media, page))
        if r.status == 404:
            return r
        headers = dict(r.headers)
        headers["Link"] = self._alternates(files) + (
            f', <{files}.ttl>; rel="describedby"; type="text/turtle"' if media == "text/html" else "")
        if not fixed:
            headers["Vary"] = "Accept"
            headers["Content-Location"] = f"{files}.{SUFFIX_OF[media]}"
        if media != "text/html":
            headers.update(CORS)
        return self.conditional(Response(r.status, r.body, headers), h)

    def _alternates(self, path: str) -> str:
        return ", ".join(f'<{path}.{s}>; rel="alternate"; type="{m}"' for s, m in SUFFIXES.items())

    def _render_kept(self, path: str, iri: str, media: str, page: int) -> Response:
        """An entity's page from the pages kept on disk, rendered (and kept) if it is not there yet."""
        if self.pages is None or media != "text/html":
            return self.render_entity(iri, media, page)
        body = self.pages.get(path, page)
        if body is not None:
            return Response(200, body, {"Content-Type": "text/html; charset=utf-8"})
        r = self.render_entity(iri, media, page)
        if r.status == 200:
            self.pages.put(path, page, r.body)
        return r

    def render_entity(self, iri: str, media: str, page: int = 1) -> Response:
        g = self.graph
        triples = g.describe(iri)
        if media == "text/turtle":
            body = rdfout.turtle(triples, g.context)
        elif media == "application/n-triples":
            body = rdfout.ntriples(triples)
        elif media == "application/ld+json":
            body = rdfout.jsonld(triples, g.context)
        elif page > 1 and iri in (g.ontology_document, g.types_index):
            return self.error(404, "this page has one page", {"accept": "text/html"})
        elif iri == g.ontology_document:
            path = g.path_of(iri)
            return self.page(200, "vocabulary.html", title=g.label(g.namespaces.ontology), o=vocabpage.ontology_page(g),
                             alternates=[(f"{path}.{s}", m, s) for s, m in SUFFIXES.items() if s != "html"],
                             types_path=g.types_path)
        elif iri == g.types_index:
            view, files = vocabpage.types_page(g), file_stem(g.path_of(iri))
            return self.page(200, "types.html", title=view["label"], t=view,
                             alternates=[(f"{files}.{s}", m, s) for s, m in SUFFIXES.items() if s != "html"])
        else:
            view = views.entity_page(g, iri, page)
            path = g.path_of(iri)
            if page > view["pages"]:
                return self.error(404, f"{path} has {view['pages']} page(s)", {"accept": "text/html"})
            return self.page(200, "entity.html", title=view["label"], e=view, path=path,
                             schema=rdfout.schema_org(triples, iri),
                             alternates=[(f"{path}.{s}", m, s) for s, m in SUFFIXES.items() if s != "html"])
        ctype = media + ("; charset=utf-8" if media.startswith("text/") else "")
        return Response(200, body, {"Content-Type": ctype})

    # ------------------------------------------------------------------ files
    def static_file(self, name: str, h: dict) -> Response:
        p = self.static.get(name)
        if p is None:
            return self.error(404, "no such asset", h)
        ctype = STATIC_TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
        r = self._bytes(p.read_bytes(), ctype, h, cors=False)
        r.headers["Cache-Control"] = "public, max-age=3600"
        return r

    def dumps_list(self) -> list[dict]:
        return [{"name": p.name, "size": p.stat().st_size, "media": self._dump_type(p.name)}
                for p in sorted(self.dist.iterdir()) if p.is_file() and not p.name.startswith(".")]

    @staticmethod
    def _dump_type(name: str) -> str:
        if name == "SHA256SUMS":
            return "text/plain; charset=utf-8"
        t = media_type(name)
        return t + ("; charset=utf-8" if t.startswith("text/") else "")

    def dump(self, name: str, h: dict) -> Response:
        """A file of dist/ by its exact name: the name is looked up, never joined to a path."""
        names = {f["name"] for f in self.dumps_list()}
        if name not in names:
            return self.error(404, "no such file in the dumps", h)
        body = (self.dist / name).read_bytes()
        r = self._bytes(body, self._dump_type(name), h)
        r.headers["Content-Disposition"] = f'inline; filename="{name}"'
        return r

    # ------------------------------------------------------------------ SPARQL
    def sparql(self, method: str, qs: str, h: dict, body: bytes) -> Response:
        from .sparql_http import handle
        return handle(self, method, qs, h, body)


def _examples(queries_dir: Path | None) -> list[dict]:
    """The project's queries (``queries/*.rq``): title from the leading comment."""
    out = []
    if queries_dir and Path(queries_dir).is_dir():
        for p in sorted(Path(queries_dir).glob("*.rq")):
            text = p.read_text(encoding="utf-8")
            comment = " ".join(line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#"))
            out.append({"name": p.stem, "title": comment.split(":")[0] if comment else p.stem,
                        "comment": comment, "query": text})
    if not out:
        out.append({"name": "people", "title": "People", "comment": "Every person with their label.",
                    "query": "PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>\n"
                             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                             "SELECT ?person ?label WHERE { ?person a crm:E21_Person ; rdfs:label ?label }\n"
                             "ORDER BY ?label\n"})
    return out
