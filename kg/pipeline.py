"""The one function that wires the stages: read → map → validate → publish.

records + curated facts → typed model (:mod:`kg.facts`) → graphs (:mod:`kg.mapping`) →
SHACL (:mod:`kg.validate`) → files (:mod:`kg.publish`, :mod:`kg.describe`). Nothing else
calls more than one stage.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import Graph

from .describe import build_time, describe
from .errors import ValidationFailed
from .doccache import DocumentCache, Stored
from .facts import DocumentFacts, Facts, input_files, load_facts
from .inputs import ledger, read_bytes
from .iris import Iris
from .mapping import Context, map_one_document, map_shared
from .mapping.statements import evidence_iri
from .merged import Merged
from .partscache import SharedParts
from .readcache import ReadCache, frozen_heap
from .publish import Built, Staging, Written, checksums, context, prefixes, render_dumps, sha256, turtle
from .settings import CONFIG_FILE, Settings
from .timings import count_of, report, stage
from .union import MissingPiece, Pieces, Source, Union
from .units import SharedIndex, parts
from .unitcache import UnitCache, dist_note
from .unitpool import Document, Done, Part, Setup, validate_units
from .validate import Violation
from .vocab import CRM
from .writers import Terms, lines, ntriples

SHARED_GRAPH = "shared"


class Documents(Mapping):
    """``{number: rdflib graph}`` of a build's documents, each mapped when first asked for.

    A build maps its documents in the workers that validate them (:mod:`kg.unitpool`) and
    hands their sorted N-Triples here (:meth:`mapped`), so it holds no document's graph. A
    document asked for here (tests, tools) is mapped, its N-Triples kept in ``nt`` and its
    graph until :meth:`release`; one the document cache supplied, one mapped by a worker or
    one already released is parsed back from its N-Triples.
    """

    def __init__(self, numbers: list[str], todo: dict[str, DocumentFacts], mapper: Callable[[DocumentFacts], Graph],
                 nt: dict[str, bytes]):
        self.numbers, self.todo, self.mapper, self.nt = numbers, todo, mapper, nt
        self.graphs: dict[str, Graph] = {}

    def __getitem__(self, number: str) -> Graph:
        if number not in self.graphs:
            if number in self.todo:
                with stage("map"):
                    g = self.mapper(self.todo.pop(number))
                    self.nt[number] = ntriples(g)  # a converter per document: a shared one would hold every term
            elif number in self.nt:
                g = Graph()
                g.parse(data=self.bytes(number).decode("utf-8"), format="nt")
            else:
                raise KeyError(number)
            self.graphs[number] = g
        return self.graphs[number]

    def release(self, number: str) -> None:
        """Drop the document's rdflib graph (its N-Triples stay)."""
        self.graphs.pop(number, None)

    def mapped(self, number: str, nt: bytes) -> None:
        """Take the document's sorted N-Triples as mapped elsewhere (by a worker)."""
        self.nt[number] = nt
        self.todo.pop(number, None)

    def complete_mapping(self) -> None:
        """Map every document not mapped yet."""
        for number in list(self.todo):
            self[number]
            self.release(number)

    def complete(self) -> dict[str, bytes]:
        """Every document's N-Triples (mapping those not mapped yet, reading those the
        document cache holds)."""
        self.complete_mapping()
        return {n: self.bytes(n) for n in self.nt}

    def bytes(self, number: str) -> bytes:
        """The document's sorted N-Triples (read from the document cache if it came from there)."""
        nt = self.nt[number]
        if isinstance(nt, Stored):
            nt = self.nt[number] = nt.read()
        return nt

    def source(self, number: str, iri: str) -> Source:
        """The document's graph for :mod:`kg.union`: its checksum, its triples on demand."""
        nt = self.nt[number]
        if isinstance(nt, Stored):
            return Source(iri, nt.sha, nt.read)
        return Source(iri, sha256(nt), lambda: nt)

    def lines(self, number: str) -> int:
        nt = self.nt[number]
        return nt.lines if isinstance(nt, Stored) else nt.count(b"\n")

    def __iter__(self):
        return iter(self.numbers)

    def __len__(self) -> int:
        return len(self.numbers)


