"""Closed vocabularies: every RDF term kg emits is declared here, once.

Each namespace is an rdflib ``DefinedNamespace`` with ``_fail = True``, so a mistyped term
(``CRM.P14_carried_ot_by``) raises ``AttributeError`` instead of minting a new IRI.
CIDOC-CRM names follow the official 7.1 RDFS; names that are not Python identifiers
(``E22_Human-Made_Object``) are listed in ``_extras`` and read with ``CRM["…"]``.
kg's controlled types (``KGT``) are read from ``ontology/types.ttl``, the one place they
are defined; a project adds its own in ``data/types.ttl`` (:mod:`kg.vocabulary`).
kg's own namespaces (``KGO``, ``KGT``, and the shapes') are the canonical ones here; a project
publishes them under its own root (:mod:`kg.namespaces`).
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace, RDF, RDFS, OWL, SKOS, XSD, DCTERMS, VOID, DCAT, PROV

from .iris import is_key
from .namespaces import CANONICAL

__all__ = ["CRM", "SCHEMA", "KGO", "KGT", "OA", "RDF", "RDFS", "OWL", "SKOS", "XSD",
           "DCTERMS", "VOID", "DCAT", "PROV", "SPDX", "SD", "FORMATS", "ENTAILMENT_SIMPLE", "WD", "WD_PAGE",
           "KGT_NS", "KGO_NS", "KGSH_NS", "type_keys"]

WD = Namespace("http://www.wikidata.org/entity/")
WD_PAGE = Namespace("https://www.wikidata.org/wiki/")
KGO_NS = CANONICAL.ontology   # https://kg.example.org/ontology#
KGT_NS = CANONICAL.types      # https://kg.example.org/type/
KGSH_NS = CANONICAL.shapes    # https://kg.example.org/shapes#


class CRM(DefinedNamespace):
    """The CIDOC-CRM 7.1 classes and properties kg uses (and no others)."""

    _fail = True
    _NS = Namespace("http://www.cidoc-crm.org/cidoc-crm/")

    E5_Event: URIRef
    E7_Activity: URIRef
    E13_Attribute_Assignment: URIRef
    E21_Person: URIRef
    E31_Document: URIRef
    E33_Linguistic_Object: URIRef
    E35_Title: URIRef
    E41_Appellation: URIRef
    E42_Identifier: URIRef
    E53_Place: URIRef
    E54_Dimension: URIRef
    E55_Type: URIRef
    E56_Language: URIRef
    E58_Measurement_Unit: URIRef
    E65_Creation: URIRef
    E74_Group: URIRef
    E78_Curated_Holding: URIRef
    E89_Propositional_Object: URIRef

    P1_is_identified_by: URIRef
    P2_has_type: URIRef
    P3_has_note: URIRef
    P7_took_place_at: URIRef
    P9_consists_of: URIRef
    P9i_forms_part_of: URIRef
    P10_falls_within: URIRef
    P11_had_participant: URIRef
    P14_carried_out_by: URIRef
    P16_used_specific_object: URIRef
    P17_was_motivated_by: URIRef
    P20_had_specific_purpose: URIRef
    P46i_forms_part_of: URIRef
    P50_has_current_keeper: URIRef
    P67_refers_to: URIRef
    P67i_is_referred_to_by: URIRef
    P70_documents: URIRef
    P70i_is_documented_in: URIRef
    P72_has_language: URIRef
    P73_has_translation: URIRef
    P73i_is_translation_of: URIRef
    P81a_end_of_the_begin: URIRef
    P81b_begin_of_the_end: URIRef
    P89_falls_within: URIRef
    P90a_has_lower_value_limit: URIRef
    P90b_has_upper_value_limit: URIRef
    P91_has_unit: URIRef
    P94_has_created: URIRef
    P94i_was_created_by: URIRef
    P102_has_title: URIRef
    P106i_forms_part_of: URIRef
    P107_has_current_or_former_member: URIRef
    P128_carries: URIRef
    P129_is_about: URIRef
    P140_assigned_attribute_to: URIRef
    P141_assigned: URIRef
    P177_assigned_property_of_type: URIRef
    P190_has_symbolic_content: URIRef
    P191_had_duration: URIRef
    PC107_has_current_or_former_member: URIRef
    P01_has_domain: URIRef
    P02_has_range: URIRef

    _extras = ["E22_Human-Made_Object", "E52_Time-Span", "P4_has_time-span",
               "P82a_begin_of_the_begin", "P82b_end_of_the_end", "P107.1_kind_of_member"]


class SCHEMA(DefinedNamespace):
    """The schema.org terms kg uses, in the ``http://schema.org/`` scheme (never https)."""

    _fail = True
    _NS = Namespace("http://schema.org/")

    AgreeAction: URIRef
    ArchiveComponent: URIRef
    ArchiveOrganization: URIRef
    CommunicateAction: URIRef
    CreativeWork: URIRef
    DataDownload: URIRef
    Dataset: URIRef
    DisagreeAction: URIRef
    Event: URIRef
    EventScheduled: URIRef
    Message: URIRef
    Organization: URIRef
    Person: URIRef
    Place: URIRef

    about: URIRef
    agent: URIRef
    attendee: URIRef
    author: URIRef
    containedInPlace: URIRef
    contentSize: URIRef
    contentUrl: URIRef
    dateCreated: URIRef
    dateModified: URIRef
    description: URIRef
    distribution: URIRef
    encodingFormat: URIRef
    endDate: URIRef
    eventStatus: URIRef
    holdingArchive: URIRef
    identifier: URIRef
    inLanguage: URIRef
    isBasedOn: URIRef
    isPartOf: URIRef
    license: URIRef
    location: URIRef
    locationCreated: URIRef
    member: URIRef
    memberOf: URIRef
    mentions: URIRef
    name: URIRef
    publisher: URIRef
    recipient: URIRef
    recordedAt: URIRef
    recordedIn: URIRef
    sameAs: URIRef
    startDate: URIRef
    subEvent: URIRef
    superEvent: URIRef
    text: URIRef
    translationOfWork: URIRef
    translator: URIRef
    url: URIRef
    workTranslation: URIRef


