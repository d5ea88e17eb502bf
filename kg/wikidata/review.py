"""The review file ``data/wikidata/review.tsv``: every Wikidata candidate and its verdict.

One row per entity and candidate, tab-separated, UTF-8, one header line (``COLUMNS``),
rows sorted by key and then by QID number, so that every change is a small, readable
diff. Lines starting with ``#`` are comments; the writer keeps only its own header
comment. Columns:

``key``        the registry key (``person/<key>`` …)
``qid``        the Wikidata item, ``Q`` and digits
``status``     ``proposed`` (by ``kg link`` or the seed; not published), ``accepted`` (a
               person checked it: published as ``owl:sameAs`` / ``schema:sameAs``) or
               ``rejected`` (a person checked it: never proposed again)
``score``      the candidate's score at its last scoring (empty if never scored)
``name`` … ``role``  each feature's value (see :mod:`kg.wikidata.scoring`); empty when the
               feature had nothing to compare
``label``, ``description``  the item's English label and description when it was scored
``by``         who or what set the status: ``kg link``, ``seed: <file>``, a reviewer's name
``evidence``   why: the reviewer's note, or for a proposal the features' reasons

``kg build`` reads only accepted rows (:func:`accepted_links`); the whole file is checked
on every build, and any problem is a :class:`~kg.errors.FactsError` naming the file, the
line and the column.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import FactsError
from ..http import clean_text, shown
from ..inputs import read_text
from .scoring import FEATURES

PATH = Path("wikidata") / "review.tsv"       # below data/
STATUSES = ("proposed", "accepted", "rejected")
COLUMNS = ("key", "qid", "status", "score", *FEATURES, "label", "description", "by", "evidence")
QID_RE = re.compile(r"\AQ[1-9][0-9]{0,15}\Z")     # whole strings only (no trailing newline)
HEADER_COMMENT = (
    "# Wikidata links of the registry, reviewed: only 'accepted' rows are published (kg build).",
    "# kg link proposes; kg link --accept KEY QID / --reject KEY QID decide; see data/README.md.",
)


@dataclass(frozen=True)
class Row:
    key: str
    qid: str
    status: str
    score: float | None = None
    features: tuple[float | None, ...] = (None,) * len(FEATURES)
    label: str = ""
    description: str = ""
    by: str = ""
    evidence: str = ""
    line: int = field(default=0, compare=False)

    def feature(self, name: str) -> float | None:
        return self.features[FEATURES.index(name)]

    def with_(self, **changes) -> Row:
        return replace(self, **changes)


def qid_number(qid: str) -> int:
    return int(qid[1:])


def sort_key(row: Row) -> tuple:
    return (row.key, qid_number(row.qid))


# ---------------------------------------------------------------- read

def _number(path: Path, line: int, column: str, text: str) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise FactsError(f"{text!r} is not a number between 0 and 1", path=path, line=line, field=column,
                         hint="leave the cell empty when there is no value")
    return value


def read(path: Path) -> list[Row]:
    """Every row of the review file, checked (a missing file has no rows)."""
    path = Path(path)
    if not os.path.lexists(path):
        return []
    lines = read_text(path).splitlines()
    rows, header_seen, seen = [], False, {}
    for n, raw in enumerate(lines, 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if not header_seen:
            if tuple(cells) != COLUMNS:
                raise FactsError("the header line is not the review file's columns", path=path, line=n,
                                 hint="expected, tab-separated: " + " ".join(COLUMNS))
            header_seen = True
            continue
        if len(cells) != len(COLUMNS):
            raise FactsError(f"expected {len(COLUMNS)} tab-separated cells, found {len(cells)}", path=path,
                             line=n, hint="columns: " + " ".join(COLUMNS) + " (cells may be empty, not missing)")
        c = dict(zip(COLUMNS, cells))
        if not c["key"]:
            raise FactsError("missing", path=path, line=n, field="key")
        if not QID_RE.fullmatch(c["qid"]):
            raise FactsError(f"{shown(c['qid'])} is not a Wikidata item id", path=path, line=n, field="qid",
                             hint="expected Q followed by digits, e.g. Q5816")
        if c["status"] not in STATUSES:
            raise FactsError(f"{c['status']!r} is not a status", path=path, line=n, field="status",
                             hint=f"expected one of {', '.join(STATUSES)}")
        if (c["key"], c["qid"]) in seen:
            raise FactsError(f"{c['key']} {c['qid']} is already on line {seen[c['key'], c['qid']]}",
                             path=path, line=n, field="qid", hint="keep one row per entity and candidate")
        seen[c["key"], c["qid"]] = n
        rows.append(Row(c["key"], c["qid"], c["status"], _number(path, n, "score", c["score"]),
                        tuple(_number(path, n, f, c[f]) for f in FEATURES),
                        c["label"], c["description"], c["by"], c["evidence"], n))
    return rows


def check(path: Path, rows: Iterable[Row], keys: Iterable[str]) -> None:
    """Every row names a registry key; an entity has at most one accepted QID, and a QID is
    accepted for at most one entity."""
    keys = set(keys)
    by_key, by_qid = {}, {}
    for r in rows:
        if r.key not in keys:
            raise FactsError(f"{r.key!r} is not a key of the registry", path=path, line=r.line, field="key",
                             hint="fix the key, or remove the row if the entity was removed from registry.yaml")
        if r.status != "accepted":
            continue
        if r.key in by_key:
            first = by_key[r.key]
            raise FactsError(f"{r.key} has two accepted items: {first.qid} (line {first.line}) and {r.qid}",
                             path=path, line=r.line, field="status",
                             hint="an entity links to one item: reject one of them")
        if r.qid in by_qid:
            first = by_qid[r.qid]
            raise FactsError(f"{r.qid} is already accepted for {first.key} (line {first.line})",
                             path=path, line=r.line, field="qid",
                             hint="two registry entities cannot be the same Wikidata item")
        by_key[r.key], by_qid[r.qid] = r, r


def accepted_links(path: Path, keys: Iterable[str]) -> dict[str, str]:
    """key → QID of every accepted row, after checking the whole file (:func:`check`)."""
    rows = read(path)
    check(path, rows, keys)
    return {r.key: r.qid for r in rows if r.status == "accepted"}


# ---------------------------------------------------------------- write

def _cell(text: str) -> str:
    return " ".join(clean_text(str(text)).split())     # no tabs, line breaks or control characters


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"


def render(rows: Iterable[Row]) -> str:
    lines = [*HEADER_COMMENT, "\t".join(COLUMNS)]
    for r in sorted(rows, key=sort_key):
        cells = [r.key, r.qid, r.status, _num(r.score), *map(_num, r.features),
                 _cell(r.label), _cell(r.description), _cell(r.by), _cell(r.evidence)]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def write(path: Path, rows: Iterable[Row]) -> None:
    """Write the rows, sorted, atomically (a fresh file renamed over the old one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render(rows), encoding="utf-8", newline="\n")
    os.replace(tmp, path)
