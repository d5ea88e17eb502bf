"""The ``kg link`` workflow: propose candidates, record decisions, report.

:func:`propose` asks the API (through an injected :class:`~kg.wikidata.client.WikidataClient`)
for candidates of every entity without an accepted link, scores them
(:mod:`kg.wikidata.scoring`) and merges the proposals into the review rows. It never
accepts anything: :func:`accept` and :func:`reject` — a person's decisions — and the seed
of a list a person verified (:mod:`kg.wikidata.seed`) are the only ways a row's status
becomes ``accepted`` or ``rejected``. Everything but the API calls is
pure: rows in, rows out; the caller writes the file.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import KgError
from ..facts import Entity, Facts
from ..http import shown
from .. import progress
from . import items
from .review import QID_RE, Row, qid_number, sort_key
from .scoring import FEATURES, KNOWN_CLASSES, Scored, Subject, rank
from .subjects import KINDS, subjects

if TYPE_CHECKING:
    from .client import WikidataClient

LINKER = "kg link"


@dataclass(frozen=True)
class Outcome:
    """What ``kg link`` found for one entity."""

    key: str
    searched: tuple[tuple[str, str], ...]
    ranked: tuple[Scored, ...]          # every candidate, best first
    proposed: tuple[str, ...]           # QIDs now in the review file as proposed


def search_terms(subject: Subject) -> list[tuple[str, str]]:
    """Each known name and spelling, in its own language, once."""
    return list(dict.fromkeys((text, lang) for text, lang in subject.names if text.strip()))


def proposal_row(key: str, s: Scored) -> Row:
    c = s.candidate
    return Row(key, c.qid, "proposed", s.score, tuple(s.features[f].value for f in FEATURES),
               c.label, c.description, LINKER, s.explain())


def _rescored(old: Row, new: Row) -> Row:
    """A proposal scored again: new features; a seeded or hand-written note is kept in front."""
    if old.by == LINKER:
        return new
    note = old.evidence.split(f" | {LINKER}: ")[0]
    return new.with_(by=old.by, evidence=f"{note} | {LINKER}: {new.evidence}" if note else new.evidence)


def propose(client: WikidataClient, facts: Facts, rows: list[Row], *, keys: Iterable[str] | None = None,
            min_score: float = 0.5, max_new: int = 3, limit: int = 7) -> tuple[list[Row], list[Outcome]]:
    """Search, fetch, score; return the merged rows and one :class:`Outcome` per entity.

    Entities with an accepted row are skipped. A candidate a person rejected for an entity
    is never proposed again for it, nor is an item already accepted for another entity. Existing proposals are re-scored and kept; up to
    ``max_new`` new candidates scoring at least ``min_score`` are added.
    """
    links = {r.key: r.qid for r in rows if r.status == "accepted"}
    subs = subjects(facts, links)
    wanted = set(keys) if keys is not None else None
    if wanted is not None:
        unknown = sorted(wanted - set(subs))
        if unknown:
            raise KgError(f"{unknown[0]!r} is not a person, group, place or event of the registry",
                          field="KEY", hint="use the keys of data/registry.yaml")
    targets = [k for k in sorted(subs) if k not in links and (wanted is None or k in wanted)]
    decided = {(r.key, r.qid) for r in rows if r.status == "rejected"}
    taken = set(links.values())             # an item accepted for one entity is not another's
    proposed = defaultdict(list)
    for r in rows:
        if r.status == "proposed":
            proposed[r.key].append(r.qid)

    found: dict[str, list[str]] = {}
    terms: dict[str, list[tuple[str, str]]] = {}
    with progress.bar(len(targets), "searching Wikidata", "entities") as advance:
        for key in targets:
            terms[key] = search_terms(subs[key])
            qids = list(proposed[key])
            for text, lang in terms[key]:
                qids += [hit["id"] for hit in client.search(text, lang, limit=limit)]
            found[key] = [q for q in dict.fromkeys(qids)
                          if QID_RE.fullmatch(q) and (key, q) not in decided and q not in taken]
            advance(1)

    languages = {"en"} | {lang for k in targets for _, lang in terms[k]}
    fetched = client.entities({q for qs in found.values() for q in qs}, languages=languages)
    class_ids = {c for item in fetched.values() for c in items.class_ids(item)} - set(KNOWN_CLASSES)
    class_items = client.entities(class_ids, props="labels", languages=["en"]) if class_ids else {}
    class_labels = {q: items.text_of(item.get("labels") or {}) for q, item in class_items.items()}

    by_pair = {(r.key, r.qid): r for r in rows}
    outcomes = []
    for key in targets:
        subject = subs[key]
        cands = [items.candidate(fetched[q], class_labels, subject.kind) for q in found[key] if q in fetched]
        ranked = [s for s in rank(subject, list({c.qid: c for c in cands}.values()))
                  if (key, s.candidate.qid) not in decided]
        new, now = 0, []
        for s in ranked:
            pair = (key, s.candidate.qid)
            if pair in by_pair and by_pair[pair].status == "proposed":
                by_pair[pair] = _rescored(by_pair[pair], proposal_row(key, s))
                now.append(s.candidate.qid)
            elif pair not in by_pair and s.score >= min_score and new < max_new:
                by_pair[pair] = proposal_row(key, s)
                new += 1
                now.append(s.candidate.qid)
        outcomes.append(Outcome(key, tuple(terms[key]), tuple(ranked), tuple(now)))
    return sorted(by_pair.values(), key=sort_key), outcomes


# ---------------------------------------------------------------- decisions

def _check_pair(entities: Mapping[str, Entity], key: str, qid: str) -> None:
    if key not in entities or entities[key].kind not in KINDS:
        raise KgError(f"{shown(key)} is not a person, group, place or event of the registry", field="KEY",
                      hint="use a key of data/registry.yaml")
    if not QID_RE.fullmatch(qid):
        raise KgError(f"{shown(qid)} is not a Wikidata item id", field="QID",
                      hint="expected Q followed by digits, e.g. Q5816")


def accept(rows: list[Row], entities: Mapping[str, Entity], key: str, qid: str, *, by: str,
           evidence: str | None) -> list[Row]:
    """``key`` is ``qid``: that row becomes accepted; the key's other proposals are rejected."""
    _check_pair(entities, key, qid)
    if not by.strip():
        raise KgError("say who accepts the link", field="--by")
    current = {(r.key, r.qid): r for r in rows}
    for r in rows:
        if r.key == key and r.status == "accepted" and r.qid != qid:
            raise KgError(f"{key} is already linked to {r.qid} ({r.by}: {r.evidence})", field="QID",
                          hint=f"if that link is wrong, first run: kg link --reject {key} {r.qid} --evidence '…'")
    old = current.get((key, qid))
    if not evidence:
        if old is None or old.score is None:
            raise KgError(f"{qid} was never proposed for {key}: say why it is the same entity", field="--evidence",
                          hint="e.g. --evidence 'label, dates and party checked on wikidata.org'")
        evidence = f"accepted the proposal (score {old.score:.2f})"
    out = []
    for r in rows:
        if (r.key, r.qid) == (key, qid):
            continue
        if r.key == key and r.status == "proposed":
            r = r.with_(status="rejected", by=by, evidence=f"{qid} was accepted for {key}")
        out.append(r)
    base = old if old is not None else Row(key, qid, "accepted")
    out.append(base.with_(status="accepted", by=by, evidence=evidence))
    return sorted(out, key=sort_key)


