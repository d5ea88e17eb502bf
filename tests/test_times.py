"""Dates as historians state them: begin only, end only, by / before / after a date,
approximate dates and uncertain ranges — published as the E52 bounds the source gives,
never an invented end of day."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import timespans
from kg.cli import main

from .conftest import edit_facts, published
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SDO = "http://schema.org/"
BOUNDS = {"P82a": CRM + "P82a_begin_of_the_begin", "P81a": CRM + "P81a_end_of_the_begin",
          "P81b": CRM + "P81b_begin_of_the_end", "P82b": CRM + "P82b_end_of_the_end"}


def dt(s: str) -> datetime:
    return datetime.fromisoformat(s)


@pytest.mark.parametrize("kw, expected, label", [
    ({"on": "1956-08"}, ("1956-08-01T00:00", None, None, "1956-08-31T23:59:59"), "August 1956"),
    ({"begin": "1956-09-18T18:00", "end": "1956-09-18T22:00"},
     ("1956-09-18T18:00", "1956-09-18T18:00", "1956-09-18T22:00", "1956-09-18T22:00"), "18 September 1956, 18:00–22:00"),
    ({"begin": "1956-09-19", "end": "unknown"}, ("1956-09-19T00:00", "1956-09-19T23:59:59", None, None),
     "from 19 September 1956"),
    ({"begin": "unknown", "end": "1956-09-20"}, (None, None, "1956-09-20T00:00", "1956-09-20T23:59:59"),
     "until 20 September 1956"),
    ({"by": "1956-09-18"}, (None, None, None, "1956-09-18T23:59:59"), "by 18 September 1956"),
    ({"before": "1956-09-18"}, (None, None, None, "1956-09-18T00:00"), "before 18 September 1956"),
    ({"after": "1956-08", "by": "1956-09-18"}, ("1956-08-31T23:59:59", None, None, "1956-09-18T23:59:59"),
     "after August 1956, by 18 September 1956"),
    ({"between": ("1956-09", "1956-09-16")}, ("1956-09-01T00:00", None, None, "1956-09-16T23:59:59"),
     "between September 1956 and 16 September 1956"),
    ({"on": "1956", "approximate": True}, ("1956-01-01T00:00", None, None, "1956-12-31T23:59:59"), "c. 1956"),
])
def test_bounds_are_what_is_stated(kw, expected, label):
    b = timespans.bounds(**kw)
    got = (b.begin_earliest, b.begin_latest, b.end_earliest, b.end_latest)
    assert got == tuple(None if e is None else dt(e) for e in expected)
    assert timespans.bounds_label(b) == label


@pytest.mark.parametrize("kw, words", [
    ({}, "nothing is said"),
    ({"on": "1956", "begin": "1956"}, "alone"),
    ({"begin": "1956-09-19", "after": "1956-08"}, "either 'begin' or 'after'"),
    ({"end": "1956-09-19", "by": "1956-10"}, "either 'end' or 'before'/'by'"),
    ({"begin": "1956-09-19", "end": "1956-09-18"}, "before the begin"),
    ({"between": ("1956-09-19", "1956-09-18")}, "before the first"),
])
def test_contradictions_are_refused(kw, words):
    with pytest.raises(ValueError, match=words):
        timespans.bounds(**kw)


# ---------------------------------------------------------------- through kg build

TRIP = """    time:
      begin: 1956-09-19T07:00
      end: unknown
      stated: 19 August [SIC]
      stated_begin: 1956-08-19T07:00
      correction: The telegram of 18 September plans the flight for the next morning.
"""


@pytest.fixture
def project(mini_project):
    return mini_project


def set_trip_time(project: Path, block: str) -> None:
    """Replace the trip's time (and its date correction) by ``block``."""
    edit_facts(project, TRIP, block)


def build(project: Path, capsys) -> tuple[int, str]:
    code = main(["--root", str(project), "build"])
    return code, capsys.readouterr().err


