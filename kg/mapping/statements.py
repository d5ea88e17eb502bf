"""Statements of a document → facts in CRM and schema.org, each with its evidence.

One small mapper per property, dispatched from :data:`MAPPERS`. Every mapper adds the
fact's triples and returns the ``(subject, property, object)`` it asserts; the caller
then adds the ``crm:E13_Attribute_Assignment`` that ties that assertion to its passage(s)
(``crm:P17_was_motivated_by``) or marks it inferred with the reason.

Roles (head of delegation, proposed member …) follow Linked Art's part-activity pattern:
the event ``crm:P9_consists_of`` a sub-activity ``<event>/part/<role>/<actor>`` typed with
the role, ``crm:P14_carried_out_by`` the actor (``kgo:proposedParticipant`` for a planned
event, since a proposal is not participation), and ``kgo:onBehalfOf`` the group the actor
represents there, where the source says. The plain ``crm:P11_had_participant`` /
``schema:attendee`` links are always there too.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from rdflib import Graph, Literal, URIRef

from .. import statement_kinds
from ..facts import DocumentFacts, Statement, TimeValue
from ..iris import Iris
from ..vocab import CRM, KGO, KGT, SCHEMA, XSD
from .document import find_person, text_labels, text_nodes
from .patterns import P4, Context, en, has_type, label, passage, stated_time, time_bounds, typed

Triple = tuple[URIRef, URIRef, URIRef]


class Doc:
    """The document being mapped, with the nodes its statements and propositions hang from."""

    def __init__(self, g: Graph, ctx: Context, facts: DocumentFacts):
        self.g, self.ctx, self.facts = g, ctx, facts
        self.node = ctx.iris.document(facts.number)
        self.creation = Iris.below(self.node, "creation")
        self.texts = text_nodes(ctx, facts.record)
        self.text_labels = text_labels(facts.record)
        self.author = next((st.value for st in facts.statements if st.prop == "author"), None)
        self.author_node = ctx.node(self.author) if self.author else None  # whose word "stated" is
        self.translators = tuple(find_person(ctx, facts.record, name, "translators")
                                 for name in facts.record.translators)


# ---------------------------------------------------------------- document properties

def _author(d: Doc, st: Statement) -> Triple:
    agent = d.ctx.node(st.value)
    d.g.add((d.creation, CRM.P14_carried_out_by, agent))
    d.g.add((d.node, SCHEMA.author, agent))
    return d.creation, CRM.P14_carried_out_by, agent


def _recipient(d: Doc, st: Statement) -> Triple:
    agent = d.ctx.node(st.value)
    d.g.add((d.node, SCHEMA.recipient, agent))
    return d.node, SCHEMA.recipient, agent


def _created_at(d: Doc, st: Statement) -> Triple:
    place = d.ctx.node(st.value)
    d.g.add((d.creation, CRM.P7_took_place_at, place))
    d.g.add((d.node, SCHEMA.locationCreated, place))
    return d.creation, CRM.P7_took_place_at, place


def _authenticated_by(d: Doc, st: Statement) -> Triple:
    act = Iris.below(d.node, "authentication")
    typed(d.g, act, CRM.E7_Activity)
    has_type(d.g, act, "authentication")
    # No name in the label: where original and translation read the authenticator
    # differently, both readings are kept on this one activity.
    label(d.g, act, f"authentication of document {d.facts.number}")
    d.g.add((act, CRM.P16_used_specific_object, d.node))
    person = d.ctx.node(st.value)
    d.g.add((act, CRM.P14_carried_out_by, person))
    return act, CRM.P14_carried_out_by, person


def _classification(d: Doc, st: Statement) -> Triple:
    d.g.add((d.node, CRM.P2_has_type, KGT[st.value]))
    return d.node, CRM.P2_has_type, KGT[st.value]


def _mentions(d: Doc, st: Statement) -> Triple:
    target = d.ctx.node(st.value)
    d.g.add((d.node, CRM.P67_refers_to, target))
    d.g.add((d.node, SCHEMA.mentions, target))
    return d.node, CRM.P67_refers_to, target


def _documents(d: Doc, st: Statement) -> Triple:
    event = d.ctx.node(st.value)
    d.g.add((d.node, CRM.P70_documents, event))
    d.g.add((event, CRM.P70i_is_documented_in, d.node))
    d.g.add((d.node, SCHEMA.recordedAt, event))
    d.g.add((event, SCHEMA.recordedIn, d.node))
    return d.node, CRM.P70_documents, event


# ---------------------------------------------------------------- event and group properties

def _time(d: Doc, st: Statement) -> Triple:
    event = d.ctx.node(st.subject)
    tv = st.value
    node = time_bounds(d.g, event, tv.bounds, tv.label)
    if tv.note:
        d.g.add((node, CRM.P3_has_note, en(tv.note)))
    if tv.stated:
        stated_time(d.g, node, tv.stated, tv.stated_span, tv.correction)
    return event, P4, node


def _place(d: Doc, st: Statement) -> Triple:
    event, place = d.ctx.node(st.subject), d.ctx.node(st.value)
    d.g.add((event, CRM.P7_took_place_at, place))
    d.g.add((event, SCHEMA.location, place))
    return event, CRM.P7_took_place_at, place


def _role(d: Doc, event: URIRef, st: Statement, link: URIRef) -> None:
    """The part-activity that carries an actor's role in an event."""
    part = Iris.below(event, "part", st.role, st.value)
    typed(d.g, part, CRM.E7_Activity)
    has_type(d.g, part, st.role)
    label(d.g, part, f"{d.ctx.label(st.value)} as {st.role.replace('-', ' ')} in {d.ctx.label(st.subject)}")
    d.g.add((part, link, d.ctx.node(st.value)))
    if st.on_behalf_of:
        d.g.add((part, KGO.onBehalfOf, d.ctx.node(st.on_behalf_of)))
    d.g.add((event, CRM.P9_consists_of, part))
    d.g.add((part, CRM.P9i_forms_part_of, event))


