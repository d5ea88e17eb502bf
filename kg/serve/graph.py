"""The published graph, held in an Oxigraph store, for pages and entity data.

The store holds ``dist/kg.nq`` (every named graph, loaded by the store's bulk loader) and,
in its default graph, what pages read: the merge of those graphs (each triple once),
``dist/void.ttl`` (the dataset description, so ``<base>dataset`` dereferences too) and
``dist/ontology.ttl`` (kg's ``kgo:`` terms: the ontology's document, ``/ontology`` when the
project's vocabulary lies below the base, dereferences to them; kg's ``kgt:`` types are in
the data already, each at its own ``/type/<key>``, and the ``kgt:`` namespace itself,
``/type/``, lists them all). It is built in memory at each start, or once into an on-disk
cache and opened read-only afterwards (:mod:`kg.serve.storecache`); the on-disk one holds the
default graph only, filled from kg.nt (:mod:`kg.serve.pagestore`), as pages read nothing else.
On the first start over a new dist/, pages read kg.nt loaded into memory in parts, one a
processor (:mod:`kg.serve.parts`), until that store is built in the background.
Pages ask the store for one subject's or one object's triples at a time; the only index
kept in Python is the sorted list of subject IRIs below the base (and the ``kgt:`` terms),
for the sitemap, the kinds' lists and the nodes that hang below an entity's IRI — found in
kg.nt itself while that list is made on the first start (:mod:`kg.serve.subjects`).
Every list is in the order of the terms' N-Triples text, as the pages have always shown them.
Read-only after loading, so one instance is shared by all request threads.
"""
from __future__ import annotations

import hashlib
import heapq
import json
from functools import lru_cache, partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from .. import distdir, vocab
from ..curie import Prefixes
from ..errors import KgError
from ..namespaces import CANONICAL, Namespaces
from ..ontology_dump import DUMP as ONTOLOGY
from .. import lexical
from . import lists, pagestore, parts, storecache
from .subjects import InFile, Listed
from ..lexical import shown

class Terms:
    """A closed :mod:`kg.vocab` namespace giving plain strings, as pyoxigraph compares them.

    ``CRM + "P14_carried_out_by"`` is the term's IRI as a string; a term the namespace does
    not declare raises ``AttributeError``, as everywhere else in kg.
    """

    def __init__(self, namespace):
        self._ns = namespace

    def __add__(self, name: str) -> str:
        return str(self._ns[name])


CRM, SDO, OA, KGO = Terms(vocab.CRM), Terms(vocab.SCHEMA), Terms(vocab.OA), Terms(vocab.KGO)
RDF_TYPE = str(vocab.RDF.type)
RDFS_LABEL = str(vocab.RDFS.label)
SKOS_ALT = str(vocab.SKOS.altLabel)
OWL_SAMEAS = str(vocab.OWL.sameAs)
KGT_PLANNED = str(vocab.KGT.planned)
DEFAULT = ox.DefaultGraph()  # what pages read: the merge of kg.nq's graphs, void.ttl and ontology.ttl
VALUES_CACHE = 1 << 16  # (subject, predicate) lookups kept at hand


def node(iri: str) -> ox.NamedNode | None:
    """``iri`` as a store term, or ``None`` if it is no IRI (then nothing in the store has it)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _predicate(iri: str) -> ox.NamedNode | None:
    """A predicate's store term (pages ask for a few predicates, again and again)."""
    return node(iri)


def _po(t) -> tuple[str, str]:
    return str(t.predicate), str(t.object)


def _sp(t) -> tuple[str, str]:
    return str(t.subject), str(t.predicate)


