"""Curated facts (``data/registry.yaml``, ``data/documents/*.yaml``) → typed model.

The loader checks everything a curator can get wrong and says where: unknown keys,
entities of the wrong kind, types not in ``ontology/types.ttl``, dates that are not dates,
and passages that are not in the document's text (their offsets are recorded here).
The format is documented in ``data/README.md``.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

from . import timespans
from .errors import FactsError, PassageError, quote
from .inputs import list_files
from .iris import is_key
from .passages import closest_hint, locate
from .records import Record, read_record
from .vocab import type_keys
from .wikidata.review import PATH as REVIEW_PATH, accepted_links
from .yamlio import Node, load_yaml

ENTITY_KINDS = {"persons": "person", "groups": "group", "places": "place", "events": "event"}
TEXTS = ("original", "translation")
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


@dataclass(frozen=True)
class Passage:
    """A verbatim stretch of one of a document's texts, with its offsets."""

    text: str      # 'original' | 'translation'
    start: int
    end: int
    content: str   # exactly text[start:end]


@dataclass(frozen=True)
class TimeValue:
    span: timespans.Span
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
class DocumentFacts:
    record: Record
    kind: str
    statements: tuple[Statement, ...]
    names: tuple[NameUse, ...]
    path: Path

    @property
    def number(self) -> str:
        return self.record.number


@dataclass(frozen=True)
class Facts:
    """Everything a build maps: the registry and one :class:`DocumentFacts` per record."""

    entities: dict[str, Entity]
    documents: tuple[DocumentFacts, ...]
    registry_path: Path


# ---------------------------------------------------------------- registry

def load_registry(path: Path, types: dict[str, str]) -> dict[str, Entity]:
    data = load_yaml(path)
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
        raise node.error(f"{quote(value)} is not a {scheme} type", key,
                         hint=f"expected one of {', '.join(choices)} (ontology/types.ttl)")
    return value


# ---------------------------------------------------------------- documents

# prop → (subject kind or None for the document, allowed value kinds)
DOCUMENT_PROPS = {
    "author": {"person", "group"},
    "recipients": {"person", "group"},
    "created_at": {"place"},
    "authenticated_by": {"person"},
    "classification": {"classification"},
    "mentions": {"person", "group", "place", "event"},
    "documents": {"event"},
    "refers_to": {"event"},
}
LIST_PROPS = {"recipients", "mentions", "documents", "refers_to"}
STATEMENT_PROPS = {
    "time": ("event", None),
    "place": ("event", {"place"}),
    "participant": ("event", {"person", "group"}),
    "carried_out_by": ("event", {"person", "group"}),
    "part_of": ("event", {"event"}),
    "about": ("event", {"person", "group", "place", "event"}),
    "member": ("group", {"person", "group"}),
    "proposed_participant": ("event", {"person", "group"}),
    "proposed_by": ("event", {"person", "group"}),
    "agreed_by": ("event", {"person", "group"}),
    "duration_estimate": ("event", None),
}
PLANNED_ONLY = {"proposed_participant", "proposed_by", "agreed_by"}
ROLE_PROPS = {"participant", "carried_out_by", "proposed_participant"}
EVIDENCE_KEYS = {"passage", "inferred", "text", "note"}


