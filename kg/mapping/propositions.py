"""Acts in a conversation (a document's ``propositions:``) → CIDOC-CRM and schema.org.

Each proposal, agreement, objection, decision, criticism, position, question or reply is
a ``crm:E7_Activity`` at ``<conversation>/proposition/<key>``:

- typed ``crm:P2_has_type`` with its kind (scheme ``kgt:proposition``), and also a
  ``crm:E65_Creation`` of its content: ``crm:P94_has_created`` a
  ``crm:E89_Propositional_Object`` at ``<act>/content``, which carries the editors'
  summary (``crm:P3_has_note``) and what it is about (``crm:P129_is_about``: persons,
  groups, places, events, or an event's time-span, for what is said of when or how long);
- ``crm:P14_carried_out_by`` whoever put it forward (none where the text names no one);
- ``crm:P9i_forms_part_of`` the conversation (``crm:P9_consists_of`` on it);
- ``crm:P20_had_specific_purpose`` the activity it aims at, where it does;
- ``kgo:respondsTo`` the act it answers (an agreement its proposal …);
- documented in the document (``crm:P70i_is_documented_in``), and in schema.org a
  ``schema:CommunicateAction`` (``schema:AgreeAction`` / ``schema:DisagreeAction``) with
  ``schema:agent``, ``schema:about`` and ``schema:description``.

Every link but the kind and the summary (the editors' words) is a claim with its
evidence: a ``crm:E13_Attribute_Assignment`` at
``<document>/evidence/proposition/<key>/<field>/<value>``, motivated by the passage and
typed as the statements' evidence is (:func:`kg.mapping.statements.how_known`).
"""
from __future__ import annotations

from rdflib import Graph, URIRef

from ..facts import DocumentFacts, Proposition
from ..iris import Iris
from ..vocab import CRM, KGO, SCHEMA
from .patterns import Context, en, has_type, label, typed
from .statements import Doc, how_known, motivated

# kind of act → its schema.org class besides schema:CommunicateAction
SCHEMA_ACTIONS = {"agreement": SCHEMA.AgreeAction, "objection": SCHEMA.DisagreeAction}


def act_iri(ctx: Context, conversation: str, key: str) -> URIRef:
    """``event/<conversation>/proposition/<key>``: the act hangs below its conversation."""
    return Iris.below(ctx.node(conversation), "proposition", key)


class _Mapper:
    def __init__(self, g: Graph, ctx: Context, facts: DocumentFacts):
        self.g, self.ctx, self.facts = g, ctx, facts
        self.doc = Doc(g, ctx, facts)
        self.document = self.doc.node
        self.acts = {p.key: act_iri(ctx, p.conversation, p.key) for p in facts.propositions}

    def map(self, p: Proposition) -> None:
        g, ctx, act = self.g, self.ctx, self.acts[p.key]
        kind = p.type.replace("-", " ")
        typed(g, act, CRM.E7_Activity, CRM.E65_Creation, SCHEMA.CommunicateAction)
        if p.type in SCHEMA_ACTIONS:
            typed(g, act, SCHEMA_ACTIONS[p.type])
        has_type(g, act, p.type)
        who = ", ".join(ctx.label(a) for a in p.by) or "unnamed"
        label(g, act, f"{kind} by {who}: {p.summary}")
        g.add((act, SCHEMA.description, en(p.summary)))
        g.add((act, CRM.P70i_is_documented_in, self.document))
        g.add((self.document, CRM.P70_documents, act))
        content = Iris.below(act, "content")
        typed(g, content, CRM.E89_Propositional_Object)
        label(g, content, f"what the {kind} by {who} says")
        g.add((content, CRM.P3_has_note, en(f"Editors' summary: {p.summary}")))
        g.add((act, CRM.P94_has_created, content))
        g.add((content, CRM.P94i_was_created_by, act))

        conversation = ctx.node(p.conversation)
        g.add((act, CRM.P9i_forms_part_of, conversation))
        g.add((conversation, CRM.P9_consists_of, act))
        self.evidence(p, "in", p.conversation, (act, CRM.P9i_forms_part_of, conversation))
        for actor in p.by:
            node = ctx.node(actor)
            g.add((act, CRM.P14_carried_out_by, node))
            g.add((act, SCHEMA.agent, node))
            self.evidence(p, "by", actor, (act, CRM.P14_carried_out_by, node))
        for topic in p.about:
            node = ctx.node(topic)
            g.add((content, CRM.P129_is_about, node))
            g.add((act, SCHEMA.about, node))
            self.evidence(p, "about", topic, (content, CRM.P129_is_about, node))
        if p.about_time:
            span = Iris.below(ctx.node(p.about_time), "time")   # made by the time statement the loader requires
            g.add((content, CRM.P129_is_about, span))
            self.evidence(p, "about-time", p.about_time, (content, CRM.P129_is_about, span))
        if p.purpose:
            node = ctx.node(p.purpose)
            g.add((act, CRM.P20_had_specific_purpose, node))
            self.evidence(p, "purpose", p.purpose, (act, CRM.P20_had_specific_purpose, node))
        if p.responds_to:
            other = self.acts[p.responds_to]
            g.add((act, KGO.respondsTo, other))
            self.evidence(p, "responds-to", p.responds_to, (act, KGO.respondsTo, other))

    def evidence(self, p: Proposition, field: str, value: str, triple) -> None:
        """The E13 that ties one link of the act to its passage (see :mod:`kg.mapping.statements`)."""
        s, prop, o = triple
        node = Iris.below(self.document, "evidence", "proposition", p.key, field, value)
        typed(self.g, node, CRM.E13_Attribute_Assignment)
        # That someone proposed, agreed, objected … is the document's author's word (stated).
        how_known(self.g, node, p.inferred, p.note, self.doc.author_node)
        shown = self.ctx.label(value) if value in self.ctx.entities else value.replace("-", " ")
        label(self.g, node, f"evidence in document {self.facts.number}: {p.key.replace('-', ' ')} "
                            f"{field.replace('-', ' ')} {shown}")
        self.g.add((node, CRM.P140_assigned_attribute_to, s))
        self.g.add((node, CRM.P177_assigned_property_of_type, prop))
        self.g.add((node, CRM.P141_assigned, o))
        motivated(self.doc, node, p.passages)

def map_propositions(g: Graph, ctx: Context, facts: DocumentFacts) -> None:
    mapper = _Mapper(g, ctx, facts)
    for p in facts.propositions:
        mapper.map(p)
