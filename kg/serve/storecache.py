"""The on-disk Oxigraph stores ``kg serve`` reads, built once from ``dist/`` and reused.

Loading ``kg.nq`` into memory at every start took minutes for a large archive (and each
SPARQL worker held a copy of its own), so the stores are built once into a cache folder
(``<project>/.kg-cache/serve/`` by default — beside ``dist/``, never inside it) and opened
read-only afterwards, by the server and by every query worker::

    <cache>/<key>/pages/      the pages' store: in the default graph the merge of kg.nq's graphs
                              (kg.nt) with void.ttl and ontology.ttl (what pages read: each triple
                              once), literals kept as written (kg.lexical). On the first start after
                              a build, pages are served from memory (kg.serve.parts) while it is built
                              in the background, after the SPARQL store (:meth:`Cached.build_pages_later`)
    <cache>/<key>/meta.json   written once the pages' store is: the kgt: types, whether kg.nt is kg.nq's
                              merge, and the subjects of void.ttl and ontology.ttl
    <cache>/<key>/subjects    the number of triples of that merge, then the subject IRIs below the
                              base, sorted (:func:`write_subjects`); when the pages' store is filled
                              from kg.nt, made in the background, pages finding the subjects in kg.nt
                              meanwhile (:mod:`kg.serve.subjects`)
    <cache>/<key>/sparql/     the SPARQL workers' store (``store/``: kg.nq's graphs and their merge
                              as the default graph, what kg.query.fill makes in memory) and its
                              ``meta.json`` (the graphs' sizes); built in the background, while
                              pages are served (:meth:`Cached.start_sparql`)
    <cache>/<key>/lists/      the hubs' ordered lists (kg.serve.lists), each worked out on its first request
    <cache>/<key>/html-<code>/  the entity pages, each rendered on its first request (kg.serve.pagecache)

``key`` is a digest of kg.nq's, kg.nt's, void.ttl's and ontology.ttl's checksums (from ``SHA256SUMS``,
else computed), sizes and modification times, the base, the pyoxigraph version and this
layout's version: a new build of ``dist/`` (or an edited kg.nq) gets a new
folder and the outdated ones are removed. A folder without a readable ``meta.json`` of its
key (an interrupted build, a damaged copy) has its pages' store built again; each store is
built in a temporary folder renamed into place when complete, so a reader never sees half a store.
``KG_CACHE=0`` (as for the build's caches) loads the stores into memory at each start instead.
"""
from __future__ import annotations

import contextlib
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

