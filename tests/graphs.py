"""Compare graphs as graphs, and say which triples differ when they do."""
from __future__ import annotations

from rdflib import Literal


def _norm(term):
    # Parsers differ in lexical forms of typed literals ("2" vs "2.0"); compare values.
    if isinstance(term, Literal) and term.datatype is not None and term.value is not None:
        return Literal(term.value, datatype=term.datatype, normalize=True) \
            if not isinstance(term.value, str) else term
    return term


def canonical(triples) -> set:
    return {tuple(_norm(x) for x in t) for t in triples}


def assert_same_triples(got: set, expected: set, got_name: str = "got", expected_name: str = "expected") -> None:
    missing, extra = expected - got, got - expected
    if missing or extra:
        lines = [f"{got_name} differs from {expected_name}: {len(missing)} missing, {len(extra)} extra"]
        lines += [f"  - {' '.join(x.n3() for x in t)}" for t in sorted(missing)[:15]]
        lines += [f"  + {' '.join(x.n3() for x in t)}" for t in sorted(extra)[:15]]
        raise AssertionError("\n".join(lines))
