"""The HTML views of kg's vocabulary: the ontology (``/ontology``), then each term with its
label, comment and what else the ontology says of it (kind, domain, range, super-property);
and the types' index (``/type/``, the ``kgt:`` namespace), kg's and the project's types by
scheme, each with its label and comment."""
from __future__ import annotations

import pyoxigraph as ox

from .graph import RDF_TYPE, RDFS_LABEL, Graph

RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
SKOS_CONCEPT_SCHEME = "http://www.w3.org/2004/02/skos/core#ConceptScheme"


def ontology_page(g: Graph) -> dict:
    ns = g.namespaces.ontology
    subjects = sorted({t.subject.value for t in g.ontology if isinstance(t.subject, ox.NamedNode)})
    terms = [_term(g, s) for s in subjects if s != ns]
    return {"iri": ns, "label": g.label(ns), "comment": g.first(ns, RDFS_COMMENT) or "", "terms": terms}


def _term(g: Graph, iri: str) -> dict:
    facts = []
    for t in g.outgoing(iri):
        p = t.predicate.value
        if p in (RDF_TYPE, RDFS_LABEL, RDFS_COMMENT):
            continue
        o = t.object
        value = ({"href": g.href(o.value), "label": g.curie(o.value)} if isinstance(o, ox.NamedNode)
                 else {"href": "", "label": o.value})
        facts.append({"p": g.curie(p), "p_href": g.href(p), **value})
    return {"iri": iri, "anchor": iri.partition("#")[2], "curie": g.curie(iri), "label": g.label(iri),
            "comment": g.first(iri, RDFS_COMMENT) or "", "kinds": [g.curie(k) for k in g.types(iri)],
            "facts": facts}


def types_page(g: Graph) -> dict:
    """Every type in the ``kgt:`` namespace, under its scheme (schemes and types in IRI order;
    a type in no scheme of the namespace comes last, under "Other types")."""
    schemes = [s for s in g.type_terms if SKOS_CONCEPT_SCHEME in g.types(s)]
    members: dict[str | None, list[dict]] = {s: [] for s in schemes}
    for t in g.type_terms:
        if t in members:
            continue
        scheme = next((s for s in g.iris(t, SKOS_IN_SCHEME) if s in members), None)
        members.setdefault(scheme, []).append(_type(g, t))
    groups = [{**_type(g, s), "types": members[s]} for s in schemes]
    if members.get(None):
        groups.append({"iri": "", "anchor": "other", "curie": "", "label": "Other types", "comment": "", "href": "",
                       "types": members[None]})
    count = sum(len(v) for v in members.values())
    return {"iri": g.types_index, "label": "Types", "count": count, "schemes": groups}


def _type(g: Graph, iri: str) -> dict:
    return {"iri": iri, "anchor": iri[len(g.types_index):], "curie": g.curie(iri), "label": g.label(iri),
            "comment": g.first(iri, RDFS_COMMENT) or "", "href": g.href(iri)}