def _participant(d: Doc, st: Statement) -> Triple:
    """P11; with a role, a part-activity carried out by the actor — or, for someone the
    activity was done to (role ``subject`` and narrower), one they only take part in."""
    event, actor = d.ctx.node(st.subject), d.ctx.node(st.value)
    d.g.add((event, CRM.P11_had_participant, actor))
    d.g.add((event, SCHEMA.attendee, actor))
    if st.role:
        _role(d, event, st, CRM.P11_had_participant if st.role in d.ctx.acted_upon else CRM.P14_carried_out_by)
    return event, CRM.P11_had_participant, actor


def _carried_out_by(d: Doc, st: Statement) -> Triple:
    """P14 (a sub-property of P11, so the plain P11 / schema:attendee links are added too)."""
    event, actor = d.ctx.node(st.subject), d.ctx.node(st.value)
    d.g.add((event, CRM.P14_carried_out_by, actor))
    d.g.add((event, CRM.P11_had_participant, actor))
    d.g.add((event, SCHEMA.attendee, actor))
    if st.role:
        _role(d, event, st, CRM.P14_carried_out_by)
    return event, CRM.P14_carried_out_by, actor


def _part_of(d: Doc, st: Statement) -> Triple:
    event, parent = d.ctx.node(st.subject), d.ctx.node(st.value)
    d.g.add((event, CRM.P9i_forms_part_of, parent))
    d.g.add((parent, CRM.P9_consists_of, event))
    d.g.add((event, SCHEMA.superEvent, parent))
    d.g.add((parent, SCHEMA.subEvent, event))
    return event, CRM.P9i_forms_part_of, parent


def _about(d: Doc, st: Statement) -> Triple:
    event, topic = d.ctx.node(st.subject), d.ctx.node(st.value)
    d.g.add((event, SCHEMA.about, topic))
    return event, SCHEMA.about, topic


def _member(d: Doc, st: Statement) -> Triple:
    """Membership; a role uses CRM's property class PC107 with ``P107.1_kind_of_member``."""
    group, member = d.ctx.node(st.subject), d.ctx.node(st.value)
    d.g.add((group, CRM.P107_has_current_or_former_member, member))
    d.g.add((group, SCHEMA.member, member))
    d.g.add((member, SCHEMA.memberOf, group))
    if st.role:
        pc = Iris.below(group, "membership", st.value)
        typed(d.g, pc, CRM.PC107_has_current_or_former_member)
        label(d.g, pc, f"{d.ctx.label(st.value)} as {st.role.replace('-', ' ')} of {d.ctx.label(st.subject)}")
        d.g.add((pc, CRM.P01_has_domain, group))
        d.g.add((pc, CRM.P02_has_range, member))
        d.g.add((pc, CRM["P107.1_kind_of_member"], KGT[st.role]))
    return group, CRM.P107_has_current_or_former_member, member


