"""Fast, deterministic RDF writers: rdflib terms → pyoxigraph → sorted N-Triples/N-Quads, Turtle, JSON-LD.

Every dump is made from the sorted, de-duplicated lines of N-Triples (or N-Quads) that
pyoxigraph writes, so its bytes depend only on the set of triples. Turtle is pyoxigraph's
serialiser over those sorted triples (subjects and predicates grouped) under the project's
prefixes; JSON-LD is built here from the same sorted triples, compacted with the
project's context by kg's one rule for compact IRIs (:meth:`kg.curie.Prefixes.compact`,
as the served JSON-LD; on kg's IRIs also what rdflib gives): prefixed names for keys,
types and datatypes, ``@id`` shortened only by a prefix; its values sorted. Language tags are
written in lower case (pyoxigraph's normal form; RDF compares them case-insensitively).
"""
from __future__ import annotations

import heapq
import io
import itertools
import json
import re
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .curie import Prefixes

_NON_SPACE = re.compile(rb"\S")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class Terms:
    """rdflib → pyoxigraph terms, each converted once."""

    def __init__(self) -> None:
        self._cache: dict = {}

    def __call__(self, t):
        got = self._cache.get(t)
        if got is None:
            got = self._cache[t] = self._convert(t)
        return got

    @staticmethod
    def _convert(t):
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            if t.datatype is not None:
                return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            return ox.Literal(str(t))
        if isinstance(t, BNode):
            return ox.BlankNode(str(t))
        raise TypeError(f"not an RDF term: {type(t).__name__}")


def to_rdflib(term):
    """A pyoxigraph term as rdflib's (a plain literal as rdflib makes it, with no datatype)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.split(b"\n") if line.strip()})
    return b"\n".join(lines) + b"\n" if lines else b""


def ntriples(triples: Iterable, terms: Terms | None = None) -> bytes:
    """Sorted N-Triples lines of rdflib triples, each line once."""
    terms = terms or Terms()
    ox_triples = [ox.Triple(terms(s), terms(p), terms(o)) for s, p, o in triples]
    return _sorted_lines(ox.serialize(ox_triples, format=ox.RdfFormat.N_TRIPLES))


def parse_nt(nt: bytes) -> Iterator[ox.Triple]:
    """The triples of N-Triples, in their order, one at a time."""
    return ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)


def lines(data: bytes) -> Iterator[bytes]:
    """The non-empty lines of ``data``, one at a time (no list of them all)."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end > start:
            yield data[start:end]
        start = end + 1


def merged_lines(sources: Iterable[bytes | Iterable[bytes]]) -> Iterator[bytes]:
    """The lines of sources of sorted lines (each a block of lines, or blocks one after the
    other), merged in order, each line once, each ending in a line break."""
    last = None
    streams = ((line for block in ([s] if isinstance(s, bytes) else s) for line in lines(block)) for s in sources)
    for line in heapq.merge(*streams):
        if line != last:
            yield line + b"\n"
            last = line


def merge_lines(blocks: Iterable[bytes]) -> bytes:
    """:func:`merged_lines` as one bytes object."""
    out = io.BytesIO()
    for line in merged_lines(blocks):
        out.write(line)
    return out.getvalue()


