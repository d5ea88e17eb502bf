"""Curated facts (``data/registry.yaml``, ``data/documents/*.yaml``) → typed model.

The loader checks everything a curator can get wrong and says where: unknown keys,
entities of the wrong kind, types not in kg's ``ontology/types.ttl`` nor the project's
``data/types.ttl``, dates that are not dates,
and passages that are not in the document's text (their offsets are recorded here).
The format is documented in ``data/README.md``.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from . import brackets, progress
from . import statement_kinds as kinds
from . import timespans
from .errors import FactsError, PassageError, quote
from .iris import is_key
from .names import header_entities
from .namespaces import CANONICAL, Namespaces
from .passages import closest_hint, locate
from .inputs import decode, list_files, read_bytes
from .readcache import ReadCache, digest, paused_gc
from .records import Record, parse_record
from .vocabulary import PROJECT_TYPES, Vocabulary, load_vocabulary
from .wikidata.review import PATH as REVIEW_PATH, accepted_links
from .yamlio import Node, load_yaml

ENTITY_KINDS = {"persons": "person", "groups": "group", "places": "place", "events": "event"}
# A statement's `text:` (a name's `in:`): a role, a role and a language, or a language alone
TEXT_SPEC = re.compile(r"(?:original|translation)(?: [a-z]{2,3})?|[a-z]{2,3}")
TEXT_HINT = ("expected original or translation, a role and a language code (e.g. 'translation ru') "
             "or a language code alone (e.g. zh)")
DOCUMENT_KINDS = ("telegram", "cable", "record")
HEADER_ONLY_KIND = "record"   # the kind of a document published from its record alone
MAX_DAYS = 1_000_000  # a duration estimate longer than this is a typo


@dataclass(frozen=True)
class Origin:
    """Where a curated value was written: file and 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Name:
    text: str
    lang: str


@dataclass(frozen=True)
class Entity:
    """A person, group, place or event of the registry."""

    kind: str
    key: str
    label: str
    type: str | None
    wikidata: str | None       # the accepted QID of data/wikidata/review.tsv, if any
    description: str | None
    names: tuple[Name, ...]
    part_of: str | None
    planned: bool
    origin: Origin
    source: str = "registry"   # 'registry', 'default' (kg's archives) or 'header' (named by a record only)


@dataclass(frozen=True)
class Passage:
    """A verbatim stretch of one of a document's texts, with its offsets."""

    text: str      # 'original' | 'translation'
    start: int
    end: int
    content: str   # exactly text[start:end]


@dataclass(frozen=True)
class TimeValue:
    bounds: timespans.Bounds
    label: str
    note: str | None = None
    stated: str | None = None
    stated_span: timespans.Span | None = None
    correction: str | None = None


@dataclass(frozen=True)
class Estimate:
    by: str
    min_days: float
    max_days: float


@dataclass(frozen=True)
class Statement:
    """One fact a document states (or that we infer from it), with its evidence.

    ``subject`` is an entity key, or ``None`` for the document itself. ``value`` is an
    entity key, a type key, a :class:`TimeValue` or an :class:`Estimate`.
    """

    subject: str | None
    prop: str
    value: object
    role: str | None
    passages: tuple[Passage, ...]
    inferred: str | None
    note: str | None
    origin: Origin
    on_behalf_of: str | None = None  # the group an actor represents in the role (a group key)
    according_to: str | None = None  # reported: whose word the author relays (a person or group key)
    said_in: str | None = None       # reported: the event (conversation) where it was said
    editorial: str | None = None     # rests on a translator's or editor's bracket: why
    readings_differ: str | None = None  # original and translation disagree: the note (both readings kept)

    @property
    def value_key(self) -> str:
        if isinstance(self.value, Estimate):
            return self.value.by
        if isinstance(self.value, TimeValue):
            return "time"
        return str(self.value)


@dataclass(frozen=True)
class NameUse:
    """A spelling of an entity's name as it is written in a document's text."""

    entity: str
    text: str
    lang: str
    which: str
    passage: Passage
    origin: Origin


@dataclass(frozen=True)
class Proposition:
    """An act in a conversation that a document reports (an item of ``propositions:``):
    a proposal, agreement, objection, decision … with its passage (data/README.md)."""

    key: str
    type: str
    conversation: str
    by: tuple[str, ...]
    summary: str
    about: tuple[str, ...]
    purpose: str | None
    responds_to: str | None
    passages: tuple[Passage, ...]
    inferred: str | None
    note: str | None
    origin: Origin
    about_time: str | None = None   # the event whose time-span it concerns


@dataclass(frozen=True)
class DocumentFacts:
    record: Record
    kind: str
    statements: tuple[Statement, ...]
    names: tuple[NameUse, ...]
    path: Path
    propositions: tuple[Proposition, ...] = ()

    @property
    def number(self) -> str:
        return self.record.number


@dataclass(frozen=True)
class Facts:
    """Everything a build maps: the registry and one :class:`DocumentFacts` per record."""

    entities: dict[str, Entity]
    documents: tuple[DocumentFacts, ...]
    registry_path: Path
    vocabulary: Vocabulary   # kg's types and the project's (data/types.ttl)
    warnings: tuple[str, ...] = ()   # e.g. the header names published without a registry entry


