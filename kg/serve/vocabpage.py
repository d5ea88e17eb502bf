"""The HTML view of kg's ontology (``/ontology``): the ontology, then each term with its label,
comment and what else the ontology says of it (kind, domain, range, super-property)."""
from __future__ import annotations

import pyoxigraph as ox

from .graph import RDF_TYPE, RDFS_LABEL, Graph

RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def ontology_page(g: Graph) -> dict:
    ns = g.namespaces.ontology
    subjects = sorted({t.subject.value for t in g.ontology if isinstance(t.subject, ox.NamedNode)})
    terms = [_term(g, s) for s in subjects if s != ns]
    return {"iri": ns, "label": g.label(ns), "comment": g.first(ns, RDFS_COMMENT) or "", "terms": terms}


def _term(g: Graph, iri: str) -> dict:
    facts = []
    for t in g.out.get(iri, ()):
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