def _proposed_participant(d: Doc, st: Statement) -> Triple:
    event, actor = d.ctx.node(st.subject), d.ctx.node(st.value)
    d.g.add((event, KGO.proposedParticipant, actor))
    if st.role:
        _role(d, event, st, KGO.proposedParticipant)
    return event, KGO.proposedParticipant, actor


def _decision(kind: str) -> Callable[[Doc, Statement], Triple]:
    """Proposal or agreement: an activity of the actor whose purpose is the planned event."""
    def mapper(d: Doc, st: Statement) -> Triple:
        plan, actor = d.ctx.node(st.subject), d.ctx.node(st.value)
        act = Iris.below(plan, kind, st.value)
        typed(d.g, act, CRM.E7_Activity)
        has_type(d.g, act, kind)
        label(d.g, act, f"{kind} by {d.ctx.label(st.value)}: {d.ctx.label(st.subject)}")
        d.g.add((act, CRM.P14_carried_out_by, actor))
        d.g.add((act, CRM.P20_had_specific_purpose, plan))
        d.g.add((act, CRM.P70i_is_documented_in, d.node))
        d.g.add((d.node, CRM.P70_documents, act))
        return act, CRM.P14_carried_out_by, actor
    return mapper


def _decimal(n: float) -> Literal:
    """An ``xsd:decimal`` in canonical lexical form (always with a decimal point)."""
    text = f"{Decimal(str(n)):f}"
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


def _duration_estimate(d: Doc, st: Statement) -> Triple:
    """An actor's estimate of an activity's duration: E13 assigning an E54 via P191."""
    est = st.value
    plan = d.ctx.node(st.subject)
    span = Iris.below(plan, "time")  # made by the time statement the loader requires
    act = Iris.below(plan, "estimate", est.by)
    typed(d.g, act, CRM.E13_Attribute_Assignment)
    has_type(d.g, act, "duration-estimate")
    days = f"{est.min_days:g}" if est.min_days == est.max_days else f"{est.min_days:g}\u2013{est.max_days:g}"
    label(d.g, act, f"{d.ctx.label(est.by)}'s estimate: {days} days")
    d.g.add((act, CRM.P14_carried_out_by, d.ctx.node(est.by)))
    d.g.add((act, CRM.P140_assigned_attribute_to, span))
    d.g.add((act, CRM.P177_assigned_property_of_type, CRM.P191_had_duration))
    dim = Iris.below(act, "duration")
    typed(d.g, dim, CRM.E54_Dimension)
    label(d.g, dim, f"{days} days")
    d.g.add((dim, CRM.P90a_has_lower_value_limit, _decimal(est.min_days)))
    d.g.add((dim, CRM.P90b_has_upper_value_limit, _decimal(est.max_days)))
    d.g.add((dim, CRM.P91_has_unit, KGT.day))
    d.g.add((act, CRM.P141_assigned, dim))
    return act, CRM.P141_assigned, dim  # whose word it is: see _evidence


MAPPERS: dict[str, Callable[[Doc, Statement], Triple]] = {
    "author": _author, "recipient": _recipient, "created_at": _created_at,
    "authenticated_by": _authenticated_by, "classification": _classification,
    "mentions": _mentions, "documents": _documents, "refers_to": _mentions,
    "time": _time, "place": _place, "participant": _participant,
    "carried_out_by": _carried_out_by, "part_of": _part_of, "about": _about,
    "member": _member, "proposed_participant": _proposed_participant,
    "proposed_by": _decision("proposal"), "agreed_by": _decision("agreement"),
    "duration_estimate": _duration_estimate,
}


if set(MAPPERS) != set(statement_kinds.BY_PROP):  # each declared kind of statement has its one mapper
    raise RuntimeError(f"statement kinds without a mapper or mappers without a kind: "
                       f"{sorted(set(MAPPERS) ^ set(statement_kinds.BY_PROP))}")


