"""Every kind of statement a facts file can make, declared once.

The facts loader (:mod:`kg.facts`) takes its checks from here — which YAML key, said of
what (the document, an event or a group), which values, given once or as a list, only for
planned events, with a role — the mapper (:mod:`kg.mapping.statements`) must map exactly
these kinds, the reconciliation with Wikidata (:mod:`kg.wikidata.subjects`) reads what each
says about an entity, and data/README.md's table of statement kinds is this table (a test
compares them). A new kind of statement is one entry here plus its mapper.
"""
from __future__ import annotations

from dataclasses import dataclass

AGENTS = frozenset({"person", "group"})
ANY_ENTITY = frozenset({"person", "group", "place", "event"})


@dataclass(frozen=True)
class Kind:
    """One kind of statement.

    ``key`` is how the facts file writes it; ``prop`` the statement's property inside kg
    (they differ only for lists: ``recipients`` → ``recipient``). ``subject`` is ``None``
    for a statement about the document (a top-level key of the file), else ``event`` or
    ``group`` (an item of ``statements:``). ``values`` are the registry kinds the value may
    be, or ``time`` / ``estimate`` / ``type:<scheme>`` for structured values; ``field`` is
    the key holding the value in a document statement.
    """

    key: str
    subject: str | None
    values: frozenset[str]
    meaning: str
    prop: str = ""
    field: str = "entity"
    many: bool = False               # a document statement given as a list
    required: bool = False           # every facts file states it
    planned_only: bool = False       # only of an event with planned: true
    role: bool = False               # may carry a role (a key of the role types)
    on_behalf_of: bool = False       # with a role, may name the group the actor represents
    implies_mention: bool = False    # stated with a passage, the document also mentions the value
    acting: bool = False             # reconciliation: the value acted (was alive, existed) then
    mentioned: bool = False          # reconciliation: the value was spoken of then

    def __post_init__(self):
        if not self.prop:
            object.__setattr__(self, "prop", self.key)

    @property
    def entity_valued(self) -> bool:
        return self.values <= ANY_ENTITY


def _k(*args, **kw) -> Kind:
    return Kind(*args, **kw)


KINDS: tuple[Kind, ...] = (
    # ---- about the document (top-level keys of documents/<number>.yaml)
    _k("author", None, AGENTS, "who wrote or sent the document", required=True, implies_mention=True, acting=True),
    _k("recipients", None, AGENTS, "to whom it is addressed", prop="recipient", many=True,
       implies_mention=True, acting=True),
    _k("created_at", None, frozenset({"place"}), "where it was written", implies_mention=True, mentioned=True),
    _k("authenticated_by", None, frozenset({"person"}), "who certified the copy", implies_mention=True, acting=True),
    _k("classification", None, frozenset({"type:classification"}), "its security classification", field="type"),
    _k("mentions", None, ANY_ENTITY, "whom and what its text names", many=True, mentioned=True),
    _k("documents", None, frozenset({"event"}), "the events it is a record of", field="event", many=True),
    _k("refers_to", None, frozenset({"event"}), "earlier events it refers to", field="event", many=True),
    # ---- about an event or a group (items of statements:)
    _k("time", "event", frozenset({"time"}), "when it took place (see Times)"),
    _k("place", "event", frozenset({"place"}), "where it took place", implies_mention=True, mentioned=True),
    _k("participant", "event", AGENTS, "who took part", role=True, on_behalf_of=True, implies_mention=True,
       acting=True),
    _k("carried_out_by", "event", AGENTS, "who did it", role=True, on_behalf_of=True, implies_mention=True,
       acting=True),
    _k("part_of", "event", frozenset({"event"}), "the larger event it belongs to"),
    _k("about", "event", ANY_ENTITY, "its main subject", mentioned=True),
    _k("member", "group", AGENTS, "a member of the group (with a role: the kind of member)", role=True,
       implies_mention=True, acting=True),
    _k("proposed_participant", "event", AGENTS, "who was proposed to take part", planned_only=True, role=True,
       on_behalf_of=True, implies_mention=True, acting=True),
    _k("proposed_by", "event", AGENTS, "who proposed it", planned_only=True, implies_mention=True, acting=True),
    _k("agreed_by", "event", AGENTS, "who agreed to it", planned_only=True, implies_mention=True, acting=True),
    _k("duration_estimate", "event", frozenset({"estimate"}), "how long someone expected it to take"),
)

