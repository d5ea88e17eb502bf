"""The on-disk Oxigraph stores ``kg serve`` reads, built once from ``dist/`` and reused.

Loading ``kg.nq`` into memory at every start took minutes for a large archive (and each
SPARQL worker held a copy of its own), so the stores are built once into a cache folder
(``<project>/.kg-cache/serve/`` by default — beside ``dist/``, never inside it) and opened
read-only afterwards, by the server and by every query worker::

    <cache>/<key>/pages/      the pages' store: kg.nq's graphs, and in the default graph their
                              merge with void.ttl and ontology.ttl (what pages read: each
                              triple once), literals kept as written (kg.lexical)
    <cache>/<key>/sparql/     the SPARQL workers' store: kg.nq's graphs and their merge as the
                              default graph (what kg.query.fill makes in memory)
    <cache>/<key>/subjects    the subject IRIs below the base (or in the kgt: namespace), sorted
    <cache>/<key>/meta.json   written last: the graphs' sizes and the kgt: types
    <cache>/<key>/lists/      the hubs' ordered lists (kg.serve.lists), worked out on the first start
    <cache>/<key>/html-<code>/  the entity pages, rendered once (kg.serve.pagecache)

``key`` is a digest of kg.nq's, void.ttl's and ontology.ttl's checksums (from ``SHA256SUMS``,
else computed), sizes and modification times, the base, the pyoxigraph version and this
layout's version: a new build of ``dist/`` (or an edited kg.nq) gets a new
folder and the outdated ones are removed. A folder without a readable ``meta.json`` of its
key (an interrupted build, a damaged copy) is built again. A build happens in a temporary
folder renamed into place when complete, so a reader never sees half a store.
``KG_CACHE=0`` (as for the build's caches) loads the stores into memory at each start instead.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox

from ..errors import KgError
from ..ontology_dump import DUMP as ONTOLOGY
from ..unitcache import ENV

LAYOUT = 1
FOLDER = Path(".kg-cache") / "serve"


def enabled() -> bool:
    """On unless ``KG_CACHE=0`` (as the build's caches): then the stores are loaded into memory at each start."""
    return os.environ.get(ENV) != "0"


def default_cache(dist: Path) -> Path:
    """``<dist>/../.kg-cache/serve``: the project's cache when dist/ is the project's."""
    return Path(dist).resolve().parent / FOLDER


def _checksums(dist: Path) -> dict[str, str]:
    """File name → SHA-256 as ``SHA256SUMS`` lists them (empty if it is missing or unreadable)."""
    sums: dict[str, str] = {}
    try:
        text = (dist / "SHA256SUMS").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return sums
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) == 64 and name:
            sums[name.lstrip("*")] = digest
    return sums


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def key_of(dist: Path, base: str) -> str:
    """The cache key of ``dist``'s stores (see the module's docstring)."""
    listed = _checksums(dist)
    parts = [f"layout {LAYOUT}", f"pyoxigraph {ox.__version__}", f"base {base}"]
    for name in ("kg.nq", "void.ttl", ONTOLOGY):
        path = dist / name
        if not path.is_file():
            parts.append(f"{name} -")
            continue
        stat = path.stat()  # a file edited after SHA256SUMS was written is not what it lists
        parts.append(f"{name} {listed.get(name) or _sha256(path)} {stat.st_size} {stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


class Cached:
    """A complete cache folder: its stores' paths, ``meta`` and the sorted subject IRIs."""

    def __init__(self, folder: Path, meta: dict):
        self.folder, self.meta = folder, meta
        self.pages, self.sparql = folder / "pages", folder / "sparql"

    def subjects(self) -> list[str]:
        text = (self.folder / "subjects").read_text(encoding="utf-8")
        return text.split("\n")[:-1] if text else []


def _read(folder: Path, key: str) -> Cached | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("key") != key:
        return None
    cached = Cached(folder, meta)
    if not (cached.pages.is_dir() and cached.sparql.is_dir() and (folder / "subjects").is_file()):
        return None
    return cached


def prepare(dist: Path, base: str, cache: Path, build_pages, log=None) -> Cached:
    """The stores of ``dist`` in ``cache``: the cached ones if complete, else built now.

    ``build_pages(store, merged)`` fills the pages' store and returns ``(meta, subjects)`` (see
    :class:`kg.serve.graph.Graph`). ``log`` (a callable taking one line) hears what happens."""
    dist = Path(dist)
    key = key_of(dist, base)
    folder = Path(cache) / key
    found = _read(folder, key)
    if found is not None:
        return found
    say = log or (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        Path(cache).mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{key}.build-", dir=cache))
    except OSError as e:
        raise KgError(f"cannot write the serve cache: {e.strerror or e}", path=cache,
                      hint="give a writable folder with --cache") from None
    say(f"kg serve: building the stores of {dist / 'kg.nq'} in {folder} (once per build of dist/)")
    try:
        merged = merged_dump(dist)
        pages = ox.Store(str(work / "pages"))
        meta, subjects = build_pages(pages, merged)
        pages.flush()
        pages.optimize()
        del pages
        sparql = ox.Store(str(work / "sparql"))
        fill_sparql(sparql, dist / "kg.nq", merged)
        sparql.flush()
        sparql.optimize()
        del sparql
        (work / "subjects").write_text("".join(s + "\n" for s in subjects), encoding="utf-8")
        (work / "meta.json").write_text(json.dumps({**meta, "key": key}), encoding="utf-8")
        if _read(folder, key) is not None:  # another server built it meanwhile
            shutil.rmtree(work, ignore_errors=True)
        else:
            if folder.exists():
                shutil.rmtree(folder)  # damaged: it had no meta.json of this key
            os.replace(work, folder)
    except OSError as e:
        shutil.rmtree(work, ignore_errors=True)
        raise KgError(f"cannot build the serve cache: {e.strerror or e}", path=cache) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _remove_outdated(Path(cache), key)
    found = _read(folder, key)
    if found is None:  # pragma: no cover - written just above
        raise KgError("the serve cache could not be read back", path=folder)
    return found


def merged_dump(dist: Path) -> Path | None:
    """``kg.nt`` if it is the merge of kg.nq's graphs, else ``None``.

    ``kg build`` writes both from the same graphs (kg.nt is their merge, each triple once), so
    when both files are what SHA256SUMS lists for them (checked by hashing them), kg.nt is
    loaded as the merged default graph by the bulk loader rather than by re-reading kg.nq
    quad by quad in Python (minutes for a large archive)."""
    listed = _checksums(dist)
    nq, nt = dist / "kg.nq", dist / "kg.nt"
    if not (nt.is_file() and listed.get("kg.nq") and listed.get("kg.nt")):
        return None
    return nt if _sha256(nq) == listed["kg.nq"] and _sha256(nt) == listed["kg.nt"] else None


def fill_sparql(store: ox.Store, nquads: Path, merged: Path | None) -> None:
    """kg.nq's graphs, and their merge as the default graph (what :func:`kg.query.fill` makes in
    memory, by the bulk loader: an update of millions of triples would be held in memory)."""
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    if merged is not None:
        store.bulk_load(path=str(merged), format=ox.RdfFormat.N_TRIPLES)
        return
    with Path(nquads).open("rb") as f:
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                          for q in ox.parse(f, ox.RdfFormat.N_QUADS) if not isinstance(q.graph_name, ox.DefaultGraph))


def _remove_outdated(cache: Path, key: str) -> None:
    """Other keys' folders (earlier builds of dist/) and builds whose process has ended."""
    for entry in cache.iterdir():
        if entry.name == key or not entry.is_dir():
            continue
        if ".build-" in entry.name:
            continue  # maybe another server building now; a stale one is left for `rm`
        shutil.rmtree(entry, ignore_errors=True)