def evidence_iri(document: URIRef, st: Statement) -> URIRef:
    """``document/<n>/evidence/<subject>/<property>/<value>[/<role>]`` — from curated keys."""
    parts = [st.subject or "document", st.prop.replace("_", "-"), st.value_key]
    if st.role:
        parts.append(st.role)
    return Iris.below(document, "evidence", *parts)


def how_known(g: Graph, node: URIRef, inferred: str | None, note: str | None, author: URIRef | None = None) -> None:
    """How an assignment is known. Stated: the passage says it, the document's ``author``
    says it (P14). Inferred: the editors conclude it (from the passage, if one is given,
    as P17) and say why in the note."""
    if inferred:
        has_type(g, node, "inferred")
        g.add((node, CRM.P3_has_note, en(inferred)))
    else:
        has_type(g, node, "stated")
        if author is not None:
            g.add((node, CRM.P14_carried_out_by, author))
    if note:
        g.add((node, CRM.P3_has_note, en(note)))


def motivated(d: Doc, node: URIRef, passages) -> None:
    """``node crm:P17_was_motivated_by`` each of ``passages`` (of the document's texts)."""
    for ps in passages:
        pnode = passage(d.g, d.texts[ps.text], ps, d.text_labels[ps.text])
        d.g.add((node, CRM.P17_was_motivated_by, pnode))


def _whose_word(d: Doc, st: Statement, node: URIRef) -> None:
    """The assignment's type in the scheme kgt:assertion, and who made it.

    Stated: the document's author says it (P14 the author). Reported: the author relays a
    speaker (P14 the speaker; P10 falls within the conversation where it was said).
    Editorial: it rests on a translator's or editor's bracket (P14 the translator of the
    text, where the record names one; the note says why). Inferred: the editors conclude
    it, and say why in the note (a corrected date is such an inference, typed also
    date-correction). A passage, where given, is P17 in every case.
    """
    correction = st.value.correction if isinstance(st.value, TimeValue) else None
    if st.inferred or correction:
        has_type(d.g, node, "inferred")
        for why in (st.inferred, correction):
            if why:
                d.g.add((node, CRM.P3_has_note, en(why)))
        if correction:
            has_type(d.g, node, "date-correction")
        return
    if st.according_to:
        has_type(d.g, node, "reported")
        d.g.add((node, CRM.P14_carried_out_by, d.ctx.node(st.according_to)))
        d.g.add((node, CRM.P10_falls_within, d.ctx.node(st.said_in)))
    if st.editorial:
        has_type(d.g, node, "editorial")
        d.g.add((node, CRM.P3_has_note, en(st.editorial)))
        if any(ps.text == "translation" for ps in st.passages):
            for person in d.translators:
                d.g.add((node, CRM.P14_carried_out_by, d.ctx.node(person)))
    if not (st.according_to or st.editorial):
        how_known(d.g, node, None, None, d.author_node)


def _evidence(d: Doc, st: Statement, triple: Triple) -> None:
    s, p, o = triple
    node = evidence_iri(d.node, st)
    typed(d.g, node, CRM.E13_Attribute_Assignment)
    _whose_word(d, st, node)
    if st.readings_differ:
        has_type(d.g, node, "readings-differ")
        d.g.add((node, CRM.P3_has_note, en(st.readings_differ)))
    if st.prop == "duration_estimate":
        # The estimate is itself an assignment, the estimator's: the author relays it (or the
        # editors infer that it was made).
        if st.inferred:
            how_known(d.g, s, st.inferred, None)
        else:
            has_type(d.g, s, "reported")
        motivated(d, s, st.passages)
    if st.note:
        d.g.add((node, CRM.P3_has_note, en(st.note)))
    what = st.prop.replace("_", " ")
    label(d.g, node, f"evidence in document {d.facts.number}: {d.ctx.label(st.subject) if st.subject else 'document'} {what} "
                     f"{d.ctx.label(st.value) if isinstance(st.value, str) and st.value in d.ctx.entities else st.value_key}")
    d.g.add((node, CRM.P140_assigned_attribute_to, s))
    d.g.add((node, CRM.P177_assigned_property_of_type, p))
    d.g.add((node, CRM.P141_assigned, o))
    motivated(d, node, st.passages)


def map_statements(g: Graph, ctx: Context, facts: DocumentFacts) -> None:
    d = Doc(g, ctx, facts)
    for st in facts.statements:
        _evidence(d, st, MAPPERS[st.prop](d, st))