# ---- the fields of an item of ``propositions:`` (an act in a conversation; kg.mapping.propositions)
PROPOSITION_FIELDS: tuple[Kind, ...] = (
    _k("type", "proposition", frozenset({"type:proposition"}), "what the act is: proposal, agreement, objection, "
       "decision, criticism, position, question or reply", field="type", required=True),
    _k("in", "proposition", frozenset({"event"}), "the conversation it was part of", required=True),
    _k("by", "proposition", AGENTS, "who put it forward, as the text says (left out where it names no one)",
       many=True, implies_mention=True, acting=True),
    _k("summary", "proposition", frozenset({"text"}), "the editors' short summary of what was said", required=True),
    _k("original", "proposition", frozenset({"text"}), "the passage's words in the original text, verbatim, where the "
       "translation differs from it or its wording matters (a second passage of the evidence)"),
    _k("about", "proposition", ANY_ENTITY, "whom and what it concerns", many=True, mentioned=True),
    _k("about_time", "proposition", frozenset({"event"}), "the event whose time (when, how long) it concerns: "
       "its time-span, stated in the same file"),
    _k("purpose", "proposition", frozenset({"event"}), "the activity it aims at (e.g. a planned delegation)"),
    _k("responds_to", "proposition", frozenset({"proposition"}), "the act of the same conversation it answers "
       "(agrees with, objects to, replies to)"),
)
PROPOSITION_BY_KEY: dict[str, Kind] = {k.key: k for k in PROPOSITION_FIELDS}

BY_KEY: dict[str, Kind] = {k.key: k for k in KINDS}
BY_PROP: dict[str, Kind] = {k.prop: k for k in KINDS}
DOCUMENT_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS if k.subject is None)
STATEMENT_KINDS: dict[str, Kind] = {k.key: k for k in KINDS if k.subject is not None}
SUBJECTS: tuple[str, ...] = tuple(sorted({k.subject for k in KINDS if k.subject}))

if len(BY_KEY) != len(KINDS) or len(BY_PROP) != len(KINDS) or len(PROPOSITION_BY_KEY) != len(PROPOSITION_FIELDS):
    raise RuntimeError("a statement kind is declared twice")


def markdown_table() -> str:
    """The table of statement kinds as data/README.md shows it."""
    rows = ["| key | said of | value | notes | meaning |", "|---|---|---|---|---|"]
    for k in KINDS:
        notes = [n for n, on in (("a list", k.many), ("required", k.required), ("planned events only", k.planned_only),
                                 ("`role`", k.role and not k.on_behalf_of), ("`role`, `on_behalf_of`", k.on_behalf_of), ("implies a mention", k.implies_mention)) if on]
        values = " or ".join(sorted(k.values)).replace("type:", "a type of ")
        subject = "the document" if k.subject is None else f"`{k.subject}:`"
        rows.append(f"| `{k.key}` | {subject} | {values} | {', '.join(notes)} | {k.meaning} |")
    return "\n".join(rows) + "\n"


_VALUE_WORDS = {"type:proposition": "a `proposition` type", "text": "text",
                "proposition": "the key of another item of `propositions:`"}


def proposition_table() -> str:
    """The fields of an item of ``propositions:`` as data/README.md shows them."""
    rows = ["| field | value | notes | meaning |", "|---|---|---|---|"]
    for k in PROPOSITION_FIELDS:
        notes = [n for n, on in (("required", k.required), ("one or a list", k.many),
                                 ("implies a mention", k.implies_mention)) if on]
        values = _VALUE_WORDS.get(next(iter(k.values))) if len(k.values) == 1 else None
        values = values or " or ".join(sorted(k.values))
        rows.append(f"| `{k.key}` | {values} | {', '.join(notes)} | {k.meaning} |")
    return "\n".join(rows) + "\n"
