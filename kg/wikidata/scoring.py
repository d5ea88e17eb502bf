"""Explainable scoring of Wikidata candidates: pure functions, no I/O.

A :class:`Subject` is what the registry and the documents know about one entity; a
:class:`Candidate` is what Wikidata says about one item. Each feature compares one aspect
and returns a :class:`Feature`: a value in [0, 1] with the reason, or ``None`` (with the
reason) when there is nothing to compare. The score is the weighted mean of the features
that have a value; a feature at 0 — a contradiction, not a mere lack of evidence — caps
the score (``CAPS``), so one strong name match cannot outweigh "this is a village" or
"born 12 years before he acted".

Features (the review file has one column each):

``name``      best match of any known name or spelling against the item's labels and
              aliases in every language: 1 equal (ignoring case, accents, punctuation,
              spacing; Cyrillic read as a Russian transcription), 0.9 a transliteration
              variant (Choe Yong-geon / Choe Yong-gon, Peng Dehuai / Пин Дэ-хуэй), 0.85
              initials (A. Mikoyan / Anastas Mikoyan), else 0.8 × string similarity.
``type``      P31 fits the kind: human (Q5) for persons, an organisation, party, committee,
              archive … for groups, a city, country, region … for places, a meeting,
              congress … for events; 0 for a class of another kind (a village for a
              person) or a disambiguation page or name item.
``dates``     persons: born at least 15 years before and alive in every year they act —
              the year of a document they write, receive or certify, the stated time of
              an event they take part in (or the document's year for the event it
              records, and for a planned one); for a past event the document refers to
              without a date, only born 15 years before the document (they may have died
              since: an execution it mentions); born by the years they are mentioned;
              life years given in the registry's description ("(1900-1976)") equal to
              P569/P570; groups and places: founded (P571) by and not dissolved (P576)
              before the years they act; events: P585/P580/P582 overlapping the stated
              time.
``party``     P102 (member of political party) shares an item with the parties the
              registry knows for the person.
``country``   P27 (citizenship; P17 for groups, places and events) shares an item with the
              countries the registry knows.
``part_of``   P361 / P749 / P131 shares an item with the registry's ``part_of`` chain.
``role``      persons: the item's description names the same kind of role as the
              registry's description (politics, military, translation, scholarship …).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

FEATURES = ("name", "type", "dates", "party", "country", "part_of", "role")
WEIGHTS = {"name": 0.35, "type": 0.2, "dates": 0.15, "party": 0.1, "country": 0.1,
           "part_of": 0.1, "role": 0.1}
# A feature at 0 caps the score at this value.
CAPS = {"type": 0.2, "dates": 0.3, "role": 0.4, "party": 0.6, "country": 0.6, "part_of": 0.6}
ADULT_AGE = 15


@dataclass(frozen=True)
class Subject:
    """What kg knows about one registry entity (see :mod:`kg.wikidata.subjects`)."""

    key: str
    kind: str                                   # person | group | place | event
    names: tuple[tuple[str, str], ...]          # (text, language), the preferred label first
    roles: frozenset[str] = frozenset()         # role families from the description
    acting: frozenset[int] = frozenset()        # years in which it acted (so was alive then)
    acted_by: frozenset[int] = frozenset()      # it acted in an undated past event by then (may have died since)
    mentioned: frozenset[int] = frozenset()     # years of documents that mention it
    life: tuple[int, int] | None = None         # persons: life years the registry states
    period: tuple[int, int] | None = None       # events: years of the stated time
    parties: frozenset[str] = frozenset()       # QIDs
    countries: frozenset[str] = frozenset()     # QIDs
    parents: frozenset[str] = frozenset()       # QIDs of what it is part of


@dataclass(frozen=True)
class Candidate:
    """What Wikidata says about one item (see :mod:`kg.wikidata.items`)."""

    qid: str
    label: str                                  # English label, else any
    description: str                            # English description, else any
    names: tuple[tuple[str, str, str], ...]     # (text, language, 'label' | 'alias')
    classes: tuple[tuple[str, str], ...] = ()   # P31: (QID, English label or '')
    start: int | None = None                    # P569 / P571 / P580 / P585 year
    end: int | None = None                      # P570 / P576 / P582 / P585 year
    parties: frozenset[str] = frozenset()       # P102
    countries: frozenset[str] = frozenset()     # P27 / P17
    parents: frozenset[str] = frozenset()       # P361 / P749 / P131


@dataclass(frozen=True)
class Feature:
    value: float | None
    why: str


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    features: dict[str, Feature] = field(hash=False)
    score: float
    capped_by: str | None

    def explain(self) -> str:
        """One line: each feature's value and reason, and the cap if one applied."""
        parts = [f"{n} {_fmt(f.value)}: {f.why}" for n, f in self.features.items()]
        if self.capped_by:
            parts.append(f"score capped at {CAPS[self.capped_by]:.2f} by {self.capped_by}")
        return "; ".join(parts)


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


