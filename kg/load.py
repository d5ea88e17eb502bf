"""Load the published dumps into a SPARQL triplestore over the Graph Store HTTP Protocol.

Protocol: SPARQL 1.1 Graph Store HTTP Protocol, indirect graph identification
(``<gsp-url>?graph=<iri>``). Each named graph of ``dist/kg.nq`` — one per document and
the shared registry graph — is sent as N-Triples: the first chunk with ``PUT`` (replace the
graph), further chunks of a large graph with ``POST`` (add to it). A reload therefore
replaces exactly the graphs it sends and is idempotent; a changed document replaces only
its own graph. Retrying a chunk is safe: RDF graphs are sets and kg's dumps hold no blank
nodes, so sending the same triples twice stores them once. Every request goes through
:mod:`kg.http`: a total deadline per request (``--timeout``, default 300 s for connecting,
sending a chunk and reading the whole answer), a cap on the answer's size, no redirect to
another host, and retries of transient failures (connection errors, timeouts, HTTP
408/429/5xx) with exponential backoff, honouring ``Retry-After``. Afterwards a
SPARQL 1.1 Protocol query ``SELECT (COUNT(*) …) { GRAPH <g> {…} }`` per graph checks that
the store holds exactly what was sent. ``--prune`` drops only graphs whose names start with
the graph prefix, and only when that prefix is a full IRI (scheme and host) ending in ``/``
or ``#``; it never drops the vocabulary's graph.

kg's vocabulary, ``dist/ontology.ttl`` (:mod:`kg.ontology_dump`, the ``kgo:`` terms with their
labels and comments), goes in one more named graph whose name is the ontology's own IRI —
the ``kgo:`` namespace of kg.toml's ``vocabulary``, which VoID names as ``void:vocabulary`` —
so a SPARQL client of the store can read what kg's properties mean. It is sent and checked
like the other graphs; a dist/ without ``ontology.ttl`` (built by an older kg) loads without it.

Per-store details live in :data:`STORES`: Oxigraph serves the protocol at ``/store`` and
queries at ``/query``; Virtuoso at ``/sparql-graph-crud-auth`` (digest auth, user ``dba``)
and ``/sparql``. Any other Graph Store Protocol server is ``generic``: give its GSP and
query URLs. The embedded default (no server) is :mod:`kg.store`.
"""
from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests

from . import __version__
from . import http
from .errors import KgError
from .namespaces import CANONICAL
from .ontology_dump import DUMP as VOCABULARY_DUMP

USER_AGENT = f"kg/{__version__} (Graph Store Protocol loader)"
N_TRIPLES = "application/n-triples"
MAX_ANSWER = 64 * 1024 * 1024      # bytes: the largest answer kg reads from a store
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,30}")


class StoreError(KgError):
    """The triplestore could not be reached, refused the load, or does not hold what was sent."""

    exit_code = 4


class StoreUnreachable(StoreError):
    """No answer from the store (connection refused or reset, timeout) after all retries."""


class StoreAuthError(StoreError):
    """The store refused the credentials (HTTP 401 / 403)."""


class StoreRejected(StoreError):
    """The store answered with an error that retrying will not fix."""


class VerifyError(StoreError):
    """After the load, a graph's triple count in the store differs from what was sent."""


@dataclass(frozen=True)
class StoreKind:
    """Where a kind of server speaks each protocol, relative to its root URL."""

    gsp_path: str
    query_path: str
    auth: str = "basic"
    user: str | None = None


STORES = {
    "oxigraph": StoreKind("/store", "/query"),
    "virtuoso": StoreKind("/sparql-graph-crud-auth", "/sparql", auth="digest", user="dba"),
}
STORE_TYPES = ("auto", *STORES, "generic")
_SERVER_HEADER = {"oxigraph": "oxigraph/", "virtuoso": "virtuoso/"}
_KNOWN_SUFFIXES = ("/sparql-graph-crud-auth", "/sparql-graph-crud", "/sparql-auth", "/sparql",
                   "/store", "/query", "/update")


