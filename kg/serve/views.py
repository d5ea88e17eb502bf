"""What each page shows, as plain dicts for the templates (no HTML here).

One builder per kind of entity (person, group, place, event, document), dispatched
from :data:`BUILDERS`; every page also gets the generic table of all its statements.
"""
from __future__ import annotations

import pyoxigraph as ox

from .graph import CRM, KGO, KGT_PLANNED, OWL_SAMEAS, SDO, SKOS_ALT, Graph  # noqa: F401 - home.py imports some from here
from . import lists, talks, texts

KGO_PROPOSED = KGO + "proposedParticipant"


def link(g: Graph, iri: str) -> dict:
    return {"iri": iri, "href": g.href(iri), "label": g.label(iri)}


def _time(g: Graph, event: str) -> dict | None:
    span = g.first(event, CRM + "P4_has_time-span")
    if not span:
        return None
    begin, end = g.first(span, CRM + "P82a_begin_of_the_begin"), g.first(span, CRM + "P82b_end_of_the_end")
    return {"label": g.label(span), "begin": begin, "end": end, "note": g.first(span, CRM + "P3_has_note"),
            "stated": g.first(span, g.term(KGO + "statedAs")), "sort": _sort_time(g, span)}


def _sort_time(g: Graph, span: str) -> str:
    return g.first(span, CRM + "P82a_begin_of_the_begin") or g.first(span, CRM + "P81b_begin_of_the_end") or \
        g.first(span, CRM + "P82b_end_of_the_end") or ""


def by_time(g: Graph, events: list[str]) -> list[str]:
    """``events`` by the order of their summaries' ``(begin, label)`` (ties keep their order)."""
    def key(ev: str) -> tuple[str, str]:
        span = g.first(ev, CRM + "P4_has_time-span")
        return (_sort_time(g, span) if span else ""), g.label(ev)
    return sorted(events, key=key)


def event_summary(g: Graph, event: str) -> dict:
    t = _time(g, event)
    return {**link(g, event), "time": t, "begin": (t or {}).get("sort") or "",
            "places": [link(g, p) for p in g.iris(event, CRM + "P7_took_place_at")],
            "types": [g.label(x) for x in g.iris(event, CRM + "P2_has_type")],
            "planned": g.term(KGT_PLANNED) in g.iris(event, CRM + "P2_has_type"), "roles": []}


def _roles(g: Graph, event: str) -> dict[str, list[str]]:
    """actor IRI → role labels, from the part-activities ``<event>/part/<role>/<actor>``."""
    roles: dict[str, list[str]] = {}
    for part in g.iris(event, CRM + "P9_consists_of"):
        for actor in g.iris(part, CRM + "P14_carried_out_by") + g.iris(part, g.term(KGO_PROPOSED)):
            roles.setdefault(actor, []).extend(g.label(r) for r in g.iris(part, CRM + "P2_has_type"))
    return roles


def evidence_for(g: Graph, subject: str) -> list[dict]:
    """Every E13 that assigns something to ``subject``, with basis and passages."""
    rows = []
    for ev in g.subjects_of(CRM + "P140_assigned_attribute_to", subject):
        rows.append(evidence(g, ev))
    return sorted(rows, key=lambda r: (r["property"], r["value"]["label"]))


def evidence(g: Graph, ev: str) -> dict:
    value = g.values(ev, CRM + "P141_assigned")
    v = value[0] if value else None
    passages = []
    for p in g.iris(ev, CRM + "P17_was_motivated_by"):
        text = g.first(p, CRM + "P106i_forms_part_of")
        passages.append({"iri": p, "text": g.first(p, CRM + "P190_has_symbolic_content"),
                         "href": texts.passage_href(g, p, text)})
    subj = g.first(ev, CRM + "P140_assigned_attribute_to")
    return {"iri": ev, "subject": link(g, subj) if subj else None,
            "property": g.curie(g.first(ev, CRM + "P177_assigned_property_of_type") or ""),
            "value": link(g, v.value) if isinstance(v, ox.NamedNode) else {"label": v.value if v else "", "href": None},
            "basis": ", ".join(g.label(t) for t in g.iris(ev, CRM + "P2_has_type")),
            "note": g.first(ev, CRM + "P3_has_note"), "passages": passages}


