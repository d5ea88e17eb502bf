"""Wikidata item JSON (as ``wbgetentities`` returns it) → :class:`~kg.wikidata.scoring.Candidate`.

Only the parts scoring needs are read: labels, aliases and descriptions in every language
returned, and the claims P31 (instance of), P569/P570 (birth, death), P571/P576 (founded,
dissolved), P580/P582/P585 (start, end, point in time), P102 (party), P27 / P17
(citizenship, country), P361 / P749 / P131 (part of, parent organisation, located in).
Statements of deprecated rank are ignored. Pure functions: no I/O.
"""
from __future__ import annotations

import re

from .review import QID_RE
from .scoring import Candidate

START = ("P569", "P571", "P580", "P585")
END = ("P570", "P576", "P582", "P585")
PARENTS = ("P361", "P749", "P131")
_TIME = re.compile(r"([+-])([0-9]{1,16})-")     # the year of ``+1893-12-26T00:00:00Z``


def claim_values(item: dict, prop: str) -> list:
    """The main-snak values of ``prop`` that have a value and are not deprecated."""
    out = []
    for st in (item.get("claims") or {}).get(prop, []):
        if st.get("rank") == "deprecated":
            continue
        snak = st.get("mainsnak") or {}
        if snak.get("snaktype") == "value" and "datavalue" in snak:
            out.append(snak["datavalue"].get("value"))
    return out


def item_ids(item: dict, *props: str) -> frozenset[str]:
    """The item ids (``Q`` and digits, exactly) a set of properties point at."""
    ids = set()
    for prop in props:
        for v in claim_values(item, prop):
            if not isinstance(v, dict):
                continue
            n = v.get("numeric-id")
            qid = v.get("id") if isinstance(v.get("id"), str) else \
                f"Q{n}" if type(n) is int and 0 < n < 10 ** 15 else None
            if qid and QID_RE.fullmatch(qid):
                ids.add(qid)
    return frozenset(ids)


def year(value) -> int | None:
    """The year of a Wikidata time value (``+1893-12-26T00:00:00Z``), or None."""
    if not isinstance(value, dict):
        return None
    time = value.get("time")
    m = _TIME.match(time) if isinstance(time, str) else None
    if not m:
        return None
    y = int(m.group(2))
    return -y if m.group(1) == "-" else y


def years(item: dict, props: tuple[str, ...]) -> list[int]:
    return [y for p in props for y in map(year, claim_values(item, p)) if y is not None]


def text_of(values: dict, lang: str = "en") -> str:
    """The text in ``lang`` of a labels or descriptions map, else of its first language."""
    if not values:
        return ""
    v = values.get(lang) or values[min(values)]
    return v.get("value", "") if isinstance(v, dict) else ""


def names(item: dict) -> tuple[tuple[str, str, str], ...]:
    """(text, language, 'label' | 'alias') for every label and alias, sorted."""
    out = set()
    for lang, v in (item.get("labels") or {}).items():
        if isinstance(v, dict) and v.get("value"):
            out.add((v["value"], lang, "label"))
    for lang, vs in (item.get("aliases") or {}).items():
        for v in vs or []:
            if isinstance(v, dict) and v.get("value"):
                out.add((v["value"], lang, "alias"))
    return tuple(sorted(out, key=lambda n: (n[2] != "label", n[1] != "en", n[1], n[0])))


def class_ids(item: dict) -> list[str]:
    return sorted(item_ids(item, "P31"), key=lambda q: int(q[1:]))


def candidate(item: dict, class_labels: dict[str, str], kind: str) -> Candidate:
    """One item as a candidate for an entity of ``kind`` (which decides P27 or P17)."""
    starts, ends = years(item, START), years(item, END)
    return Candidate(
        qid=item["id"],
        label=text_of(item.get("labels") or {}),
        description=text_of(item.get("descriptions") or {}),
        names=names(item),
        classes=tuple((q, class_labels.get(q, "")) for q in class_ids(item)),
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        parties=item_ids(item, "P102"),
        countries=item_ids(item, "P27" if kind == "person" else "P17"),
        parents=item_ids(item, *PARENTS),
    )