class OA(DefinedNamespace):
    """Web Annotation terms for a passage's character offsets."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/oa#")

    TextPositionSelector: URIRef
    start: URIRef
    end: URIRef


class SPDX(DefinedNamespace):
    """SPDX checksum terms, as DCAT 3 uses them."""

    _fail = True
    _NS = Namespace("http://spdx.org/rdf/terms#")

    Checksum: URIRef
    algorithm: URIRef
    checksum: URIRef
    checksumValue: URIRef
    checksumAlgorithm_sha256: URIRef


class SD(DefinedNamespace):
    """SPARQL 1.1 Service Description: what ``/sparql`` says about itself."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/sparql-service-description#")

    Service: URIRef
    Dataset: URIRef
    Graph: URIRef
    NamedGraph: URIRef
    endpoint: URIRef
    supportedLanguage: URIRef
    SPARQL11Query: URIRef
    resultFormat: URIRef
    feature: URIRef
    defaultEntailmentRegime: URIRef
    defaultDataset: URIRef
    defaultGraph: URIRef
    namedGraph: URIRef
    name: URIRef
    graph: URIRef


class FORMATS(DefinedNamespace):
    """W3C's unique URIs for RDF and result formats (http://www.w3.org/ns/formats/)."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/formats/")
    _extras = ["N-Triples", "JSON-LD"]

    SPARQL_Results_JSON: URIRef
    SPARQL_Results_XML: URIRef
    SPARQL_Results_CSV: URIRef
    SPARQL_Results_TSV: URIRef
    Turtle: URIRef


ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")


class KGO(DefinedNamespace):
    """kg's own terms, only where neither CIDOC-CRM nor schema.org has one.

    Declared with labels and comments in ``ontology/kg.ttl``; a test checks both agree.
    """

    _fail = True
    _NS = Namespace(KGO_NS)

    onBehalfOf: URIRef
    proposedParticipant: URIRef
    respondsTo: URIRef
    statedAs: URIRef
    statedBegin: URIRef
    statedEnd: URIRef


@lru_cache(maxsize=1)
def _types_graph() -> Graph:
    data = resources.files("kg._ontology").joinpath("types.ttl").read_text(encoding="utf-8")
    return Graph().parse(data=data, format="turtle")


def types_triples() -> list:
    """The triples of kg's own ``ontology/types.ttl`` (parsed once per process).

    A project's own types (``data/types.ttl``) are added per build: :mod:`kg.vocabulary`.
    """
    return list(_types_graph())


@lru_cache(maxsize=1)
def _type_keys() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(c)[len(KGT_NS):], str(s)[len(KGT_NS):])
                        for c, s in _types_graph().subject_objects(SKOS.inScheme)))


def type_keys() -> dict[str, str]:
    """Map each of kg's own type keys to the key of its scheme (``'congress' -> 'event'``)."""
    return dict(_type_keys())


class _TypesMeta(type(DefinedNamespace)):
    """``KGT.name`` is closed to kg's own types (the terms code names); ``KGT[key]`` also
    takes a project's key, which the loader has checked against the build's vocabulary."""

    def __getattr__(cls, name: str):
        if not name.startswith("__") and name not in cls:
            raise AttributeError(f"term {name!r} is not one of kg's types ({KGT_NS})")
        return super().__getattr__(name)

    def __getitem__(cls, key: str, default=None) -> URIRef:
        if is_key(key):
            return URIRef(KGT_NS + key)
        return super().__getitem__(key, default)


KGT = _TypesMeta("KGT", (DefinedNamespace,), {
    "__doc__": "kg's controlled types (ontology/types.ttl); see _TypesMeta for a project's own.",
    "_fail": True,
    "_NS": Namespace(KGT_NS),
    "_extras": sorted({*type_keys(), *type_keys().values()}),  # the types and their schemes
})