def names(g: Graph, iri: str, page: int = 1) -> list[dict]:
    """The entity's names, each with the documents it is written in (those of page ``page``)."""
    out = []
    for n in g.iris(iri, CRM + "P1_is_identified_by"):
        documents = g.iris(n, CRM + "P106i_forms_part_of")
        for v in g.values(n, CRM + "P190_has_symbolic_content"):
            out.append({"text": v.value, "lang": getattr(v, "language", None) or "",
                        "kind": ", ".join(g.label(t) for t in g.iris(n, CRM + "P2_has_type")),
                        "documents": [link(g, d) for d in lists.window(documents, page)],
                        "totals": {"documents": len(documents)}})
    return out


def statements(g: Graph, iri: str) -> dict:
    """All triples about and pointing at the entity, for the generic table."""
    def obj(o):
        if isinstance(o, ox.NamedNode):
            return {**link(g, o.value), "kind": "iri"}
        return {"label": o.value, "lang": getattr(o, "language", None) or "", "kind": "literal",
                "datatype": g.curie(o.datatype.value) if not o.language else ""}
    out = [{"p": g.curie(t.predicate.value), "p_iri": t.predicate.value, "o": obj(t.object)}
           for t in g.outgoing(iri) if t.predicate.value != CRM + "P190_has_symbolic_content" or len(t.object.value) < 300]
    kept = g.kept.get(iri)
    total, back = (kept["back_total"], kept["back"]) if kept else _back(g, iri)
    return {"out": out, "back": [{"s": link(g, s), "p": g.curie(p)} for s, p in back], "back_total": total}


def _back(g: Graph, iri: str) -> tuple[int, list[tuple[str, str]]]:
    """How many triples point at ``iri`` from an IRI, and the first :data:`lists.BACK` (subject, predicate)."""
    return g.incoming_first(iri, lists.BACK)


def common(g: Graph, iri: str, page: int = 1) -> dict:
    return {"iri": iri, "label": g.label(iri), "path": g.path_of(iri),
            "types": [link(g, t) | {"curie": g.curie(t)} for t in g.types(iri)],
            "description": g.first(iri, SDO + "description"),
            "wikidata": [o for o in g.iris(iri, OWL_SAMEAS) if "wikidata.org" in o],
            "wikidata_pages": [o for o in g.iris(iri, SDO + "sameAs") if "wikidata.org" in o],
            "names": names(g, iri, page), "statements": statements(g, iri)}


def _attended(g: Graph, iri: str) -> list[str]:
    return by_time(g, sorted(set(g.subjects_of(CRM + "P11_had_participant", iri))))


def _proposed(g: Graph, iri: str) -> list[str]:
    return by_time(g, sorted(g.top_level(g.term(KGO_PROPOSED), iri, CRM + "P9i_forms_part_of")))


def _acted(g: Graph, iri: str) -> list[str]:
    return by_time(g, g.top_level(CRM + "P14_carried_out_by", iri, CRM + "P9i_forms_part_of", CRM + "E7_Activity"))


def _place_events(g: Graph, iri: str) -> list[str]:
    return by_time(g, g.subjects_of(CRM + "P7_took_place_at", iri))


TIMED = {"person": {"attended": _attended, "proposed": _proposed, "acted": _acted},
         "place": {"events": _place_events}}
TIMED["group"] = TIMED["person"]


def ordered(g: Graph, iri: str) -> dict:
    """The lists of ``iri``'s page that are ordered by time, and its incoming statements
    (what :func:`kg.serve.lists.precompute` keeps for a hub)."""
    total, back = _back(g, iri)
    kind = (g.path_of(iri) or "/").split("/")[1]
    timed = TIMED.get(kind, {}) if (g.path_of(iri) or "").count("/") == 2 else {}
    return {"back_total": total, "back": back, **{name: make(g, iri) for name, make in timed.items()}}


def _timed(g: Graph, iri: str, name: str, kind: str) -> list[str]:
    kept = g.kept.get(iri)
    return kept[name] if kept and name in kept else TIMED[kind][name](g, iri)


def _paged(rows: dict, page: int) -> dict:
    """``rows`` (name → whole list) cut to page ``page``, with each list's length and the pages' number."""
    out = {name: lists.window(items, page) for name, items in rows.items()}
    out["totals"] = {name: len(items) for name, items in rows.items()}
    out["pages"] = lists.pages(*out["totals"].values())
    return out


