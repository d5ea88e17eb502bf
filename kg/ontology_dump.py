"""kg's ontology (``ontology/kg.ttl``, the ``kgo:`` terms) as the project publishes it.

The build writes it as its own dump, ``dist/ontology.ttl``, in the project's namespaces
(kg.toml's ``vocabulary``, :mod:`kg.namespaces`), so a triplestore loading the dumps has
every kgo: term with its label and comment. kg's controlled types (``kgt:``, from
``ontology/types.ttl`` and the project's ``data/types.ttl``) are not repeated here: the
build already publishes them in the shared graph of ``kg.nq`` (and so in every data dump).
``kg serve`` answers this file at the ontology's address when it lies below the served base.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from rdflib import Graph

from .namespaces import CANONICAL, Namespaces

DUMP = "ontology.ttl"


@lru_cache(maxsize=1)
def _package_ontology() -> Graph:
    text = resources.files("kg._ontology").joinpath("kg.ttl").read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")


def ontology(namespaces: Namespaces = CANONICAL) -> Graph:
    """A fresh graph of kg's ontology, its terms in ``namespaces``."""
    g = Graph()
    for t in _package_ontology():
        g.add(t)
    return namespaces.rewrite(g)
