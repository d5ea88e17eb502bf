"""What was said in a conversation, for the document and event pages: the acts (proposal,
agreement, objection, decision …) a document reports, each with its speaker, what it
answers, what it concerns and its passage, in the order of the text (no HTML here)."""
from __future__ import annotations

from .graph import CRM, KGO, SDO, Graph


def _link(g: Graph, iri: str) -> dict:
    return {"iri": iri, "href": g.href(iri), "label": g.label(iri)}


def is_act(g: Graph, iri: str) -> bool:
    """An act in a conversation: it created a content (crm:P94_has_created) and is part of an activity."""
    return bool(g.first(iri, CRM + "P94_has_created")) and bool(g.first(iri, CRM + "P9i_forms_part_of"))


def _passages(g: Graph, act: str) -> list[dict]:
    """The passages that say the act was part of its conversation (every act has that evidence)."""
    out = []
    for ev in g.subjects_of(CRM + "P140_assigned_attribute_to", act):
        if g.first(ev, CRM + "P177_assigned_property_of_type") != CRM + "P9i_forms_part_of":
            continue
        for p in g.iris(ev, CRM + "P17_was_motivated_by"):
            start = g.first(p, "http://www.w3.org/ns/oa#start")
            out.append({"iri": p, "text": g.first(p, CRM + "P190_has_symbolic_content"),
                        "start": int(start) if start and start.isdigit() else 0})
    return sorted(out, key=lambda p: p["start"])


def act(g: Graph, iri: str) -> dict:
    content = g.first(iri, CRM + "P94_has_created")
    answers = g.first(iri, g.term(KGO + "respondsTo"))
    passages = _passages(g, iri)
    return {**_link(g, iri),
            "kind": ", ".join(g.label(t) for t in g.iris(iri, CRM + "P2_has_type")),
            "by": [_link(g, a) for a in g.iris(iri, CRM + "P14_carried_out_by")],
            "summary": g.first(iri, SDO + "description"),
            "answers": {**_link(g, answers), "summary": g.first(answers, SDO + "description")} if answers else None,
            "about": [_link(g, t) for t in (g.iris(content, CRM + "P129_is_about") if content else [])],
            "purpose": [_link(g, p) for p in g.iris(iri, CRM + "P20_had_specific_purpose")],
            "passages": passages, "order": passages[0]["start"] if passages else 0}


def talks(g: Graph, acts: list[str]) -> list[dict]:
    """The acts grouped by conversation: ``[{conversation, acts: [...]}]``, in the text's order."""
    by_conversation: dict[str, list[dict]] = {}
    for a in acts:
        by_conversation.setdefault(g.first(a, CRM + "P9i_forms_part_of"), []).append(act(g, a))
    return [{"conversation": _link(g, c), "acts": sorted(rows, key=lambda r: (r["order"], r["iri"]))}
            for c, rows in sorted(by_conversation.items())]
