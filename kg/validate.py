"""SHACL validation (pyshacl) with a report a curator can act on.

Each violation names the focus node, the property path, what the shape expected, and —
for nodes that come from curated input — the file and line the node came from.
pyshacl changes rdflib's global literal normalisation while it loads shapes; validation
therefore runs in the calling thread only, and nothing in kg depends on that flag.

SPARQL-based targets (``sh:target [ a sh:SPARQLTarget ]``) are evaluated here on
pyoxigraph, not by rdflib's SPARQL engine: their focus nodes are handed to pyshacl as
``sh:targetNode`` for the one call (see :class:`SparqlTargets`). The results are the same;
the time is a small fraction. Likewise each shape of core constraints is screened first
(:mod:`kg.screen`): pyshacl checks only the focus nodes that might not conform.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from . import screen as screening
from .curie import Prefixes
from .errors import KgError
from .namespaces import CANONICAL, Namespaces
from .writers import Terms, to_rdflib
from .vocab import RDF, RDFS


def _prefixes(namespaces: Namespaces) -> dict[str, str]:
    """The published prefixes, and the shapes' own (``sh``, ``kgsh``): how a report names terms."""
    return {**namespaces.prefixes(), "sh": str(SH), "kgsh": namespaces.shapes}


@dataclass(frozen=True)
class Violation:
    focus: str
    label: str | None
    path: str | None
    message: str
    shape: str
    severity: str
    origin: str | None = None

    @property
    def is_error(self) -> bool:
        """A violation fails the build; a warning (``sh:Warning``/``sh:Info``) is only reported."""
        return self.severity == "Violation"

    def __str__(self) -> str:
        who = f"{self.focus}" + (f" ({self.label})" if self.label else "")
        where = f" [from {self.origin}]" if self.origin else ""
        prop = f" property {self.path}:" if self.path else ""
        level = "" if self.is_error else f"{self.severity.lower()}: "
        return f"{level}{who}{where}:{prop} {self.message} (shape {self.shape})"


def shapes_graph(namespaces: Namespaces = CANONICAL) -> Graph:
    """kg's SHACL shapes (``shapes/*.ttl``), kg's terms in the project's ``namespaces``."""
    g = Graph(bind_namespaces="core")
    for prefix, ns in _prefixes(namespaces).items():
        g.bind(prefix, ns, override=True, replace=True)
    package = Graph()
    for res in sorted(resources.files("kg._shapes").iterdir(), key=lambda r: r.name):
        if res.name.endswith(".ttl"):
            package.parse(data=res.read_text(encoding="utf-8"), format="turtle")
    for t in namespaces.rewrite(package):
        g.add(t)
    return g


def _short(g: Graph, term) -> str | None:
    """``term`` by the prefixes bound in ``g`` (the shapes graph), the longest namespace first."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        # of two prefixes bound to one namespace, the greater name (sorted first: the rule keeps the first)
        prefixes = Prefixes(sorted(((p, str(ns)) for p, ns in g.namespaces()), reverse=True))
        return prefixes.curie(str(term)) or f"<{term}>"
    return str(term)


def _path(g: Graph, node, shapes: Graph) -> str | None:
    """A SHACL property path as text: ``crm:P1``, ``^crm:P72``, ``crm:P2/skos:inScheme``."""
    if node is None or isinstance(node, URIRef):
        return _short(shapes, node)
    for graph in (g, shapes):
        inverse = graph.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + _path(graph, inverse, shapes)
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(_path(graph, x, shapes) for x in Collection(graph, alternatives)) + ")"
        for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = graph.value(node, key)
            if inner is not None:
                return _path(graph, inner, shapes) + mark
        if graph.value(node, RDF.first) is not None:
            return "/".join(_path(graph, x, shapes) for x in Collection(graph, node))
    return str(node)


def origin_of(iri: str, origins: dict[str, str]) -> str | None:
    """The input an IRI came from: its own entry, or its nearest parent's (``…/time`` → event)."""
    while iri:
        if iri in origins:
            return origins[iri]
        if "/" not in iri:
            return None
        iri = iri.rsplit("/", 1)[0]
    return None


