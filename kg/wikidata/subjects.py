"""What the registry and the documents know about each entity, as scoring needs it.

Pure: :func:`subjects` reads the typed facts (:class:`kg.facts.Facts`) and the accepted
links, nothing else.

* names: the preferred label (en), the registry's other names, and every spelling the
  documents use (``names:`` in a document file, e.g. "Пин Дэ-хуэй"@ru);
* acting years — it was alive (or existed) then: the year of each document the entity
  writes, receives or certifies, or in which it is a member (or the group with the
  member) or an estimator; for a participant, carrier-out, proposed participant, proposer
  or agreer of an event, the years of the event's stated time, else the document's year
  when the document records the event or the event is planned;
* acted-by years: for an undated past event the document only refers to, the document's
  year — the entity acted by then and may have died since (Pak Heon-yeong's execution);
  mentioned years: the year of each document that mentions it or names it as a place;
* life years a person's registry description states, e.g. "(1900-1976)";
* an event's period: the years of the times the documents state for it;
* parties and countries: registry parties (type ``party``) and countries (type
  ``country``) named in the entity's label or description by one of their names, or by a
  demonym ("Soviet", "Chinese", "North Korean"), the party a person is a member of through
  a group's ``part_of`` chain — each as its accepted QID (no QID, no expectation);
* parents: the accepted QIDs of the entity's ``part_of`` chain.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from .. import statement_kinds
from ..facts import Estimate, Facts, TimeValue
from .scoring import Subject, latin, roles_in

KINDS = ("person", "group", "place", "event")
# What each kind of statement says of its value (kg/statement_kinds.py): it acted then, or was spoken of.
ACTING = {k.prop for k in statement_kinds.KINDS if k.acting}
MENTIONED = {k.prop for k in statement_kinds.KINDS if k.mentioned}
# Demonyms → the registry key of the country they name.
DEMONYMS = {"soviet": "soviet-union", "chinese": "china", "north korean": "north-korea"}
LIFE_RE = re.compile(r"\((\d{4})\s*[-\u2013]\s*(\d{4})\)")


def _periods(facts: Facts) -> dict[str, set[int]]:
    """The years of the times the documents state for each event."""
    periods = defaultdict(set)
    for d in facts.documents:
        for st in d.statements:
            if isinstance(st.value, TimeValue):
                periods[st.subject] |= st.value.bounds.years()
    return periods


def _years(facts: Facts, periods: Mapping[str, set[int]]) -> tuple[dict, dict, dict]:
    acting, acted_by, mentioned = defaultdict(set), defaultdict(set), defaultdict(set)
    for d in facts.documents:
        y = int(d.record.date[:4])
        recorded = {st.value for st in d.statements if st.prop == "documents"}
        for st in d.statements:
            if st.prop in ACTING:
                event = st.subject if statement_kinds.BY_PROP[st.prop].subject == "event" else None
                if event is None:
                    acting[st.value].add(y)
                elif periods.get(event):
                    acting[st.value] |= periods[event]
                elif event in recorded or facts.entities[event].planned:
                    acting[st.value].add(y)
                else:  # a past event the document refers to without a date: by then, no later
                    acted_by[st.value].add(y)
                if st.prop == "member":  # the group existed too
                    acting[st.subject].add(y)
            elif st.prop in MENTIONED:
                mentioned[st.value].add(y)
            elif isinstance(st.value, Estimate):
                acting[st.value.by].add(y)
        for n in d.names:
            mentioned[n.entity].add(y)
    return acting, acted_by, mentioned


def _named_in(text: str, names_by_key: dict[str, list[str]]) -> set[str]:
    """Registry keys one of whose names occurs in ``text`` as whole words."""
    words = f" {latin(text)} "
    return {k for k, ns in names_by_key.items() if any(f" {latin(n)} " in words for n in ns if latin(n))}


def _chain(facts: Facts, key: str) -> list[str]:
    out, seen = [], {key}
    parent = facts.entities[key].part_of
    while parent and parent not in seen:
        out.append(parent)
        seen.add(parent)
        parent = facts.entities[parent].part_of
    return out


def subjects(facts: Facts, links: Mapping[str, str]) -> dict[str, Subject]:
    """One :class:`Subject` per person, group, place and event of the registry."""
    ents = facts.entities
    periods = _periods(facts)
    acting, acted_by, mentioned = _years(facts, periods)
    spellings = defaultdict(list)
    for d in facts.documents:
        for n in d.names:
            spellings[n.entity].append((n.text, n.lang))
    parties = {k: [e.label, *(n.text for n in e.names)] for k, e in ents.items()
               if e.kind == "group" and e.type == "party"}
    countries = {k: [e.label, *(n.text for n in e.names)] for k, e in ents.items()
                 if e.kind == "place" and e.type == "country"}
    for word, key in DEMONYMS.items():
        if key in countries:
            countries[key] = [*countries[key], word]
    member_of = defaultdict(set)
    for d in facts.documents:
        for st in d.statements:
            if st.prop == "member":
                member_of[st.value].add(st.subject)

    def qids(keys) -> frozenset[str]:
        return frozenset(links[k] for k in keys if k in links)

    out = {}
    for key, e in sorted(ents.items()):
        if e.kind not in KINDS:
            continue
        names = list(dict.fromkeys([(e.label, "en"), *((n.text, n.lang) for n in e.names), *spellings[key]]))
        text = f"{e.label}. {e.description or ''}"
        party_keys = _named_in(text, parties) - {key}
        for group in member_of[key]:
            party_keys |= {g for g in [group, *_chain(facts, group)] if g in parties}
        life = LIFE_RE.search(e.description or "") if e.kind == "person" else None
        period = (min(periods[key]), max(periods[key])) if periods[key] else None
        out[key] = Subject(
            key=key, kind=e.kind, names=tuple(names),
            roles=roles_in(e.description or "") if e.kind == "person" else frozenset(),
            acting=frozenset(acting[key]), acted_by=frozenset(acted_by[key]),
            mentioned=frozenset(mentioned[key]),
            life=(int(life.group(1)), int(life.group(2))) if life else None,
            period=period,
            parties=qids(party_keys) if e.kind == "person" else frozenset(),
            countries=qids(_named_in(text, countries) - {key}),
            parents=qids(_chain(facts, key)),
        )
    return out
