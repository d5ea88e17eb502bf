"""The pages' store filled from ``kg.nt`` by the bulk loader, its subjects read from the file meanwhile.

Pages read the default graph only (the merge of kg.nq's graphs, each triple once), which
is what ``kg.nt`` holds: on the first start after a build the pages' store is that one file
(its literals kept as written, :mod:`kg.lexical`), not kg.nq's graphs as well. While the
bulk loader reads it, a second process hashes it and kg.nq (kg.nt is the merge only if both
are what ``SHA256SUMS`` lists, else the caller builds the store the slow way, from kg.nq's
quads), then reads the file again for the subject IRIs (the first term of each line) and
counts its triples (one a line). A process, not a thread: reading the subjects is Python
work, and beside the bulk loader (which asks Python for every piece of the file it reads)
a thread would make each wait for the other's hold on Python's lock. The store is not
compacted here (that took a fifth of the first start at 2,500 documents): pages are served
from it as loaded, their first renders somewhat slower, while a compacted copy is made in
the background (:func:`kg.serve.storecache.compact_pages`).
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyoxigraph as ox

from .. import lexical
from .storecache import sha256

_CHUNK = 8 << 20


def _lines(data: bytes, cut: int, raw: set[bytes]) -> int:
    """Add to ``raw`` the subject IRIs of the whole lines in ``data[:cut]``; their number.

    A run of lines of one subject (kg.nt is sorted, so each subject's lines are together)
    costs one comparison a line, not a match and a new object: the first term is read once
    per run."""
    find, starts = data.find, data.startswith
    i = n = 0
    while i < cut:
        end = find(b"\n", i, cut)
        if end == i:  # an empty line: no triple
            i += 1
            continue
        j = find(b">", i, end) if data[i] == 0x3C else -1  # "<"; a blank node's lines are counted only
        n += 1
        if j < 0:
            i = end + 1
            continue
        raw.add(data[i + 1:j])
        run = data[i:j + 2]  # "<iri> "
        i = end + 1
        while i < cut and starts(run, i):
            i = find(b"\n", i, cut) + 1
            n += 1
    return n


def _iri(raw: bytes) -> str:
    """An N-Triples IRI's text (escapes such as ``\\u00e9`` resolved by the parser)."""
    if b"\\" not in raw:
        return raw.decode("utf-8")
    return next(iter(ox.parse(b"<" + raw + b"> <urn:x:p> <urn:x:o> .", ox.RdfFormat.N_TRIPLES))).subject.value


class Scan:
    """kg.nt's subject IRIs (a set of ``str``) and its triples' number (:meth:`read`), and
    whether it and kg.nq hash to what ``listed`` (file name → SHA-256) says (:meth:`verify`)."""

    def __init__(self, nt: Path, nq: Path, listed: dict[str, str]):
        self.nt, self.nq, self.listed = nt, nq, listed
        self.subjects: set[str] | list[str] = set()
        self.triples = 0
        self.verified = False
        self.error: BaseException | None = None

    def verify(self) -> None:
        try:
            self.verified = sha256(self.nt) == self.listed.get("kg.nt") and sha256(self.nq) == self.listed.get("kg.nq")
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            self.error = e

    def read(self) -> None:
        try:
            raw: set[bytes] = set()
            carry = b""
            with self.nt.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    data = carry + chunk
                    cut = data.rfind(b"\n") + 1
                    carry = data[cut:]
                    self.triples += _lines(data, cut, raw)
            if carry.strip():
                self.triples += _lines(carry + b"\n", len(carry) + 1, raw)
            self.subjects = {_iri(s) for s in raw}
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            self.error = e


def scanned(nt: Path, nq: Path, listed: dict[str, str]) -> Scan:
    """A :class:`Scan` verified, then, if kg.nt and kg.nq are what ``listed`` says, read, its
    subjects as a sorted list (run in a second process by :func:`load_merged`; its error, if
    any, kept as text)."""
    scan = Scan(nt, nq, listed)
    scan.verify()
    if scan.verified and scan.error is None:
        scan.read()
        scan.subjects = sorted(scan.subjects)  # sorted here, beside the bulk loader, not after it
    if scan.error is not None:
        scan.error = OSError(f"{type(scan.error).__name__}: {scan.error}")
    return scan


def load_merged(store: ox.Store, nt: Path, nq: Path, listed: dict[str, str]) -> Scan | None:
    """Fill ``store``'s default graph from ``nt`` (literals as written), checking kg.nt and kg.nq
    against ``listed`` and reading the scan's subjects meanwhile in a second process; ``None``
    if they are not what it says (then ``store`` holds something else than their merge, and is
    to be emptied). If no second process can be started, the scan is done here afterwards."""
    if not (nt.is_file() and listed.get("kg.nt") and listed.get("kg.nq")):
        return None
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as helper:
        try:
            future = helper.submit(scanned, nt, nq, listed)
        except (OSError, RuntimeError):
            future = None
        with nt.open("rb") as f:
            store.bulk_load(lexical.reader(f), ox.RdfFormat.N_TRIPLES, lenient=True)
        try:
            scan = future.result() if future is not None else None
        except (BrokenProcessPool, OSError):  # e.g. no Python to start here (an embedding server)
            scan = None
    if scan is None:
        scan = scanned(nt, nq, listed)
    if scan.error is not None:
        raise scan.error
    return scan if scan.verified else None