LAYOUT = 3
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
    for name in ("kg.nq", "kg.nt", "void.ttl", ONTOLOGY):
        path = dist / name
        if not path.is_file():
            parts.append(f"{name} -")
            continue
        stat = path.stat()  # a file edited after SHA256SUMS was written is not what it lists
        digest = listed.get(name) or ("unlisted" if name == "kg.nt" else sha256(path))  # unlisted: not read
        parts.append(f"{name} {digest} {stat.st_size} {stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


class Cached:
    """A cache folder: the pages' store once built (:attr:`complete`; else it is built in the
    background, :meth:`build_pages_later`, or now, :meth:`build_pages_now`), ``meta``, the
    sorted subject IRIs (:meth:`subjects`), and the SPARQL store, built on demand in the
    background (:meth:`start_sparql`). The background's work is done in one thread of low
    priority, in this order: the subjects listed, the SPARQL store if asked for, the pages' store."""

    def __init__(self, folder: Path, meta: dict | None, dist: Path, key: str):
        self.folder, self.meta, self.dist, self.key = folder, meta, Path(dist), key
        self.pages = folder / "pages"
        self.on_pages = None  # called with the pages' store (read-only) once built in the background
        self.on_subjects = None  # called with (subjects, triples) once the subjects file is made
        self._sparql = folder / "sparql"
        self._subjects: tuple[list[str], int] | None = None  # the subjects file's content, once read or made
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._scan: threading.Thread | None = None
        self._want_sparql = False
        self._later = None  # the pages' store's build, to be done in the background
        self._done = threading.Event()
        self._scanned = threading.Event()
        self.error: str | None = None  # why the SPARQL store could not be built
        if _sparql_meta(self._sparql) is not None:
            self._done.set()

    @property
    def merged(self) -> bool:
        """Whether kg.nt is kg.nq's merge: as the pages' store's meta says, or (before it is
        built) whether it is to be built from kg.nt in the background."""
        return bool(self.meta.get("merged")) if self.meta is not None else self._later is not None

    @property
    def complete(self) -> bool:
        """Whether the pages' store is built (its ``meta.json`` written)."""
        return self.meta is not None

    def open_pages(self) -> ox.Store:
        """The pages' store, read-only."""
        return ox.Store.read_only(str(self.pages))

    # ------------------------------------------------------------------ the pages' store
    def build_pages_now(self, build, log=None) -> None:
        """Build the pages' store by ``build(store)`` (see :func:`prepare`) and read it back."""
        _teller(log)(f"kg serve: building the pages' store of {self.dist} in {self.folder} (once per build of dist/)")
        self._build_pages(build)

    def build_pages_later(self, build, log=None) -> None:
        """Build the pages' store by ``build(store)`` in the background (after the SPARQL store if
        that is asked for); :attr:`on_pages` then hears of it."""
        with self._lock:
            self._later = build
        _teller(log)(f"kg serve: building the pages' store of {self.dist / 'kg.nt'} in {self.folder} in the background "
                     "(once per build of dist/; pages are served from memory meanwhile)")
        self._start(log)

    def _build_pages(self, build) -> None:
        _remove_abandoned(self.folder)
        try:
            work = Path(tempfile.mkdtemp(prefix=f".pages.build-{os.getpid()}-", dir=self.folder))
        except OSError as e:
            raise KgError(f"cannot write the serve cache: {e.strerror or e}", path=self.folder,
                          hint="give a writable folder with --cache") from None
        try:
            store = ox.Store(str(work / "store"))
            meta, subjects = build(store)
            store.optimize()
            store.flush()
            del store
            if subjects is not None and read_subjects(self.folder) is None:
                write_subjects(self.folder, *subjects)
            try:
                os.replace(work / "store", self.pages)
            except OSError:
                if not self.pages.is_dir():
                    raise
                # another server's, renamed in whole: the same triples (the same key)
            meta = {**meta, "key": self.key}
            _write_whole(self.folder / "meta.json", json.dumps(meta).encode("utf-8"))
            self.meta = meta
        except OSError as e:
            raise KgError(f"cannot build the serve cache: {e.strerror or e}", path=self.folder) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # ------------------------------------------------------------------ the subjects
    def subjects(self) -> tuple[list[str], int] | None:
        """The subject IRIs below the base, sorted, and the merge's number of triples, if the
        subjects file is made (:func:`read_subjects`), else ``None``."""
        if self._subjects is None:
            self._subjects = read_subjects(self.folder)
            if self._subjects is not None:
                self._scanned.set()
        return self._subjects

    def start_subjects(self, make, log=None) -> None:
        """Make the subjects file by ``make(folder)`` in a thread, unless it is made or under way;
        then :attr:`on_subjects` hears its content. The background's other work waits for it."""
        with self._lock:
            if self._scan is not None or self.subjects() is not None:
                return
            self._scan = threading.Thread(target=self._make_subjects, args=(make, log), name="kg-serve-subjects",
                                          daemon=True)
            self._scan.start()

    def _make_subjects(self, make, log) -> None:
        try:
            make(self.folder)
            found = self.subjects()
            if found is not None and self.on_subjects is not None:
                self.on_subjects(*found)
        except Exception as e:  # noqa: BLE001 - pages go on finding the subjects in kg.nt
            _teller(log)(f"kg serve: the subject IRIs were not listed ({type(e).__name__}: {e}); "
                         "pages go on finding them in kg.nt")
        finally:
            self._scanned.set()

    def wait_subjects(self, timeout: float | None = None) -> tuple[list[str], int] | None:
        """The subjects file's content (:meth:`subjects`), waiting for it if it is being made."""
        if self._scan is not None:
            self._scanned.wait(timeout)
        return self.subjects()

    # ------------------------------------------------------------------ the background
    def start_sparql(self, log=None) -> None:
        """Build the SPARQL store in the background, unless it is built or under way."""
        with self._lock:
            self._want_sparql = True
        self._start(log)

    def _start(self, log) -> None:
        with self._lock:
            if self._thread is None and self._next() is not None:
                self._thread = threading.Thread(target=self._background, args=(log,), name="kg-serve-background",
                                                daemon=True)
                self._thread.start()

    def _next(self) -> str | None:
        """The background's next work (under the lock)."""
        if self._want_sparql and not self._done.is_set():
            return "sparql"
        if self._later is not None and not self.complete:
            return "pages"
        return None

    def _background(self, log) -> None:
        lower_priority()
        if self._scan is not None:
            self._scanned.wait()  # a few seconds, then the CPU is the pages' and this work's
        while True:
            with self._lock:
                work = self._next()
                if work is None:
                    self._thread = None
                    return
            if work == "sparql":
                self._build_sparql(log)
            else:
                self._pages_later(log)

    def _build_sparql(self, log) -> None:
        try:
            build_sparql(self.folder, self.dist, self.merged, log)
        except KgError as e:
            self.error = str(e)
        except Exception as e:  # noqa: BLE001 - said on /sparql, the pages go on
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self._done.set()

    def _pages_later(self, log) -> None:
        """The pages' store built, then read by :attr:`on_pages`."""
        say = _teller(log)
        try:
            self._build_pages(self._later)
            say("kg serve: the pages' store is built; the next starts read it")
            if self.on_pages is not None:
                self.on_pages(self.open_pages())
        except Exception as e:  # noqa: BLE001 - pages go on from memory
            say(f"kg serve: the pages' store was not built ({type(e).__name__}: {e}); pages go on from memory")
        finally:
            with self._lock:
                self._later = None

    def sparql_ready(self) -> bool:
        """Whether the SPARQL store is built (its build is started if it was not)."""
        self.start_sparql()
        return self._done.is_set() and self.error is None

    def wait_sparql(self, timeout: float | None = None) -> bool:
        self.start_sparql()
        return self._done.wait(timeout) and self.error is None

    def wait_background(self, timeout: float | None = None) -> bool:
        """Wait for the background work (the SPARQL store, then the pages' store if it is to be
        built), starting it if need be; whether it ended within ``timeout``."""
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


def _remove_abandoned(folder: Path) -> None:
    """Store builds (SPARQL, pages) and files being written (subjects, meta.json) left by
    servers that ended before finishing them."""
    for entry in [*folder.glob(".sparql.build-*"), *folder.glob(".pages.build-*"), *folder.glob(".subjects-*"),
                  *folder.glob(".meta.json-*")]:
        pid = entry.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()


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


def write_subjects(folder: Path, iris: list[str], triples: int) -> None:
    """``folder/subjects``: ``triples``, then the sorted ``iris``, one a line; written whole (a
    temporary file renamed into place), so a reader finds it complete or not at all."""
    _write_whole(folder / "subjects", "".join([f"{triples}\n", *(iri + "\n" for iri in iris)]).encode("utf-8"))


def read_subjects(folder: Path) -> tuple[list[str], int] | None:
    """What :func:`write_subjects` wrote (the IRIs, the number), or ``None`` if it is not there or not that."""
    try:
        text = (folder / "subjects").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    count, _, rest = text.partition("\n")
    if not count.isdigit() or (rest and not rest.endswith("\n")):
        return None
    return (rest.split("\n")[:-1] if rest else []), int(count)


def _write_whole(path: Path, data: bytes) -> None:
    """``data`` into ``path`` through a temporary file renamed into place (``.<name>-<pid>-…``,
    removed if the writing fails, or by :func:`_remove_abandoned` if the server dies)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-{os.getpid()}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read(folder: Path, key: str, dist: Path) -> Cached:
    """The cache folder of ``key``, complete (its ``meta.json`` of this key, its pages' store) or not."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = None
    if not (isinstance(meta, dict) and meta.get("key") == key and (folder / "pages").is_dir()):
        meta = None
    cached = Cached(folder, meta, dist, key)
    if meta is not None and not meta.get("merged") and cached.subjects() is None:  # listed with the store
        cached.meta = None
    return cached


def prepare(dist: Path, base: str, cache: Path) -> Cached:
    """The cache folder of ``dist`` in ``cache`` (made if need be; other builds' folders removed).

    If it is not :attr:`~Cached.complete`, the caller builds the pages' store, now or in the
    background, by a ``build(store)`` that fills it and returns ``(meta, subjects)`` (see
    :class:`kg.serve.graph.Graph`): ``meta["merged"]`` says whether kg.nt is kg.nq's merge (then
    ``subjects`` is ``None``: they are listed from kg.nt, :meth:`Cached.start_subjects`), else
    ``subjects`` is the sorted subject IRIs and the number of triples."""
    dist = Path(dist)
    key = key_of(dist, base)
    folder = Path(cache) / key
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise KgError(f"cannot write the serve cache: {e.strerror or e}", path=cache,
                      hint="give a writable folder with --cache") from None
    cached = _read(folder, key, dist)
    if not cached.complete:
        _remove_outdated(Path(cache), key)
    return cached


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
