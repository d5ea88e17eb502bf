"""kg's own namespaces in one project: the ontology (``kgo:``), the types (``kgt:``), the shapes (``kgsh:``).

kg's code and package files (:mod:`kg.vocab`, ``ontology/``, ``shapes/``) name kg's terms in
one canonical namespace, ``https://kg.example.org/``. A project publishes them under its own
``vocabulary`` root, set in kg.toml, from which the three namespaces follow in one layout::

    <root>ontology#   kgo:   kg's properties      (kgo:statedAs)
    <root>type/       kgt:   the controlled types (kgt:planned, and the project's own)
    <root>shapes#     kgsh:  the SHACL shapes     (kgsh:DocumentShape)

:meth:`Namespaces.term` is the one place a canonical term becomes the project's. The build
applies it to the mapped graphs (:meth:`Namespaces.rewrite`), so the graph it validates is
the graph it publishes; the shapes and the published JSON-LD context go through it too, and
the reader of ``data/types.ttl`` applies the inverse (:meth:`Namespaces.canonical`). A
project without a ``vocabulary`` keeps the canonical namespaces, and nothing is rewritten.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

CANONICAL_ROOT = "https://kg.example.org/"
LAYOUT = {"kgo": "ontology#", "kgt": "type/", "kgsh": "shapes#"}  # prefix → its namespace below the root


@dataclass(frozen=True)
class Namespaces:
    """The namespaces of kg's terms below one root (checked by :mod:`kg.settings`)."""

    root: str = CANONICAL_ROOT

    def namespace(self, prefix: str) -> str:
        """The namespace of ``kgo``, ``kgt`` or ``kgsh`` below this root."""
        return self.root + LAYOUT[prefix]

    @property
    def ontology(self) -> str:
        return self.namespace("kgo")

    @property
    def types(self) -> str:
        return self.namespace("kgt")

    @property
    def shapes(self) -> str:
        return self.namespace("kgsh")

    @property
    def is_canonical(self) -> bool:
        return self.root == CANONICAL_ROOT

    def term(self, node):
        """``node`` with a canonical kg namespace replaced by this project's (else ``node`` itself)."""
        return _swap(node, CANONICAL, self)

    def canonical(self, node):
        """The inverse of :meth:`term`: a term of this project's namespaces as kg's code names it."""
        return _swap(node, self, CANONICAL)

    def rewrite(self, g: Graph) -> Graph:
        """Every canonical kg term of ``g`` as this project's, in place; returns ``g``."""
        if self.is_canonical:
            return g
        changed = [(t, mapped) for t in g if (mapped := tuple(self.term(x) for x in t)) != t]
        for old, new in changed:
            g.remove(old)
            g.add(new)
        return g

    def context(self) -> dict:
        """The JSON-LD context kg publishes (``ontology/context.jsonld``, its prefixes in these
        namespaces), a fresh copy each call."""
        doc = json.loads(_package_context())
        doc["@context"] = {k: str(self.term(URIRef(v))) if isinstance(v, str) and not k.startswith("@") else v
                           for k, v in doc["@context"].items()}
        return doc

    def prefixes(self) -> dict[str, str]:
        """The published prefixes (``crm``, ``schema``, ``kgo`` …): the context's, in its order."""
        return {k: v for k, v in self.context()["@context"].items() if isinstance(v, str) and not k.startswith("@")}


CANONICAL = Namespaces()


@lru_cache(maxsize=1)
def _package_context() -> str:
    return resources.files("kg._ontology").joinpath("context.jsonld").read_text(encoding="utf-8")


def _swap(node, old: Namespaces, new: Namespaces):
    """``node`` moved from ``old``'s namespaces to ``new``'s: an IRI, an ``xsd:anyURI`` literal
    (how SHACL declares a prefix) or a literal's datatype; any other node is returned as it is."""
    if old == new:
        return node
    if isinstance(node, URIRef):
        iri = str(node)
        if iri.startswith(old.root):
            for prefix in LAYOUT:
                ns = old.namespace(prefix)
                if iri.startswith(ns):
                    return URIRef(new.namespace(prefix) + iri[len(ns):])
        return node
    if isinstance(node, Literal) and node.datatype is not None:
        if node.datatype == XSD.anyURI:
            moved = _swap(URIRef(str(node)), old, new)
            return node if moved == URIRef(str(node)) else Literal(str(moved), datatype=XSD.anyURI)
        datatype = _swap(node.datatype, old, new)
        return node if datatype == node.datatype else Literal(str(node), datatype=datatype)
    return node