@dataclass(frozen=True)
class Target:
    """A resolved store: its kind, the URLs of both protocols, and the credentials."""

    kind: str
    gsp_url: str
    query_url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"

    @property
    def label(self) -> str:
        return f"{self.kind} at {self.gsp_url}"

    def http_auth(self):
        if not self.user:
            return None
        cls = requests.auth.HTTPDigestAuth if self.auth == "digest" else requests.auth.HTTPBasicAuth
        return cls(self.user, self.password or "")


def check_iri(iri: str, what: str = "graph name") -> str:
    """``iri`` if it is an absolute IRI (so ``<iri>`` is safe inside SPARQL), else an error."""
    try:
        ox.NamedNode(iri)
    except ValueError as e:
        raise KgError(f"{what} {http.shown(iri)} is not an absolute IRI: {http.shown(str(e))}",
                      field=what) from None
    scheme, colon, _ = iri.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme) or http.clean_text(iri) != iri:
        raise KgError(f"{what} {http.shown(iri)} is not an absolute IRI", field=what,
                      hint="expected a scheme, a colon and no control characters, e.g. https://example.org/graph/")
    return iri


def prune_prefix(prefix: str) -> str:
    """``prefix`` if graphs may be dropped under it: a full IRI with a scheme and a host
    (``https://host/…``) ending in ``/`` or ``#``; anything shorter (``http:``) would match
    graphs that are not kg's."""
    check_iri(prefix, "graph prefix")
    parts = urlsplit(prefix)
    if not (parts.netloc and prefix.startswith(f"{parts.scheme}://") and prefix.endswith(("/", "#"))):
        raise KgError(f"--prune needs a graph prefix that is a full IRI ending in '/' or '#', not "
                      f"{http.shown(prefix)}", field="graph-prefix",
                      hint="e.g. --graph-prefix https://kg.example.org/graph/ ; prune drops every graph "
                           "of the store whose name starts with the prefix")
    return prefix


def new_session() -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    return s


# ---------------------------------------------------------------- which store is it?

def _root(endpoint: str) -> str:
    url = endpoint.rstrip("/")
    for suffix in _KNOWN_SUFFIXES:
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def guess_kind(endpoint: str) -> str | None:
    """The store kind a URL's path gives away (``…/store``, ``…/sparql-graph-crud…``), if any."""
    path = urlsplit(endpoint).path.rstrip("/")
    if path.endswith("/store"):
        return "oxigraph"
    if path.endswith(("/sparql-graph-crud-auth", "/sparql-graph-crud")):
        return "virtuoso"
    return None


def detect_kind(session: requests.Session, endpoint: str, timeout: float = 10) -> str | None:
    """Ask the server: Oxigraph and Virtuoso name themselves in the ``Server`` header."""
    try:
        r = http.request(session, "GET", _root(endpoint) + "/", http.Limits(timeout=timeout, retries=0),
                         read_body=False)
    except http.HttpFailure as e:
        raise StoreUnreachable(f"cannot reach {endpoint} to detect the store type: {e.reason}",
                               hint="is the server running? or pass --store-type") from None
    server = r.headers.get("Server", "").lower()
    return next((k for k, h in _SERVER_HEADER.items() if server.startswith(h)), None)