def trip(project: Path) -> tuple[dict, dict]:
    store = published(project)
    event = "https://kg.example.org/event/trip"
    span = ox.NamedNode(event + "/time")
    bounds = {k: next((q.object.value for q in store.quads_for_pattern(span, ox.NamedNode(p), None)), None)
              for k, p in BOUNDS.items()}
    dates = {k: next((q.object.value for q in store.quads_for_pattern(ox.NamedNode(event), ox.NamedNode(SDO + k), None)),
                     None) for k in ("startDate", "endDate")}
    types = {q.object.value for q in store.quads_for_pattern(span, ox.NamedNode(CRM + "P2_has_type"), None)}
    bounds["approximate"] = any(t.endswith("/type/approximate") for t in types)
    return bounds, dates


def test_a_begin_with_no_known_end_publishes_no_end(project, capsys):
    code, err = build(project, capsys)
    assert code == 0, err
    bounds, dates = trip(project)
    assert bounds == {"P82a": "1956-09-19T07:00:00", "P81a": "1956-09-19T07:00:00", "P81b": None, "P82b": None,
                      "approximate": False}
    assert dates == {"startDate": "1956-09-19T07:00:00", "endDate": None}


@pytest.mark.parametrize("block, bounds, dates", [
    ("    time: {by: 1956-09-25}\n",
     {"P82a": None, "P81a": None, "P81b": None, "P82b": "1956-09-25T23:59:59", "approximate": False},
     {"startDate": None, "endDate": None}),
    ("    time: {after: 1956-09-18, before: 1956-10}\n",
     {"P82a": "1956-09-18T23:59:59", "P81a": None, "P81b": None, "P82b": "1956-10-01T00:00:00", "approximate": False},
     {"startDate": None, "endDate": None}),
    ("    time: {begin: unknown, end: 1956-09-24}\n",
     {"P82a": None, "P81a": None, "P81b": "1956-09-24T00:00:00", "P82b": "1956-09-24T23:59:59", "approximate": False},
     {"startDate": None, "endDate": "1956-09-24"}),
    ("    time: {on: 1956-09, approximate: true}\n",
     {"P82a": "1956-09-01T00:00:00", "P81a": None, "P81b": None, "P82b": "1956-09-30T23:59:59", "approximate": True},
     {"startDate": "1956-09", "endDate": "1956-09"}),
    ("    time: {between: [1956-09-19, 1956-09-24]}\n",
     {"P82a": "1956-09-19T00:00:00", "P81a": None, "P81b": None, "P82b": "1956-09-24T23:59:59", "approximate": False},
     {"startDate": "1956-09-19", "endDate": "1956-09-24"}),
])
def test_each_form_builds_validates_and_publishes_its_bounds(project, capsys, block, bounds, dates):
    set_trip_time(project, block)
    code, err = build(project, capsys)
    assert code == 0, err
    assert trip(project) == (bounds, dates)


@pytest.mark.parametrize("block, field, words", [
    ("    time: {begin: 1956-09-19T07:00}\n", "begin", "the end is not said"),
    ("    time: {end: 1956-09-24}\n", "end", "the begin is not said"),
    ("    time: {after: unknown}\n", "after", "only 'begin' and 'end' can be 'unknown'"),
    ("    time: {between: 1956-09}\n", "between", "expected two dates"),
    ("    time: {on: 1956-09, approximate: maybe}\n", "approximate", "expected true or false"),
    ("    time: {on: 1956-09-31}\n", "on", "not a real date"),
    ("    time: {note: no date at all}\n", "time", "say what the source states"),
])
def test_unclear_times_are_refused_with_file_line_and_field(project, capsys, block, field, words):
    set_trip_time(project, block)
    code, err = build(project, capsys)
    assert code == 2, err
    assert "900001.yaml:" in err and words in err
    if field != "time":
        assert f"field '{field}'" in err