class SparqlTargets:
    """The SPARQL targets of a shapes graph, evaluated on pyoxigraph.

    :meth:`applied` swaps each ``sh:target`` link to a SPARQL target for ``sh:targetNode``
    links to the nodes its query selects in the data, for the duration of one validation,
    and puts the shapes graph back as it was afterwards. It does the same for every shape
    :mod:`kg.screen` can screen: such a shape's targets are swapped for the nodes its
    screening query selects (those that might not conform), so pyshacl skips the rest.
    """

    screen: screening.Screen | None = None  # the screening queries (None: pyshacl checks every target)
    wanted: frozenset = frozenset()  # the SPARQL targets whose focus nodes are needed
    screened_targets: tuple = ()
    other_targets = True  # a shape pyshacl finds the focus nodes of (not screened, no SPARQL target)

    def __init__(self, shapes: Graph, screen: bool | None = None):
        self.shapes = shapes
        self.targets = []  # (shape, target node, query text)
        embeddable, prologue = {}, set()
        for shape, target in sorted(shapes.subject_objects(SH.target), key=lambda so: (str(so[0]), str(so[1]))):
            select = shapes.value(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) in shapes and select is not None:
                self.targets.append((shape, target, self._prologue(target) + str(select)))
                if _plain_pattern(str(select)):
                    embeddable[target] = str(select)
                    prologue.add(self._prologue(target))
        self.number = {target: i for i, (_, target, _) in enumerate(self.targets)}
        on = screening.enabled() if screen is None else screen
        self.screen = (screening.Screen(shapes, embeddable, "".join(sorted(prologue)), self.number)
                       if on else None)
        screened = set(self.screen.queries) if self.screen else set()
        # a SPARQL target is run for a shape that is not screened, or for a screening query that names it
        self.wanted = {target for shape, target, _ in self.targets if shape not in screened}
        self.wanted |= {target for shape in screened for target in self.screen.given[shape]}
        # whether a shape neither screened nor of SPARQL targets has targets (pyshacl finds its nodes)
        self.other_targets = any(shape not in screened
                                 for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
                                 for shape in shapes.subjects(p, None))
        self.other_targets |= any(True for _ in shapes.subjects(RDF.type, RDFS.Class))  # implicit class targets
        # the targets of a screened shape in the shapes graph, swapped for its offenders
        self.screened_targets = [(shape, p, o) for shape in sorted(screened, key=str)
                                 for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode,
                                           SH.target)
                                 for o in shapes.objects(shape, p)]

    def _prologue(self, target) -> str:
        lines = []
        for owner in self.shapes.objects(target, SH.prefixes):
            for decl in self.shapes.objects(owner, SH.declare):
                prefix, ns = self.shapes.value(decl, SH.prefix), self.shapes.value(decl, SH.namespace)
                if prefix is not None and ns is not None:
                    lines.append(f"PREFIX {prefix}: <{ns}>\n")
        return "".join(sorted(set(lines)))

    def focus_nodes(self, data: Graph, store: ox.Store | None = None) -> list[tuple[URIRef, URIRef, set]]:
        """``(shape, target, focus nodes)`` of every SPARQL target needed in ``data`` (or in
        ``store``, the data as Oxigraph keeps it)."""
        if store is None:
            terms = Terms()
            store = ox.Store()
            store.bulk_extend([ox.Quad(terms(s), terms(p), terms(o)) for s, p, o in data])
        out = []
        for shape, target, query in self.targets:
            if target in self.wanted:
                found = store.query(query, use_default_graph_as_union=True)
                out.append((shape, target, {to_rdflib(row["this"]) for row in found if row["this"] is not None}))
        return out

    @contextmanager
    def applied(self, data: Graph):
        if self.screen is None:
            found, lexical = self.focus_nodes(data), None
        else:
            canonical, lexical = screening.stores(data)
            found = self.focus_nodes(data, canonical)
        screened = set(self.screen.queries) if self.screen is not None else set()
        added = [(shape, SH.targetNode, node) for shape, _, nodes in found if shape not in screened
                 for node in nodes]
        removed = [(shape, SH.target, target) for shape, target, _ in self.targets if shape not in screened]
        if self.screen is not None:
            given = {self.number[target]: nodes for _, target, nodes in found}
            added += [(shape, SH.targetNode, node) for shape, nodes in self.screen.offenders(lexical, given).items()
                      for node in sorted(nodes, key=str)]
            removed += self.screened_targets
        for t in removed:
            self.shapes.remove(t)
        for t in added:
            self.shapes.add(t)
        try:
            yield bool(added) or self.other_targets  # whether pyshacl has any focus node to check
        finally:
            for t in added:
                self.shapes.remove(t)
            for t in removed:
                self.shapes.add(t)


def _plain_pattern(select: str) -> bool:
    """A SPARQL target that only matches a graph pattern (no FILTER, BIND or literal), whose
    result does not depend on how a store writes literals: a screening query may embed it."""
    upper = select.upper()
    return "FILTER" not in upper and "BIND" not in upper and '"' not in select and "'" not in select


def validate(data: Graph, shapes: Graph | None = None, origins: dict[str, str] | None = None,
             targets: SparqlTargets | None = None) -> list[Violation]:
    """Validate ``data``; return every result, violations and warnings (empty when clean).

    ``targets`` are the SPARQL targets of ``shapes`` (made once by the caller who validates
    many graphs with the same shapes)."""
    shapes = shapes if shapes is not None else shapes_graph()
    targets = targets if targets is not None else SparqlTargets(shapes)
    with targets.applied(data) as focus:
        if not focus:  # no shape has a node to check: pyshacl would report nothing
            return []
        if not data.store.context_aware:  # pyshacl needs rdflib's default store (a graph mapped on SimpleMemory)
            copy = Graph()
            for t in data:
                copy.add(t)
            data = copy
        # inplace: no copy of the data (kg's shapes have no SHACL rules, so nothing is added to it)
        _, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", inplace=True,
                                      advanced=True, allow_warnings=True)
    if not isinstance(report, Graph):  # pyshacl could not run the shapes at all
        raise KgError(f"the SHACL shapes could not be applied: {report}", path="shapes/",
                      hint="fix the shapes files; this is not a problem in data/")
    out = []
    for result in sorted(set(report.subjects(SH.resultSeverity, None)), key=str):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        msg = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        if isinstance(shape, BNode):  # a property shape: name the node shape that holds it
            shape = shapes.value(predicate=SH.property, object=shape) or shape
        sev = report.value(result, SH.resultSeverity)
        lbl = min(data.objects(focus, RDFS.label), key=str, default=None)  # one, whatever the order
        out.append(Violation(str(focus), str(lbl) if lbl else None, _path(report, path, shapes),
                             str(msg) if msg else "does not conform", _short(shapes, shape) or "",
                             str(sev).rsplit("#", 1)[-1],
                             (origins or {}).get(f"{focus} {path}") or origin_of(str(focus), origins or {})))
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))