# ---------------------------------------------------------------- registry

def load_registry(path: Path, types: dict[str, str], data: bytes | None = None) -> dict[str, Entity]:
    """The registry's entities (``data``: the file's bytes, if read already)."""
    data = load_yaml(path, data)
    if not isinstance(data, Node):
        raise FactsError("expected a mapping with persons, groups, places, events", path=path, line=1)
    unknown = set(data) - set(ENTITY_KINDS)
    if unknown:
        key = sorted(unknown)[0]
        raise data.error(f"unknown section {quote(key)}", key, hint=f"expected one of {', '.join(ENTITY_KINDS)}")
    entities: dict[str, Entity] = {}
    for section, kind in ENTITY_KINDS.items():
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, Node):
            raise data.error("expected a mapping of key → entry", section)
        for key, entry in items.items():
            if key in entities:
                raise items.error(f"key {quote(key)} is already used by a {entities[key].kind}", key)
            entities[key] = _entity(kind, key, entry, items, types)
    for e in entities.values():
        if e.part_of and (e.part_of not in entities or entities[e.part_of].kind != e.kind):
            raise FactsError(f"part_of {quote(e.part_of)} is not a {e.kind} of the registry",
                             path=e.origin.path, line=e.origin.line, field="part_of")
    return entities


def _entity(kind: str, key: str, entry, parent: Node, types: dict[str, str]) -> Entity:
    if not is_key(key):
        raise parent.error(f"key {quote(key)} is not a curated key", key,
                           hint="use lower-case ASCII words joined by '-', e.g. mao-zedong")
    if not isinstance(entry, Node):
        raise parent.error("expected a mapping with at least 'label'", key)
    if "wikidata" in entry:
        raise entry.error("Wikidata links are not written here", "wikidata",
                          hint="they live in data/wikidata/review.tsv: kg link --accept KEY QID (see data/README.md)")
    allowed = {"label", "type", "description", "names", "part_of", "planned"}
    _no_unknown(entry, allowed)
    label = _text(entry, "label", required=True)
    typ = entry.get("type")
    if kind == "person" and typ is not None:
        raise entry.error("persons have no type", "type")
    if typ is not None:
        _type(entry, "type", typ, kind, types)
    planned = entry.get("planned", False)
    if not isinstance(planned, bool) or (planned and kind != "event"):
        raise entry.error("'planned' is true or false, and only for events", "planned")
    part_of = entry.get("part_of")
    if part_of is not None and not is_key(part_of):
        raise entry.error(f"expected the key of a {kind} of the registry, got {quote(part_of)}", "part_of")
    return Entity(kind=kind, key=key, label=label, type=typ, wikidata=None,
                  description=_text(entry, "description"), names=_names(entry),
                  part_of=part_of, planned=planned,
                  origin=Origin(entry.path, entry.line))


def _names(entry: Node) -> tuple[Name, ...]:
    names = entry.get("names") or []
    if not isinstance(names, list):
        raise entry.error("expected a list of {text, lang}", "names")
    out = []
    for n in names:
        if not isinstance(n, Node) or set(n) != {"text", "lang"}:
            raise entry.error("each name is {text: …, lang: …}", "names")
        out.append(Name(_text(n, "text", required=True), _lang(n, "lang")))
    return tuple(out)


# ---------------------------------------------------------------- helpers

def _no_unknown(node: Node, allowed: set[str]) -> None:
    for key in node:
        if key not in allowed:
            raise node.error(f"unknown field {quote(key)}", key, hint=f"expected one of {', '.join(sorted(allowed))}")


def _text(node: Node, key: str, required: bool = False) -> str | None:
    value = node.get(key)
    if value is None:
        if required:
            raise node.error("missing", key)
        return None
    if not isinstance(value, str) or not value.strip():
        raise node.error(f"expected non-empty text, got {quote(value)}", key)
    return value


def _lang(node: Node, key: str) -> str:
    value = node.get(key)
    if not (isinstance(value, str) and 2 <= len(value) <= 3 and value.isascii() and value.isalpha() and value.islower()):
        raise node.error(f"{quote(value)} is not a language code", key, hint="use ISO 639-1, e.g. ru, en, zh, ko")
    return value


def _list(node: Node, key: str, what: str) -> list:
    """The list under ``key`` (empty if absent or null)."""
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise node.error(f"expected a list of {what}, got {quote(value)}", key)
    return value


def _type(node: Node, key: str, value, scheme: str, types: dict[str, str]) -> str:
    if not isinstance(value, str) or types.get(value) != scheme:
        choices = sorted(k for k, s in types.items() if s == scheme)
        raise node.error(f"{quote(value)} is not {'an' if scheme[0] in 'aeiou' else 'a'} {scheme} type", key,
                         hint=f"expected one of {', '.join(choices)} (kg's types and data/types.ttl); "
                              f"add your own {scheme} types to data/types.ttl")
    return value


# ---------------------------------------------------------------- documents