def reject(rows: list[Row], entities: Mapping[str, Entity], key: str, qid: str, *, by: str,
           evidence: str | None) -> list[Row]:
    """``key`` is not ``qid``: the row (added if needed) becomes rejected — also an accepted one."""
    _check_pair(entities, key, qid)
    if not by.strip():
        raise KgError("say who rejects the candidate", field="--by")
    evidence = evidence or "rejected on review"
    out = [r for r in rows if (r.key, r.qid) != (key, qid)]
    old = next((r for r in rows if (r.key, r.qid) == (key, qid)), Row(key, qid, "rejected"))
    out.append(old.with_(status="rejected", by=by, evidence=evidence))
    return sorted(out, key=sort_key)


# ---------------------------------------------------------------- report

def counts(rows: list[Row], entities: Mapping[str, Entity]) -> dict[str, Counter]:
    """Per kind: how many entities are linked, have open proposals, or neither."""
    linked = {r.key for r in rows if r.status == "accepted"}
    open_ = {r.key for r in rows if r.status == "proposed"} - linked
    out = {k: Counter() for k in KINDS}
    for key, e in entities.items():
        if e.kind in out:
            out[e.kind]["linked" if key in linked else "proposed" if key in open_ else "unlinked"] += 1
    return out


def open_proposals(rows: list[Row]) -> dict[str, list[Row]]:
    """The proposals of entities without a link, per key (sorted), best score first."""
    linked = {r.key for r in rows if r.status == "accepted"}
    by_key = defaultdict(list)
    for r in rows:
        if r.status == "proposed" and r.key not in linked:
            by_key[r.key].append(r)
    return {k: sorted(by_key[k], key=lambda r: (-(r.score or 0), qid_number(r.qid))) for k in sorted(by_key)}


def row_fields(r: Row) -> dict:
    """A review row as a ``--json`` report shows it."""
    return {"key": r.key, "qid": r.qid, "status": r.status, "score": r.score,
            "features": dict(zip(FEATURES, r.features)), "label": r.label, "description": r.description,
            "by": r.by, "evidence": r.evidence}


def summary(rows: list[Row], entities: Mapping[str, Entity]) -> dict:
    """What :func:`report` says, as data: counts (total and per kind) and the open proposals."""
    c = counts(rows, entities)
    total = sum(c.values(), Counter())
    states = ("linked", "proposed", "unlinked")
    return {"entities": sum(total.values()),
            "counts": {s: total[s] for s in states},
            "kinds": {kind: {s: c[kind][s] for s in states} for kind in KINDS},
            "open": [{"key": key, "kind": entities[key].kind if key in entities else None,
                      "name": entities[key].label if key in entities else None,
                      "proposals": [row_fields(r) for r in rs]}
                     for key, rs in open_proposals(rows).items()]}


def report(rows: list[Row], entities: Mapping[str, Entity]) -> str:
    """Linked / proposed / unlinked counts, per kind, and every open proposal."""
    s = summary(rows, entities)
    total = s["counts"]
    lines = [(f"kg link: {total['linked']} linked, {total['proposed']} proposed, "
              f"{total['unlinked']} unlinked ({s['entities']} entities)")]
    for kind, k in s["kinds"].items():
        lines.append(f"  {kind + 's':<8} {k['linked']:>3} linked {k['proposed']:>3} proposed "
                     f"{k['unlinked']:>3} unlinked")
    if not s["open"]:
        lines.append("no open proposals")
        return "\n".join(lines) + "\n"
    lines.append("open proposals (accept with: kg link --accept KEY QID --by NAME [--evidence TEXT]):")
    for entry in s["open"]:
        lines.append(f"  {entry['key']} ({entry['kind'] or '?'}: {entry['name'] or '?'})")
        for r in entry["proposals"]:
            score = "  -  " if r["score"] is None else f"{r['score']:.2f} "
            what = " — ".join(x for x in (r["label"], r["description"]) if x) or r["evidence"]
            lines.append(f"    {r['qid']:<10} {score} {what}")
    return "\n".join(lines) + "\n"