@dataclass
class BuildResult:
    """What a build made, for the CLI's summary: the typed facts, the shared graph, each
    document's graph and sorted N-Triples, and which documents came from the cache."""

    facts: Facts
    shared_graph: Graph | None   # None: parsed from shared_nt when asked for (see shared)
    per_document: Mapping[str, Graph]
    shared_nt: bytes = b""
    nt_: dict[str, bytes] = field(default_factory=dict)
    cached: frozenset[str] = frozenset()
    violations: list[Violation] = field(default_factory=list)
    files: dict[str, Written] = field(default_factory=dict)  # each file written: size and checksum
    keys: dict[str, str] = field(default_factory=dict)   # each document's key in the document cache
    cache: DocumentCache | None = None
    unit_keys: dict[str, str] = field(default_factory=dict)  # a cached document's validation-unit key
    published: Union | None = None  # the union as the dumps hold it (after publishing)
    read: dict[str, str] = field(default_factory=dict)  # each input file read: its SHA-256, by absolute path

    def __post_init__(self):
        terms = Terms()
        if not self.shared_nt:
            self.shared_nt = ntriples(self.shared_graph, terms)
        if not isinstance(self.per_document, Documents):  # plain graphs (tests)
            for number in self.per_document:
                self.nt_.setdefault(number, ntriples(self.per_document[number], terms))

    @property
    def shared(self) -> Graph:
        """The shared graph as an rdflib graph (for tests and tools: the build itself uses its
        N-Triples); when the read cache gave those, parsed from them on first use."""
        if self.shared_graph is None:
            self.shared_graph = Graph()
            self.shared_graph.parse(data=self.shared_nt.decode("utf-8"), format="nt")
        return self.shared_graph

    @property
    def nt(self) -> dict[str, bytes]:
        """Every document's sorted N-Triples (mapping any document not mapped yet)."""
        if isinstance(self.per_document, Documents):
            return self.per_document.complete()
        return self.nt_

    @cached_property
    def merged(self) -> Merged:
        """The union of all graphs, as sorted N-Triples."""
        return Merged([self.shared_nt, *(self.nt[n] for n in sorted(self.nt))])

    @cached_property
    def union(self) -> Graph:
        """The union as an rdflib graph (for tests and tools; the build itself does not make it)."""
        g = Graph()
        g.parse(data=self.merged.nt.decode("utf-8"), format="nt")
        return g

    @property
    def warnings(self) -> list[str]:
        """What was read but not fully understood (e.g. a shelfmark of an unknown scheme, kept
        whole), then the SHACL warnings: worth a look, never fatal."""
        return (list(self.facts.warnings) + [w for d in self.facts.documents for w in d.record.warnings]
                + [str(v) for v in self.violations if not v.is_error])

    def counts(self) -> dict[str, int]:
        kinds = {"persons": CRM.E21_Person, "groups": CRM.E74_Group, "places": CRM.E53_Place,
                 "events": CRM.E7_Activity, "documents": CRM.E31_Document,
                 "evidence": CRM.E13_Attribute_Assignment}
        union = self.published or self.merged
        out = union.instances(kinds)
        out["triples"] = len(union)
        return out

    def document_counts(self) -> dict[str, dict[str, int]]:
        docs = self.per_document
        count = docs.lines if isinstance(docs, Documents) else (lambda n: self.nt[n].count(b"\n"))
        return {d.number: {"triples": count(d.number), "statements": len(d.statements),
                           "names": len(d.names)} for d in self.facts.documents}


def _origins(facts: Facts, iris: Iris, numbers: Collection[str] | None = None) -> dict[str, str]:
    """Where each node was written: each entity, and each document of ``numbers`` (default:
    all) and its statements (a unit holds its own document's nodes and shared ones; no graph needed)."""
    out = {str(iris.entity(e.kind, e.key)): str(e.origin) for e in facts.entities.values()}
    for d in facts.documents:
        if numbers is not None and d.number not in numbers:
            continue
        doc = iris.document(d.number)
        out[str(doc)] = str(d.path)
        for st in d.statements:
            out[str(evidence_iri(doc, st))] = str(st.origin)
    return out


def _context(settings: Settings, facts: Facts) -> Context:
    return Context(Iris(settings.base), facts.entities, settings.identity.archive, facts.vocabulary.acted_upon)


def _document_files(d: DocumentFacts) -> list[Path]:
    """The input files a document's graph follows from: its record, and its facts file."""
    return sorted({d.record.path, d.path})


def _map_shared(settings: Settings, ctx: Context, facts: Facts, reads: ReadCache) -> tuple[Graph | None, bytes]:
    """The shared graph's sorted N-Triples, from the read cache when it holds them for the
    same mapping context; and the graph when mapped here without the cache (else None)."""
    mapped = []

    def make() -> bytes:
        mapped.append(settings.namespaces.rewrite(map_shared(ctx, facts)))  # kg's terms in the project's namespaces
        return ntriples(mapped[0])

    key = reads.key("shared", settings.data_dir, settings.base, ctx.archive, repr(sorted(ctx.acted_upon)),
                    settings.namespaces.root, reads.digest_of(facts.entities),
                    repr(sorted(map(repr, facts.vocabulary.project_triples)))) if reads.enabled else ""
    nt = reads.load(key, make)
    return (mapped[0] if mapped and not reads.enabled else None), nt


