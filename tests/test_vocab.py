"""Vocabularies: closed namespaces, own terms declared once, and CRM used within its
domains and ranges (checked against cromulent's CIDOC-CRM 7.1 table)."""
from __future__ import annotations

import csv
from importlib import resources
from importlib.resources import files

import pytest
from rdflib import Graph, Literal, URIRef

from kg.vocab import CRM, KGO, KGO_NS, KGT, KGT_NS, OWL, RDF, RDFS, SCHEMA

CRM_NS = "http://www.cidoc-crm.org/cidoc-crm/"


def crm_table() -> tuple[dict[str, list[str]], dict[str, tuple[str, str]]]:
    """cromulent's CRM 7.1 table → (class → superclasses, property → (domain, range))."""
    path = files("cromulent").joinpath("data/crm_vocab.tsv")
    supers, props = {}, {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            term = row["term"]
            if row["term type"] == "class":
                supers[term] = [s for s in row["subPropertyOf"].split("|") if s]
            elif row["term type"] == "property":
                props[term] = (row["domain"], row["range"])
    return supers, props


SUPERS, PROPS = crm_table()


def ancestors(cls: str) -> set[str]:
    seen, todo = {cls}, [cls]
    while todo:
        for s in SUPERS.get(todo.pop(), []):
            if s not in seen:
                seen.add(s)
                todo.append(s)
    return seen


def crm_classes(g: Graph, node) -> set[str]:
    out = set()
    for c in g.objects(node, RDF.type):
        if str(c).startswith(CRM_NS):
            out |= ancestors(str(c)[len(CRM_NS):])
    return out


def test_closed_namespaces_reject_typos():
    with pytest.raises(AttributeError):
        CRM.P14_carried_ot_by  # noqa: B018
    with pytest.raises(AttributeError):
        SCHEMA.atendee  # noqa: B018
    with pytest.raises(AttributeError):
        KGT.meetng  # noqa: B018
    with pytest.raises(AttributeError):
        KGO.proposedParticipants  # noqa: B018


def test_kgt_names_kg_types_closed_and_takes_a_projects_keys_by_item():
    """Code names kg's own types (closed); a key from data, already checked against the
    build's vocabulary (kg.vocabulary), may be a project's own."""
    assert KGT.secret == URIRef(KGT_NS + "secret") and KGT.classification == URIRef(KGT_NS + "classification")
    assert KGT["special-file"] == URIRef(KGT_NS + "special-file")
    with pytest.raises(AttributeError):
        KGT.special_file  # noqa: B018
    with pytest.raises(AttributeError):
        KGT["Not a key"]  # noqa: B018


def test_kg_ships_the_common_classification_levels():
    from kg.vocabulary import load_vocabulary
    types = Graph().parse(data=resources.files("kg._ontology").joinpath("types.ttl").read_text(encoding="utf-8"),
                          format="turtle")
    levels = {"top-secret", "strictly-secret", "secret", "confidential", "for-official-use-only", "unclassified"}
    assert levels <= set(load_vocabulary("/nonexistent").in_scheme("classification"))
    for key in levels:
        assert types.value(KGT[key], RDFS.label).language == "en"
        assert types.value(KGT[key], RDFS.comment) is not None


def test_schema_is_http_not_https(dist_graph):
    used = {str(t) for triple in dist_graph for t in triple if isinstance(t, URIRef)}
    assert not [u for u in used if u.startswith("https://schema.org/")]


def test_every_crm_term_kg_declares_exists_in_crm_7_1():
    names = list(CRM.__annotations__) + list(CRM._extras)
    property_classes = {"PC107_has_current_or_former_member", "P01_has_domain", "P02_has_range",
                        "P107.1_kind_of_member"}
    unknown = [n for n in names if n not in SUPERS and n not in PROPS and n not in property_classes]
    assert unknown == []


def test_crm_properties_are_used_within_domain_and_range(dist_graph):
    problems = []
    for s, p, o in dist_graph:
        name = str(p)[len(CRM_NS):] if str(p).startswith(CRM_NS) else None
        if name not in PROPS:
            continue
        domain, rng = PROPS[name]
        if domain and domain not in crm_classes(dist_graph, s):
            problems.append(f"{s} {name}: subject is not a {domain}")
        if name == "P177_assigned_property_of_type":
            continue  # the value is a property IRI (Linked Art's usage), not an E55 instance
        if rng and not rng.startswith("E59") and not rng.startswith("E62") and not isinstance(o, Literal):
            if rng not in crm_classes(dist_graph, o):
                problems.append(f"{s} {name} {o}: object is not a {rng}")
    assert problems == [], "\n".join(sorted(problems)[:30])


def test_every_node_with_a_type_has_an_english_label(dist_graph):
    missing = [s for s in set(dist_graph.subjects(RDF.type, None))
               if not any(isinstance(l, Literal) and l.language == "en" for l in dist_graph.objects(s, RDFS.label))]
    assert missing == []


def test_own_terms_are_declared_in_the_ontology_with_label_and_comment():
    onto = Graph().parse(data=resources.files("kg._ontology").joinpath("kg.ttl").read_text(encoding="utf-8"),
                         format="turtle")
    declared = {str(s)[len(KGO_NS):] for s in onto.subjects(RDF.type, None) if str(s).startswith(KGO_NS) and str(s) != KGO_NS}
    in_code = {n for n in KGO.__annotations__}
    assert declared == in_code
    for term in in_code:
        assert onto.value(KGO[term], RDFS.label) is not None
        assert onto.value(KGO[term], RDFS.comment) is not None


def test_own_terms_used_in_the_graph_are_declared(dist_graph):
    used = {str(t) for triple in dist_graph for t in triple if isinstance(t, URIRef) and str(t).startswith(KGO_NS)}
    assert used <= {KGO_NS + n for n in KGO.__annotations__}


def test_types_used_in_the_graph_are_declared(dist_graph):
    used = {str(o)[len(KGT_NS):] for o in dist_graph.objects(None, CRM.P2_has_type)}
    assert used <= set(KGT._extras)


def test_wikidata_links_use_entity_iris(dist_graph):
    for s, o in dist_graph.subject_objects(OWL.sameAs):
        assert str(o).startswith("http://www.wikidata.org/entity/Q"), (s, o)
        page = "https://www.wikidata.org/wiki/" + str(o).rsplit("/", 1)[-1]
        assert (s, SCHEMA.sameAs, URIRef(page)) in dist_graph
