"""SHACL validation (pyshacl) with a report a curator can act on.

Each violation names the focus node, the property path, what the shape expected, and —
for nodes that come from curated input — the file and line the node came from.
pyshacl changes rdflib's global literal normalisation while it loads shapes; validation
therefore runs in the calling thread only, and nothing in kg depends on that flag.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from .errors import KgError
from .namespaces import CANONICAL, Namespaces
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
        iri = str(term)
        known = [(p, str(ns)) for p, ns in g.namespaces() if iri.startswith(str(ns))]
        if known:
            prefix, ns = max(known, key=lambda pn: (len(pn[1]), pn[0]))
            return f"{prefix}:{iri[len(ns):]}"
        return f"<{term}>"
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


def validate(data: Graph, shapes: Graph | None = None, origins: dict[str, str] | None = None) -> list[Violation]:
    """Validate ``data``; return every result, violations and warnings (empty when clean)."""
    shapes = shapes if shapes is not None else shapes_graph()
    _, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none",
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
        lbl = data.value(focus, RDFS.label)
        out.append(Violation(str(focus), str(lbl) if lbl else None, _path(report, path, shapes),
                             str(msg) if msg else "does not conform", _short(shapes, shape) or "",
                             str(sev).rsplit("#", 1)[-1],
                             (origins or {}).get(f"{focus} {path}") or origin_of(str(focus), origins or {})))
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))
