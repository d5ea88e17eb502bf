"""Typed facts → RDF graphs: one shared graph for the registry, one graph per document.

Documents are mapped independently of each other (one named graph and one validation
unit each): the build maps each as its unit is made, or takes it from the document cache.
"""
from __future__ import annotations

from rdflib import Graph
from rdflib.plugins.stores.memory import SimpleMemory

from ..facts import DocumentFacts, Facts
from .document import map_document, map_names
from .entities import map_registry
from .patterns import Context
from .propositions import map_propositions
from .statements import map_statements

__all__ = ["Context", "map_shared", "map_one_document"]


def map_shared(ctx: Context, facts: Facts) -> Graph:
    """The registry and the types (kg's and the project's); languages are mapped with the
    documents that use them."""
    g = map_registry(ctx, set())
    for t in facts.vocabulary.project_triples:
        g.add(t)
    return g


def map_one_document(ctx: Context, doc: DocumentFacts) -> Graph:
    g = Graph(store=SimpleMemory())  # no contexts: a third less time per triple added than rdflib's default store
    map_document(g, ctx, doc)
    map_names(g, ctx, doc)
    map_statements(g, ctx, doc)
    map_propositions(g, ctx, doc)
    return g