def assemble(settings: Settings, *, cache: bool = False) -> BuildResult:
    """Read and map; no validation, no writes. With ``cache``, a document the document cache
    (:mod:`kg.doccache`) holds for the same inputs is taken from it, not mapped."""
    reads = ReadCache(settings.root if cache else None)
    with stage("read"), ledger() as read:
        facts = load_facts(settings.data_dir, settings.namespaces, reads)
    with stage("map"):
        ctx = _context(settings, facts)
        shared, shared_nt = _map_shared(settings, ctx, facts, reads)
        reads.prune()
        store = DocumentCache(settings.root, [settings.base.encode(), settings.namespaces.root.encode(),
                                              settings.identity.archive.encode(), shared_nt]) if cache else None
        todo, nt, keys, units = {}, {}, {}, {}
        for d in facts.documents:
            if store is not None and store.enabled:
                keys[d.number] = store.key(_document_files(d))
                hit = store.get(keys[d.number])
                if hit is not None:
                    nt[d.number], units[d.number] = hit, hit.unit
                    continue
            todo[d.number] = d

    def mapper(d: DocumentFacts) -> Graph:  # kg's terms in the project's namespaces
        return settings.namespaces.rewrite(map_one_document(ctx, d))

    cached = frozenset(nt)
    count_of("documents from the cache", len(cached))
    documents = Documents([d.number for d in facts.documents], todo, mapper, nt)
    return BuildResult(facts, shared, documents, shared_nt, nt, cached, keys=keys, cache=store, unit_keys=units,
                       read=read)


def check(settings: Settings) -> BuildResult:
    """Read, map and validate (``kg validate``)."""
    result = assemble(settings, cache=True)
    with stage("validate"):
        result.violations = find_violations(settings, result)
    return result


def find_violations(settings: Settings, result: BuildResult) -> list[Violation]:
    """Every SHACL result of the build's graphs, sorted.

    Each document is a validation unit: its graph with the shared statements it reaches
    (:mod:`kg.units`), so a unit's size follows the document, not the archive. The shared
    graph is validated in parts; if any part reports anything, it is validated whole and
    those results are the shared graph's. Units are independent of each other, mapped and
    validated on all cores (:mod:`kg.unitpool`), and a unit the build cache knows to conform
    is not validated again (:mod:`kg.unitcache`); nor is a shared graph cut into its parts
    again when they all conformed before (:mod:`kg.partscache`). A document not mapped yet is mapped by
    the worker that validates it, which returns its N-Triples: this process holds those,
    never the archive's graphs.
    """
    docs = result.per_document
    facts = {d.number: d for d in result.facts.documents}
    numbers = sorted(n for n in docs if n not in result.cached)  # a cached document conformed as it is
    unit_cache = UnitCache(settings.root)
    unit_cache.conforming.update(k for n, k in result.unit_keys.items() if k and n in result.cached)  # still known
    setup = Setup(result.shared_nt, _origins(result.facts, Iris(settings.base), set(numbers)),
                  _context(settings, result.facts), settings.namespaces, frozenset(unit_cache.known), unit_cache.enabled)
    cut = SharedParts(settings.root, result.shared_nt, settings.namespaces) if unit_cache.enabled else None
    known = cut.known(unit_cache.known) if cut else None
    if known is None:
        index = SharedIndex(result.shared_nt)
        shared = [Part(f"{SHARED_GRAPH} {i}", batch) for i, batch in enumerate(parts(index))]
    else:  # the same shared graph, each of its parts known to conform: not cut again
        unit_cache.conforming.update(known)
        shared = []
        count_of("shared parts known", len(known))
    todo = docs.todo if isinstance(docs, Documents) else {}

    def units():
        yield from shared
        for n in numbers:
            yield Document(facts[n], None if n in todo else result.nt_[n])

    found: set[Violation] = set()
    conformed: dict[str, str | None] = {}
    in_parts: list[Violation] = []
    part_keys: list[str | None] = []

    def done(d: Done) -> None:
        if d.name not in facts:
            in_parts.extend(d.results or ())
            part_keys.append(d.key)
            return
        found.update(d.results or ())
        if not d.results:
            conformed[d.name] = d.key
        if isinstance(docs, Documents):
            docs.mapped(d.name, d.nt)

    validate_units(units(), len(shared) + len(numbers), setup, unit_cache, done)
    if in_parts:  # what a part reports may come from the cut: the whole shared graph decides
        validate_units([Part(SHARED_GRAPH, sorted(index.spans))], 1, setup, unit_cache,
                       lambda d: found.update(d.results or ()))
    elif cut and shared and all(part_keys):
        cut.save(part_keys)
    if result.cache is not None:
        for n in numbers:
            if conformed.get(n) and n in result.keys:
                nt = docs.bytes(n) if isinstance(docs, Documents) else result.nt[n]
                result.cache.put(result.keys[n], nt, conformed[n])
        result.cache.prune()
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))