TIME_KEYS = ("on", "between", "begin", "end", "after", "before", "by")
EVIDENCE_KEYS = {"passage", "inferred", "text", "note", "editorial", "bracket"}   # whose word: see _word
REPORTED_KEYS = {"according_to", "in"}      # reported speech: statements about events and groups only
READING_KEYS = {"other_reading", "readings_differ"}


class _DocumentLoader:
    """Reads one ``documents/<number>.yaml`` against its record and the registry."""

    def __init__(self, path: Path, record: Record, entities: dict[str, Entity], types: dict[str, str]):
        self.path, self.record, self.entities, self.types = path, record, entities, types

    def load(self, data) -> DocumentFacts:
        if not isinstance(data, Node):
            raise FactsError("expected a mapping with record, kind, author, …", path=self.path, line=1)
        allowed = {"record", "kind", "names", "statements", "propositions", *(k.key for k in kinds.DOCUMENT_KINDS)}
        _no_unknown(data, allowed)
        number = data.get("record")
        if not isinstance(number, (str, int)) or isinstance(number, bool) or str(number) != self.record.number:
            raise data.error(f"names record {quote(number)}, but this file belongs to record {self.record.number!r}",
                             "record", hint=f"the file name and 'record' must match data/records/{self.record.number}.txt")
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in DOCUMENT_KINDS:
            raise data.error(f"{quote(kind)} is not a document kind", "kind", hint=f"expected one of {', '.join(DOCUMENT_KINDS)}")
        for k in kinds.DOCUMENT_KINDS:
            if k.required and k.key not in data:
                raise data.error(f"missing: every document states its {k.key} ({k.meaning})", k.key)
        names = tuple(self._name(data, n) for n in _list(data, "names", "{entity, text, lang}"))
        self.spellings = {}
        for n in names:
            self.spellings.setdefault(n.entity, []).append(n.text)
        statements = []
        for k in kinds.DOCUMENT_KINDS:
            if k.key not in data:
                continue
            values = data[k.key]
            if k.many:
                if not isinstance(values, list):
                    raise data.error(f"expected a list, got {quote(values)}", k.key)
            else:
                values = [values]
            for item in values:
                statements += self._readings(item, lambda node: self._document_statement(data, k, node))
        for item in _list(data, "statements", "statements"):
            statements += self._readings(item, lambda node, outer=item: self._statement(data, node, outer))
        statements = self._said_in(data, statements)
        self._estimates_have_times(statements)
        statements += implied_mentions(statements)
        propositions = self._propositions(data, {st.subject for st in statements if st.prop == "time"})
        statements += proposition_mentions(propositions, statements)
        return DocumentFacts(self.record, kind, tuple(statements), names, self.path, propositions)

    def _propositions(self, data: Node, timed: set[str]) -> tuple[Proposition, ...]:
        """The ``propositions:`` section: key → one act in a conversation (see data/README.md).
        ``timed``: the events whose time this file states (what ``about_time`` may name)."""
        section = data.get("propositions")
        if section is None:
            return ()
        if not isinstance(section, Node):
            raise data.error("expected a mapping of key → {type, in, by, summary, passage, …}", "propositions")
        out = [self._proposition(section, key, item) for key, item in section.items()]
        by_key = {p.key: p for p in out}
        for p in out:
            if p.about_time is not None and p.about_time not in timed:
                raise FactsError(f"about_time {p.about_time!r}: that event's time is not stated in this file",
                                 path=p.origin.path, line=p.origin.line, field="about_time",
                                 hint=f"add a statement {{event: {p.about_time}, time: {{begin: …}}}} with its passage")
            if p.responds_to is None:
                continue
            other = by_key.get(p.responds_to)
            if other is None or other is p or other.conversation != p.conversation:
                raise FactsError(f"responds_to {quote(p.responds_to)} is not another proposition of this file "
                                 f"in {p.conversation!r}", path=p.origin.path, line=p.origin.line, field="responds_to",
                                 hint="name the key of the proposal, question or remark it answers, in the same conversation")
        return tuple(out)

    def _proposition(self, section: Node, key: str, item) -> Proposition:
        if not is_key(key):
            raise section.error(f"key {quote(key)} is not a curated key", key,
                                hint="use lower-case ASCII words joined by '-', e.g. joint-delegation")
        if not isinstance(item, Node):
            raise section.error("expected a mapping such as {type: proposal, in: …, by: …, summary: …, passage: …}", key)
        fields = kinds.PROPOSITION_BY_KEY
        _no_unknown(item, set(fields) | EVIDENCE_KEYS)
        for k in fields.values():
            if k.required and k.key not in item:
                raise item.error(f"missing: every proposition states its {k.key} ({k.meaning})", k.key)
        if "passage" not in item:
            raise item.error("a proposition is what the text says: give its verbatim 'passage'", "passage")

        def refs(k: kinds.Kind) -> tuple[str, ...]:
            value = item.get(k.key)
            if value is None:
                return ()
            values = value if isinstance(value, list) and k.many else [value]
            return tuple(self._entity_value(item, k.key, v, k.values) for v in values)

        responds_to = item.get("responds_to")
        if responds_to is not None and not is_key(responds_to):
            raise item.error(f"expected the key of another proposition, got {quote(responds_to)}", "responds_to")
        (conversation,), purpose, about_time = refs(fields["in"]), refs(fields["purpose"]), refs(fields["about_time"])
        passages, inferred, note = self._evidence(item)
        original = _text(item, "original")
        if original is not None:   # the same words in the original: a second passage of the evidence
            which = self._which(item, "original", "original")
            passages += (self.find(item, "original", original, which),)
        return Proposition(key, _type(item, "type", item.get("type"), "proposition", self.types), conversation,
                           refs(fields["by"]), _text(item, "summary", required=True), refs(fields["about"]),
                           purpose[0] if purpose else None, responds_to, passages, inferred, note,
                           Origin(self.path, item.line), about_time[0] if about_time else None)

    def _readings(self, item, make) -> list[Statement]:
        """A statement, and the other text's reading of it where original and translation
        disagree (``other_reading:``): both kept, each with its passage, both noted."""
        if not isinstance(item, Node) or "other_reading" not in item:
            if isinstance(item, Node) and "readings_differ" in item:
                raise item.error("'readings_differ' goes with 'other_reading' (the other text's reading)",
                                 "readings_differ")
            return [make(item)]
        inner = item["other_reading"]
        if not isinstance(inner, Node):
            raise item.error("expected the other reading as a mapping, e.g. {entity: key, text: original, "
                             "passage: …}", "other_reading")
        nested = next((k for k in READING_KEYS if k in inner), None)
        if nested:
            raise inner.error("the other reading is one reading: it has no other reading of its own", nested)
        why = _text(item, "readings_differ")
        if why is None:
            raise item.error("two readings need 'readings_differ: <how original and translation disagree>'",
                             "other_reading")
        first, second = make(item), make(inner)
        if first.value_key == second.value_key:
            raise inner.error(f"the other reading gives the same value {quote(second.value_key)}",
                              hint="two readings differ in their value; otherwise cite both passages "
                                   "in one statement")
        return [replace(first, readings_differ=why), replace(second, readings_differ=why)]

    def _said_in(self, data: Node, statements: list[Statement]) -> list[Statement]:
        """Reported speech was said somewhere: ``in:``, or the one event the document records."""
        documented = [st.value for st in statements if st.prop == "documents"]
        out = []
        for st in statements:
            if st.according_to and not st.said_in:
                if len(documented) != 1:
                    raise FactsError(f"say where {st.according_to!r} said this: the document records "
                                     f"{len(documented)} events, so 'in' has no default",
                                     path=st.origin.path, line=st.origin.line, field="according_to",
                                     hint="add 'in: <event key>' (the conversation where it was said)")
                st = replace(st, said_in=documented[0])
            out.append(st)
        return out

    def _estimates_have_times(self, statements: list[Statement]) -> None:
        """A duration estimate is about the activity's time-span: that time must be stated here."""
        timed = {st.subject for st in statements if st.prop == "time"}
        for st in statements:
            if st.prop == "duration_estimate" and st.subject not in timed:
                raise FactsError(f"a duration estimate for {st.subject!r} needs that event's time in the same file",
                                 path=st.origin.path, line=st.origin.line, field="duration_estimate",
                                 hint=f"add a statement {{event: {st.subject}, time: {{begin: …}}}} with its passage")

    def _document_statement(self, data: Node, k: kinds.Kind, item) -> Statement:
        if not isinstance(item, Node):
            raise data.error(f"expected a mapping such as {{{k.field}: key, passage: …}}", k.key)
        _no_unknown(item, {k.field} | EVIDENCE_KEYS | READING_KEYS)
        value = item.get(k.field)
        if k.entity_valued:
            self._entity_ref(item, k.field, k.values)
        else:
            (scheme,) = (v.split(":", 1)[1] for v in k.values)
            value = _type(item, k.field, value, scheme, self.types)
        st = Statement(None, k.prop, value, None, *self._evidence(item), Origin(self.path, item.line))
        return self._word(item, st)

    def _statement(self, data: Node, item, outer: Node | None = None) -> Statement:
        """One item of ``statements:`` (or, with ``outer``, its other reading: the same subject
        and property, given in ``outer``)."""
        if not isinstance(item, Node):
            raise data.error("each statement is a mapping", "statements")
        head = outer if outer is not None and outer is not item else item
        subjects = [s for s in kinds.SUBJECTS if s in head]
        props = [p for p in head if p in kinds.STATEMENT_KINDS]
        if len(subjects) != 1 or len(props) != 1:
            raise item.error(f"a statement has exactly one subject ({' or '.join(kinds.SUBJECTS)}) and one property",
                             None, hint=f"properties: {', '.join(kinds.STATEMENT_KINDS)}")
        subject_kind, prop = subjects[0], props[0]
        k = kinds.STATEMENT_KINDS[prop]
        reading_keys = READING_KEYS if head is item else set()
        _no_unknown(item, {prop, "role", "on_behalf_of"} | ({subject_kind} if head is item else set())
                    | EVIDENCE_KEYS | REPORTED_KEYS | reading_keys)
        if prop not in item:
            raise item.error(f"the other reading gives its own '{prop}'", None)
        if subject_kind != k.subject:
            raise head.error(f"'{prop}' is said of an {k.subject}, not a {subject_kind}", prop)
        subject = self._entity_ref(head, subject_kind, {subject_kind})
        if k.planned_only and not self.entities[subject].planned:
            raise item.error(f"'{prop}' is only for a planned event; {subject!r} is not planned: true", prop)
        if k.values == {"time"}:
            value = self._time(item)
        elif k.values == {"estimate"}:
            value = self._estimate(item)
        else:
            value = self._entity_ref(item, prop, k.values)
        role = item.get("role")
        if role is not None:
            _type(item, "role", role, "role", self.types)
        on_behalf_of = None
        if role is not None and not k.role:
            raise item.error(f"'{prop}' takes no role", "role",
                             hint=f"a role goes with {', '.join(x.key for x in kinds.KINDS if x.role)}")
        if "on_behalf_of" in item:
            if role is None or not k.on_behalf_of:
                raise item.error(f"'on_behalf_of' goes with a 'role' on a "
                                 f"{' or '.join(x.key for x in kinds.KINDS if x.on_behalf_of)} statement",
                                 "on_behalf_of")
            on_behalf_of = self._entity_ref(item, "on_behalf_of", {"group"})
        st = Statement(subject, prop, value, role, *self._evidence(item), Origin(self.path, item.line),
                       on_behalf_of)
        return self._word(item, st)

    def _word(self, item: Node, st: Statement) -> Statement:
        """Whose word the statement is: the author's (stated), a speaker's the author relays
        (``according_to``, ``in``), a translator's or editor's bracket (``editorial``), or the
        editors' inference (``inferred``). A stated or reported claim may not rest on a bracket."""
        according_to = self._entity_ref(item, "according_to", {"person", "group"}) if "according_to" in item else None
        said_in = self._entity_ref(item, "in", {"event"}) if "in" in item else None
        if said_in and not according_to:
            raise item.error("'in' says where the words of 'according_to' were said; give 'according_to' too", "in")
        editorial = _text(item, "editorial")
        ignore = item.get("bracket")
        if ignore is not None and ignore != "ignore":
            raise item.error(f"{quote(ignore)} is not a bracket decision", "bracket",
                             hint="write 'bracket: ignore' when the claim does not rest on the passage's brackets")
        if st.inferred and (according_to or editorial):
            raise item.error("an inference is the editors' own: it takes no 'according_to' or 'editorial'",
                             "according_to" if according_to else "editorial",
                             hint="say in the 'inferred' reason whose word the passage is")
        if editorial and ignore:
            raise item.error("'editorial' says the claim rests on the bracket, 'bracket: ignore' that it does not",
                             "bracket")
        if editorial:
            self._has_bracket(item, st, "editorial")
        elif ignore:
            self._has_bracket(item, st, "bracket")
        elif not st.inferred:
            self._not_on_brackets(item, st)
        return replace(st, according_to=according_to, said_in=said_in, editorial=editorial)

    def _has_bracket(self, item: Node, st: Statement, key: str) -> None:
        if not st.passages:
            raise item.error(f"'{key}' is about a passage's brackets: give the 'passage' that holds them", key)
        if not any(brackets.in_passage(self.record.text(p.text).content, p.start, p.end) for p in st.passages):
            raise item.error(f"'{key}' is about the passage's brackets, but the passage holds none", key,
                             hint="cite the passage with the translator's or editor's [ ] words kept in it"
                             if key == "editorial" else "remove 'bracket: ignore'")

    def _not_on_brackets(self, item: Node, st: Statement) -> None:
        """A stated (or reported) claim whose decisive words are inside [ ] stops the build."""
        names = self._names_of(st.value)
        for p in st.passages:
            text = self.record.text(p.text).content
            rests = brackets.rests_on_brackets(text, p.start, p.end, names)
            if rests is False:
                continue
            shown = ", ".join(quote(f"[{b.words}]", 40) for b in brackets.in_passage(text, p.start, p.end)[:3])
            fix = "write 'editorial: <why>' (the claim is the translator's or editor's) or 'inferred: <reason>'"
            if rests:
                raise item.error(f"the passage names {self.entities[st.value].label!r} only inside the brackets "
                                 f"{shown}: a claim resting on a translator's or editor's words is not the "
                                 f"author's", "passage", hint=fix)
            raise item.error(f"the passage holds the brackets {shown} and kg cannot tell whether the claim rests "
                             f"on them", "passage", hint=fix + ", or 'bracket: ignore' if it does not")

    def _names_of(self, value) -> list[str]:
        """Every name of an entity value: its label, its registry names, its spellings in this document."""
        if not isinstance(value, str) or value not in self.entities:
            return []
        e = self.entities[value]
        return [e.label, *(n.text for n in e.names), *self.spellings.get(value, ())]

    def _entity_ref(self, node: Node, key: str, allowed) -> str:
        return self._entity_value(node, key, node.get(key), allowed)

    def _entity_value(self, node: Node, key: str, value, allowed) -> str:
        """``value`` (written under ``key`` of ``node``) is the key of a registry entity of an ``allowed`` kind."""
        if not isinstance(value, str) or value not in self.entities:
            raise node.error(f"{quote(value)} is not a key of the registry", key,
                             hint=f"add it to {self.path.parent.parent / 'registry.yaml'} or fix the spelling")
        if self.entities[value].kind not in allowed:
            raise node.error(f"{quote(value)} is a {self.entities[value].kind}; expected a {' or '.join(sorted(allowed))}",
                             key)
        return value

    def _evidence(self, item: Node) -> tuple[tuple[Passage, ...], str | None, str | None]:
        which = self._spec(item, "text", "translation")
        passage = item.get("passage")
        inferred = _text(item, "inferred")
        if passage is None and inferred is None:
            raise item.error("every statement needs a verbatim 'passage' from the text, or 'inferred: <reason>'")
        passages = ()
        if passage is not None:
            which = self._which(item, "text", which)
            if not isinstance(passage, str) or not passage.strip():
                raise item.error("expected the passage as text", "passage")
            passages = (self.find(item, "passage", passage, which),)
        return passages, inferred, _text(item, "note")

    @staticmethod
    def _spec(node: Node, key: str, default: str) -> str:
        """The text a statement or name names, as written (checked for its form only)."""
        spec = node.get(key, default)
        if not isinstance(spec, str) or not TEXT_SPEC.fullmatch(spec):
            raise node.error(f"{quote(spec)} is not a text of the document", key, hint=TEXT_HINT)
        return spec

    def _which(self, node: Node, key: str, spec: str) -> str:
        """The id of the record's text that ``spec`` names; a statement may cite only a text the
        record has (most have the translation only), and must say which of several."""
        try:
            return self.record.resolve_text(spec)
        except ValueError as e:
            ids = [i for i, _ in self.record.text_ids()]
            raise node.error(str(e), key, hint=f"cite the {' or '.join(ids)} text" if ids
                             else "give 'inferred: <reason>' instead of a passage") from None

    def find(self, node: Node, key: str, passage: str, which: str) -> Passage:
        text = self.record.text(which).content
        found = locate(passage, text)
        if found is None:
            raise PassageError(f"passage {quote(passage)} is not in the {which} text of record {self.record.number}",
                               path=self.path, line=node.line_of(key), field=key,
                               hint=closest_hint(passage, text) + "; only whitespace may differ")
        return Passage(which, found[0], found[1], text[found[0]:found[1]])

    def _time(self, item: Node) -> TimeValue:
        t = item["time"]
        if not isinstance(t, Node):
            raise item.error("expected a mapping such as {begin: …, end: …} or {on: …}", "time")
        _no_unknown(t, {*TIME_KEYS, "approximate", "note", "stated", "stated_begin", "stated_end", "correction",
                        "label"})
        bounds = self._bounds(t)
        stated = _text(t, "stated")
        stated_span = self._span(t, "stated_begin", "stated_end") if "stated_begin" in t else None
        correction = _text(t, "correction")
        if (stated is None) != (correction is None):
            raise t.error("a date stated wrongly needs both 'stated' (as the source has it) and 'correction' (why)",
                          "stated" if stated is None else "correction")
        return TimeValue(bounds, _text(t, "label") or timespans.bounds_label(bounds), _text(t, "note"),
                         stated, stated_span, correction)

    @staticmethod
    def _bounds(t: Node) -> timespans.Bounds:
        """What the statement says of the time, and nothing more (see data/README.md, "Times")."""
        values = {}
        for key in TIME_KEYS:
            if key not in t:
                continue
            value = t[key]
            if value is None:
                raise t.error("expected a date such as 1956-09-18 (or leave the field out)", key)
            if key == "between":
                if not (isinstance(value, list) and len(value) == 2
                        and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value)):
                    raise t.error(f"expected two dates, e.g. [1956-09-01, 1956-09-16], got {quote(value)}", key)
                values[key] = (str(value[0]), str(value[1]))
                continue
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise t.error(f"expected a date such as 1956-09-18, got {quote(value)}", key)
            value = str(value)
            if value == timespans.UNKNOWN and key not in ("begin", "end"):
                raise t.error("only 'begin' and 'end' can be 'unknown'", key)
            values[key] = value
        for key, value in values.items():  # each date well-formed, before how they combine
            for v in (value if key == "between" else (value,)):
                if v != timespans.UNKNOWN:
                    try:
                        timespans.parse(v)
                    except ValueError as e:
                        raise t.error(str(e), key) from None
        approximate = t.get("approximate", False)
        if not isinstance(approximate, bool):
            raise t.error(f"expected true or false, got {quote(approximate)}", "approximate")
        if not values:
            raise t.error("say what the source states of the time: on, begin/end, after, before or by",
                          hint="e.g. {on: 1956-08}, {begin: 1956-09-19T07:00, end: unknown}, {by: 1956-09-18}")
        dated = lambda k: values.get(k) not in (None, timespans.UNKNOWN)  # noqa: E731
        if dated("begin") and not ({"end", "before", "by"} & set(values)):
            raise t.error("the end is not said: give 'end' (a date, or 'unknown'), or 'before'/'by', "
                          "or use 'on' if the whole activity fell within that date", "begin")
        if dated("end") and not ({"begin", "after"} & set(values)):
            raise t.error("the begin is not said: give 'begin' (a date, or 'unknown') or 'after', "
                          "or use 'on' if the whole activity fell within that date", "end")
        try:
            return timespans.bounds(**values, approximate=approximate)
        except ValueError as e:
            field = next((k for k in TIME_KEYS if k in values and k in str(e)), next(iter(values)))
            raise t.error(str(e), field) from None

    @staticmethod
    def _span(t: Node, begin: str, end: str) -> timespans.Span:
        if begin not in t:
            raise t.error("missing", begin)
        for key in (begin, end):
            value = t.get(key)
            if (value is not None or key == begin) and (not isinstance(value, (str, int)) or isinstance(value, bool)):
                raise t.error(f"expected a date such as 1956-09-18, got {quote(value)}", key)
        try:
            return timespans.between(str(t[begin]), None if t.get(end) is None else str(t[end]))
        except ValueError as e:
            raise t.error(str(e), begin if end not in t else end) from None

    def _estimate(self, item: Node) -> Estimate:
        est = item["duration_estimate"]
        if not isinstance(est, Node):
            raise item.error("expected {by: key, min_days: n, max_days: n}", "duration_estimate")
        _no_unknown(est, {"by", "min_days", "max_days"})
        by = self._entity_ref(est, "by", {"person", "group"})
        lo, hi = est.get("min_days"), est.get("max_days", est.get("min_days"))
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= MAX_DAYS
                   and math.isfinite(v) for v in (lo, hi)) or lo > hi:
            raise est.error(f"min_days and max_days are positive numbers up to {MAX_DAYS:,}, min ≤ max", "min_days")
        return Estimate(by, lo, hi)

    def _name(self, data: Node, n) -> NameUse:
        if not isinstance(n, Node):
            raise data.error("each name is {entity, text, lang}", "names")
        _no_unknown(n, {"entity", "text", "lang", "in"})
        entity = self._entity_ref(n, "entity", {"person", "group", "place", "event"})
        text = _text(n, "text", required=True)
        which = self._which(n, "in", self._spec(n, "in", "original"))
        return NameUse(entity, text, _lang(n, "lang"), which, self.find(n, "text", text, which),
                       Origin(self.path, n.line))