class _DocumentLoader:
    """Reads one ``documents/<number>.yaml`` against its record and the registry."""

    def __init__(self, path: Path, record: Record, entities: dict[str, Entity], types: dict[str, str]):
        self.path, self.record, self.entities, self.types = path, record, entities, types

    def load(self, data) -> DocumentFacts:
        if not isinstance(data, Node):
            raise FactsError("expected a mapping with record, kind, author, …", path=self.path, line=1)
        allowed = {"record", "kind", "names", "statements", *DOCUMENT_PROPS}
        _no_unknown(data, allowed)
        number = data.get("record")
        if not isinstance(number, (str, int)) or isinstance(number, bool) or str(number) != self.record.number:
            raise data.error(f"names record {quote(number)}, but this file belongs to record {self.record.number!r}",
                             "record", hint=f"the file name and 'record' must match data/records/{self.record.number}.txt")
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in DOCUMENT_KINDS:
            raise data.error(f"{quote(kind)} is not a document kind", "kind", hint=f"expected one of {', '.join(DOCUMENT_KINDS)}")
        if "author" not in data:
            raise data.error("missing: every document names its author", "author")
        statements = []
        for prop, kinds in DOCUMENT_PROPS.items():
            if prop not in data:
                continue
            values = data[prop]
            if prop in LIST_PROPS:
                if not isinstance(values, list):
                    raise data.error(f"expected a list, got {quote(values)}", prop)
            else:
                values = [values]
            for item in values:
                statements.append(self._document_statement(data, prop, item, kinds))
        for item in _list(data, "statements", "statements"):
            statements.append(self._statement(data, item))
        self._estimates_have_times(statements)
        names = tuple(self._name(data, n) for n in _list(data, "names", "{entity, text, lang}"))
        return DocumentFacts(self.record, kind, tuple(statements), names, self.path)

    def _estimates_have_times(self, statements: list[Statement]) -> None:
        """A duration estimate is about the activity's time-span: that time must be stated here."""
        timed = {st.subject for st in statements if st.prop == "time"}
        for st in statements:
            if st.prop == "duration_estimate" and st.subject not in timed:
                raise FactsError(f"a duration estimate for {st.subject!r} needs that event's time in the same file",
                                 path=st.origin.path, line=st.origin.line, field="duration_estimate",
                                 hint=f"add a statement {{event: {st.subject}, time: {{begin: …}}}} with its passage")

    def _document_statement(self, data: Node, prop: str, item, kinds: set[str]) -> Statement:
        if not isinstance(item, Node):
            raise data.error("expected a mapping such as {entity: key, passage: …}", prop)
        field = "type" if prop == "classification" else ("event" if prop in ("documents", "refers_to") else "entity")
        _no_unknown(item, {field} | EVIDENCE_KEYS)
        value = item.get(field)
        if prop == "classification":
            value = _type(item, field, value, "classification", self.types)
        else:
            self._entity_ref(item, field, kinds)
        return Statement(None, "recipient" if prop == "recipients" else prop, value, None,
                         *self._evidence(item), Origin(self.path, item.line))

    def _statement(self, data: Node, item) -> Statement:
        if not isinstance(item, Node):
            raise data.error("each statement is a mapping", "statements")
        subjects = [k for k in ("event", "group") if k in item]
        props = [k for k in item if k in STATEMENT_PROPS]
        if len(subjects) != 1 or len(props) != 1:
            raise item.error("a statement has exactly one subject (event or group) and one property", None,
                             hint=f"properties: {', '.join(STATEMENT_PROPS)}")
        subject_kind, prop = subjects[0], props[0]
        _no_unknown(item, {subject_kind, prop, "role", "on_behalf_of"} | EVIDENCE_KEYS)
        expected_subject, kinds = STATEMENT_PROPS[prop]
        if subject_kind != expected_subject:
            raise item.error(f"'{prop}' is said of an {expected_subject}, not a {subject_kind}", prop)
        subject = self._entity_ref(item, subject_kind, {subject_kind})
        if prop in PLANNED_ONLY and not self.entities[subject].planned:
            raise item.error(f"'{prop}' is only for a planned event; {subject!r} is not planned: true", prop)
        if prop == "time":
            value = self._time(item)
        elif prop == "duration_estimate":
            value = self._estimate(item)
        else:
            value = self._entity_ref(item, prop, kinds)
        role = item.get("role")
        if role is not None:
            _type(item, "role", role, "role", self.types)
        on_behalf_of = None
        if "on_behalf_of" in item:
            if prop not in ROLE_PROPS or role is None:
                raise item.error("'on_behalf_of' goes with a 'role' on a participant or proposed_participant "
                                 "statement", "on_behalf_of")
            on_behalf_of = self._entity_ref(item, "on_behalf_of", {"group"})
        return Statement(subject, prop, value, role, *self._evidence(item), Origin(self.path, item.line),
                         on_behalf_of)

    def _entity_ref(self, node: Node, key: str, kinds: set[str]) -> str:
        value = node.get(key)
        if not isinstance(value, str) or value not in self.entities:
            raise node.error(f"{quote(value)} is not a key of the registry", key,
                             hint=f"add it to {self.path.parent.parent / 'registry.yaml'} or fix the spelling")
        if self.entities[value].kind not in kinds:
            raise node.error(f"{quote(value)} is a {self.entities[value].kind}; expected a {' or '.join(sorted(kinds))}", key)
        return value

    def _evidence(self, item: Node) -> tuple[tuple[Passage, ...], str | None, str | None]:
        which = item.get("text", "translation")
        if not isinstance(which, str) or which not in TEXTS:
            raise item.error(f"{quote(which)} is not a text of the document", "text", hint="expected original or translation")
        passage = item.get("passage")
        inferred = _text(item, "inferred")
        if passage is None and inferred is None:
            raise item.error("every statement needs a verbatim 'passage' from the text, or 'inferred: <reason>'")
        passages = ()
        if passage is not None:
            self._has_text(item, "text", which)
            if not isinstance(passage, str) or not passage.strip():
                raise item.error("expected the passage as text", "passage")
            passages = (self.find(item, "passage", passage, which),)
        return passages, inferred, _text(item, "note")

    def _has_text(self, node: Node, key: str, which: str) -> None:
        """A statement may cite only a text the record has (most have the translation only)."""
        if self.record.text(which) is None:
            roles = self.record.roles()
            raise node.error(f"record {self.record.number} has no {which} text; it has "
                             + (" and ".join(roles) if roles else "no text, only its header"), key,
                             hint=f"cite the {' or '.join(roles)} text" if roles
                             else "give 'inferred: <reason>' instead of a passage")

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
            raise item.error("expected {begin: …, end: …}", "time")
        _no_unknown(t, {"begin", "end", "note", "stated", "stated_begin", "stated_end", "correction", "label"})
        span = self._span(t, "begin", "end")
        stated = _text(t, "stated")
        stated_span = self._span(t, "stated_begin", "stated_end") if "stated_begin" in t else None
        correction = _text(t, "correction")
        if (stated is None) != (correction is None):
            raise t.error("a date stated wrongly needs both 'stated' (as the source has it) and 'correction' (why)",
                          "stated" if stated is None else "correction")
        return TimeValue(span, _text(t, "label") or timespans.label(span), _text(t, "note"),
                         stated, stated_span, correction)

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
        which = n.get("in", "original")
        if not isinstance(which, str) or which not in TEXTS:
            raise n.error(f"{quote(which)} is not a text of the document", "in")
        self._has_text(n, "in", which)
        return NameUse(entity, text, _lang(n, "lang"), which, self.find(n, "text", text, which),
                       Origin(self.path, n.line))