def resolve_target(endpoint: str, store_type: str = "auto", *, query_url: str | None = None,
                   user: str | None = None, password: str | None = None, auth: str | None = None,
                   session: requests.Session | None = None, online: bool = True) -> Target:
    """Turn ``--endpoint`` and ``--store-type`` into the URLs to send to and query.

    For ``oxigraph`` and ``virtuoso`` the endpoint is the server's root URL (a known path
    such as ``/store`` or ``/sparql`` is stripped); for ``generic`` it is the Graph Store
    Protocol URL itself and ``query_url`` is required. ``auto`` guesses from the URL, then
    (if ``online``) asks the server; a password is required only ``online``.
    """
    if urlsplit(endpoint).scheme not in ("http", "https"):
        raise KgError(f"endpoint {endpoint!r} is not an http(s) URL", field="endpoint")
    kind = store_type
    if kind == "auto":
        kind = guess_kind(endpoint) or (detect_kind(session or new_session(), endpoint) if online else None)
        if kind is None and query_url:
            kind = "generic"
        if kind is None:
            raise KgError(f"cannot tell which triplestore is at {endpoint}", field="endpoint",
                          hint="pass --store-type oxigraph|virtuoso, or --store-type generic "
                               "with the Graph Store Protocol URL as --endpoint and --query-url")
    if kind == "generic":
        if not query_url:
            raise KgError("a generic Graph Store Protocol endpoint needs --query-url (its SPARQL "
                          "query endpoint) to check what was loaded", field="query-url")
        return Target("generic", endpoint, query_url, user, password, auth or "basic")
    if kind not in STORES:
        raise KgError(f"unknown store type {kind!r}", field="store-type", hint=f"one of {', '.join(STORE_TYPES)}")
    spec, root = STORES[kind], _root(endpoint)
    user = user or spec.user
    if kind == "virtuoso" and online and not password:
        raise KgError("Virtuoso's /sparql-graph-crud-auth needs a password", field="password",
                      hint="set KG_STORE_PASSWORD (user dba by default) or pass --password")
    return Target(kind, root + spec.gsp_path, query_url or root + spec.query_path, user, password,
                  auth or spec.auth)


# ---------------------------------------------------------------- the dump, graph by graph

@dataclass(frozen=True)
class Spooled:
    """One named graph of the dump, written to its own N-Triples file."""

    graph: str
    path: Path
    triples: int


def graph_namer(base: str, prefix: str | None) -> Callable[[str], str]:
    """Graph names of the dump (``<base>graph/…``) re-rooted under ``prefix`` if one is given."""
    ours = base + "graph/"
    if not prefix or prefix == ours:
        return lambda g: g
    check_iri(prefix + "x", "graph prefix")
    return lambda g: prefix + g[len(ours):] if g.startswith(ours) else g


def spool(nq: Path, folder: Path, rename: Callable[[str], str] = lambda g: g,
          flush_every: int = 20_000) -> list[Spooled]:
    """Split an N-Quads file into one N-Triples file per named graph, in bounded memory.

    kg writes the dump graph by graph, but any N-Quads file is read (graphs may interleave):
    lines are buffered per graph and appended to its file. Duplicate triples in a graph are
    written once.
    """
    nq = Path(nq)
    if not nq.exists():
        raise KgError("no published dump to load", path=nq, hint="run `kg build` first")
    buffers: dict[str, list[str]] = {}
    seen: dict[str, set[int]] = {}
    files: dict[str, Path] = {}

    def flush(g: str) -> None:
        with files[g].open("a", encoding="utf-8") as f:
            f.writelines(buffers[g])
        buffers[g] = []

    try:
        for quad in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise KgError("a triple is in the default graph; kg loads named graphs only",
                              path=nq, hint="the dump should come from `kg build`")
            g = rename(quad.graph_name.value)
            if g not in files:
                files[g] = folder / f"{len(files):06d}.nt"
                files[g].touch()
                buffers[g], seen[g] = [], set()
            line = f"{quad.triple} .\n"
            h = hash(line)
            if h in seen[g]:
                continue
            seen[g].add(h)
            buffers[g].append(line)
            if len(buffers[g]) >= flush_every:
                flush(g)
    except SyntaxError as e:
        raise KgError(f"not valid N-Quads: {e}", path=nq) from None
    for g in files:
        flush(g)
    return [Spooled(check_iri(g), files[g], len(seen[g])) for g in sorted(files)]


