"""HTTP content negotiation: parse ``Accept`` leniently and pick the best offer.

A malformed ``Accept`` never raises: unparsable ranges are skipped, and an
``Accept`` with nothing usable left counts as ``*/*``.
"""
from __future__ import annotations

#: Representations of an entity: suffix → media type.
SUFFIXES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
DATA_TYPES = ("text/turtle", "application/ld+json", "application/n-triples")
ENTITY_TYPES = ("text/html",) + DATA_TYPES
MAX_ACCEPT = 2048
MAX_RANGES = 64


def parse_accept(header: str | None) -> list[tuple[str, str, float]]:
    """``Accept`` → [(type, subtype, q)], best first; invalid ranges are dropped."""
    if not header or not header.strip():
        return [("*", "*", 1.0)]
    ranges = []
    for order, part in enumerate(header[:MAX_ACCEPT].split(",")[:MAX_RANGES]):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if media.count("/") != 1:
            continue
        main, sub = media.split("/")
        if not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if not 0.0 <= q <= 1.0:
            continue
        ranges.append((main, sub, q, order))
    if not ranges:
        return [("*", "*", 1.0)]
    return [(m, s, q) for m, s, q, _ in ranges]


def _quality(offer: str, ranges) -> tuple[float, int]:
    """q of the most specific range matching ``offer`` (and its specificity)."""
    main, sub = offer.split("/")
    best = (-1.0, -1)
    for m, s, q in ranges:
        if m == main and s == sub:
            spec = 2
        elif m == main and s == "*":
            spec = 1
        elif m == "*" and s == "*":
            spec = 0
        else:
            continue
        if spec > best[1]:
            best = (q, spec)
    return best


def choose(header: str | None, offers: tuple[str, ...] | list[str]) -> str | None:
    """The offer the client prefers most (ties go to the earlier offer), or ``None`` (→ 406)."""
    ranges = parse_accept(header)
    best, best_q = None, 0.0
    for offer in offers:
        q, spec = _quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    return best
