"""The on-disk Oxigraph stores ``kg serve`` reads, built once from ``dist/`` and reused.

Loading ``kg.nq`` into memory at every start took minutes for a large archive (and each
SPARQL worker held a copy of its own), so the stores are built once into a cache folder
(``<project>/.kg-cache/serve/`` by default — beside ``dist/``, never inside it) and opened
read-only afterwards, by the server and by every query worker::

    <cache>/<key>/pages/      the pages' store: in the default graph the merge of kg.nq's graphs
                              (kg.nt) with void.ttl and ontology.ttl (what pages read: each triple
                              once), literals kept as written (kg.lexical); as the bulk loader wrote it
    <cache>/<key>/pages-compact/  the same store compacted (pages read it faster), made in the background
                              after the SPARQL store (:func:`compact_pages`); read instead of pages/,
                              which the next start removes
    <cache>/<key>/subjects    the subject IRIs below the base (or in the kgt: namespace), sorted
    <cache>/<key>/meta.json   written last: the kgt: types and the merge's size
    <cache>/<key>/sparql/     the SPARQL workers' store (``store/``: kg.nq's graphs and their merge
                              as the default graph, what kg.query.fill makes in memory) and its
                              ``meta.json`` (the graphs' sizes); built after the pages' store, in
                              the background, while pages are served (:meth:`Cached.start_sparql`)
    <cache>/<key>/lists/      the hubs' ordered lists (kg.serve.lists), each worked out on its first request
    <cache>/<key>/html-<code>/  the entity pages, each rendered on its first request (kg.serve.pagecache)

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
import threading
from pathlib import Path

import pyoxigraph as ox

from ..errors import KgError
from ..ontology_dump import DUMP as ONTOLOGY
from ..unitcache import ENV

LAYOUT = 2
COMPACT = "pages-compact"
FOLDER = Path(".kg-cache") / "serve"


def enabled() -> bool:
    """On unless ``KG_CACHE=0`` (as the build's caches): then the stores are loaded into memory at each start."""
    return os.environ.get(ENV) != "0"


def default_cache(dist: Path) -> Path:
    """``<dist>/../.kg-cache/serve``: the project's cache when dist/ is the project's."""
    return Path(dist).resolve().parent / FOLDER


def checksums(dist: Path) -> dict[str, str]:
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


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def key_of(dist: Path, base: str) -> str:
    """The cache key of ``dist``'s stores (see the module's docstring)."""
    listed = checksums(dist)
    parts = [f"layout {LAYOUT}", f"pyoxigraph {ox.__version__}", f"base {base}"]
    for name in ("kg.nq", "void.ttl", ONTOLOGY):
        path = dist / name
        if not path.is_file():
            parts.append(f"{name} -")
            continue
        stat = path.stat()  # a file edited after SHA256SUMS was written is not what it lists
        parts.append(f"{name} {listed.get(name) or sha256(path)} {stat.st_size} {stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


class Cached:
    """A complete cache folder: the pages' store, ``meta``, the sorted subject IRIs, and the
    SPARQL store, built on demand in the background (:meth:`start_sparql`)."""

    def __init__(self, folder: Path, meta: dict, dist: Path):
        self.folder, self.meta, self.dist = folder, meta, Path(dist)
        self.pages = folder / "pages"
        compact = folder / COMPACT
        if compact.is_dir():
            self.pages = compact
            shutil.rmtree(folder / "pages", ignore_errors=True)  # its readers opened its files already
        self.on_compacted = None  # called with the compacted pages' store (read-only) once it is made
        self._sparql = folder / "sparql"
        self._subjects: list[str] | None = None  # the subjects file's lines, when its writer hands them over
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self.error: str | None = None  # why the SPARQL store could not be built
        if _sparql_meta(self._sparql) is not None:
            self._done.set()

    def open_pages(self) -> ox.Store:
        """The pages' store, read-only (compacted if it is; if the compacted one appeared meanwhile,
        and took the place of the other, that one)."""
        try:
            return ox.Store.read_only(str(self.pages))
        except OSError:
            if not (self.folder / COMPACT).is_dir():
                raise
            self.pages = self.folder / COMPACT
            return ox.Store.read_only(str(self.pages))

    def subjects(self) -> list[str]:
        if self._subjects is not None:
            return self._subjects
        text = (self.folder / "subjects").read_text(encoding="utf-8")
        return text.split("\n")[:-1] if text else []

    def start_sparql(self, log=None) -> None:
        """Build the SPARQL store, then compact the pages' store, in a thread of low priority,
        unless both are done or under way."""
        with self._lock:
            if self._thread is not None or (self._done.is_set() and self.pages.name == COMPACT):
                return
            self._thread = threading.Thread(target=self._background, args=(log,), name="kg-serve-sparql-store",
                                            daemon=True)
            self._thread.start()

    def _background(self, log) -> None:
        lower_priority()
        if not self._done.is_set():
            self._build_sparql(log)
        self._compact(log)

    def _build_sparql(self, log) -> None:
        try:
            build_sparql(self.folder, self.dist, bool(self.meta.get("merged")), log)
        except KgError as e:
            self.error = str(e)
        except Exception as e:  # noqa: BLE001 - said on /sparql, the pages go on
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self._done.set()

    def _compact(self, log) -> None:
        """The pages' store compacted (:func:`compact_pages`), then read by :attr:`on_compacted`."""
        try:
            made = compact_pages(self.folder, self.pages, log)
            if made is not None and made != self.pages:
                self.pages = made
                if self.on_compacted is not None:
                    self.on_compacted(ox.Store.read_only(str(made)))
        except Exception as e:  # noqa: BLE001 - pages go on from the store as loaded
            _teller(log)(
                f"kg serve: the pages' store was not compacted ({type(e).__name__}: {e}); pages go on from it as loaded")

    def sparql_ready(self) -> bool:
        """Whether the SPARQL store is built (its build is started if it was not)."""
        self.start_sparql()
        return self._done.is_set() and self.error is None

    def wait_sparql(self, timeout: float | None = None) -> bool:
        self.start_sparql()
        return self._done.wait(timeout) and self.error is None

    def wait_background(self, timeout: float | None = None) -> bool:
        """Wait for the background work (the SPARQL store, then the pages' store compacted),
        starting it if need be; whether it ended within ``timeout``."""
        self.start_sparql()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    @property
    def sparql(self) -> Path:
        """The SPARQL store's folder, once built (this waits for the build, starting it if need be)."""
        if not self.wait_sparql():
            raise KgError(f"cannot build the SPARQL store: {self.error}", path=self._sparql)
        return self._sparql / "store"

    @property
    def graph_sizes(self) -> dict[str, int] | None:
        """kg.nq's graphs' sizes (see :meth:`kg.serve.graph.Graph.graph_sizes`), once the SPARQL store is built."""
        meta = _sparql_meta(self._sparql) if self._done.is_set() else None
        return dict(meta["graph_sizes"]) if meta else None


def _teller(log):
    """``log``, or else a line printed to stderr."""
    return log or (lambda line: print(line, file=sys.stderr, flush=True))


def lower_priority() -> None:
    """This thread (and the threads it starts, e.g. the bulk loader's) yields the processor to requests."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: the build goes on at normal priority
        pass


def _sparql_meta(folder: Path) -> dict | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(meta, dict) and isinstance(meta.get("graph_sizes"), dict) and (folder / "store").is_dir()
    return meta if ok else None


def build_sparql(folder: Path, dist: Path, merged: bool, log=None) -> None:
    """``folder/sparql``: the SPARQL store and its meta.json, built in a temporary folder renamed
    into place (if another server got there first, its store is kept and this one dropped)."""
    target = folder / "sparql"
    if _sparql_meta(target) is not None:
        return
    _remove_abandoned(folder)
    say = _teller(log)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".sparql.build-{os.getpid()}-", dir=folder))
    except OSError as e:
        raise KgError(f"cannot write the serve cache: {e.strerror or e}", path=folder) from None
    say(f"kg serve: building the SPARQL store of {dist / 'kg.nq'} in {target} (pages are served meanwhile)")
    try:
        store = ox.Store(str(work / "store"))
        store.bulk_load(path=str(dist / "kg.nq"), format=ox.RdfFormat.N_QUADS, lenient=True)
        sizes = graph_sizes(store)
        fill_merge(store, dist / "kg.nq", dist / "kg.nt" if merged else None)
        store.flush()
        store.optimize()
        del store
        (work / "meta.json").write_text(json.dumps({"graph_sizes": sizes}), encoding="utf-8")
        if _sparql_meta(target) is None:
            if target.exists():
                shutil.rmtree(target)  # damaged: no readable meta.json
            os.replace(work, target)
    except OSError as e:
        if _sparql_meta(target) is not None:  # another server's build came first
            return
        raise KgError(f"cannot build the SPARQL store: {e.strerror or e}", path=folder) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say("kg serve: the SPARQL store is built; /sparql answers")


def compact_pages(folder: Path, pages: Path, log=None) -> Path | None:
    """``folder/pages-compact``: a copy of the pages' store ``pages`` (hard links: its files are
    never written again) compacted, made in a temporary folder renamed into place; ``None``
    if ``pages`` is that already. Pages are served meanwhile from ``pages`` as loaded."""
    target = folder / COMPACT
    if pages == target:
        return None
    if target.is_dir():  # another server's, renamed in whole
        return target
    _remove_abandoned(folder)
    work = Path(tempfile.mkdtemp(prefix=f".pages.build-{os.getpid()}-", dir=folder))
    try:
        ox.Store.read_only(str(pages)).backup(str(work / "store"))
        store = ox.Store(str(work / "store"))
        store.optimize()
        store.flush()
        del store
        try:
            os.replace(work / "store", target)
        except OSError:
            if not target.is_dir():
                raise
        _teller(log)("kg serve: the pages' store is compacted")
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_abandoned(folder: Path) -> None:
    """Store builds (SPARQL, compacted pages) left by servers that ended before finishing them."""
    for entry in [*folder.glob(".sparql.build-*"), *folder.glob(".pages.build-*")]:
        pid = entry.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Triples per graph of ``store`` by name (``""``: its default graph, and graphs named by a blank node)."""
    default = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
    named = [(g, int(n.value)) for g, n in
             store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")]
    sizes: dict[str, int] = {"": default} if default else {}
    for g, n in named:
        name = g.value if isinstance(g, ox.NamedNode) else ""
        sizes[name] = sizes.get(name, 0) + n
    return dict(sorted(sizes.items()))


def _read(folder: Path, key: str, dist: Path) -> Cached | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("key") != key:
        return None
    cached = Cached(folder, meta, dist)
    if not (cached.pages.is_dir() and (folder / "subjects").is_file()):
        return None
    return cached


def prepare(dist: Path, base: str, cache: Path, build_pages, log=None) -> Cached:
    """The stores of ``dist`` in ``cache``: the cached pages' store if complete, else built now
    (the SPARQL store is built afterwards, on demand: :meth:`Cached.start_sparql`).

    ``build_pages(store)`` fills the pages' store and returns ``(meta, subjects)`` (see
    :class:`kg.serve.graph.Graph`); ``meta["merged"]`` says whether kg.nt is kg.nq's merge.
    ``log`` (a callable taking one line) hears what happens."""
    dist = Path(dist)
    key = key_of(dist, base)
    folder = Path(cache) / key
    found = _read(folder, key, dist)
    if found is not None:
        return found
    say = _teller(log)
    try:
        Path(cache).mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{key}.build-", dir=cache))
    except OSError as e:
        raise KgError(f"cannot write the serve cache: {e.strerror or e}", path=cache,
                      hint="give a writable folder with --cache") from None
    say(f"kg serve: building the pages' store of {dist / 'kg.nq'} in {folder} (once per build of dist/)")
    try:
        pages = ox.Store(str(work / "pages"))
        meta, subjects = build_pages(pages)
        pages.flush()
        del pages
        (work / "subjects").write_text("".join(s + "\n" for s in subjects), encoding="utf-8")
        (work / "meta.json").write_text(json.dumps({**meta, "key": key}), encoding="utf-8")
        if _read(folder, key, dist) is not None:  # another server built it meanwhile
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
    found = _read(folder, key, dist)
    if found is None:  # pragma: no cover - written just above
        raise KgError("the serve cache could not be read back", path=folder)
    found._subjects = subjects  # what the file holds (the same for the same key), not read back
    return found


def merged_dump(dist: Path) -> Path | None:
    """``kg.nt`` if it is the merge of kg.nq's graphs, else ``None``.

    ``kg build`` writes both from the same graphs (kg.nt is their merge, each triple once), so
    when both files are what SHA256SUMS lists for them (checked by hashing them), kg.nt is
    loaded as the merged default graph by the bulk loader rather than by re-reading kg.nq
    quad by quad in Python (minutes for a large archive)."""
    listed = checksums(dist)
    nq, nt = dist / "kg.nq", dist / "kg.nt"
    if not (nt.is_file() and listed.get("kg.nq") and listed.get("kg.nt")):
        return None
    return nt if sha256(nq) == listed["kg.nq"] and sha256(nt) == listed["kg.nt"] else None


def fill_merge(store: ox.Store, nquads: Path, merged: Path | None) -> None:
    """Into ``store``'s default graph, the merge of kg.nq's graphs (what :func:`kg.query.fill`
    makes in memory): ``merged`` (kg.nt) by the bulk loader, or else kg.nq's quads read in Python."""
    if merged is not None:
        store.bulk_load(path=str(merged), format=ox.RdfFormat.N_TRIPLES, lenient=True)
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