# ---------------------------------------------------------------- all

def _patients_do_not_act(documents: list[DocumentFacts], acted_upon: frozenset[str]) -> None:
    """Someone an activity was done to (executed, arrested, advised) takes part in it; they
    did not carry it out: a role of that kind goes with ``participant``, never ``carried_out_by``."""
    for d in documents:
        for st in d.statements:
            if st.prop == "carried_out_by" and st.role in acted_upon:
                raise FactsError(f"role {st.role!r} is someone the activity was done to, who did not carry it out",
                                 path=st.origin.path, line=st.origin.line, field="carried_out_by",
                                 hint="write it as participant with this role")


def implied_mentions(statements: list[Statement]) -> list[Statement]:
    """A document mentions whom and where its text names: the author, a recipient, a
    participant … stated with a passage is also mentioned, resting on the same passages.

    Only stated and reported facts count (an inferred one may rest on no naming at all, an
    editorial one on the translator's naming, not the text's), and a mention
    the facts file states itself is kept as it is.
    """
    explicit = {st.value for st in statements if st.prop == "mentions"}
    implying = {k.prop for k in kinds.KINDS if k.implies_mention}
    passages: dict[str, list[Passage]] = {}
    first: dict[str, Statement] = {}
    for st in statements:
        if st.prop in implying and st.passages and not st.inferred and not st.editorial and st.value not in explicit:
            first.setdefault(st.value, st)
            passages.setdefault(st.value, [])
            passages[st.value] += [p for p in st.passages if p not in passages[st.value]]
    return [Statement(None, "mentions", key, None, tuple(passages[key]), None, None, first[key].origin)
            for key in first]