_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")


def spool_vocabulary(dist: Path, folder: Path, ontology: str) -> Spooled | None:
    """``dist/ontology.ttl`` as one N-Triples file for the graph named ``ontology`` (the
    ontology's IRI), or None when the dist/ has no such file.

    The file must declare ``<ontology> a owl:Ontology``: otherwise it was built for another
    vocabulary than kg.toml names now, and its graph would get the wrong name.
    """
    path = Path(dist) / VOCABULARY_DUMP
    if not path.exists():
        return None
    name = ox.NamedNode(check_iri(ontology, "ontology IRI"))
    lines: set[str] = set()
    declared = False
    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            lines.add(f"{t} .\n")
            declared = declared or (t.subject == name and t.predicate == _RDF_TYPE and t.object == _OWL_ONTOLOGY)
    except SyntaxError as e:
        raise KgError(f"not valid Turtle: {http.shown(str(e))}", path=path) from None
    if not declared:
        raise KgError(f"the vocabulary dump does not declare <{ontology}> an owl:Ontology", path=path,
                      hint="kg.toml's vocabulary gives that IRI: run `kg build` to publish the vocabulary again")
    out = folder / "vocabulary.nt"
    out.write_text("".join(sorted(lines)), encoding="utf-8")
    return Spooled(ontology, out, len(lines))


def to_prune(stored, prefix: str, keep) -> tuple[str, ...]:
    """The graph names of ``stored`` that ``--prune`` drops: under ``prefix`` and not in ``keep``."""
    keep = set(keep)
    return tuple(sorted(g for g in stored if g.startswith(prefix) and g not in keep))


def chunks(path: Path, size: int):
    """The N-Triples file ``path`` in bodies of at most ``size`` triples (one per line)."""
    buf: list[bytes] = []
    with path.open("rb") as f:
        for line in f:
            buf.append(line)
            if len(buf) >= size:
                yield b"".join(buf)
                buf = []
    if buf:
        yield b"".join(buf)


# ---------------------------------------------------------------- the protocol client