# ---------------------------------------------------------------- names

# Russian transcriptions of Chinese (Palladius) and Korean (Kontsevich) names: the
# multi-letter groups first, then letter by letter.
_CYRILLIC_GROUPS = (("цз", "z"), ("чж", "zh"), ("дз", "z"), ("тх", "th"))
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "h", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


def latin(text: str) -> str:
    """Lower-case Latin letters, digits and single spaces: the form names are compared in."""
    s = unicodedata.normalize("NFKC", text).casefold()
    for cyr, lat in _CYRILLIC_GROUPS:
        s = s.replace(cyr, lat)
    s = "".join(_CYRILLIC.get(ch, ch) for ch in s)
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    s = s.replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


_COLLAPSE = (("kh", "h"), ("ts", "c"), ("ng", "n"), ("q", "c"), ("x", "s"), ("j", "z"),
             ("w", "v"), ("r", "l"), ("eo", "o"), ("eu", "u"))


def _collapsed(text: str) -> str:
    """Letters that romanisations of the same sound share (pinyin x / Russian с, -ng / -н,
    Korean eo / o …), word by word, then joined."""
    out = []
    for word in latin(text).split():
        for a, b in _COLLAPSE:
            word = word.replace(a, b)
        out.append(re.sub(r"(.)\1+", r"\1", word))
    return "".join(out)


def variant_key(text: str) -> str:
    """A key that transliteration variants share: Choe Yong-geon and Choe Yong-gon, Peng
    Dehuai and Пин Дэ-хуэй, Wang Jiaxiang and Ван Цзя-сян (consonants after
    :func:`_collapsed`; vowels do not count)."""
    return re.sub(r"[aeiouy]", "", _collapsed(text))


def _initials_match(a: list[str], b: list[str]) -> bool:
    """'a mikoyan' ~ 'anastas mikoyan': same last word, the others equal or initials."""
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-1] or a == b:
        return False
    short, long_ = sorted((a, b), key=len)
    if len(short) == len(long_):
        pairs = zip(short[:-1], long_[:-1])
    else:
        pairs = [(short[0], long_[0])]
    return all(x == y or (min(len(x), len(y)) == 1 and x[0] == y[0]) for x, y in pairs)


def name_similarity(a: str, b: str) -> tuple[float, str]:
    """How well two spellings of a name match, and how (see the module docstring)."""
    la, lb = latin(a), latin(b)
    if not la or not lb:
        return 0.0, "no comparable letters"
    if la.replace(" ", "") == lb.replace(" ", ""):
        return 1.0, "equal"
    ratio = SequenceMatcher(None, la.replace(" ", ""), lb.replace(" ", "")).ratio()
    key = variant_key(a)
    if len(key) >= 3 and key == variant_key(b) and \
            SequenceMatcher(None, _collapsed(a), _collapsed(b)).ratio() >= 0.6:
        return 0.9, "transliteration variant"
    if _initials_match(la.split(), lb.split()):
        return 0.85, "initials or a middle name left out"
    return round(0.8 * ratio, 2), "similar"


def name_feature(subject: Subject, candidate: Candidate) -> Feature:
    best: tuple[float, str] = (0.0, "no label or alias")
    for text, lang in subject.names:
        for ctext, clang, how in candidate.names:
            value, kind = name_similarity(text, ctext)
            if value > best[0]:
                best = (value, f"{text!r}@{lang} ~ {how} {ctext!r}@{clang} ({kind})")
    return Feature(best[0], best[1])


# ---------------------------------------------------------------- type (P31)