def _sources(settings: Settings, result: BuildResult) -> list[Source]:
    """The build's graphs for :mod:`kg.union`: the shared one, then each document's."""
    iris = Iris(settings.base)
    shared = result.shared_nt
    out = [Source(str(iris.graph(SHARED_GRAPH)), sha256(shared), lambda: shared)]
    docs = result.per_document
    if isinstance(docs, Documents):
        docs.complete_mapping()
        return out + [docs.source(n, str(iris.graph(f"document/{n}"))) for n in sorted(docs.nt)]
    for number in sorted(result.nt):
        nt = result.nt[number]
        out.append(Source(str(iris.graph(f"document/{number}")), sha256(nt), lambda nt=nt: nt))
    return out


def _named(result: BuildResult, sources: list[Source], pieces: Pieces, union: Union) -> list[str]:
    """The piece of each named graph's block of kg.nq, in the order of their IRIs: one per
    document, and the shared graph with only what no document graph holds (its lines that
    more than one graph holds)."""
    shared, *documents = sources
    own = b"".join(line + b"\n" for line in lines(result.shared_nt) if not union.in_documents(line))
    named = [(s.iri, pieces.graph(s.iri, s.sha, s.nt)) for s in documents]
    named.append((shared.iri, pieces.graph(shared.iri, sha256(own), lambda: own)))
    return [key for _, key in sorted(named)]


def _inputs(settings: Settings, read: Mapping[str, str]) -> dict[str, str]:
    """The SHA-256 of kg.toml and of every file of data/ the build reads, by path below the
    root: as the build read it (``read``, :func:`kg.inputs.ledger`), else read now."""
    root = settings.root
    paths = ([root / CONFIG_FILE] if (root / CONFIG_FILE).exists() else []) + input_files(settings.data_dir)
    out = {}
    for p in paths:
        digest = read.get(os.path.abspath(p))
        if digest is None:
            digest = sha256(read_bytes(p, within=root if p == root / CONFIG_FILE else None))
        out[p.relative_to(root).as_posix()] = digest
    return out


def render(settings: Settings, result: BuildResult, staging: Staging) -> dict[str, Written]:
    """Write every file of ``dist/`` into ``staging``; returns each file's size and checksum."""
    ns = settings.namespaces
    pieces = Pieces(settings.root, prefixes(ns), context(ns)["@context"])
    try:
        for attempt in (1, 2):
            try:
                with stage("publish union"):
                    sources = _sources(settings, result)
                    union = pieces.union(sources)
                    named = _named(result, sources, pieces, union)
                render_dumps(Built(union, named, ns), staging)
                break
            except MissingPiece:  # a damaged cache: every piece made again
                if attempt == 2:
                    raise
                pieces.forget()
        count_of("union chunks rendered", pieces.rendered)
        result.published = union
    finally:
        pieces.finish()
    sources = [d.record.url for d in result.facts.documents if d.record.url]
    when = build_time(settings.source_date_epoch, settings.modified)
    with stage("publish void.ttl"):
        void = describe(union, staging.files, _inputs(settings, result.read), base=settings.base,
                        identity=settings.identity, sources=sources, when=when, namespaces=ns)
        staging.put("void.ttl", turtle(void, ns))
    staging.put("SHA256SUMS", checksums(staging.files))
    return dict(staging.files)


def build(settings: Settings, *, dist: Path | None = None, keep: tuple[Path, ...] = ()) -> BuildResult:
    """Read, map, validate, and publish to ``dist`` (default: the project's ``dist/``),
    never into one of ``keep``. Each file is written as it is made, into a fresh folder that
    replaces ``dist`` only when all are written."""
    result = check(settings)
    errors = [v for v in result.violations if v.is_error]
    if errors:
        raise ValidationFailed(f"{len(errors)} SHACL violation(s); nothing was written:\n"
                               + "\n".join(f"  - {v}" for v in errors), violations=errors)
    staging = Staging(dist or settings.dist_dir, keep, written=dist_note(settings.root))
    with frozen_heap():
        try:
            result.files = render(settings, result, staging)
        except BaseException:
            staging.abort()
            raise
        with stage("write"):
            staging.commit()
    report()
    return result
