"""Entity data as Turtle, N-Triples and JSON-LD (the project's context, compact IRIs)."""
from __future__ import annotations

import json

import pyoxigraph as ox

from ..vocab import SCHEMA
from .graph import RDF_TYPE


def turtle(triples: list[ox.Triple], context: dict) -> bytes:
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and not k.startswith("@")}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def ntriples(triples: list[ox.Triple]) -> bytes:
    lines = sorted({str(t) + " ." for t in triples})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _compact(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, ns in prefixes:
        local = iri[len(ns):]
        if iri.startswith(ns) and local and all(c.isalnum() or c in "_-." for c in local):
            return f"{prefix}:{local}"
    return iri


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
    prefixes = sorted(((k, v) for k, v in context.items() if isinstance(v, str) and not k.startswith("@")),
                      key=lambda kv: -len(kv[1]))
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
    """The schema.org view of one entity, for ``<script type="application/ld+json">``."""
    ns = str(SCHEMA._NS)
    node: dict = {"@context": {"@vocab": ns}, "@id": iri}
    for t in triples:
        if t.subject.value != iri:
            continue
        p, o = t.predicate.value, t.object
        if p == RDF_TYPE and o.value.startswith(ns):
            node.setdefault("@type", []).append(o.value[len(ns):])
        elif p.startswith(ns):
            key = p[len(ns):]
            if isinstance(o, ox.NamedNode):
                v = {"@id": o.value}
            elif o.language:
                v = {"@value": o.value, "@language": o.language}
            else:
                v = o.value
            node.setdefault(key, []).append(v)
    return script_json(node)


def script_json(value) -> str:
    """JSON for inside an HTML ``<script>`` element: ``<``, ``>`` and ``&`` as ``\\u`` escapes,
    so no value can close the element or open a comment (``</script>``, ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