# Classes known by QID (kind, English label); any other class is judged by the words of
# its English label.
KNOWN_CLASSES = {
    "Q5": ("person", "human"),
    "Q7278": ("group", "political party"),
    "Q43229": ("group", "organization"),
    "Q515": ("place", "city"),
    "Q6256": ("place", "country"),
    "Q3624078": ("place", "sovereign state"),
    "Q3024240": ("place", "historical country"),
    "Q82794": ("place", "geographic region"),
    "Q532": ("place", "village"),
    "Q486972": ("place", "human settlement"),
    "Q2761147": ("event", "meeting"),
    "Q1190554": ("event", "occurrence"),
    "Q4167410": ("none", "Wikimedia disambiguation page"),
    "Q101352": ("none", "family name"),
    "Q202444": ("none", "given name"),
}
CLASS_WORDS = {
    "none": ("disambiguation", "family name", "given name", "surname", "wikimedia", "name"),
    "person": ("human",),
    "group": ("organization", "organisation", "party", "committee", "politburo", "presidium",
              "secretariat", "archive", "archives", "institute", "institution", "center",
              "centre", "think tank", "agency", "government", "army", "armed forces",
              "military unit", "delegation", "ethnic group", "nationality", "people", "body"),
    "place": ("city", "capital", "country", "state", "region", "peninsula", "territory",
              "republic", "settlement", "village", "town", "municipality", "province",
              "metropolis", "geographic", "administrative", "island", "area", "location"),
    "event": ("event", "congress", "meeting", "conference", "plenum", "session", "incident",
              "purge", "conflict", "war", "battle", "split", "crisis", "visit", "election",
              "occurrence", "summit", "trip", "revolution", "campaign", "execution", "arrest"),
}


def class_kinds(qid: str, label: str) -> set[str]:
    """The kinds of entity a P31 class fits, by QID or by the words of its label."""
    if qid in KNOWN_CLASSES:
        return {KNOWN_CLASSES[qid][0]}
    words = latin(label)
    kinds = {k for k, ws in CLASS_WORDS.items() if any(re.search(rf"\b{w}\b", words) for w in ws)}
    return {"none"} if "none" in kinds else kinds


def type_feature(subject: Subject, candidate: Candidate) -> Feature:
    if not candidate.classes:
        return Feature(None, "no P31")
    judged = [(q, lab or KNOWN_CLASSES.get(q, ("", ""))[1], class_kinds(q, lab))
              for q, lab in candidate.classes]
    for q, lab, kinds in judged:
        if subject.kind in kinds:
            return Feature(1.0, f"P31 {q} {lab!r} is a {subject.kind} class")
    wrong = [(q, lab, kinds) for q, lab, kinds in judged if kinds]
    if wrong:
        q, lab, kinds = wrong[0]
        what = "not an entity" if kinds == {"none"} else f"a {'/'.join(sorted(kinds))} class"
        return Feature(0.0, f"P31 {q} {lab!r} is {what}, not a {subject.kind}")
    shown = ", ".join(f"{q} {lab!r}" for q, lab in candidate.classes)
    return Feature(None, f"P31 {shown} not recognised")


# ---------------------------------------------------------------- dates

def dates_feature(subject: Subject, candidate: Candidate) -> Feature:
    s, e = candidate.start, candidate.end
    if s is None and e is None:
        return Feature(None, "the item gives no dates")
    shown = f"{s if s is not None else '?'}–{e if e is not None else '?'}"
    if subject.kind == "event":
        if subject.period is None:
            return Feature(None, "the documents give no time")
        a, b = subject.period
        lo, hi = (s if s is not None else e), (e if e is not None else s)
        ok = lo <= b and hi >= a
        return Feature(1.0 if ok else 0.0, f"item {shown} {'overlaps' if ok else 'is outside'} {a}–{b}")
    problems, checks = [], 0
    if subject.kind == "person" and subject.life:
        checks += 1
        born, died = subject.life
        if (s is not None and abs(s - born) > 1) or (e is not None and abs(e - died) > 1):
            problems.append(f"the registry gives {born}–{died}")
    min_age = ADULT_AGE if subject.kind == "person" else 0
    for y in sorted(subject.acting):
        checks += 1
        if s is not None and s > y - min_age:
            problems.append(f"{'born' if subject.kind == 'person' else 'founded'} {s}, acts in {y}")
        if e is not None and e < y:
            problems.append(f"{'died' if subject.kind == 'person' else 'dissolved'} {e}, acts in {y}")
    for y in sorted(subject.acted_by - subject.acting):
        checks += 1
        if s is not None and s > y - min_age:
            problems.append(f"{'born' if subject.kind == 'person' else 'founded'} {s}, "
                            f"acts in an undated event before {y}")
    for y in sorted(subject.mentioned - subject.acting - subject.acted_by):
        checks += 1
        if s is not None and s > y:
            problems.append(f"{'born' if subject.kind == 'person' else 'founded'} {s}, mentioned in {y}")
    if not checks:
        return Feature(None, f"item {shown}; the documents give no dated activity")
    if problems:
        return Feature(0.0, "; ".join(dict.fromkeys(problems)))
    years = sorted(subject.acting | subject.acted_by | subject.mentioned)
    span = (f"{years[0]}" if years[0] == years[-1] else f"{years[0]}–{years[-1]}") if years \
        else "the registry's dates"
    return Feature(1.0, f"item {shown} fits {span}")


