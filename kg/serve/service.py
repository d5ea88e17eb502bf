"""The SPARQL 1.1 Service Description of ``/sparql`` (what a client learns by a GET without a query).

It says what the endpoint is and offers — SPARQL 1.1 Query only, the result formats it
writes, simple entailment — and what it holds: the default graph (the merge of the named
graphs, every triple once) and each named graph with its triple count. Every node has an
IRI below the endpoint's (``<base>sparql#…``); the dataset's VoID description,
``<base>dataset``, is linked with ``rdfs:seeAlso``.
"""
from __future__ import annotations

import pyoxigraph as ox
from rdflib import Literal, URIRef

from ..vocab import ENTAILMENT_SIMPLE, FORMATS, RDF, RDFS, SD, VOID, XSD
from ..writers import Terms

RESULT_FORMATS = (FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
                  FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["N-Triples"], FORMATS["JSON-LD"])


def description(base: str, graph_sizes: dict[str, int], merged_triples: int) -> list[ox.Triple]:
    """The service description: ``graph_sizes`` are the named graphs' triple counts, and
    ``merged_triples`` the default graph's (the merge). Fragments of the endpoint's IRI name
    its parts, so each dereferences to this description."""
    endpoint = f"{base}sparql"
    service, dataset, default = (URIRef(f"{endpoint}{part}") for part in ("", "#dataset", "#default-graph"))
    out = [
        (service, RDF.type, SD.Service),
        (service, RDFS.label, Literal("SPARQL endpoint (read-only)", lang="en")),
        (service, SD.endpoint, service),
        (service, SD.supportedLanguage, SD.SPARQL11Query),
        (service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE),
        (service, SD.defaultDataset, dataset),
        *((service, SD.resultFormat, f) for f in RESULT_FORMATS),
        (dataset, RDF.type, SD.Dataset),
        (dataset, RDFS.seeAlso, URIRef(f"{base}dataset")),
        (dataset, SD.defaultGraph, default),
        (default, RDF.type, SD.Graph),
        (default, RDFS.label, Literal("the merge of the named graphs (each triple once)", lang="en")),
        (default, VOID.triples, Literal(merged_triples, datatype=XSD.integer)),
    ]
    for name, size in sorted(graph_sizes.items()):
        if not name:
            continue
        local = name[len(base):] if name.startswith(base) else name
        named, content = URIRef(f"{endpoint}#named/{local}"), URIRef(f"{endpoint}#content/{local}")
        out += [(dataset, SD.namedGraph, named),
                (named, RDF.type, SD.NamedGraph),
                (named, SD.name, URIRef(name)),
                (named, SD.graph, content),
                (content, RDF.type, SD.Graph),
                (content, VOID.triples, Literal(size, datatype=XSD.integer))]
    terms = Terms()
    return [ox.Triple(terms(s), terms(p), terms(o)) for s, p, o in out]
