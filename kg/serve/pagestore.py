"""The pages' store filled from ``kg.nt`` by the bulk loader, its subjects read from the file meanwhile.

Pages read the default graph only (the merge of kg.nq's graphs, each triple once), which
is what ``kg.nt`` holds: on the first start after a build the pages' store is that one file
(its literals kept as written, :mod:`kg.lexical`), not kg.nq's graphs as well. While the
bulk loader (which lets go of Python's lock) reads it, a second thread reads the same file
for the subject IRIs (the first term of each line), counts its triples (one a line), and
hashes it and kg.nq: kg.nt is the merge only if both are what ``SHA256SUMS`` lists, else
the caller builds the store the slow way, from kg.nq's quads.
"""
from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

import pyoxigraph as ox

from .. import lexical
from .storecache import sha256

_CHUNK = 8 << 20
_SUBJECT = re.compile(rb"^<([^>\n]*)>", re.M)  # a line's subject IRI (no nesting: linear)


def _iri(raw: bytes) -> str:
    """An N-Triples IRI's text (escapes such as ``\\u00e9`` resolved by the parser)."""
    if b"\\" not in raw:
        return raw.decode("utf-8")
    return next(iter(ox.parse(b"<" + raw + b"> <urn:x:p> <urn:x:o> .", ox.RdfFormat.N_TRIPLES))).subject.value


class Scan:
    """kg.nt's subject IRIs (a set of ``str``), its triples' number, and whether it and kg.nq
    hash to what ``listed`` (file name → SHA-256) says."""

    def __init__(self, nt: Path, nq: Path, listed: dict[str, str]):
        self.nt, self.nq, self.listed = nt, nq, listed
        self.subjects: set[str] = set()
        self.triples = 0
        self.verified = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            raw: set[bytes] = set()
            h, carry = hashlib.sha256(), b""
            with self.nt.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    h.update(chunk)
                    data = carry + chunk
                    cut = data.rfind(b"\n") + 1
                    carry = data[cut:]
                    self.triples += data.count(b"\n", 0, cut)
                    raw.update(_SUBJECT.findall(data, 0, cut))
            if carry.strip():
                self.triples += 1
                raw.update(_SUBJECT.findall(carry))
            self.subjects = {_iri(s) for s in raw}
            self.verified = h.hexdigest() == self.listed.get("kg.nt") and sha256(self.nq) == self.listed.get("kg.nq")
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            self.error = e


def load_merged(store: ox.Store, nt: Path, nq: Path, listed: dict[str, str]) -> Scan | None:
    """Fill ``store``'s default graph from ``nt`` (literals as written) and scan it meanwhile;
    ``None`` if kg.nt or kg.nq is not what ``listed`` says (then ``store`` holds something
    else than their merge, and is to be thrown away)."""
    if not (nt.is_file() and listed.get("kg.nt") and listed.get("kg.nq")):
        return None
    scan = Scan(nt, nq, listed)
    thread = threading.Thread(target=scan.run, name="kg-serve-scan", daemon=True)
    thread.start()
    try:
        with nt.open("rb") as f:
            store.bulk_load(lexical.reader(f), ox.RdfFormat.N_TRIPLES, lenient=True)
    finally:
        thread.join()
    if scan.error is not None:
        raise scan.error
    return scan if scan.verified else None
