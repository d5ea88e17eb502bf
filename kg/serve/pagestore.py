"""The pages' store filled from ``kg.nt``, whether kg.nt may be, and its subjects read from it afterwards.

Pages read the default graph only (the merge of kg.nq's graphs, each triple once), which
is what ``kg.nt`` holds: the pages' store is that one file (its literals kept as written,
:mod:`kg.lexical`), not kg.nq's graphs as well. kg.nt is the merge only if it and kg.nq are
what ``SHA256SUMS`` lists: the build's note that dist/ is as it wrote it says so without
reading them (:func:`kg.distdir.as_written`); otherwise a second process hashes both while
kg.nt is loaded (:func:`load_merged`; if not, the caller builds the store the slow way, from
kg.nq's quads). Nothing else runs beside the load: at 2,500 documents even a second process
reading the subjects made it a fifth slower on two processors. Pages find their subjects in
kg.nt itself (:class:`kg.serve.subjects.InFile`) while a second process, of low priority,
reads kg.nt for the sorted subject IRIs and the number of triples (:func:`list_subjects`).
"""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pyoxigraph as ox

from .. import lexical
from . import storecache
from .storecache import sha256
from .subjects import iri_text

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


class Scan:
    """kg.nt's subject IRIs (a set of ``str``) and its triples' number, once :meth:`read`."""

    def __init__(self, nt: Path):
        self.nt = nt
        self.subjects: set[str] = set()
        self.triples = 0

    def read(self) -> None:
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
        self.subjects = {iri_text(s) for s in raw}


def verified(nt: Path, nq: Path, listed: dict[str, str]) -> bool:
    """Whether kg.nt and kg.nq hash to what ``listed`` (file name → SHA-256) says."""
    return sha256(nt) == listed.get("kg.nt") and sha256(nq) == listed.get("kg.nq")


_NOT_VERIFIED = 3  # the exit code of a second process that found kg.nt or kg.nq not what SHA256SUMS lists


def _verify(nt: Path, nq: Path, listed: dict[str, str]) -> None:
    if not verified(nt, nq, listed):
        raise SystemExit(_NOT_VERIFIED)


def _second_process(target, *args):
    """``target(*args)`` started in a second Python process (``None`` if none can be started): a
    plain process that ends when its work does (a pool's worker would wait on, and outlive, a
    server killed meanwhile); its result is its exit code, or a file it writes."""
    try:
        process = multiprocessing.get_context("spawn").Process(target=target, args=args, daemon=True)
        process.start()
    except (OSError, RuntimeError):  # e.g. no Python to start here (an embedding server)
        return None
    return process


def load_merged(load, nt: Path, nq: Path, listed: dict[str, str], trusted: bool = False):
    """What ``load()`` gives (it reads kg.nt), if kg.nt is kg.nq's merge: ``trusted`` (dist/ is
    as the build wrote it), or else kg.nt and kg.nq hash to what ``listed`` says, checked in a
    second process meanwhile (here afterwards if that fails); ``None`` if not (then nothing
    is loaded, or what was is dropped)."""
    if not (nt.is_file() and listed.get("kg.nt") and listed.get("kg.nq")):
        return None
    if trusted:
        return load()
    helper = _second_process(_verify, nt, nq, listed)
    try:
        loaded = load()
    finally:
        if helper is not None:
            helper.join()
    if helper is not None and helper.exitcode in (0, _NOT_VERIFIED):
        ok = helper.exitcode == 0
    else:
        ok = verified(nt, nq, listed)
    return loaded if ok else None


def bulk_load(store: ox.Store, nt: Path) -> None:
    """kg.nt into ``store``'s default graph by its bulk loader, literals kept as written."""
    with nt.open("rb") as f:
        store.bulk_load(lexical.reader(f), ox.RdfFormat.N_TRIPLES, lenient=True)


def subjects_of(nt: Path, base: str, extra: list[str]) -> tuple[list[str], int]:
    """kg.nt's subject IRIs below ``base`` with ``extra``, sorted, and its triples' number."""
    scan = Scan(nt)
    scan.read()
    return sorted(s for s in scan.subjects.union(extra) if s.startswith(base)), scan.triples


def list_subjects(folder: Path, nt: Path, base: str, extra: list[str], nice: bool = False) -> None:
    """``folder``'s subjects file (:func:`kg.serve.storecache.write_subjects`) from kg.nt
    (``nice``: at low priority, pages being served meanwhile)."""
    if nice:
        try:
            os.nice(10)
        except (AttributeError, OSError):  # not allowed: read at normal priority
            pass
    storecache.write_subjects(folder, *subjects_of(nt, base, extra))


def subjects_in_background(folder: Path, nt: Path, base: str, extra: list[str]) -> None:
    """:func:`list_subjects` in a second process of low priority (here, if that fails)."""
    helper = _second_process(list_subjects, folder, nt, base, extra, True)
    if helper is not None:
        helper.join()
        if helper.exitcode == 0:
            return
    list_subjects(folder, nt, base, extra)
