"""CIDOC-CRM patterns shared by every mapper, written once.

Each helper adds the triples of one pattern to a graph and returns the node it made:
labels, types, names (``crm:E41_Appellation``), identifiers (``crm:E42_Identifier``),
time-spans (``crm:E52_Time-Span``), passages (``crm:E33_Linguistic_Object`` with
``oa:start``/``oa:end``) and evidence (``crm:E13_Attribute_Assignment``).
"""
from __future__ import annotations

from functools import cached_property

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from .. import timespans
from ..facts import Entity, Passage
from ..names import NameIndex
from ..iris import Iris, slug
from ..vocab import CRM, KGO, KGT, OA, OWL, RDF, RDFS, SCHEMA, SKOS, WD, WD_PAGE, XSD

E52 = CRM["E52_Time-Span"]
P4 = CRM["P4_has_time-span"]
P82A = CRM["P82a_begin_of_the_begin"]
P82B = CRM["P82b_end_of_the_end"]

# Entity kind → (CRM class, schema.org class)
ENTITY_CLASSES = {
    "person": (CRM.E21_Person, SCHEMA.Person),
    "group": (CRM.E74_Group, SCHEMA.Organization),
    "place": (CRM.E53_Place, SCHEMA.Place),
    "event": (CRM.E7_Activity, SCHEMA.Event),
}


@dataclass
class Context:
    """What a mapper needs: the IRI factory and the registry (read-only)."""

    iris: Iris
    entities: dict[str, Entity]
    archive: str = "archive"     # how the records' portal is named: "<archive> document: 121976"
    acted_upon: frozenset = frozenset({"subject"})   # roles of someone the activity was done to

    @cached_property
    def names(self) -> NameIndex:
        """The registry's persons and archives by name (built once)."""
        return NameIndex(self.entities)

    def node(self, key: str) -> URIRef:
        e = self.entities[key]
        return self.iris.entity(e.kind, key)

    def label(self, key: str) -> str:
        return self.entities[key].label


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def label(g: Graph, node: URIRef, text: str, *, name: bool = False) -> None:
    """``rdfs:label`` in English, and ``schema:name`` for things with a name."""
    g.add((node, RDFS.label, en(text)))
    if name:
        g.add((node, SCHEMA.name, en(text)))


def typed(g: Graph, node: URIRef, *classes: URIRef) -> URIRef:
    for c in classes:
        g.add((node, RDF.type, c))
    return node


def has_type(g: Graph, node: URIRef, key: str) -> None:
    """``crm:P2_has_type`` a controlled type of ontology/types.ttl."""
    g.add((node, CRM.P2_has_type, KGT[key]))


def wikidata(g: Graph, node: URIRef, qid: str | None) -> None:
    """The two Wikidata links of MODEL.md rule 4."""
    if qid:
        g.add((node, OWL.sameAs, WD[qid]))
        g.add((node, SCHEMA.sameAs, WD_PAGE[qid]))


def appellation(g: Graph, owner: URIRef, text: str, lang: str, type_key: str) -> URIRef:
    """A name of ``owner`` as a ``crm:E41_Appellation`` below it.

    IRI: ``<owner>/name/<lang>-<slug>``, or ``<owner>/name/preferred`` for the preferred
    English name.
    """
    seg = "preferred" if type_key == "preferred-name" else f"{lang}-{slug(text)}"
    node = Iris.below(owner, "name", seg)
    typed(g, node, CRM.E41_Appellation)
    g.add((node, RDFS.label, en(f"name: {text}" if lang != "en" else text)))
    g.add((node, CRM.P190_has_symbolic_content, Literal(text, lang=lang)))
    has_type(g, node, type_key)
    g.add((owner, CRM.P1_is_identified_by, node))
    if type_key != "preferred-name":
        g.add((owner, SKOS.altLabel, Literal(text, lang=lang)))
    return node


