"""The SPARQL 1.1 Service Description of ``/sparql`` (what a client learns by a GET without a query).

It says what the endpoint is and offers — SPARQL 1.1 Query only, the result formats it
writes, simple entailment — and what it holds: the default graph (the merge of the named
graphs, every triple once) and each named graph with its triple count. Every node has an
IRI below the endpoint's (``<base>sparql#…``); the dataset's VoID description,
``<base>dataset``, is linked with ``rdfs:seeAlso``.
"""
from __future__ import annotations

import pyoxigraph as ox

from ..vocab import ENTAILMENT_SIMPLE, FORMATS, RDF, RDFS, SD, VOID, XSD

RESULT_FORMATS = (FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
                  FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["N-Triples"], FORMATS["JSON-LD"])


def _n(term) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _count(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_n(XSD.integer))


def description(base: str, graph_sizes: dict[str, int], merged_triples: int) -> list[ox.Triple]:
    """The service description: ``graph_sizes`` are the named graphs' triple counts, and
    ``merged_triples`` the default graph's (the merge)."""
    endpoint = f"{base}sparql"
    service, dataset, default = (ox.NamedNode(f"{endpoint}{part}") for part in ("", "#dataset", "#default-graph"))
    out = [
        ox.Triple(service, _n(RDF.type), _n(SD.Service)),
        ox.Triple(service, _n(RDFS.label), ox.Literal("SPARQL endpoint (read-only)", language="en")),
        ox.Triple(service, _n(SD.endpoint), service),
        ox.Triple(service, _n(SD.supportedLanguage), _n(SD.SPARQL11Query)),
        ox.Triple(service, _n(SD.defaultEntailmentRegime), _n(ENTAILMENT_SIMPLE)),
        ox.Triple(service, _n(SD.defaultDataset), dataset),
        *(ox.Triple(service, _n(SD.resultFormat), _n(f)) for f in RESULT_FORMATS),
        ox.Triple(dataset, _n(RDF.type), _n(SD.Dataset)),
        ox.Triple(dataset, _n(RDFS.seeAlso), ox.NamedNode(f"{base}dataset")),
        ox.Triple(dataset, _n(SD.defaultGraph), default),
        ox.Triple(default, _n(RDF.type), _n(SD.Graph)),
        ox.Triple(default, _n(RDFS.label), ox.Literal("the merge of the named graphs (each triple once)",
                                                       language="en")),
        ox.Triple(default, _n(VOID.triples), _count(merged_triples)),
    ]
    for name, size in sorted(graph_sizes.items()):
        if not name:
            continue
        local = name[len(base):] if name.startswith(base) else name
        named, content = ox.NamedNode(f"{endpoint}#named/{local}"), ox.NamedNode(f"{endpoint}#content/{local}")
        out += [ox.Triple(dataset, _n(SD.namedGraph), named),
                ox.Triple(named, _n(RDF.type), _n(SD.NamedGraph)),
                ox.Triple(named, _n(SD.name), ox.NamedNode(name)),
                ox.Triple(named, _n(SD.graph), content),
                ox.Triple(content, _n(RDF.type), _n(SD.Graph)),
                ox.Triple(content, _n(VOID.triples), _count(size))]
    return out
