"""``kg site``: every page and per-entity data file of ``kg serve``, written to a folder.

Layout (what the rules in ``deploy/`` expect): ``/person/x`` is stored as
``person/x.html``, ``person/x.ttl``, ``person/x.jsonld`` and ``person/x.nt`` (the suffix
URLs), plus ``person/x.var``, an Apache type map of those four that Apache negotiates
with the client's q-values; the home page is ``index.html`` and ``index.var`` (HTML, or
a redirect to ``/dataset`` for data clients); ``.htaccess`` is ``deploy/apache.htaccess``;
``dumps/`` holds the dump files; ``static/`` the assets; ``search.html`` searches in the
browser from ``search.json``; ``robots.txt`` and ``sitemap.xml`` (with
``sitemap/<n>.xml`` past 50,000 pages) for crawlers. kg's ontology is stored like an entity
(``ontology.html``, ``ontology.ttl`` …) when its namespace lies below the base, and so is the
types' index, a folder's address: ``/type/`` is ``type/index.html``, ``type/index.ttl`` …
and ``type/index.var``.
"""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from ..errors import KgError
from ..namespaces import CANONICAL, Namespaces
from .app import App
from .graph import file_stem
from .negotiate import SUFFIXES


def _write(out: Path, rel: str, body: bytes) -> None:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def type_map(stem: str) -> bytes:
    """An Apache type map offering ``stem.html``/``.ttl``/``.jsonld``/``.nt`` (``stem``: a file name).

    The source qualities are all but equal and fall in ``SUFFIXES`` order, so Apache picks
    what ``kg serve`` picks: the highest q the client gives, ties going to the earlier type
    (Apache reads ``qs`` to three decimals, so two types whose q differ by less than 0.003
    near q=1 may go the other way; see deploy/README.md). The page says ``level=1``: Apache
    takes an HTML variant without a level for level 2 and refuses it to ``text/html;level=1``.
    """
    name = quote(stem)
    return "".join(f"URI: {name}.{suffix}\nContent-Type: {media}{'; level=1' if media == 'text/html' else ''}; "
                   f"qs={1 - i / 1000:.3f}\n\n"
                   for i, (suffix, media) in enumerate(SUFFIXES.items())).encode("ascii")


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
    # Apache: / is HTML or (index.ttl & co., which the rules redirect) the dataset's data.
    _write(out, "index.var", type_map("index")); n += 1
    _write(out, ".htaccess", resources.files("kg.serve").joinpath("deploy", "apache.htaccess").read_bytes()); n += 1
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
    # kg's ontology and the types' index, if below the base
    paths = [g.path_of(iri) for iri in g.subjects] + [g.ontology_path, g.types_path]
    for path in paths:
        if path is None:
            continue
        stem = file_stem(path)
        for suffix in SUFFIXES:
            _write(out, f"{stem.lstrip('/')}.{suffix}", get(f"{stem}.{suffix}")); n += 1
        _write(out, f"{stem.lstrip('/')}.var", type_map(stem.rsplit("/", 1)[-1])); n += 1
    return n