def identifier(g: Graph, owner: URIRef, segment: str, content: str, type_key: str, title: str) -> URIRef:
    """A ``crm:E42_Identifier`` (shelfmark, document number, registration) below its owner."""
    node = Iris.below(owner, "id", segment)
    typed(g, node, CRM.E42_Identifier)
    g.add((node, RDFS.label, en(f"{title}: {content}")))
    g.add((node, CRM.P190_has_symbolic_content, Literal(content)))
    has_type(g, node, type_key)
    g.add((owner, CRM.P1_is_identified_by, node))
    return node


def schema_date(t, precision: str) -> Literal:
    """The schema.org form of a time: a date for day precision or coarser, else a dateTime."""
    if precision == "year":
        return Literal(f"{t.year:04d}", datatype=XSD.gYear)
    if precision == "month":
        return Literal(f"{t.year:04d}-{t.month:02d}", datatype=XSD.gYearMonth)
    if precision == "day":
        return Literal(t.date().isoformat(), datatype=XSD.date)
    return Literal(t.isoformat(), datatype=XSD.dateTime)


def _dt(t) -> Literal:
    return Literal(t.isoformat(), datatype=XSD.dateTime)


def time_span(g: Graph, owner: URIRef, span: timespans.Span, text: str, *,
              segment: str = "time", schema_dates: bool = True) -> URIRef:
    """``owner`` took place within ``span`` (a document's date, say): see :func:`time_bounds`."""
    return time_bounds(g, owner, timespans.within(span), text, segment=segment, schema_dates=schema_dates)


def time_bounds(g: Graph, owner: URIRef, b: timespans.Bounds, text: str, *,
                segment: str = "time", schema_dates: bool = True) -> URIRef:
    """``owner crm:P4_has_time-span <owner>/time``: the bounds the source gives, and no others.

    P82a / P81a bound the begin, P81b / P82b the end; a bound the source does not state is
    not published. schema:startDate / endDate are the begin / end as stated (a date of the
    source's precision), only when the source states them; for "within" both are that date.
    An approximate time is typed ``kgt:approximate``.
    """
    node = Iris.below(owner, segment)
    typed(g, node, E52)
    g.add((node, RDFS.label, en(text)))
    for prop, t in ((P82A, b.begin_earliest), (CRM.P81a_end_of_the_begin, b.begin_latest),
                    (CRM.P81b_begin_of_the_end, b.end_earliest), (P82B, b.end_latest)):
        if t is not None:
            g.add((node, prop, _dt(t)))
    if b.approximate:
        has_type(g, node, "approximate")
    g.add((owner, P4, node))
    if schema_dates:
        start = b.within or b.begin_stated
        end = b.within or b.end_stated
        if start is not None:
            g.add((owner, SCHEMA.startDate, schema_date(start.begin, start.precision)))
        if end is not None:
            g.add((owner, SCHEMA.endDate, schema_date(timespans.instant_or_unit(end)[1], end.precision)))
    return node


def stated_time(g: Graph, node: URIRef, stated: str, stated_span: timespans.Span | None, reason: str) -> None:
    """Keep a source's wrong date as stated beside the corrected span, with the reason."""
    g.add((node, KGO.statedAs, Literal(stated)))
    if stated_span is not None:
        g.add((node, KGO.statedBegin, _dt(stated_span.begin)))
        g.add((node, KGO.statedEnd, _dt(stated_span.end)))
    g.add((node, CRM.P3_has_note, en(f"The source states this date as \u201c{stated}\u201d. Corrected: {reason}")))


def passage(g: Graph, text_node: URIRef, p: Passage, text_label: str) -> URIRef:
    """The verbatim passage as part of its text, with character offsets into that text."""
    node = Iris.below(text_node, "passage", f"{p.start}-{p.end}")
    typed(g, node, CRM.E33_Linguistic_Object, OA.TextPositionSelector)
    g.add((node, RDFS.label, en(f"passage, characters {p.start}\u2013{p.end} of {text_label}")))
    g.add((node, CRM.P190_has_symbolic_content, Literal(p.content)))
    g.add((node, CRM.P106i_forms_part_of, text_node))
    g.add((node, OA.start, Literal(p.start, datatype=XSD.nonNegativeInteger)))
    g.add((node, OA.end, Literal(p.end, datatype=XSD.nonNegativeInteger)))
    return node
