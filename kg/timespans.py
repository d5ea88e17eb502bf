"""Dates as curated (``1956``, ``1956-09``, ``1956-09-18``, ``1956-09-18T18:00``) → spans.

A value known to a given precision spans that whole unit: a day is 00:00:00 to 23:59:59,
a month runs from its first to the end of its last day. Times are local, as the source
states them: no offset is added.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import quote

# Matched whole (fullmatch), ASCII digits only.
_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?)?)?")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@dataclass(frozen=True)
class Span:
    """A closed interval [begin, end] with the precision it was given in."""

    begin: datetime
    end: datetime
    precision: str  # year | month | day | minute | second


def parse(value: str) -> Span:
    """Parse one curated date; raise ``ValueError`` with what was expected."""
    m = _RE.fullmatch(str(value).strip())
    if not m:
        raise ValueError(f"{quote(value)} is not a date: expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]")
    y, mo, d, h, mi, s = m.groups()
    try:
        if mo is None:
            return Span(datetime(int(y), 1, 1), datetime(int(y), 12, 31, 23, 59, 59), "year")
        if d is None:
            last = calendar.monthrange(int(y), int(mo))[1]
            return Span(datetime(int(y), int(mo), 1), datetime(int(y), int(mo), last, 23, 59, 59), "month")
        if h is None:
            day = datetime(int(y), int(mo), int(d))
            return Span(day, day + timedelta(hours=23, minutes=59, seconds=59), "day")
        t = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
        if s is None:
            return Span(t, t + timedelta(seconds=59), "minute")
        return Span(t, t, "second")
    except ValueError as e:
        raise ValueError(f"{quote(value)} is not a real date: {e}") from None


def between(begin: str, end: str | None) -> Span:
    """The span from the start of ``begin`` to the end of ``end`` (or of ``begin``)."""
    b = parse(begin)
    if end is None:
        return b
    e = parse(end)
    if e.end < b.begin:
        raise ValueError(f"end {end!r} is before begin {begin!r}")
    return Span(b.begin, e.end if e.precision != "minute" else e.begin, b.precision)


def label(span: Span) -> str:
    """Human-readable English label: '18 September 1956, 18:00–22:00', 'September 1956'."""
    b, e = span.begin, span.end
    day = lambda t: f"{t.day} {MONTHS[t.month - 1]} {t.year}"  # noqa: E731
    if span.precision == "year" and (e.year == b.year):
        return str(b.year)
    if span.precision == "month" and (e.year, e.month) == (b.year, b.month):
        return f"{MONTHS[b.month - 1]} {b.year}"
    if span.precision in ("minute", "second"):
        if b == e or (e - b) < timedelta(minutes=1):
            return f"{day(b)}, {b:%H:%M}"
        if b.date() == e.date():
            return f"{day(b)}, {b:%H:%M}–{e:%H:%M}"
        return f"{day(b)}, {b:%H:%M} – {day(e)}, {e:%H:%M}"
    if b.date() == e.date():
        return day(b)
    if span.precision == "month":
        return f"{MONTHS[b.month - 1]} {b.year} – {MONTHS[e.month - 1]} {e.year}"
    return f"{day(b)} – {day(e)}"
