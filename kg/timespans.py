"""Dates as curated (``1956``, ``1956-09``, ``1956-09-18``, ``1956-09-18T18:00``) → spans,
and what a source says of an activity's time → :class:`Bounds`.

A value known to a given precision spans that whole unit: a day is 00:00:00 to 23:59:59,
a month runs from its first to the end of its last day. A time of day (to the minute or
second) is an instant. Times are local, as the source states them: no offset is added.

An activity's time is four bounds, as CIDOC-CRM's E52 Time-Span has them: the begin lies
between ``begin_earliest`` (P82a) and ``begin_latest`` (P81a), the end between
``end_earliest`` (P81b) and ``end_latest`` (P82b). Each is known only if the source says
so: "began on 19 September" gives the begin's two bounds and nothing about the end; "by
18 September" gives only the latest end. Nothing is filled in that was not stated.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
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


def instant_or_unit(span: Span) -> tuple[datetime, datetime]:
    """The first and last moment ``span`` may denote: a time of day is one instant."""
    if span.precision in ("minute", "second"):
        return span.begin, span.begin
    return span.begin, span.end


@dataclass(frozen=True)
class Bounds:
    """What is known of an activity's time: CRM's four bounds (``None``: not stated), the
    precision of the begin and end as stated (for schema.org dates), and whether the
    source gives them as approximate."""

    begin_earliest: datetime | None = None   # P82a_begin_of_the_begin
    begin_latest: datetime | None = None     # P81a_end_of_the_begin
    end_earliest: datetime | None = None     # P81b_begin_of_the_end
    end_latest: datetime | None = None       # P82b_end_of_the_end
    begin_stated: Span | None = None         # the begin as a date of some precision
    end_stated: Span | None = None           # the end as a date of some precision
    within: Span | None = None               # "on" / "during": the whole activity within this
    approximate: bool = False
    limits: tuple[tuple[str, Span], ...] = ()  # ("after" | "before" | "by", date) as stated

    @property
    def known(self) -> tuple[datetime, ...]:
        return tuple(t for t in (self.begin_earliest, self.begin_latest, self.end_earliest, self.end_latest)
                     if t is not None)

    def years(self) -> set[int]:
        return {t.year for t in self.known}


def within(span: Span, approximate: bool = False) -> Bounds:
    """The activity took place within ``span`` (begin and end both inside it)."""
    first, last = instant_or_unit(span)
    return Bounds(begin_earliest=first, end_latest=last, within=span, approximate=approximate)


def bounds(*, on: str | None = None, between: tuple[str, str] | None = None, begin: str | None = None,
           end: str | None = None, after: str | None = None, before: str | None = None, by: str | None = None,
           approximate: bool = False) -> Bounds:
    """Bounds from what a source states; raise ``ValueError`` saying which field is wrong.

    ``on``: the whole activity within that date; ``between``: within the first date's start
    and the second's end (an uncertain range). ``begin`` / ``end``: it began / ended at
    that date (a day, a month … or an instant). ``after``: it began after that date ended.
    ``before``: it ended before that date began; ``by``: it ended by the end of that date.
    ``begin`` and ``end`` may also be the words ``unknown`` (say so explicitly) or be left out.
    """
    if on is not None or between is not None:
        if sum(v is not None for v in (on, between, begin, end, after, before, by)) > 1:
            raise ValueError("'on' and 'between' say the whole activity fell within one stretch of time: "
                             "give one of them alone (or use begin/end, after, before/by instead)")
        if on is not None:
            return within(parse(on), approximate)
        first, last = parse(between[0]), parse(between[1])
        if instant_or_unit(last)[1] < first.begin:
            raise ValueError("'between': the second date comes before the first")
        return replace(within(Span(first.begin, instant_or_unit(last)[1], first.precision), approximate),
                       limits=(("between", first), ("and", last)))
    b_span = None if begin in (None, UNKNOWN) else parse(begin)
    e_span = None if end in (None, UNKNOWN) else parse(end)
    if b_span is not None and after is not None:
        raise ValueError("give either 'begin' or 'after', not both")
    if e_span is not None and (before is not None or by is not None):
        raise ValueError("give either 'end' or 'before'/'by', not both")
    if before is not None and by is not None:
        raise ValueError("give either 'before' or 'by', not both")
    be = bl = ee = el = None
    limits = []
    if b_span is not None:
        be, bl = instant_or_unit(b_span)
    elif after is not None:
        limits.append(("after", parse(after)))
        be = instant_or_unit(limits[-1][1])[1]
    if e_span is not None:
        ee, el = instant_or_unit(e_span)
    elif before is not None:
        limits.append(("before", parse(before)))
        el = instant_or_unit(limits[-1][1])[0]
    elif by is not None:
        limits.append(("by", parse(by)))
        el = instant_or_unit(limits[-1][1])[1]
    out = Bounds(be, bl, ee, el, b_span, e_span, None, approximate, tuple(limits))
    if not out.known:
        raise ValueError("nothing is said of the time: give on, begin, end, after, before or by")
    if be is not None and el is not None and el < be:
        raise ValueError("the end comes before the begin")
    return out


UNKNOWN = "unknown"


def bounds_label(b: Bounds) -> str:
    """A reader's label: '18 September 1956, 18:00–22:00', 'from 19 September 1956, 07:00',
    'after August 1956', 'by 18 September 1956', 'c. 1956'."""
    about = "c. " if b.approximate else ""
    if b.within is not None and b.limits:
        (_, first), (_, last) = b.limits
        return f"{about}between {label(first)} and {label(last)}"
    if b.within is not None:
        return about + label(b.within)
    if b.begin_stated is not None and b.end_stated is not None:
        first = instant_or_unit(b.begin_stated)[0]
        last = instant_or_unit(b.end_stated)[1]
        precision = b.begin_stated.precision
        return about + label(Span(first, last, precision))
    parts = []
    if b.begin_stated is not None:
        parts.append("from " + about + label(b.begin_stated))
    if b.end_stated is not None:
        parts.append("until " + about + label(b.end_stated))
    parts += [f"{word} {about}{label(span)}" for word, span in b.limits]
    return ", ".join(parts)


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
