"""A build's union graph as sorted N-Triples lines: what the dumps and VoID are made from.

Each graph of a build (the shared one and one per document) becomes sorted N-Triples
once (:func:`kg.writers.ntriples`, or the document cache's copy); the union is those
lines merged, each once. N-Triples is one triple per line, so a union of N-Triples
documents is their lines; the line of a triple depends only on the triple. The dataset's
figures (triples, classes and properties with their counts) are counted here on
pyoxigraph's terms, without an rdflib graph of the whole archive.
"""
from __future__ import annotations

from collections import Counter
from functools import cached_property
from typing import Iterable

import pyoxigraph as ox
from rdflib import URIRef

from .writers import RDF_TYPE, merge_lines, parse_nt


class Merged:
    """The union of a build's graphs (sorted N-Triples chunks), counted without rdflib."""

    def __init__(self, chunks: Iterable[bytes]):
        self.nt = merge_lines(chunks)

    def __len__(self) -> int:
        return self.nt.count(b"\n")

    def triples(self) -> Iterable[ox.Triple]:
        return parse_nt(self.nt)

    @cached_property
    def partitions(self) -> tuple[Counter, Counter]:
        """``(instances by class, triples by property)``, keyed by rdflib IRIs."""
        classes, props = Counter(), Counter()
        for t in self.triples():
            props[t.predicate.value] += 1
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                classes[t.object.value] += 1
        return ({URIRef(k): n for k, n in classes.items()}, {URIRef(k): n for k, n in props.items()})

    def instances(self, classes: dict[str, URIRef]) -> dict[str, int]:
        """How many distinct subjects have each of ``classes`` (by name) as rdf:type (each
        rdf:type triple is one line, so one subject)."""
        counts = self.partitions[0]
        return {name: counts.get(URIRef(str(c)), 0) for name, c in classes.items()}