def proposition_mentions(propositions: tuple[Proposition, ...], statements: list[Statement]) -> list[Statement]:
    """Whoever put a proposition forward is named by the text: a mention, resting on its
    passage, unless the document mentions them already."""
    mentioned = {st.value for st in statements if st.prop == "mentions"}
    out = []
    for p in propositions:
        for actor in p.by:
            if actor not in mentioned and not p.inferred:
                mentioned.add(actor)
                out.append(Statement(None, "mentions", actor, None, p.passages, None, None, p.origin))
    return out


def _propositions_unique(documents: list[DocumentFacts]) -> None:
    """A proposition's IRI is below its conversation: two files may not give the same key there."""
    first: dict[tuple[str, str], Proposition] = {}
    for d in documents:
        for p in d.propositions:
            earlier = first.setdefault((p.conversation, p.key), p)
            if earlier is not p:
                raise FactsError(f"proposition {p.key!r} of {p.conversation!r} is already given at {earlier.origin}",
                                 path=p.origin.path, line=p.origin.line, field=p.key,
                                 hint="a key names one act in a conversation: choose another key")


def _times_agree(documents: list[DocumentFacts]) -> None:
    """An event has one time-span: every statement of its time, in any document, must agree.

    Documents are mapped and validated one at a time, so this is the one check across them.
    """
    first: dict[str, Statement] = {}
    for d in documents:
        for st in d.statements:
            if st.prop != "time":
                continue
            earlier = first.setdefault(st.subject, st)
            if earlier is not st and (earlier.value.bounds, earlier.value.label) != (st.value.bounds, st.value.label):
                raise FactsError(f"the time of {st.subject!r} ({st.value.label}) differs from the one stated at "
                                 f"{earlier.origin} ({earlier.value.label})", path=st.origin.path,
                                 line=st.origin.line, field="time",
                                 hint="an event has one time-span: give the same begin/end/label, or keep one "
                                      "statement and put the other source's reading in its note")