def agent(g: Graph, iri: str, page: int = 1) -> dict:
    """Person or group: events attended or proposed for (with roles), documents, membership."""
    with_roles = lambda ev: event_summary(g, ev) | {"roles": _roles(g, ev).get(iri, [])}  # noqa: E731
    ids = {name: _timed(g, iri, name, "person") for name in ("attended", "proposed", "acted")}
    plain = {"authored": g.subjects_of(SDO + "author", iri), "received": g.subjects_of(SDO + "recipient", iri),
             "translated": g.subjects_of(SDO + "translator", iri),
             "mentioned_in": g.subjects_of(CRM + "P67_refers_to", iri),
             "members": g.iris(iri, CRM + "P107_has_current_or_former_member"),
             "member_of": g.subjects_of(CRM + "P107_has_current_or_former_member", iri)}
    out = _paged({**ids, **plain}, page)
    for name in ("attended", "proposed"):
        out[name] = [with_roles(ev) for ev in out[name]]
    out["acted"] = [event_summary(g, act) for act in out["acted"]]
    for name in plain:
        out[name] = [link(g, d) for d in out[name]]
    return out


def event(g: Graph, iri: str) -> dict:
    roles = _roles(g, iri)
    attendees = [link(g, a) | {"roles": roles.get(a, [])} for a in g.iris(iri, CRM + "P11_had_participant")]
    proposed = [link(g, a) | {"roles": roles.get(a, [])} for a in g.iris(iri, g.term(KGO_PROPOSED))]
    others = [link(g, a) | {"roles": roles[a]} for a in roles
              if a not in g.iris(iri, CRM + "P11_had_participant") + g.iris(iri, g.term(KGO_PROPOSED))]
    return {"summary": event_summary(g, iri), "attendees": attendees, "proposed": proposed, "others": others,
            "documents": [link(g, d) for d in g.iris(iri, CRM + "P70i_is_documented_in")],
            "mentioned_in": [link(g, d) for d in g.subjects_of(CRM + "P67_refers_to", iri)],
            "about": [link(g, d) for d in g.iris(iri, SDO + "about")],
            "part_of": [link(g, d) for d in g.iris(iri, CRM + "P9i_forms_part_of")],
            "parts": [link(g, d) for d in g.subjects_of(CRM + "P9i_forms_part_of", iri)
                      if not d.startswith(iri + "/part/") and not talks.is_act(g, d)],
            "talks": talks.talks(g, [d for d in g.subjects_of(CRM + "P9i_forms_part_of", iri) if talks.is_act(g, d)]),
            "evidence": evidence_for(g, iri) + [e for span in g.iris(iri, CRM + "P4_has_time-span")
                                                 for e in evidence_for_value(g, span)]}


def evidence_for_value(g: Graph, value: str) -> list[dict]:
    return [evidence(g, ev) for ev in g.subjects_of(CRM + "P141_assigned", value)]


def document(g: Graph, iri: str) -> dict:
    creation = g.first(iri, CRM + "P94i_was_created_by")
    translations = g.iris(iri, CRM + "P73_has_translation")
    items = g.subjects_of(CRM + "P128_carries", iri)
    archival = []
    for item in items:
        chain, cur = [], g.first(item, CRM + "P46i_forms_part_of")
        while cur and len(chain) < 10:
            chain.append(link(g, cur))
            cur = g.first(cur, CRM + "P46i_forms_part_of")
        archival.append({**link(g, item), "keeper": [link(g, k) for k in g.iris(item, CRM + "P50_has_current_keeper")],
                         "ids": [g.label(i) for i in g.iris(item, CRM + "P1_is_identified_by")], "holdings": chain})
    tr = []
    for t in translations:
        tc = g.first(t, CRM + "P94i_was_created_by")
        tr.append({**link(g, t), "translators": [link(g, p) for p in (g.iris(tc, CRM + "P14_carried_out_by") if tc else [])],
                   "lang": g.first(t, SDO + "inLanguage")})
    evidence_nodes = g.below(iri + "/evidence/")
    facts = [evidence(g, ev) for ev in evidence_nodes]
    return {"date": g.first(iri, SDO + "dateCreated"),
            "creation": _time(g, creation) if creation else None,
            "authors": [link(g, a) for a in g.iris(iri, SDO + "author")],
            "recipients": [link(g, a) for a in g.iris(iri, SDO + "recipient")],
            "places": [link(g, a) for a in g.iris(iri, SDO + "locationCreated")],
            "kinds": [g.label(t) for t in g.iris(iri, CRM + "P2_has_type")],
            "language": g.first(iri, SDO + "inLanguage"),
            "identifiers": [g.label(i) for i in g.iris(iri, CRM + "P1_is_identified_by")],
            "url": g.first(iri, SDO + "url"), "citation": g.first(iri, "http://purl.org/dc/terms/bibliographicCitation"),
            "records": [link(g, e) for e in g.iris(iri, CRM + "P70_documents") if not talks.is_act(g, e)],
            "talks": talks.talks(g, [e for e in g.iris(iri, CRM + "P70_documents") if talks.is_act(g, e)]),
            "archival": archival, "translations": tr,
            "texts": texts.side_by_side(g, iri, translations),
            "facts": sorted(facts, key=lambda f: (f["passages"][0]["href"] if f["passages"] else "~", f["iri"])),
            "readings": readings(g, iri, evidence_nodes)}


