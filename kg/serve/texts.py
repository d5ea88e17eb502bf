"""A document's texts as HTML: passages highlighted, names linked to their entities.

Passages (``oa:TextPositionSelector`` with ``oa:start`` / ``oa:end``, character offsets
into the text's ``crm:P190_has_symbolic_content``) become ``<mark>`` runs that say which
facts they support; each passage gets an anchor so evidence elsewhere can link to it.
Names become links: in the original, the names-as-written that form part of it; in a
translation, the English labels and spellings of what the document refers to.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from .graph import CRM, OA, RDFS_LABEL, SKOS_ALT
AGENT_KINDS = ("person/", "group/", "place/")


def anchor_id(g, passage: str) -> str:
    """``…/document/121799/translation/en/passage/2004-2117`` → ``translation-en-passage-2004-2117``."""
    path = (g.path_of(passage) or passage).strip("/").split("/")
    return "-".join(path[2:]) if len(path) > 2 else "-".join(path)


def document_of(g, text: str | None) -> str | None:
    if text is None:
        return None
    return g.first(text, CRM + "P73i_is_translation_of") or text


def passage_href(g, passage: str, text: str | None) -> str | None:
    doc = document_of(g, text)
    return f"{g.href(doc)}#{anchor_id(g, passage)}" if doc else None


def _passages(g, text_iri: str, text: str) -> list[tuple[int, int, str, str]]:
    out = []
    for p in g.subjects_of(CRM + "P106i_forms_part_of", text_iri):
        start, end = g.first(p, OA + "start"), g.first(p, OA + "end")
        if start is None or end is None:
            continue
        s, e = int(start), int(end)
        if not 0 <= s < e <= len(text):
            continue
        facts = [g.label(ev) for ev in g.subjects_of(CRM + "P17_was_motivated_by", p)]
        out.append((s, e, anchor_id(g, p), "; ".join(sorted(facts))))
    return sorted(out)


def _mentions(g, doc: str, text_iri: str, text: str) -> list[tuple[int, int, str, str]]:
    """Non-overlapping name occurrences, longest spelling first."""
    spellings: dict[str, str] = {}
    if text_iri == doc:
        for name in g.subjects_of(CRM + "P106i_forms_part_of", doc):
            owners = g.subjects_of(CRM + "P1_is_identified_by", name)
            value = g.first(name, CRM + "P190_has_symbolic_content")
            if owners and value:
                spellings.setdefault(value, owners[0])
    else:
        for ent in g.iris(doc, CRM + "P67_refers_to"):
            if not (g.path_of(ent) or "").lstrip("/").startswith(AGENT_KINDS):
                continue
            for p in (RDFS_LABEL, SKOS_ALT):
                for v in g.values(ent, p):
                    if getattr(v, "language", None) in ("en", None, "") and len(v.value) > 2:
                        spellings.setdefault(v.value, ent)
    taken = [False] * len(text)
    found = []
    for spelling in sorted(spellings, key=lambda s: (-len(s), s)):
        start = text.find(spelling)
        while start != -1:
            end = start + len(spelling)
            boundary = (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
            if boundary and not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                ent = spellings[spelling]
                found.append((start, end, g.href(ent), g.label(ent)))
            start = text.find(spelling, end)
    return sorted(found)


def annotate(text: str, passages, mentions) -> Markup:
    """Split ``text`` at every passage and mention boundary and wrap each run."""
    cuts = sorted({0, len(text)} | {x for p in passages for x in p[:2]} | {x for m in mentions for x in m[:2]})
    starts: dict[int, list[str]] = {}
    for s, _, pid, _ in passages:
        starts.setdefault(s, []).append(pid)
    html = []
    for a, b in zip(cuts, cuts[1:]):
        for pid in starts.get(a, ()):
            html.append(Markup('<span class="anchor" id="{}"></span>').format(pid))
        chunk = escape(text[a:b])
        mention = next((m for m in mentions if m[0] <= a and b <= m[1]), None)
        if mention:
            chunk = Markup('<a class="mention" href="{}" title="{}">{}</a>').format(mention[2], mention[3], chunk)
        covering = [p for p in passages if p[0] <= a and b <= p[1]]
        if covering:
            chunk = Markup('<mark class="passage" data-passages="{}" title="{}">{}</mark>').format(
                " ".join(p[2] for p in covering), " | ".join(p[3] for p in covering), chunk)
        html.append(chunk)
    return Markup("").join(html)


def column(g, doc: str, text_iri: str) -> dict | None:
    text = g.first(text_iri, CRM + "P190_has_symbolic_content")
    if text is None:
        return None
    lang = g.first(text_iri, "http://schema.org/inLanguage") or ""
    passages = _passages(g, text_iri, text)
    return {"iri": text_iri, "label": g.label(text_iri), "lang": lang,
            "role": "original" if text_iri == doc else "translation",
            "html": annotate(text, passages, _mentions(g, doc, text_iri, text)), "passages": len(passages)}


def side_by_side(g, doc: str, translations: list[str]) -> list[dict]:
    cols = [column(g, doc, doc)] + [column(g, doc, t) for t in translations]
    return [c for c in cols if c]