# ---------------------------------------------------------------- shared items

def _overlap(expected: frozenset[str], found: frozenset[str], prop: str) -> Feature:
    if not expected:
        return Feature(None, "the registry knows none")
    if not found:
        return Feature(None, f"the item has no {prop}")
    common = sorted(expected & found)
    if common:
        return Feature(1.0, f"{prop} {', '.join(common)}")
    return Feature(0.0, f"{prop} {', '.join(sorted(found))}; expected {', '.join(sorted(expected))}")


def party_feature(subject: Subject, candidate: Candidate) -> Feature:
    if subject.kind != "person":
        return Feature(None, "persons only")
    return _overlap(subject.parties, candidate.parties, "P102")


def country_feature(subject: Subject, candidate: Candidate) -> Feature:
    return _overlap(subject.countries, candidate.countries, "P27" if subject.kind == "person" else "P17")


def part_of_feature(subject: Subject, candidate: Candidate) -> Feature:
    if subject.kind == "person":
        return Feature(None, "not for persons")
    return _overlap(subject.parents, candidate.parents, "P361/P749/P131")


# ---------------------------------------------------------------- role

ROLE_WORDS = {
    "politics": ("politician", "statesman", "leader", "revolutionary", "official", "diplomat",
                 "premier", "chairman", "minister", "communist", "president", "ambassador",
                 "functionary", "bolshevik", "secretary", "party"),
    "military": ("marshal", "general", "military", "soldier", "officer", "commander"),
    "translation": ("translator", "interpreter"),
    "scholarship": ("historian", "scholar", "academic", "professor", "researcher",
                    "sinologist", "political scientist"),
    "entertainment": ("producer", "screenwriter", "actor", "actress", "director", "television",
                      "film", "comedian", "singer", "musician", "writer"),
    "sport": ("footballer", "athlete", "player", "coach"),
}


def roles_in(text: str) -> frozenset[str]:
    """The role families a description names ('Chinese general and politician' → military,
    politics)."""
    words = latin(text)
    return frozenset(r for r, ws in ROLE_WORDS.items() if any(re.search(rf"\b{w}s?\b", words) for w in ws))


def role_feature(subject: Subject, candidate: Candidate) -> Feature:
    if subject.kind != "person":
        return Feature(None, "persons only")
    found = roles_in(candidate.description)
    if not subject.roles:
        return Feature(None, "the registry's description names no role")
    if not found:
        return Feature(None, f"the item's description {candidate.description!r} names no role")
    common = sorted(subject.roles & found)
    if common:
        return Feature(1.0, f"both: {', '.join(common)}")
    return Feature(0.0, f"registry: {', '.join(sorted(subject.roles))}; item "
                        f"{candidate.description!r}: {', '.join(sorted(found))}")


# ---------------------------------------------------------------- score

FEATURE_FUNCTIONS = {
    "name": name_feature, "type": type_feature, "dates": dates_feature, "party": party_feature,
    "country": country_feature, "part_of": part_of_feature, "role": role_feature,
}


def combine(features: dict[str, Feature]) -> tuple[float, str | None]:
    """Weighted mean of the features with a value, capped by any contradiction."""
    total = sum(WEIGHTS[n] for n, f in features.items() if f.value is not None)
    mean = sum(WEIGHTS[n] * f.value for n, f in features.items() if f.value is not None) / total if total else 0.0
    capped_by = None
    for n in FEATURES:
        f = features.get(n)
        contradicts = f is not None and f.value == 0.0 and n in CAPS and CAPS[n] < mean
        if contradicts and (capped_by is None or CAPS[n] < CAPS[capped_by]):
            capped_by = n
    score = min(mean, CAPS[capped_by]) if capped_by else mean
    return round(score, 2), capped_by


def score(subject: Subject, candidate: Candidate) -> Scored:
    features = {n: FEATURE_FUNCTIONS[n](subject, candidate) for n in FEATURES}
    value, capped_by = combine(features)
    return Scored(candidate, features, value, capped_by)


def rank(subject: Subject, candidates: list[Candidate]) -> list[Scored]:
    """Candidates scored, best first (ties by QID number, so the order is stable)."""
    return sorted((score(subject, c) for c in candidates),
                  key=lambda s: (-s.score, int(s.candidate.qid[1:])))
