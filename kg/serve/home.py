"""The home page's parts: dataset description (void.ttl), entities by kind, timeline,
name search over every spelling, and the who-met-whom network drawn as SVG."""
from __future__ import annotations

import math
import re
import unicodedata
from itertools import combinations

from markupsafe import Markup, escape

from .graph import Graph
from .views import CRM, KGT_PLANNED, SKOS_ALT, event_summary, link

DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
KINDS = (("person", "People"), ("group", "Groups and organisations"), ("place", "Places"),
         ("event", "Events"), ("document", "Documents"))


def dataset(g: Graph) -> dict:
    ds = g.base + "dataset"
    dists = []
    for d in g.iris(ds, DCAT + "distribution"):
        url = g.first(d, DCAT + "downloadURL") or ""
        name = url.rsplit("/", 1)[-1]
        dists.append({"name": name, "href": f"/dumps/{name}", "size": g.first(d, DCAT + "byteSize"),
                      "media": (g.first(d, DCAT + "mediaType") or "").split("media-types/")[-1]})
    return {"iri": ds, "title": g.first(ds, DCTERMS + "title") or g.label(ds),
            "license": g.first(ds, DCTERMS + "license"), "modified": g.first(ds, DCTERMS + "modified"),
            "triples": g.first(ds, VOID + "triples") or str(g.data_triples),
            "sources": g.iris(ds, DCTERMS + "source"), "distributions": dists}


def by_kind(g: Graph) -> list[dict]:
    out = []
    for kind, title in KINDS:
        items = sorted((link(g, e) | {"alt": sorted({v.value for v in g.values(e, SKOS_ALT)})} for e in g.under(kind)),
                       key=lambda x: x["label"].casefold())
        out.append({"kind": kind, "title": title, "items": items})
    return out


def timeline(g: Graph) -> list[dict]:
    events = [event_summary(g, e) for e in g.under("event") if g.first(e, CRM + "P4_has_time-span")]
    return sorted(events, key=lambda e: (e["begin"], e["label"]))


# ------------------------------------------------------------------ search

def normalise(s: str) -> str:
    """Case-, accent- and punctuation-blind form: "Пин Дэ-хуэй" → "пин дэ хуэй"."""
    s = unicodedata.normalize("NFKD", s.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c)).replace("ё", "е")
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


def search_index(g: Graph) -> list[dict]:
    """Every spelling of every person, group, place, event and document."""
    index = []
    for kind, _ in KINDS:
        for e in g.under(kind):
            spellings = {g.label(e)}
            spellings.update(v.value for v in g.values(e, SKOS_ALT))
            spellings.update(v.value for v in g.values(e, "http://schema.org/name"))
            for n in g.iris(e, CRM + "P1_is_identified_by"):
                spellings.update(v.value for v in g.values(n, CRM + "P190_has_symbolic_content"))
            index.append({**link(g, e), "kind": kind, "spellings": sorted(spellings),
                          "keys": sorted({normalise(s) for s in spellings})})
    return index


def search(index: list[dict], query: str) -> list[dict]:
    q = normalise(query[:200])
    if not q:
        return []
    words = q.split()
    hits = []
    for entry in index:
        score = 0
        for key in entry["keys"]:
            if key == q:
                score = max(score, 3)
            elif q in key:
                score = max(score, 2)
            elif all(w in key for w in words):
                score = max(score, 1)
        if score:
            matched = [s for s in entry["spellings"] if all(w in normalise(s) for w in words)]
            hits.append({**{k: entry[k] for k in ("iri", "href", "label", "kind")}, "matched": matched, "score": score})
    return sorted(hits, key=lambda h: (-h["score"], h["label"].casefold()))


# ------------------------------------------------------------------ network

def meetings(g: Graph) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    """People who attended the same (not merely planned) event, and the events they shared."""
    edges: dict[tuple[str, str], list[str]] = {}
    people: set[str] = set()
    for ev in g.under("event"):
        if g.term(KGT_PLANNED) in g.iris(ev, CRM + "P2_has_type"):
            continue
        present = sorted(a for a in g.iris(ev, CRM + "P11_had_participant") if "/person/" in a)
        for a, b in combinations(present, 2):
            edges.setdefault((a, b), []).append(ev)
        if len(present) > 1:
            people.update(present)
    return sorted(people, key=lambda p: g.label(p).casefold()), edges


def network_svg(g: Graph, size: int = 520, margin: int = 240) -> Markup:
    """A circle of people, a line for each pair who met; names link to their pages."""
    people, edges = meetings(g)
    if not people:
        return Markup('<p class="empty">No recorded meetings.</p>')
    c, cx, r = size / 2, size / 2 + margin, size / 2 - 40
    pos = {p: (cx + r * math.cos(2 * math.pi * i / len(people) - math.pi / 2),
               c + r * math.sin(2 * math.pi * i / len(people) - math.pi / 2)) for i, p in enumerate(people)}
    parts = [Markup('<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 {1} {0}" '
                    'role="img" aria-labelledby="network-title"><title id="network-title">Who met whom '
                    '(people present at the same event)</title>').format(size, size + 2 * margin)]
    for (a, b), evs in sorted(edges.items()):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        names = "; ".join(g.label(e) for e in evs)
        parts.append(Markup('<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke-width="{}">'
                            '<title>{} – {}: {}</title></line>').format(
            x1, y1, x2, y2, 1 + len(evs), g.label(a), g.label(b), names))
    for p in people:
        x, y = pos[p]
        angle = math.degrees(math.atan2(y - c, x - cx))
        anchor = "start" if -90 < angle < 90 else "end"
        dx = 9 if anchor == "start" else -9
        degree = sum(1 for k in edges if p in k)
        parts.append(Markup('<a href="{}"><circle cx="{:.1f}" cy="{:.1f}" r="{}"/>'
                            '<text x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text></a>').format(
            g.href(p), x, y, 4 + min(degree, 8) / 2, x + dx, y + 4, anchor, escape(g.label(p))))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