def readings(g: Graph, doc: str, nodes: list[str]) -> list[dict]:
    """Facts the original and the translation read differently (evidence typed
    readings-differ): per node and property, each text's reading — its value, passage, whose
    word and own notes — and the note on the disagreement that the readings share."""
    groups: dict[tuple, dict] = {}
    for ev in sorted(nodes):
        types = g.iris(ev, CRM + "P2_has_type")
        if not any(t.endswith("/readings-differ") for t in types):
            continue
        row = evidence(g, ev)
        key = (g.first(ev, CRM + "P140_assigned_attribute_to"), row["property"])
        group = groups.setdefault(key, {"subject": row["subject"], "property": row["property"], "readings": []})
        texts_of = {g.first(p["iri"], CRM + "P106i_forms_part_of") for p in row["passages"]}
        group["readings"].append({
            "text": "original" if doc in texts_of else "translation",
            "value": row["value"], "passages": row["passages"],
            "basis": ", ".join(g.label(t) for t in types if not t.endswith("/readings-differ")),
            "by": [link(g, a) for a in g.iris(ev, CRM + "P14_carried_out_by")],
            "notes": {n.value for n in g.values(ev, CRM + "P3_has_note")}})
    out = []
    for group in groups.values():
        shared = set.intersection(*(r["notes"] for r in group["readings"]))
        for r in group["readings"]:
            r["notes"] = sorted(r["notes"] - shared)
        group["notes"] = sorted(shared)
        group["readings"].sort(key=lambda r: r["text"])
        out.append(group)
    return sorted(out, key=lambda r: (r["property"], r["subject"]["label"] if r["subject"] else ""))


BUILDERS = {"person": agent, "group": agent, "event": event, "document": document}


def entity_page(g: Graph, iri: str, page: int = 1) -> dict:
    """The page's view; ``page`` > 1: the next :data:`kg.serve.lists.PAGE` items of each long list
    (``view["pages"]``: how many pages there are)."""
    kind = (g.path_of(iri) or "/").split("/")[1]
    view = common(g, iri, page)
    view["kind"] = kind if kind in BUILDERS or kind == "place" else "other"
    view.update(person=None, event=None, document=None, place=None, page=page,
                pages=lists.pages(*(n["totals"]["documents"] for n in view["names"])))
    builder = BUILDERS.get(kind)
    if builder and g.path_of(iri).count("/") == 2:
        built = builder(g, iri, page) if builder is agent else builder(g, iri)
        view[kind if kind != "group" else "person"] = built
        view["pages"] = max(view["pages"], built.get("pages", 1))
    if kind == "place" and g.path_of(iri).count("/") == 2:
        place = _paged({"events": _timed(g, iri, "events", "place"),
                        "mentioned_in": g.subjects_of(CRM + "P67_refers_to", iri)}, page)
        place["events"] = [event_summary(g, e) for e in place["events"]]
        place["mentioned_in"] = [link(g, d) for d in place["mentioned_in"]]
        view["place"], view["pages"] = place, max(view["pages"], place["pages"])
    return view