class GspClient:
    """Graph Store Protocol writes and SPARQL Protocol reads for one :class:`Target`.

    ``timeout`` is the total time of one request (connecting, sending, reading the whole
    answer); ``max_wait`` the longest ``Retry-After`` honoured; ``max_bytes`` the largest
    answer read.
    """

    def __init__(self, target: Target, session: requests.Session | None = None, *, retries: int = 4,
                 backoff: float = 0.5, timeout: float = 300, sleep: Callable[[float], None] = time.sleep,
                 max_wait: float = 120, max_bytes: int = MAX_ANSWER):
        if retries < 0 or not timeout > 0:
            raise KgError("--retries must be at least 0 and --timeout more than 0 seconds", field="timeout")
        self.target, self.session = target, session or new_session()
        self.retries, self.backoff, self.timeout, self.sleep = retries, backoff, timeout, sleep
        self.auth = target.http_auth()
        self.http = http.Http(self.session, http.Limits(timeout=timeout, max_bytes=max_bytes, retries=retries,
                                                        backoff=backoff, max_wait=max_wait), sleep=sleep)

    def _send(self, method: str, url: str, what: str, **kw) -> http.Answer:
        try:
            r = self.http.request(method, url, auth=self.auth, **kw)
        except http.GaveUp as e:
            raise StoreUnreachable(f"no answer from the store for {what} after {e.attempts} attempts "
                                   f"({e.reason})", path=url,
                                   hint="is the server running? rerun `kg load` when it is: each graph is "
                                        "replaced whole, so a rerun repairs a half-loaded graph") from None
        except http.Refused as e:
            raise StoreRejected(f"{what}: {e.reason}", path=url) from None
        if r.status in (401, 403):
            who = f"user {self.target.user!r}" if self.target.user else "no credentials"
            raise StoreAuthError(f"the store refused {what} (HTTP {r.status}, {who})", path=url,
                                 hint="check --user/--password or KG_STORE_USER/KG_STORE_PASSWORD"
                                      + ("; Virtuoso needs a user with the SPARQL_UPDATE role"
                                         if self.target.kind == "virtuoso" else ""))
        if r.status >= 400:
            body = " ".join(http.clean_text(r.text[:2000]).split())[:300]
            raise StoreRejected(f"the store rejected {what}: HTTP {r.status} {body}", path=url)
        return r

    def put(self, graph: str, body: bytes) -> None:
        self._send("PUT", self.target.gsp_url, f"PUT of <{graph}>", params={"graph": graph}, data=body,
                   headers={"Content-Type": N_TRIPLES})

    def post(self, graph: str, body: bytes) -> None:
        self._send("POST", self.target.gsp_url, f"POST to <{graph}>", params={"graph": graph}, data=body,
                   headers={"Content-Type": N_TRIPLES})

    def delete(self, graph: str) -> None:
        try:
            self._send("DELETE", self.target.gsp_url, f"DELETE of <{graph}>", params={"graph": graph})
        except StoreRejected as e:
            if "HTTP 404" not in e.message:
                raise

    def select(self, sparql: str, what: str) -> list[dict]:
        r = self._send("POST", self.target.query_url, what, data={"query": sparql},
                       headers={"Accept": "application/sparql-results+json"})
        try:
            rows = json.loads(r.body)["results"]["bindings"]
        except (ValueError, KeyError, TypeError, RecursionError):
            rows = None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise StoreRejected(f"{what}: the answer is not SPARQL JSON results", path=self.target.query_url,
                                hint="is --query-url the store's SPARQL query endpoint?")
        return rows

    def count(self, graph: str) -> int:
        what = f"the count of <{graph}>"
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{check_iri(graph)}> {{ ?s ?p ?o }} }}", what)
        if not rows:
            return 0
        n = rows[0].get("n")
        value = n.get("value") if isinstance(n, dict) else None
        if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20):
            raise StoreRejected(f"{what}: the answer's ?n is {http.shown(value)}, not a count",
                                path=self.target.query_url)
        return int(value)

    def graphs(self) -> set[str]:
        """The store's graph names that are well-formed IRIs (others are never touched)."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "the list of graphs")
        out = set()
        for r in rows:
            g = r.get("g")
            if isinstance(g, dict) and g.get("type") == "uri" and isinstance(g.get("value"), str):
                try:
                    out.add(check_iri(g["value"]))
                except KgError:
                    continue
        return out

    def check_access(self, graph: str) -> None:
        """Fail fast on a dead server or wrong credentials before sending any data (a GSP GET)."""
        try:
            self._send("GET", self.target.gsp_url, "a read of the Graph Store Protocol endpoint",
                       params={"graph": graph}, headers={"Accept": N_TRIPLES}, read_body=False)
        except StoreRejected as e:
            if "HTTP 404" not in e.message:  # a graph not there yet is fine
                raise


# ---------------------------------------------------------------- the load

@dataclass(frozen=True)
class GraphResult:
    graph: str
    triples: int
    chunks: int
    stored: int | None = None


@dataclass(frozen=True)
class LoadReport:
    """What a load sent where, how fast, and what the store holds afterwards."""

    target: str
    graphs: tuple[GraphResult, ...]
    seconds: float
    dry_run: bool = False
    pruned: tuple[str, ...] = ()
    vocabulary: str | None = None  # the graph that holds dist/ontology.ttl, if it was loaded

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        if self.dry_run:
            head = f"kg load: dry run: would load {len(self.graphs)} graphs, {self.triples} triples into {self.target}"
        else:
            head = (f"kg load: {len(self.graphs)} graphs, {self.triples} triples in {self.seconds:.2f} s "
                    f"({self.rate:,.0f} triples/s) into {self.target}")
        out = [head]
        for g in self.graphs:
            state = "" if g.stored is None else f", {g.stored} in the store"
            what = f" (kg's vocabulary, {VOCABULARY_DUMP})" if g.graph == self.vocabulary else ""
            out.append(f"  <{g.graph}>{what}: {g.triples} triples in {g.chunks} request(s){state}")
        out += [f"  dropped <{g}> (not in the dump)" for g in self.pruned]
        return out


def load(dist: Path, target: Target, *, base: str, graph_prefix: str | None = None,
         chunk_triples: int = 100_000, dry_run: bool = False, verify: bool = True, prune: bool = False,
         ontology: str = CANONICAL.ontology, client: GspClient | None = None,
         on_chunk: Callable[[str, int], None] | None = None,
         on_triples: Callable[[int], None] | None = None) -> LoadReport:
    """Load ``dist/kg.nq`` into ``target``, one named graph at a time, then ``dist/ontology.ttl``
    into the graph named ``ontology`` (the ontology's IRI: kg.toml's ``Namespaces.ontology``);
    see the module docstring.

    ``prune`` also drops the store's graphs under the graph prefix that the dump no longer
    has (a removed document), never the ``ontology`` graph. ``on_chunk(graph, n)`` is called
    after each chunk is sent, and ``on_triples(n)`` with the number of triples it held (a
    progress bar).
    """
    if chunk_triples < 1:
        raise KgError("the chunk size must be at least one triple", field="chunk-triples")
    prefix = prune_prefix(graph_prefix or base + "graph/") if prune else None
    client = client or GspClient(target)
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        graphs = spool(Path(dist) / "kg.nq", Path(tmp), graph_namer(base, graph_prefix))
        vocabulary = spool_vocabulary(dist, Path(tmp), ontology)
        if vocabulary:
            if any(g.graph == ontology for g in graphs):
                raise KgError(f"a graph of kg.nq has the ontology's name <{ontology}>", field="graph-prefix",
                              hint="the vocabulary is loaded into the graph named by the ontology's IRI")
            graphs = [*graphs, vocabulary]
        loaded = vocabulary.graph if vocabulary else None
        plan = [(g, -(-g.triples // chunk_triples) or 1) for g in graphs]
        if dry_run:
            return LoadReport(target.label, tuple(GraphResult(g.graph, g.triples, n) for g, n in plan), 0.0, True,
                              vocabulary=loaded)
        if graphs:
            client.check_access(graphs[0].graph)
        start = time.perf_counter()
        for g, _ in plan:
            sent = 0
            for i, body in enumerate(chunks(g.path, chunk_triples)):
                (client.put if i == 0 else client.post)(g.graph, body)
                sent += 1
                if on_chunk:
                    on_chunk(g.graph, sent)
                if on_triples:
                    on_triples(min(chunk_triples, g.triples - i * chunk_triples))
            if sent == 0:  # an empty graph: replace whatever the store had with nothing
                client.put(g.graph, b"")
        seconds = time.perf_counter() - start
    pruned: tuple[str, ...] = ()
    if prune:
        pruned = to_prune(client.graphs(), prefix, {g.graph for g in graphs} | {ontology})
        for g in pruned:
            client.delete(g)
    results = tuple(GraphResult(g.graph, g.triples, n, client.count(g.graph) if verify else None)
                    for g, n in plan)
    wrong = [r for r in results if r.stored is not None and r.stored != r.triples]
    if wrong:
        detail = "; ".join(f"<{r.graph}> holds {r.stored}, sent {r.triples}" for r in wrong)
        raise VerifyError(f"the store does not hold what was sent: {detail}", path=target.query_url,
                          hint="rerun `kg load`; if the counts still differ, the store changes the data "
                               "(e.g. merges equal literals)")
    return LoadReport(target.label, results, seconds, False, pruned, loaded)