class Graph:
    """The published triples (an Oxigraph store), the JSON-LD context, and the base ↔ path mapping.

    ``namespaces`` are the project's for kg's own terms (kg.toml's ``vocabulary``): the dumps
    name them so, and :meth:`term` turns the canonical name code uses (``KGO + …``) into it.
    """

    def __init__(self, dist: Path, base: str, namespaces: Namespaces = CANONICAL, cache: Path | None = None,
                 note: Path | None = None):
        dist = Path(dist)
        self.dist, self.base, self.namespaces = dist, base, namespaces
        self._note = note  # the build's note of how it wrote dist/ (kg.distdir.remember), if any
        nq, onto = dist / "kg.nq", dist / ONTOLOGY
        if not nq.is_file():
            raise KgError("no published dump to serve", path=nq, hint="run `kg build` first")
        self.ontology: list[ox.Triple] = []
        if onto.is_file():
            with onto.open("rb") as f:
                self.ontology = sorted({ox.Triple(q.subject, q.predicate, q.object)
                                        for q in ox.parse(f, ox.RdfFormat.TURTLE)}, key=str)
        # the ontology's document: its namespace without the "#" (kgo: is <root>ontology#)
        self.ontology_document = namespaces.ontology.rstrip("#")
        self.types_index = namespaces.types  # the types' index: the kgt: namespace itself, listing every type in it
        self.cached = None  # the on-disk stores (kg.serve.storecache), if any
        self.store = None  # what pages read: an Oxigraph store, or kg.nt's parts in memory (kg.serve.parts)
        self.kept = lists.Kept(None)  # the hubs' ordered lists (kg.serve.lists), once worked out
        self._triples: int | None = None  # the merge's number of triples, once known
        if cache is None:
            self.store = ox.Store()
            meta, (listed, self._triples) = self._fill(self.store, storecache.merged_dump(dist))
            self.index: Listed | InFile = Listed(listed)
        else:
            self.cached = storecache.prepare(dist, base, Path(cache))
            if self.cached.complete:
                self.store, meta = self.cached.open_pages(), self.cached.meta
            else:
                meta = self._first_start()
            found = self.cached.subjects()
            if found is not None:
                self.index, self._triples = Listed(found[0]), found[1]
            else:  # filled from kg.nt: the subjects are found in it while they are listed in the background
                self.index = InFile(dist / "kg.nt", base, meta["extra"])
                self.cached.on_subjects = self._listed
                self.cached.start_subjects(partial(pagestore.subjects_in_background, nt=dist / "kg.nt", base=base,
                                                   extra=meta["extra"]))
            if not self.cached.complete:  # kg.nt in memory: its store on disk is built in the background
                self.cached.on_pages = self._pages_built
                self.cached.build_pages_later(partial(self._build_from_nt, meta=meta))
        self.type_terms = list(meta["type_terms"])
        self._sizes: dict[str, int] | None = meta.get("graph_sizes")
        # what pages ask for most: one subject's values of one predicate (labels, types …), the recent ones kept
        self._values = lru_cache(maxsize=VALUES_CACHE)(self._read_values)
        ctx_path = dist / "context.jsonld"
        self.context = json.loads(ctx_path.read_text(encoding="utf-8"))["@context"] if ctx_path.is_file() else {}
        self.prefixes = Prefixes.of(self.context)
        sums = dist / "SHA256SUMS"
        self.version = hashlib.sha256(sums.read_bytes() if sums.is_file() else nq.read_bytes()).hexdigest()[:16]

    @property
    def graph_sizes(self) -> dict[str, int]:
        """Triples per graph of kg.nq by name (``""``: its default graph, and graphs named by a
        blank node). On disk they are counted as the SPARQL store is built: this waits for it."""
        if self.cached is None:
            return dict(self._sizes)
        self.cached.sparql  # noqa: B018 - built (or raises why not)
        return self.cached.graph_sizes

    def _first_start(self) -> dict:
        """The pages' store on the first start over this dist/, if kg.nt is kg.nq's merge
        (:func:`kg.serve.pagestore.load_merged`): kg.nt loaded into memory in parts
        (:mod:`kg.serve.parts`; its store on disk is then built in the background), or, if they
        would not fit in memory, into the store on disk now; else the store is built from
        kg.nq's quads now. What the pages' store's meta says."""
        nq, nt = self.dist / "kg.nq", self.dist / "kg.nt"
        listed, trusted = storecache.checksums(self.dist), distdir.as_written(self.dist, self._note)
        if nt.is_file() and parts.fits(nt):
            loaded = pagestore.load_merged(lambda: parts.load(nt), nt, nq, listed, trusted)
            if loaded is not None:
                self.store = loaded
                extra = sorted(self._add_files(loaded))
                return {"type_terms": self._types_in(nt, extra), "merged": True, "extra": extra}
            self.cached.build_pages_now(self._build)
        elif pagestore.load_merged(lambda: True, nt, nq, listed, trusted):
            self.cached.build_pages_now(self._build_from_nt)
        else:
            self.cached.build_pages_now(self._build)
        self.store = self.cached.open_pages()
        return self.cached.meta

    def _types_in(self, nt: Path, extra: list[str]) -> list[str]:
        """The kgt: types among kg.nt's subjects and ``extra``, sorted."""
        return self._sort_subjects(InFile(nt, self.base, extra).starting(self.types_index))[1]

    def _pages_built(self, store: ox.Store) -> None:
        """Read ``store`` from now on: the pages' store on disk (the same triples), not the parts in memory."""
        self.store = store

    def _listed(self, subjects: list[str], triples: int) -> None:
        """Look subjects up in ``subjects`` from now on (the same answers as kg.nt gave, faster)."""
        self._triples = triples
        self.index = Listed(subjects)

    @property
    def subjects(self) -> list[str]:
        """Every subject IRI below the base, sorted (while they are listed in the background, this waits for it)."""
        if isinstance(self.index, InFile) and self.cached is not None:
            found = self.cached.wait_subjects()
            if found is not None:
                return found[0]
        return self.index.all()

    @property
    def data_triples(self) -> int:
        """The merge's number of triples (while the subjects are listed in the background, this waits for it)."""
        if self._triples is None:
            found = self.cached.wait_subjects() if self.cached is not None else None
            self._triples = found[1] if found is not None else self._count()
        return self._triples

    def _fill(self, store: ox.Store, merged: Path | None) -> tuple[dict, tuple[list[str], int]]:
        """Fill the in-memory ``store`` (see the module's docstring) and say what it holds:
        ``type_terms`` and ``graph_sizes``, and the subjects below the base with the merge's
        number of triples. ``merged``: kg.nt if it is the merge of kg.nq's graphs
        (:func:`kg.serve.storecache.merged_dump`), else ``None``."""
        self.store = store
        nq = self.dist / "kg.nq"
        with nq.open("rb") as f:
            store.bulk_load(lexical.reader(f), ox.RdfFormat.N_QUADS)
        sizes = storecache.graph_sizes(store)
        if merged is not None:
            with merged.open("rb") as f:
                store.bulk_load(lexical.reader(f), ox.RdfFormat.N_TRIPLES)
        else:
            with nq.open("rb") as f:
                store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in
                                  ox.parse(lexical.reader(f), ox.RdfFormat.N_QUADS)
                                  if not isinstance(q.graph_name, ox.DefaultGraph))
        data = self._count()
        self._add_files(store)
        subjects, type_terms = self._index_subjects()
        return {"type_terms": type_terms, "graph_sizes": sizes}, (subjects, data)

    def _build(self, store: ox.Store) -> tuple[dict, tuple[list[str], int]]:
        """Fill a new on-disk pages' store from kg.nq's quads (kg.nt is not their merge), the
        default graph only (for :mod:`kg.serve.storecache`, which closes it); its meta, the
        subjects and the number of triples."""
        served, self.store = self.store, store
        try:
            with (self.dist / "kg.nq").open("rb") as f:
                store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                                  for q in ox.parse(lexical.reader(f), ox.RdfFormat.N_QUADS))
            data = self._count()
            self._add_files(store)
            subjects, type_terms = self._index_subjects()
            return {"type_terms": type_terms, "merged": False}, (subjects, data)
        finally:
            self.store = served

    def _build_from_nt(self, store: ox.Store, meta: dict | None = None) -> tuple[dict, None]:
        """Fill a new on-disk pages' store from kg.nt, kg.nq's merge (in the background, what the
        parts in memory hold); its ``meta``, worked out here if not given (the subjects are
        listed apart)."""
        nt = self.dist / "kg.nt"
        pagestore.bulk_load(store, nt)
        extra = sorted(self._add_files(store))
        if meta is None:
            meta = {"type_terms": self._types_in(nt, extra), "merged": True, "extra": extra}
        return meta, None

    def _count(self) -> int:
        if isinstance(self.store, parts.Parts):
            return len(self.store)
        return int(next(iter(self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)

    def _add_files(self, store) -> set[str]:
        """void.ttl's and ontology.ttl's triples into ``store``'s default graph (their literals kept as
        written); their subject IRIs."""
        void = self.dist / "void.ttl"
        triples = list(self.ontology)
        if void.is_file():
            with void.open("rb") as f:
                triples.extend(ox.parse(f, ox.RdfFormat.TURTLE))
        store.extend(ox.Quad(t.subject, t.predicate, lexical.kept(t.object)) for t in triples)
        return {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}

    def _index_subjects(self) -> tuple[list[str], list[str]]:
        """Every subject IRI below the base, sorted, and those in the kgt: namespace (the types), sorted."""
        found = self.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
        return self._sort_subjects(s.value for (s,) in found)

    def _sort_subjects(self, iris) -> tuple[list[str], list[str]]:
        """Of the subject IRIs ``iris``, those below the base and those in the kgt: namespace, each sorted."""
        base, types = self.base, self.types_index
        n = len(types)
        subjects, type_terms = [], []
        for iri in iris:
            if iri.startswith(base):
                subjects.append(iri)
            if iri.startswith(types) and len(iri) > n and "/" not in iri[n:]:
                type_terms.append(iri)
        return sorted(subjects), sorted(type_terms)

    # ------------------------------------------------------------------ the store
    def outgoing(self, s: str) -> list[ox.Triple]:
        """The triples of subject ``s`` (an IRI), each once, by predicate then object."""
        subject = node(s)
        if subject is None:
            return []
        found = {ox.Triple(q.subject, q.predicate, shown(q.object))
                 for q in self.store.quads_for_pattern(subject, None, None, DEFAULT)}
        return sorted(found, key=_po)

    def _read_values(self, s: str, p: str) -> tuple:
        subject, predicate = node(s), _predicate(p)
        if subject is None or predicate is None:
            return ()
        found = [shown(q.object) for q in self.store.quads_for_pattern(subject, predicate, None, DEFAULT)]
        return tuple(sorted(set(found), key=str) if len(found) > 1 else found)

    def incoming(self, o: str) -> list[ox.Triple]:
        """The triples whose object is the IRI ``o``, each once, by subject then predicate."""
        obj = node(o)
        if obj is None:
            return []
        found = {ox.Triple(q.subject, q.predicate, q.object)
                 for q in self.store.quads_for_pattern(None, None, obj, DEFAULT)}
        return sorted(found, key=_sp)

    def incoming_first(self, o: str, n: int) -> tuple[int, list[tuple[str, str]]]:
        """How many triples whose object is the IRI ``o`` have an IRI for subject, and the first
        ``n`` of them as (subject, predicate) in the order of :meth:`incoming`, without sorting
        them all (the largest hub at 2,500 documents has 118,750: 0.6 s instead of 1.5 s)."""
        obj = node(o)
        if obj is None:
            return 0, []
        count = 0

        def keyed():
            nonlocal count
            for q in self.store.quads_for_pattern(None, None, obj, DEFAULT):  # each triple once in the store
                if isinstance(q.subject, ox.NamedNode):
                    count += 1
                    yield str(q.subject), str(q.predicate), q.subject.value, q.predicate.value

        first = heapq.nsmallest(n, keyed())
        return count, [(s, p) for _, _, s, p in first]

    def below(self, prefix: str) -> list[str]:
        """The subject IRIs below the base that start with ``prefix``, sorted."""
        return self.index.below(prefix)

    # ------------------------------------------------------------------ IRIs and paths
    def is_subject(self, iri: str) -> bool:
        """Whether some triple has the IRI ``iri`` for subject."""
        if iri.startswith(self.base):
            return self.index.holds(iri)
        subject = node(iri)
        return subject is not None and \
            next(iter(self.store.quads_for_pattern(subject, None, None, DEFAULT)), None) is not None

    def has(self, iri: str) -> bool:
        return self.is_subject(iri) or (iri == self.ontology_document and bool(self.ontology)) or \
            (iri == self.types_index and bool(self.type_terms))

    @property
    def ontology_path(self) -> str | None:
        """The local path of kg's ontology (``/ontology``) if this server publishes it, else ``None``."""
        return self.path_of(self.ontology_document) if self.ontology else None

    @property
    def types_path(self) -> str | None:
        """The local path of the types' index (``/type/``) if this server publishes it, else ``None``."""
        return self.path_of(self.types_index) if self.type_terms else None

    def path_of(self, iri: str) -> str | None:
        """The local URL path of an IRI under the base (``/person/x``), else ``None``."""
        if iri.startswith(self.base) and len(iri) > len(self.base) and "#" not in iri:
            return "/" + iri[len(self.base):]
        return None

    def iri_of(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def href(self, iri: str) -> str:
        """Where a link to ``iri`` goes: the local page if we serve it, else the IRI itself if it
        is an http(s) IRI, else ``""`` (no link: data may hold ``javascript:`` and such)."""
        path = self.path_of(iri)
        if path is not None and self.has(iri):
            return path
        doc, _, term = iri.partition("#")
        if term and doc == self.ontology_document and self.ontology_path is not None and self.is_subject(iri):
            return f"{self.ontology_path}#{term}"  # a kgo: term: its place on the ontology's page
        return safe_href(iri)

    # ------------------------------------------------------------------ lookups
    def term(self, iri: str) -> str:
        """One of kg's own terms (``KGO + "statedAs"``, :data:`KGT_PLANNED`) as the dumps name it."""
        return str(self.namespaces.term(URIRef(iri)))

    def values(self, s: str, p: str) -> list[ox.NamedNode | ox.Literal]:
        """The objects of ``s`` and ``p``, each once, in N-Triples order."""
        return list(self._values(s, p))

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.values(s, p) if isinstance(o, ox.NamedNode)]

    def first(self, s: str, p: str) -> str | None:
        v = self.values(s, p)
        return v[0].value if v else None

    def subjects_of(self, p: str, o: str) -> list[str]:
        predicate, obj = _predicate(p), node(o)
        if predicate is None or obj is None:
            return []
        found = {q.subject for q in self.store.quads_for_pattern(None, predicate, obj, DEFAULT)}
        return [s.value for s in sorted(found, key=str)]

    def top_level(self, p: str, o: str, part_of: str, kind: str | None = None) -> list[str]:
        """The subject IRIs of ``p`` and ``o`` that are not ``part_of`` anything (and have the
        type ``kind``), in N-Triples order: what :meth:`subjects_of`, :meth:`first` and
        :meth:`types` give item by item, without their caches (a hub has tens of thousands of
        items; a SPARQL query of the same took seven times as long on a store as loaded)."""
        predicate, part, typed, obj = _predicate(p), _predicate(part_of), _predicate(RDF_TYPE), node(o)
        of_kind = node(kind) if kind else None
        if None in (predicate, part, typed, obj) or (kind and of_kind is None):
            return []
        store, found = self.store, []
        for s in {q.subject for q in store.quads_for_pattern(None, predicate, obj, DEFAULT)}:
            if not isinstance(s, ox.NamedNode) or next(store.quads_for_pattern(s, part, None, DEFAULT), None) is not None:
                continue
            if of_kind is None or next(store.quads_for_pattern(s, typed, of_kind, DEFAULT), None) is not None:
                found.append(s)
        return [s.value for s in sorted(found, key=str)]

    def types(self, s: str) -> list[str]:
        return self.iris(s, RDF_TYPE)

    def label(self, iri: str) -> str:
        for o in self.values(iri, RDFS_LABEL):
            if getattr(o, "language", None) == "en":
                return o.value
        v = self.values(iri, RDFS_LABEL)
        if v:
            return v[0].value
        return self.curie(iri)

    def curie(self, iri: str) -> str:
        return self.prefixes.curie(iri) or iri

    def describe(self, iri: str) -> list[ox.Triple]:
        """The entity's own triples and those of the nodes that hang below its IRI (for the
        ontology's document: every triple of the ontology)."""
        if iri == self.ontology_document and self.ontology:
            return list(self.ontology)
        if iri == self.types_index and self.type_terms:
            return [t for s in self.type_terms for t in self.outgoing(s)]
        found = self.outgoing(iri)
        for s in self.below(iri + "/"):
            found.extend(self.outgoing(s))
        return found

    def under(self, kind: str) -> list[str]:
        """Top-level entities of a kind: ``<base><kind>/<key>`` with no further path."""
        prefix = self.base + kind + "/"
        return [s for s in self.below(prefix) if "/" not in s[len(prefix):]]


def file_stem(path: str) -> str:
    """Where a path's files are, less their suffix: ``/person/x`` for ``/person/x.ttl`` …, and
    for a folder's address (``/type/``, the types' index) its ``index``: ``/type/index.ttl`` …"""
    return path + "index" if path.endswith("/") else path


def safe_href(value) -> str:
    """``value`` if it may be a link target here — a local path or an http(s) IRI — else ``""``.

    Data can hold any IRI (``javascript:``, ``data:`` …); only these become links.
    """
    v = str(value or "")
    if v.startswith("/") and not v.startswith("//"):
        return v
    scheme = v.split(":", 1)[0].lower() if ":" in v else ""
    return v if scheme in ("http", "https") and v[len(scheme):].startswith("://") else ""
