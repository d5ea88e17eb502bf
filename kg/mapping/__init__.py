"""Typed facts → RDF graphs: one shared graph for the registry, one graph per document.

Documents are mapped independently of each other (one named graph and one validation
unit each), so they can later be mapped in parallel or rebuilt one at a time.
"""
from __future__ import annotations

from rdflib import Graph

from ..facts import DocumentFacts, Facts
from ..iris import Iris
from .document import map_document, map_names
from .entities import map_registry
from .patterns import Context
from .propositions import map_propositions
from .statements import map_statements

__all__ = ["Context", "map_shared", "map_one_document", "map_all"]


def map_shared(ctx: Context, facts: Facts) -> Graph:
    """The registry and the types (kg's and the project's); languages are mapped with the
    documents that use them."""
    g = map_registry(ctx, set())
    for t in facts.vocabulary.project_triples:
        g.add(t)
    return g


def map_one_document(ctx: Context, doc: DocumentFacts) -> Graph:
    g = Graph()
    map_document(g, ctx, doc)
    map_names(g, ctx, doc)
    map_statements(g, ctx, doc)
    map_propositions(g, ctx, doc)
    return g


def map_all(facts: Facts, base: str, archive: str = "archive") -> tuple[Graph, dict[str, Graph]]:
    """The shared graph and ``{document number: graph}``; ``archive`` names the records' portal."""
    ctx = Context(Iris(base), facts.entities, archive, facts.vocabulary.acted_upon)
    return map_shared(ctx, facts), {d.number: map_one_document(ctx, d) for d in facts.documents}
