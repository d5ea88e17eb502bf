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
from rdflib.namespace import SH

from .errors import KgError
from .vocab import RDFS


@dataclass(frozen=True)
class Violation:
    focus: str
    label: str | None
    path: str | None
    message: str
    shape: str
    severity: str
    origin: str | None = None

    def __str__(self) -> str:
        who = f"{self.focus}" + (f" ({self.label})" if self.label else "")
        where = f" [from {self.origin}]" if self.origin else ""
        prop = f" property {self.path}:" if self.path else ""
        return f"{who}{where}:{prop} {self.message} (shape {self.shape})"


def shapes_graph() -> Graph:
    g = Graph()
    for res in sorted(resources.files("kg._shapes").iterdir(), key=lambda r: r.name):
        if res.name.endswith(".ttl"):
            g.parse(data=res.read_text(encoding="utf-8"), format="turtle")
    return g


def _short(g: Graph, term) -> str | None:
    if term is None:
        return None
    try:
        return g.namespace_manager.normalizeUri(term) if isinstance(term, URIRef) else str(term)
    except Exception:  # noqa: BLE001 - a term without a known prefix is shown in full
        return str(term)


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
    """Validate ``data``; return the violations (empty when it conforms)."""
    shapes = shapes if shapes is not None else shapes_graph()
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none",
                                         advanced=True, allow_warnings=True)
    if not isinstance(report, Graph):  # pyshacl could not run the shapes at all
        raise KgError(f"the SHACL shapes could not be applied: {report}", path="shapes/",
                      hint="fix the shapes files; this is not a problem in data/")
    if conforms:
        return []
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
        out.append(Violation(str(focus), str(lbl) if lbl else None, _short(shapes, path),
                             str(msg) if msg else "does not conform", _short(shapes, shape) or "",
                             str(sev).rsplit("#", 1)[-1],
                             origin_of(str(focus), origins or {})))
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))
