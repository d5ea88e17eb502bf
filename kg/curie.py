"""IRIs shortened by prefixes (``crm:E21_Person``): the one rule every part of kg follows.

An IRI is split at the **longest** namespace it starts with (of two equally long, the first
given); a caller may refuse some local names (JSON-LD compact IRIs take only simple ones),
and then the next longest namespace is tried. Used by the HTML pages and the served JSON-LD
(:mod:`kg.serve`), the JSON-LD dump (:mod:`kg.writers`), the SHACL report
(:mod:`kg.validate`) and the VoID partitions (:mod:`kg.describe`).

JSON-LD (:meth:`Prefixes.jsonld`, :meth:`Prefixes.compact`) uses only the context's terms
that a JSON-LD 1.1 processor takes as prefixes — a plain IRI ending in a gen-delim
character (``:/?#[]@``) — and only simple local names, so a compact IRI never needs quoting
and expands back to the same IRI.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

GEN_DELIMS = tuple(":/?#[]@")   # RFC 3986: a term whose IRI ends in one is a JSON-LD 1.1 prefix


class Prefixes:
    """``(prefix, namespace)`` pairs, longest namespace first."""

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        self._pairs = sorted(((str(p), str(ns)) for p, ns in pairs), key=lambda pn: -len(pn[1]))  # stable
        self._compact: dict[str, str] = {}  # compact() of the IRIs seen (predicates, types repeat)

    @classmethod
    def of(cls, mapping: Mapping) -> Prefixes:
        """The prefixes of a JSON-LD context or a prefix map: its string values, not its ``@`` keywords."""
        return cls((k, v) for k, v in mapping.items() if isinstance(v, str) and not k.startswith("@"))

    @classmethod
    def jsonld(cls, context: Mapping) -> Prefixes:
        """The prefixes a JSON-LD 1.1 processor compacts with: the context's plain terms whose IRI
        ends in a gen-delim character."""
        return cls.of({k: v for k, v in context.items() if isinstance(v, str) and v.endswith(GEN_DELIMS)})

    def split(self, iri: str, local_ok: Callable[[str], bool] | None = None) -> tuple[str, str] | None:
        """``(prefix, local name)`` of ``iri``, or None if no namespace (with an accepted local name) fits."""
        for prefix, ns in self._pairs:
            if iri.startswith(ns) and (local_ok is None or local_ok(iri[len(ns):])):
                return prefix, iri[len(ns):]
        return None

    def curie(self, iri: str, local_ok: Callable[[str], bool] | None = None) -> str | None:
        """``prefix:local`` for ``iri``, or None."""
        hit = self.split(iri, local_ok)
        return None if hit is None else f"{hit[0]}:{hit[1]}"

    def compact(self, iri: str) -> str:
        """``iri`` as a JSON-LD compact IRI (a simple local name only), else the IRI itself."""
        got = self._compact.get(iri)
        if got is None:
            if len(self._compact) >= COMPACT_CACHE:
                self._compact.clear()
            got = self._compact[iri] = self.curie(iri, simple_local) or iri
        return got


COMPACT_CACHE = 1 << 16  # IRIs remembered by one Prefixes' compact()
_SIMPLE = re.compile(r"[\w.-]+")  # \w: what str.isalnum() accepts, and "_"


def simple_local(local: str) -> bool:
    """A local name a JSON-LD compact IRI may carry as it is: letters, digits, ``_ - .``; not empty."""
    return _SIMPLE.fullmatch(local) is not None
