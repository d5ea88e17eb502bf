"""Validation units: one per document, its own graph plus the part of the shared graph it uses.

A document's unit holds the document's triples and, from the shared graph, the statements
about every node the document names, about every node those statements name, and so on
(the forward closure along the shared graph). That is all the shapes can reach from the
document's nodes with forward paths, and every shared node in the unit comes with all of
its own statements, so a shape applied to it sees what it would see in the whole graph.
The shared graph itself is validated once, as a unit of its own. The closure is bounded
by what the registry links together (names, types, broader types, places), not by the
number of documents: registry entities do not point to documents.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from rdflib import Graph, Literal


class SharedIndex:
    """The shared graph's triples by subject."""

    def __init__(self, shared: Graph):
        self._by_subject: dict = defaultdict(list)
        for t in shared:
            self._by_subject[t[0]].append(t)

    def closure(self, triples: Iterable) -> list:
        """The shared triples reachable from the nodes of ``triples`` (subjects and objects)."""
        seen, todo, out = set(), [], []
        for s, _, o in triples:
            for node in (s, o):
                if node not in seen and not isinstance(node, Literal):
                    seen.add(node)
                    todo.append(node)
        while todo:
            for t in self._by_subject.get(todo.pop(), ()):
                out.append(t)
                o = t[2]
                if o not in seen and not isinstance(o, Literal):
                    seen.add(o)
                    todo.append(o)
        return out


def unit(document: Graph, index: SharedIndex) -> Graph:
    """The document's validation unit: its graph and the shared triples it reaches."""
    g = Graph()
    for t in document:
        g.add(t)
    for t in index.closure(document):
        g.add(t)
    return g
