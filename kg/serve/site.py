"""``kg site``: every page and per-entity data file of ``kg serve``, written to a folder.

Layout (what the rewrite rules in ``deploy/`` expect): ``/person/x`` is stored as
``person/x.html``, ``person/x.ttl``, ``person/x.jsonld`` and ``person/x.nt``; the home
page is ``index.html``; ``dumps/`` holds the dump files; ``static/`` the assets;
``search.html`` searches in the browser from ``search.json``; ``robots.txt`` and
``sitemap.xml`` (with ``sitemap/<n>.xml`` past 50,000 pages) for crawlers.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import KgError
from ..namespaces import CANONICAL, Namespaces
from .app import App
from .negotiate import SUFFIXES


def _write(out: Path, rel: str, body: bytes) -> None:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def export(dist: Path, base: str, out: Path, queries_dir: Path | None = None,
           namespaces: Namespaces = CANONICAL) -> int:
    """Write the site; returns the number of files written."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise KgError("the output folder exists and is not empty", path=out, hint="give a new or empty folder")
    app = App(dist, base, queries_dir=queries_dir, static_site=True, namespaces=namespaces)
    g = app.graph
    out.mkdir(parents=True, exist_ok=True)
    n = 0

    def get(path: str, accept: str = "text/html") -> bytes:
        r = app.handle("GET", path, {"Accept": accept})
        if r.status != 200:
            raise KgError(f"the page {path} answered {r.status}", hint="this is a bug in kg")
        return r.body

    _write(out, "index.html", get("/")); n += 1
    _write(out, "search.html", get("/search")); n += 1
    _write(out, "search.json", get("/search.json")); n += 1
    _write(out, "sparql.html", get("/sparql")); n += 1
    _write(out, "dumps/index.html", get("/dumps/")); n += 1
    _write(out, "robots.txt", get("/robots.txt")); n += 1
    _write(out, "sitemap.xml", get("/sitemap.xml")); n += 1
    part = 1
    while (r := app.handle("GET", f"/sitemap/{part}.xml", {})).status == 200:
        _write(out, f"sitemap/{part}.xml", r.body); n += 1
        part += 1
    for name in sorted(app.static):
        _write(out, f"static/{name}", get(f"/static/{name}")); n += 1
    for f in app.dumps_list():
        shutil.copyfile(dist / f["name"], out / "dumps" / f["name"]); n += 1
    for iri in g.subjects:
        path = g.path_of(iri)
        if path is None:
            continue
        for suffix in SUFFIXES:
            _write(out, f"{path.lstrip('/')}.{suffix}", get(f"{path}.{suffix}")); n += 1
    return n