def nquads_lines(named: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """N-Quads of ``(graph IRI, sorted N-Triples)`` pairs: graph after graph in the order of
    their IRIs, each graph's quads in the order of its triples (so sorted), each once.

    Graph by graph, not one sort of all lines: nothing is merged or held but a block of one
    graph, and a reader (a triplestore's loader) gets each graph whole. A quad is its
    triple's line with the graph's name before the final `` .`` (a line break only ends a
    line in N-Triples: one inside a literal is written ``\\n``)."""
    for name, nt in sorted(named, key=lambda pair: pair[0]):
        end = b" " + str(ox.NamedNode(name)).encode("utf-8") + b" .\n"
        start = 0
        while start < len(nt):
            stop = nt.find(b"\n", start + QUAD_BLOCK)
            stop = len(nt) if stop < 0 else stop + 1
            block = nt[start:stop]
            if not block.endswith(b" .\n") or block.count(b"\n") != block.count(b" .\n"):
                raise ValueError(f"not N-Triples lines of kg's writer in graph <{name}>")
            yield block.replace(b" .\n", end)
            start = stop


QUAD_BLOCK = 1 << 20  # bytes of one graph's N-Triples turned into N-Quads at a time


def nquads_of(named: Iterable[tuple[str, bytes]]) -> bytes:
    """:func:`nquads_lines` as one bytes object."""
    return b"".join(nquads_lines(named))


def turtle(nt: bytes, prefixes: dict[str, str]) -> bytes:
    """Turtle of sorted N-Triples: a header of the prefixes sorted by name, then each subject's
    statements, predicates and objects in sorted order."""
    return b"".join(turtle_parts(nt, prefixes))


def turtle_parts(nt: bytes, prefixes: dict[str, str]) -> Iterator[bytes | memoryview]:
    """:func:`turtle` in parts: :func:`turtle_header`, then (if there is any) a blank line and
    :func:`turtle_body`. Bodies of consecutive runs of subjects written one after the other
    are the body of them all (each subject's statements end with `` .``), which is how kg.ttl
    is assembled from chunks (:mod:`kg.union`)."""
    yield turtle_header(prefixes)
    body = turtle_body(parse_nt(nt), prefixes)
    if _NON_SPACE.search(body):
        yield b"\n"
        yield body


def turtle_header(prefixes: dict[str, str]) -> bytes:
    """The ``@prefix`` lines of kg's Turtle: the usable prefixes, sorted by name."""
    usable = _unnested(prefixes)
    return "".join(f"@prefix {p}: <{usable[p]}> .\n" for p in sorted(usable)).encode("utf-8")


def turtle_body(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> memoryview:
    """pyoxigraph's Turtle of ``triples`` (in sorted order) under the prefixes, without its own
    ``@prefix`` lines (:func:`turtle_header` writes them once)."""
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_unnested(prefixes))
    start = 0
    while body.startswith(b"@prefix ", start):
        end = body.find(b"\n", start)
        start = len(body) if end < 0 else end + 1
    return memoryview(body)[start:]


def _unnested(prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace holds no other's (so an IRI has one short form), one
    name per namespace (the first in sorted order)."""
    spaces = set(prefixes.values())
    out: dict[str, str] = {}
    for name in sorted(prefixes):
        ns = prefixes[name]
        if ns not in out.values() and not any(o != ns and o.startswith(ns) for o in spaces):
            out[name] = ns
    return out


def _canon(value):
    """Sort JSON-LD objects' arrays and keys so the output does not depend on the process."""
    if isinstance(value, dict):
        return {k: _canon(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        items = [_canon(v) for v in value]
        return sorted(items, key=lambda v: _quoted(v) if isinstance(v, str)
                      else json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


_quoted = json.encoder.encode_basestring  # a JSON string as json.dumps(…, ensure_ascii=False) writes it


def indented(value, pad: str = "") -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=1)`` writes it, each line
    after the first starting with ``pad`` — without Python's indenting encoder (the slow part
    of writing a node)."""
    if isinstance(value, str):
        return _quoted(value)
    inner = pad + " "
    if isinstance(value, dict):
        if not value:
            return "{}"
        return ("{\n" + ",\n".join(f"{inner}{_quoted(k)}: {indented(v, inner)}" for k, v in value.items())
                + "\n" + pad + "}")
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + indented(v, inner) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def jsonld(nt: bytes, context: dict) -> bytes:
    """Compacted JSON-LD of sorted N-Triples, ``context`` inlined, nodes in the order of their
    subjects in the N-Triples."""
    return b"".join(jsonld_parts(nt, context))


def jsonld_parts(nt: bytes, context: dict) -> Iterator[bytes]:
    """:func:`jsonld` in parts, as json.dumps writes the whole document at once: the head
    (:func:`jsonld_head`), the nodes (:func:`jsonld_nodes`, each after ``,\\n`` but the first),
    the tail (:data:`JSONLD_TAIL`)."""
    nodes = jsonld_nodes(parse_nt(nt), context)
    if not nodes:
        yield jsonld_empty(context)
        return
    yield jsonld_head(context)
    yield b"".join(nodes)[1:]  # the first node's separator is only its line break
    yield JSONLD_TAIL


def jsonld_empty(context: dict) -> bytes:
    """The JSON-LD of no triples: the context and an empty ``@graph``."""
    return (json.dumps({"@context": context, "@graph": []}, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def jsonld_head(context: dict) -> bytes:
    """The JSON-LD document up to the ``@graph`` array's opening bracket."""
    return jsonld_empty(context).removesuffix(b"[]\n}\n") + b"["


JSONLD_TAIL = b"\n ]\n}\n"


def jsonld_nodes(triples: Iterable[ox.Triple], context: dict) -> list[bytes]:
    """Each subject's node of sorted ``triples``, in their order, written as it sits in the
    ``@graph`` array (one space of indent per level) after ``,\\n``.

    The lines of one subject are adjacent in sorted N-Triples, so each node is made, written
    and dropped in turn. Nodes follow their subjects' order in N-Triples (the IRI as written
    there), so the nodes of consecutive runs of subjects are the nodes of them all (how
    kg.jsonld is assembled from chunks, :mod:`kg.union`)."""
    short = Prefixes.jsonld(context)
    nodes: list[bytes] = []
    for subject, group in itertools.groupby(triples, key=lambda t: t.subject):
        sid = short.compact(subject.value) if isinstance(subject, ox.NamedNode) else f"_:{subject.value}"
        node = {"@id": sid}
        for t in group:
            p, o = t.predicate.value, t.object
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                key, value = "@type", short.compact(o.value)
            else:
                key, value = short.compact(p), _value(o, short)
            have = node.get(key)
            if have is None:
                node[key] = value
            elif isinstance(have, list):
                have.append(value)
            else:
                node[key] = [have, value]
        nodes.append((",\n  " + indented(_canon(node), "  ")).encode("utf-8"))
    return nodes


def _value(o, short: Prefixes):
    if isinstance(o, ox.NamedNode):
        return {"@id": short.compact(o.value)}
    if isinstance(o, ox.BlankNode):
        return {"@id": f"_:{o.value}"}
    if o.language:
        return {"@language": o.language, "@value": o.value}
    if o.datatype.value in (XSD_STRING, LANG_STRING):
        return o.value
    return {"@type": short.compact(o.datatype.value), "@value": o.value}
