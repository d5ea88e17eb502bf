"""The published graph in memory, indexed for pages and entity data.

Loaded once from ``dist/kg.nq`` (every named graph; the union is what pages show),
``dist/void.ttl`` (the dataset description, so ``<base>dataset`` dereferences too) and
``dist/ontology.ttl`` (kg's ``kgo:`` terms: the ontology's document, ``/ontology`` when
the project's vocabulary lies below the base, dereferences to them; kg's ``kgt:`` types
are in the data already, each at its own ``/type/<key>``, and the ``kgt:`` namespace itself,
``/type/``, lists them all).
Read-only after loading, so one instance is shared by all request threads.
"""
from __future__ import annotations

import bisect
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from .. import vocab
from ..curie import Prefixes
from ..errors import KgError
from ..namespaces import CANONICAL, Namespaces
from ..ontology_dump import DUMP as ONTOLOGY

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


class Graph:
    """Triples by subject and by object, the JSON-LD context, and the base ↔ path mapping.

    ``namespaces`` are the project's for kg's own terms (kg.toml's ``vocabulary``): the dumps
    name them so, and :meth:`term` turns the canonical name code uses (``KGO + …``) into it.
    """

    def __init__(self, dist: Path, base: str, namespaces: Namespaces = CANONICAL):
        dist = Path(dist)
        self.dist, self.base, self.namespaces = dist, base, namespaces
        nq, void, onto = dist / "kg.nq", dist / "void.ttl", dist / ONTOLOGY
        if not nq.is_file():
            raise KgError("no published dump to serve", path=nq, hint="run `kg build` first")
        triples: set[ox.Triple] = set()
        sizes: dict[str, int] = defaultdict(int)
        with nq.open("rb") as f:
            for q in ox.parse(f, ox.RdfFormat.N_QUADS):
                triples.add(ox.Triple(q.subject, q.predicate, q.object))
                sizes[q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""] += 1
        self.graph_sizes = dict(sorted(sizes.items()))  # triples per named graph ("": the default graph)
        self.data_triples = len(triples)
        if void.is_file():
            with void.open("rb") as f:
                triples.update(ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(f, ox.RdfFormat.TURTLE))
        self.ontology: list[ox.Triple] = []
        if onto.is_file():
            with onto.open("rb") as f:
                self.ontology = sorted({ox.Triple(q.subject, q.predicate, q.object)
                                        for q in ox.parse(f, ox.RdfFormat.TURTLE)}, key=str)
            triples.update(self.ontology)
        # the ontology's document: its namespace without the "#" (kgo: is <root>ontology#)
        self.ontology_document = namespaces.ontology.rstrip("#")
        self.out: dict[str, list[ox.Triple]] = defaultdict(list)
        self.into: dict[str, list[ox.Triple]] = defaultdict(list)
        for t in sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))):
            if isinstance(t.subject, ox.NamedNode):
                self.out[t.subject.value].append(t)
            if isinstance(t.object, ox.NamedNode):
                self.into[t.object.value].append(t)
        self.subjects = sorted(s for s in self.out if s.startswith(base))
        # the types' index: the kgt: namespace itself (<vocabulary>type/), listing every type in it
        self.types_index = namespaces.types
        n = len(self.types_index)
        self.type_terms = [s for s in self.out if s.startswith(self.types_index) and len(s) > n and "/" not in s[n:]]
        self.type_terms.sort()
        ctx_path = dist / "context.jsonld"
        self.context = json.loads(ctx_path.read_text(encoding="utf-8"))["@context"] if ctx_path.is_file() else {}
        self.prefixes = Prefixes.of(self.context)
        sums = dist / "SHA256SUMS"
        self.version = hashlib.sha256(sums.read_bytes() if sums.is_file() else nq.read_bytes()).hexdigest()[:16]

    # ------------------------------------------------------------------ IRIs and paths
    def has(self, iri: str) -> bool:
        return iri in self.out or (iri == self.ontology_document and bool(self.ontology)) or \
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
        if term and doc == self.ontology_document and self.ontology_path is not None and iri in self.out:
            return f"{self.ontology_path}#{term}"  # a kgo: term: its place on the ontology's page
        return safe_href(iri)

    # ------------------------------------------------------------------ lookups
    def term(self, iri: str) -> str:
        """One of kg's own terms (``KGO + "statedAs"``, :data:`KGT_PLANNED`) as the dumps name it."""
        return str(self.namespaces.term(URIRef(iri)))

    def values(self, s: str, p: str) -> list[ox.NamedNode | ox.Literal]:
        return [t.object for t in self.out.get(s, ()) if t.predicate.value == p]

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.values(s, p) if isinstance(o, ox.NamedNode)]

    def first(self, s: str, p: str) -> str | None:
        v = self.values(s, p)
        return v[0].value if v else None

    def subjects_of(self, p: str, o: str) -> list[str]:
        return [t.subject.value for t in self.into.get(o, ()) if t.predicate.value == p]

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
            return [t for s in self.type_terms for t in self.out[s]]
        found = list(self.out.get(iri, ()))
        prefix = iri + "/"
        i = bisect.bisect_left(self.subjects, prefix)
        while i < len(self.subjects) and self.subjects[i].startswith(prefix):
            found.extend(self.out[self.subjects[i]])
            i += 1
        return found

    def under(self, kind: str) -> list[str]:
        """Top-level entities of a kind: ``<base><kind>/<key>`` with no further path."""
        prefix = self.base + kind + "/"
        return [s for s in self.subjects if s.startswith(prefix) and "/" not in s[len(prefix):]]


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
