"""Entity data as Turtle, N-Triples and JSON-LD (the project's context, compact IRIs)."""
from __future__ import annotations

import json

import pyoxigraph as ox

from ..curie import Prefixes
from ..vocab import SCHEMA
from .graph import RDF_TYPE


def turtle(triples: list[ox.Triple], context: dict) -> bytes:
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and not k.startswith("@")}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def ntriples(triples: list[ox.Triple]) -> bytes:
    lines = sorted({str(t) + " ." for t in triples})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _compact(iri: str, prefixes: Prefixes) -> str:
    return prefixes.compact(iri)


def _value(o, prefixes) -> dict:
    if isinstance(o, ox.NamedNode):
        return {"@id": o.value}
    if isinstance(o, ox.BlankNode):
        return {"@id": f"_:{o.value}"}
    if o.language:
        return {"@value": o.value, "@language": o.language}
    if o.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return {"@value": o.value}
    return {"@value": o.value, "@type": _compact(o.datatype.value, prefixes)}


def jsonld_doc(triples: list[ox.Triple], context: dict) -> dict:
    """A flattened JSON-LD document: one node per subject, predicates as compact IRIs."""
    prefixes = Prefixes.jsonld(context)
    nodes: dict[str, dict] = {}
    for t in triples:
        sid = t.subject.value if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
        node = nodes.setdefault(sid, {"@id": sid})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(_compact(t.object.value, prefixes))
        else:
            node.setdefault(_compact(t.predicate.value, prefixes), []).append(_value(t.object, prefixes))
    return {"@context": context, "@graph": [nodes[k] for k in sorted(nodes)]}


def jsonld(triples: list[ox.Triple], context: dict) -> bytes:
    return (json.dumps(jsonld_doc(triples, context), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def schema_org(triples: list[ox.Triple], iri: str) -> str:
    """The schema.org view of one entity, for ``<script type="application/ld+json">``.

    A node below the entity's IRI that has schema.org data of its own (a dump of the
    dataset, a document's translation) is embedded where the entity points at it, as
    schema.org's consumers expect (a ``Dataset``'s ``distribution`` is a ``DataDownload``)."""
    ns = str(SCHEMA._NS)
    nodes: dict[str, dict] = {}
    for t in triples:
        s, p, o = t.subject.value, t.predicate.value, t.object
        if p == RDF_TYPE and o.value.startswith(ns):
            nodes.setdefault(s, {"@id": s}).setdefault("@type", []).append(o.value[len(ns):])
        elif p.startswith(ns):
            if isinstance(o, ox.NamedNode):
                v = {"@id": o.value}
            elif o.language:
                v = {"@value": o.value, "@language": o.language}
            else:
                v = o.value
            nodes.setdefault(s, {"@id": s}).setdefault(p[len(ns):], []).append(v)

    def embed(node: dict, seen: frozenset[str]) -> dict:
        out = {}
        for k, vs in node.items():
            if k.startswith("@"):
                out[k] = vs
                continue
            out[k] = [embed(nodes[v["@id"]], seen | {v["@id"]})
                      if isinstance(v, dict) and v.get("@id", "").startswith(iri + "/") and v["@id"] in nodes
                      and v["@id"] not in seen else v for v in vs]
        return out

    root = embed(nodes.get(iri, {"@id": iri}), frozenset({iri}))
    return script_json({"@context": {"@vocab": ns}, **root})


def script_json(value) -> str:
    """JSON for inside an HTML ``<script>`` element: ``<``, ``>`` and ``&`` as ``\\u`` escapes,
    so no value can close the element or open a comment (``</script>``, ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