def input_files(data_dir: Path) -> list[Path]:
    """Every file :func:`load_facts` reads (each checked by :mod:`kg.inputs`; none read yet)."""
    data_dir = Path(data_dir)
    review = data_dir / REVIEW_PATH
    types = data_dir / PROJECT_TYPES
    return ([data_dir / "registry.yaml"] + ([review] if os.path.lexists(review) else [])
            + list_files(data_dir / "records", ".txt") + list_files(data_dir / "documents", ".yaml")
            + ([types] if os.path.lexists(types) else []))


def load_facts(data_dir: Path, namespaces: Namespaces = CANONICAL, cache: ReadCache | None = None) -> Facts:
    """Read the registry, its reviewed Wikidata links (``wikidata/review.tsv``: accepted rows
    only), every record in ``records/`` and its facts file in ``documents/``; the project's
    ``types.ttl`` names its types in ``namespaces`` (kg.toml's ``vocabulary``). With
    ``cache`` (:mod:`kg.readcache`), a file read before as it is now is not parsed again;
    the checks across documents run all the same."""
    with paused_gc():
        return _load_facts(Path(data_dir), namespaces, cache or ReadCache(None))


def _load_facts(data_dir: Path, namespaces: Namespaces, cache: ReadCache) -> Facts:
    vocabulary = load_vocabulary(data_dir, namespaces)
    types = vocabulary.keys
    types_digest = digest(repr(sorted(types.items()))) if cache.enabled else b""
    registry_path = data_dir / "registry.yaml"
    data = read_bytes(registry_path)
    entities = cache.load(cache.key("registry", registry_path, data, types_digest),
                          lambda: load_registry(registry_path, types, data))
    records_dir, docs_dir = data_dir / "records", data_dir / "documents"
    record_paths = list_files(records_dir, ".txt")
    if not record_paths:
        raise FactsError("no archive records (*.txt) found", path=records_dir,
                         hint="copy the records to publish into data/records/")
    fact_paths = {p.stem: p for p in list_files(docs_dir, ".yaml")}
    records, numbers, record_keys = [], {}, {}
    for rp in record_paths:
        data = read_bytes(rp)
        record_keys[rp] = cache.key("record", rp, data) if cache.enabled else ""
        record = cache.load(record_keys[rp], lambda: parse_record(decode(data, rp), rp))
        first = numbers.setdefault(int(record.number) if record.number.isdigit() else record.number, rp)
        if first != rp:
            raise FactsError(f"this record is document {record.number}, and so is {first}; a document is "
                             "published once", path=rp, line=record.lines.get("url"), field="url",
                             hint="remove the copy, or fix its web address")
        records.append(record)
    entities, unknown_names = header_entities(entities, records)  # and one warning for all names minted
    links = accepted_links(data_dir / REVIEW_PATH, entities)   # the header's entities can be linked too
    entities = {k: replace(e, wikidata=links[k]) if links.get(k, e.wikidata) != e.wikidata else e
                for k, e in entities.items()}
    # what a facts file is read against besides its record: once per build, not per document
    context = digest(cache.digest_of(entities), types_digest) if cache.enabled else b""
    documents = []
    with progress.bar(len(records), "reading facts", "documents") as advance:
        for record in records:
            rp = record.path
            if rp.stem not in fact_paths:   # a record alone publishes its header
                documents.append(DocumentFacts(record, HEADER_ONLY_KIND, (), (), rp))
            else:
                path = fact_paths.pop(rp.stem)
                data = read_bytes(path)
                key = cache.key("facts", path, data, record_keys[rp], context) if cache.enabled else ""
                documents.append(DocumentFacts(record=record, **cache.load(key, lambda: _without_record(
                    _DocumentLoader(path, record, entities, types).load(load_yaml(path, data))))))
            advance(1)
    _times_agree(documents)
    _propositions_unique(documents)
    if fact_paths:
        orphan = sorted(fact_paths.values())[0]
        raise FactsError("facts file without a record", path=orphan, hint=f"add data/records/{orphan.stem}.txt or remove this file")
    _patients_do_not_act(documents, vocabulary.acted_upon)
    return Facts(entities, tuple(documents), registry_path, vocabulary, (unknown_names,) if unknown_names else ())


def _without_record(d: DocumentFacts) -> dict:
    """A document's facts but its record (which the read cache keeps on its own), by field."""
    return {f.name: getattr(d, f.name) for f in fields(d) if f.name != "record"}
