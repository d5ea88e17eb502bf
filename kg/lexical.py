"""Literals kept as written in an Oxigraph store.

The store keeps a literal of an XSD datatype it computes with in a canonical form of its
value: ``"5.0"^^xsd:decimal`` comes back as ``"5"``, ``"…+00:00"^^xsd:dateTime`` as ``"…Z"``,
and ``"748"^^xsd:nonNegativeInteger`` as ``"748"^^xsd:integer`` (a datatype of the data
lost). Pages and entity data show the published literals, so before storing, each XSD
datatype IRI is put under :data:`KEPT`, a namespace the store knows nothing of (it then keeps
the literal as it is), and :func:`shown` gives the literal back with its own datatype.
Literal equality stays what it is in RDF: the same text and datatype.

Used by ``kg serve``'s stores (:mod:`kg.serve.graph`): for kg.nq this is done on the bytes
on their way to the bulk loader (:func:`reader`), so no Python object is made per quad;
small files go through :func:`kept`. And by validation's screening (:mod:`kg.screen`),
whose tests read lexical forms.
"""
from __future__ import annotations

import io

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
KEPT = "urn:x-kg-serve:xsd-as-written#"

_MARK = b'"^^<' + XSD.encode()
_KEPT_MARK = b'"^^<' + KEPT.encode()
_CHUNK = 8 << 20


def kept_datatype(iri: str) -> str:
    """The datatype IRI a literal of datatype ``iri`` has in the store (an XSD one under :data:`KEPT`)."""
    return KEPT + iri[len(XSD):] if iri.startswith(XSD) else iri


def kept(term):
    """``term`` as it goes into the store: an XSD-typed literal's datatype under :data:`KEPT`."""
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(XSD) and not term.language:
        return ox.Literal(term.value, datatype=ox.NamedNode(kept_datatype(term.datatype.value)))
    return term


def shown(term):
    """A term the store gives back, with the datatype it was published with."""
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(KEPT):
        return ox.Literal(term.value, datatype=ox.NamedNode(XSD + term.datatype.value[len(KEPT):]))
    return term


def _rewrite(lines: bytes) -> bytes:
    """N-Quads lines with each literal's ``"^^<xsd:…`` under :data:`KEPT`.

    A ``"`` ends a literal unless it is escaped (after an odd run of backslashes): only
    such closing quotes are rewritten, never text inside a literal."""
    if b'\\' + _MARK not in lines:
        return lines.replace(_MARK, _KEPT_MARK)
    parts = lines.split(_MARK)
    out = [parts[0]]
    for before, part in zip(parts, parts[1:]):
        escaped = (len(before) - len(before.rstrip(b"\\"))) % 2 == 1
        out.append(_MARK if escaped else _KEPT_MARK)
        out.append(part)
    return b"".join(out)


class _Raw(io.RawIOBase):
    def __init__(self, f):
        super().__init__()
        self.f, self.carry, self.pending = f, b"", memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            chunk = self.f.read(_CHUNK)
            if not chunk:
                if not self.carry:
                    return 0
                self.pending, self.carry = memoryview(_rewrite(self.carry)), b""
                break
            data = self.carry + chunk
            cut = data.rfind(b"\n") + 1  # whole lines only: a marker never spans two
            self.carry = data[cut:]
            self.pending = memoryview(_rewrite(data[:cut]))
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def reader(f) -> io.BufferedReader:
    """The N-Quads of the binary file ``f`` as the store should read them (see :func:`_rewrite`)."""
    return io.BufferedReader(_Raw(f), _CHUNK)
