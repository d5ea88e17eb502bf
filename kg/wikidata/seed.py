"""Seed the review file from a reconciliation list such as ``../shared/wikidata.tsv``.

The list has the columns ``entity kind qid status note`` (``#`` comments allowed). Each
row is matched to the registry entity of that kind whose label or other name equals the
list's entity (a parenthesis is tried both ways: "North Korea (DPRK)" is "North Korea" or
"DPRK"; "Politburo (Presidium) of …" is also "Presidium of …"). Then:

* ``verified`` → ``accepted``, by ``seed: <file name>``, evidence "seeded from the verified
  list" and the list's note;
* ``probable`` → ``proposed``, to be confirmed with ``kg link`` / ``--accept``;
* anything else, and rows that match no registry entity (or are languages and classes,
  which the registry does not hold), are left out and reported.

Rows already decided in the review file are never overridden: a seed that disagrees with
an accepted link is an error.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import KgError
from ..facts import Entity
from .review import QID_RE, Row, sort_key
from .scoring import latin

COLUMNS = ("entity", "kind", "qid", "status", "note")


def _variants(name: str) -> set[str]:
    out = {name}
    before, paren, rest = name.partition("(")
    inside, close, after = rest.partition(")")
    if paren and close and inside:  # the first "( … )", by string methods: linear on any input
        before, after = before.rstrip(), after.lstrip()
        out |= {f"{before} {after}".strip(), inside.strip()}
        words = before.split()
        if words:                     # "Politburo (Presidium) of X" → "Presidium of X"
            out.add(" ".join([*words[:-1], inside, after]).strip())
    return {latin(v) for v in out if v.strip()}


def match(name: str, kind: str, entities: Mapping[str, Entity]) -> str | None:
    """The registry key of the entity of ``kind`` that the list's ``name`` denotes, if one."""
    wanted = _variants(name)
    hits = sorted(k for k, e in entities.items()
                  if e.kind == kind and wanted & {latin(e.label), *(latin(n.text) for n in e.names)})
    return hits[0] if len(hits) == 1 else None


def read_list(path: Path) -> list[tuple[int, dict]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise KgError(f"cannot read the list: {e.strerror}", path=path) from None
    out, header = [], None
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if header is None:
            if tuple(c.strip() for c in cells[:len(COLUMNS)]) != COLUMNS:
                raise KgError("expected the header 'entity kind qid status note' (tab-separated)", path=path, line=n)
            header = COLUMNS
            continue
        cells += [""] * (len(COLUMNS) - len(cells))
        out.append((n, {c: v.strip() for c, v in zip(COLUMNS, cells)}))
    return out


def seed(rows: list[Row], path: Path, entities: Mapping[str, Entity]) -> tuple[list[Row], list[str]]:
    """The review rows with the list merged in, and one message per list row."""
    by_pair = {(r.key, r.qid): r for r in rows}
    accepted = {r.key: r for r in rows if r.status == "accepted"}
    source = f"seed: {Path(path).name}"
    messages = []
    for n, c in read_list(path):
        where = f"{Path(path).name}:{n}: {c['entity']}"
        if c["status"] not in ("verified", "probable") or not c["qid"]:
            messages.append(f"{where}: {c['status'] or 'no status'}, left for kg link")
            continue
        if not QID_RE.match(c["qid"]):
            raise KgError(f"{c['qid']!r} is not a Wikidata item id", path=path, line=n, field="qid")
        if c["kind"] not in ("person", "group", "place", "event"):
            messages.append(f"{where}: a {c['kind']}, not a registry entity; skipped")
            continue
        key = match(c["entity"], c["kind"], entities)
        if key is None:
            messages.append(f"{where}: no {c['kind']} of the registry has this name; skipped")
            continue
        note = c["note"]
        if c["status"] == "verified":
            row = Row(key, c["qid"], "accepted", by=source,
                      evidence="seeded from the verified list" + (f": {note}" if note else ""))
        else:
            row = Row(key, c["qid"], "proposed", by=source,
                      evidence="probable in the list, to be confirmed" + (f": {note}" if note else ""))
        old = by_pair.get((key, c["qid"]))
        if key in accepted and accepted[key].qid != c["qid"]:
            raise KgError(f"the list gives {c['qid']} for {key}, but the review file accepts {accepted[key].qid}",
                          path=path, line=n, field="qid", hint="settle it in the review file first")
        if old is not None and old.status != "proposed":
            messages.append(f"{where}: {key} {c['qid']} already {old.status}; kept")
            continue
        if row.status == "accepted":
            accepted[key] = row
            for pair, r in list(by_pair.items()):     # the key's other proposals are moot
                if r.key == key and r.status == "proposed" and r.qid != row.qid:
                    by_pair[pair] = r.with_(status="rejected", by=source, evidence=f"{row.qid} was accepted")
        by_pair[key, c["qid"]] = row if old is None else old.with_(status=row.status, by=row.by,
                                                                   evidence=row.evidence)
        messages.append(f"{where}: {key} {c['qid']} {row.status}")
    return sorted(by_pair.values(), key=sort_key), messages