# ---------------------------------------------------------------- all

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
            if earlier is not st and (earlier.value.span, earlier.value.label) != (st.value.span, st.value.label):
                raise FactsError(f"the time of {st.subject!r} ({st.value.label}) differs from the one stated at "
                                 f"{earlier.origin} ({earlier.value.label})", path=st.origin.path,
                                 line=st.origin.line, field="time",
                                 hint="an event has one time-span: give the same begin/end/label, or keep one "
                                      "statement and put the other source's reading in its note")



def input_files(data_dir: Path) -> list[Path]:
    """Every file :func:`load_facts` reads (each checked by :mod:`kg.inputs`; none read yet)."""
    data_dir = Path(data_dir)
    review = data_dir / REVIEW_PATH
    return ([data_dir / "registry.yaml"] + ([review] if os.path.lexists(review) else [])
            + list_files(data_dir / "records", ".txt") + list_files(data_dir / "documents", ".yaml"))


def load_facts(data_dir: Path) -> Facts:
    """Read the registry, its reviewed Wikidata links (``wikidata/review.tsv``: accepted rows
    only), every record in ``records/`` and its facts file in ``documents/``."""
    data_dir = Path(data_dir)
    types = type_keys()
    registry_path = data_dir / "registry.yaml"
    entities = load_registry(registry_path, types)
    links = accepted_links(data_dir / REVIEW_PATH, entities)
    entities = {k: replace(e, wikidata=links.get(k)) for k, e in entities.items()}
    records_dir, docs_dir = data_dir / "records", data_dir / "documents"
    record_paths = list_files(records_dir, ".txt")
    if not record_paths:
        raise FactsError("no archive records (*.txt) found", path=records_dir,
                         hint="copy the records to publish into data/records/")
    fact_paths = {p.stem: p for p in list_files(docs_dir, ".yaml")}
    records, numbers = [], {}
    for rp in record_paths:
        record = read_record(rp)
        first = numbers.setdefault(int(record.number) if record.number.isdigit() else record.number, rp)
        if first != rp:
            raise FactsError(f"this record is document {record.number}, and so is {first}; a document is "
                             "published once", path=rp, line=record.lines.get("url"), field="url",
                             hint="remove the copy, or fix its web address")
        if record.url is None:   # the dataset names each document's web page as a source
            raise FactsError(f"record {rp.name} gives no web address", path=rp, line=record.lines.get("citation"),
                             field="url", hint="add the page's address at the end of the citation, "
                             "e.g. https://digitalarchive.wilsoncenter.org/document/<number>")
        records.append(record)
    documents = []
    for record in records:
        rp = record.path
        if rp.stem not in fact_paths:   # a record alone publishes its header
            documents.append(DocumentFacts(record, HEADER_ONLY_KIND, (), (), rp))
            continue
        loader = _DocumentLoader(fact_paths.pop(rp.stem), record, entities, types)
        documents.append(loader.load(load_yaml(loader.path)))
    _times_agree(documents)
    if fact_paths:
        orphan = sorted(fact_paths.values())[0]
        raise FactsError("facts file without a record", path=orphan, hint=f"add data/records/{orphan.stem}.txt or remove this file")
    return Facts(entities, tuple(documents), registry_path)
