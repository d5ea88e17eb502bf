"""Validation units: the shared graph in parts, and one unit per document with the shared part it uses.

A document's unit holds the document's triples and, from the shared graph, the statements
about every node the document names, about every node those statements name, and so on
(the forward closure along the shared graph). That is all the shapes can reach from the
document's nodes with forward paths, and every shared node in the unit comes with all of
its own statements, so a shape applied to it sees what it would see in the whole graph.
The closure is bounded by what the registry links together (names, types, broader types,
places), not by the number of documents: registry entities do not point to documents.

The shared graph is validated in parts (:func:`parts`): its roots (subjects no other
shared subject points to, and any subject no root reaches, as in a cycle), in sorted
batches, each with its forward closure. A part sees all that forward paths see from its
nodes; what an inverse path or a SPARQL query sees may be less, so the caller takes parts
that all conform as the shared graph conforming, and validates the whole graph when any
part reports anything.

Everything here works on sorted N-Triples bytes (as :func:`kg.writers.ntriples` writes
them), so a unit's key is its lines merged, with no graph made; a graph is parsed only
for the one validation (:func:`graph`).
"""
from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph

from .facts import DocumentFacts
from .iris import Iris
from .mapping.statements import evidence_iri
from .vocab import CRM
from .writers import lines, parse_nt, to_rdflib

PART_TRIPLES = 4000  # the roots' own triples in one part of the shared graph (their closures add more)


def nodes(line: bytes) -> tuple[bytes, bytes | None]:
    """An N-Triples line's subject, and its object unless that is a literal."""
    subject, _, rest = line.split(b" ", 2)
    obj = rest[:-2]  # without " ."
    return subject, (None if obj.startswith(b'"') else obj)


class SharedIndex:
    """The shared graph's sorted N-Triples, each subject's lines found by the subject."""

    def __init__(self, nt: bytes):
        self.nt = nt
        self.spans: dict[bytes, tuple[int, int]] = {}
        start, subject, first = 0, None, 0
        while start < len(nt):
            end = nt.index(b"\n", start) + 1
            s = nt[start:nt.index(b" ", start)]
            if s != subject:
                if subject is not None:
                    self.spans[subject] = (first, start)
                subject, first = s, start
            start = end
        if subject is not None:
            self.spans[subject] = (first, len(nt))

    def lines_of(self, subject: bytes) -> bytes:
        a, b = self.spans.get(subject, (0, 0))
        return self.nt[a:b]

    def closure(self, seeds: Iterable[bytes]) -> bytes:
        """The sorted shared lines reachable from the ``seeds`` nodes: their statements, those
        of every node these name, and so on."""
        seen, todo, found = set(seeds), [], []
        todo.extend(seen)
        while todo:
            span = self.spans.get(todo.pop())
            if span is None:
                continue
            found.append(span)
            for line in lines(self.nt[span[0]:span[1]]):
                o = nodes(line)[1]
                if o is not None and o not in seen:
                    seen.add(o)
                    todo.append(o)
        return b"".join(self.nt[a:b] for a, b in sorted(found))


def reached(nt: bytes, index: SharedIndex) -> bytes:
    """The sorted shared lines a document's sorted N-Triples reach: with them, its unit."""
    seeds = set()
    for line in lines(nt):
        s, o = nodes(line)
        seeds.add(s)
        if o is not None:
            seeds.add(o)
    return index.closure(seeds)


def parts(index: SharedIndex, size: int | None = None) -> list[list[bytes]]:
    """The shared graph's roots in sorted batches of about ``size`` (default: ``PART_TRIPLES``)
    triples of their own: one batch per part (each part is the forward closure of its batch)."""
    objects, pointed_by = {}, {}
    for subject in index.spans:
        objects[subject] = [o for line in lines(index.lines_of(subject)) if (o := nodes(line)[1]) in index.spans]
        for o in objects[subject]:
            if o != subject:
                pointed_by.setdefault(o, []).append(subject)
    roots, reached = [s for s in index.spans if s not in pointed_by], set()

    def reach(root: bytes) -> None:
        todo = [root]
        reached.add(root)
        while todo:
            for o in objects[todo.pop()]:
                if o not in reached:
                    reached.add(o)
                    todo.append(o)

    for root in roots:
        reach(root)
    for s in sorted(index.spans):  # not reached: downstream of a cycle, whose node (found going back) is a root
        if s not in reached:
            back = set()
            while s not in back:
                back.add(s)
                s = min(pointed_by[s])
            roots.append(s)
            reach(s)
    batches, batch, count = [], [], 0
    for root in sorted(roots):
        batch.append(root)
        count += index.lines_of(root).count(b"\n")
        if count >= (size or PART_TRIPLES):
            batches.append(batch)
            batch, count = [], 0
    return batches + [batch] if batch else batches


def graph(nt: bytes, g: Graph | None = None) -> Graph:
    """The triples of N-Triples added to ``g`` (or to a new graph), as rdflib terms."""
    g = Graph() if g is None else g
    for t in parse_nt(nt):
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


def asserted(iris: Iris, d: DocumentFacts, g: Graph) -> dict[str, str]:
    """Where each (node, property) the document's statements assert was written (the first
    statement of the document that asserts it), read from the document's graph."""
    out: dict[str, str] = {}
    doc = iris.document(d.number)
    for st in d.statements:
        evidence = evidence_iri(doc, st)
        subject = g.value(evidence, CRM.P140_assigned_attribute_to)
        prop = g.value(evidence, CRM.P177_assigned_property_of_type)
        out.setdefault(f"{subject} {prop}", str(st.origin))
    return out

