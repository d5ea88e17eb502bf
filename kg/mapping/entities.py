"""Registry entities → the shared graph: persons, groups, places, events, languages, types.

Patterns (MODEL.md): person ``crm:E21_Person`` + ``schema:Person``; group
``crm:E74_Group`` + ``schema:Organization`` (an archive also ``schema:ArchiveOrganization``);
place ``crm:E53_Place`` + ``schema:Place``; event ``crm:E7_Activity`` + ``schema:Event``,
typed with ``crm:P2_has_type``; a planned event is also typed ``kgt:planned`` and has
``schema:eventStatus schema:EventScheduled``.
"""
from __future__ import annotations

from rdflib import Graph

from ..facts import Entity
from ..languages import WIKIDATA, name_of
from ..vocab import CRM, SCHEMA, types_triples
from .patterns import ENTITY_CLASSES, Context, appellation, en, has_type, label, typed, wikidata


def map_entity(g: Graph, ctx: Context, e: Entity) -> None:
    """One registry entry: classes, labels, preferred and variant names, type, links."""
    node = ctx.node(e.key)
    typed(g, node, *ENTITY_CLASSES[e.kind])
    label(g, node, e.label, name=True)
    appellation(g, node, e.label, "en", "preferred-name")
    for n in e.names:
        appellation(g, node, n.text, n.lang, "name-as-written")
    if e.type:
        has_type(g, node, e.type)
        if e.type == "archive":
            typed(g, node, SCHEMA.ArchiveOrganization)
    if e.planned:
        has_type(g, node, "planned")
        g.add((node, SCHEMA.eventStatus, SCHEMA.EventScheduled))
    if e.description:
        g.add((node, SCHEMA.description, en(e.description)))
        g.add((node, CRM.P3_has_note, en(e.description)))
    if e.part_of:
        parent = ctx.node(e.part_of)
        if e.kind == "group":
            g.add((parent, CRM.P107_has_current_or_former_member, node))
            g.add((node, SCHEMA.memberOf, parent))
            g.add((parent, SCHEMA.member, node))
        elif e.kind == "event":
            g.add((node, CRM.P9i_forms_part_of, parent))
            g.add((parent, CRM.P9_consists_of, node))
            g.add((node, SCHEMA.superEvent, parent))
            g.add((parent, SCHEMA.subEvent, node))
        else:
            g.add((node, CRM.P89_falls_within, parent))
            g.add((node, SCHEMA.containedInPlace, parent))
    wikidata(g, node, e.wikidata)


def map_languages(g: Graph, ctx: Context, codes: set[str]) -> None:
    """``crm:E56_Language`` nodes for the languages the documents use."""
    for code in sorted(codes):
        node = ctx.iris.language(code)
        typed(g, node, CRM.E56_Language)
        label(g, node, name_of(code))
        wikidata(g, node, WIKIDATA.get(code))


def map_types(g: Graph) -> None:
    """The controlled types (``ontology/types.ttl``), so every referenced type has its labels."""
    for t in types_triples():
        g.add(t)


def map_registry(ctx: Context, languages: set[str]) -> Graph:
    """The shared graph: every registry entity, the languages used, and the types."""
    g = Graph()
    for key in sorted(ctx.entities):
        map_entity(g, ctx, ctx.entities[key])
    map_languages(g, ctx, languages)
    map_types(g)
    return g

