"""``kg link --json``: one JSON report on stdout for every mode, run as a user runs kg (a
subprocess) against the fake Wikibase on 127.0.0.1 that the link tests use."""
from __future__ import annotations

import json

from .conftest import CORPUS
from .test_build import kg
from .test_wikidata_link import project, review_bytes, rows, wikibase  # noqa: F401 - fixtures
from .wikibase_server import Fault

PROGRESS = {"KG_PROGRESS": "1"}   # a terminal, as far as the bars know: --json must still keep them off


def link_json(root, *argv, wb=None):
    net = ("--endpoint", wb.endpoint, "--contact", "tests@example.org", "--retries", "2",
           "--backoff", "0.01") if wb is not None else ()
    r = kg("link", "--json", "--root", str(root), *net, *argv, env=PROGRESS)
    assert "Traceback" not in r.stderr, r.stderr
    return r, json.loads(r.stdout)


def test_a_proposing_run_reports_searches_scores_and_http(project, wikibase):  # noqa: F811
    r, rep = link_json(project, "--no-cache", "peng-dehuai", "gary-goldberg", "liu-shaoqi", wb=wikibase)
    assert r.returncode == 0, r.stderr
    assert (rep["command"], rep["mode"], rep["ok"], rep["exit_code"]) == ("link", "propose", True, 0)
    assert rep["searched"] == 2 and [e["key"] for e in rep["entities"]] == ["gary-goldberg", "peng-dehuai"]
    assert rep["skipped"] == [{"key": "liu-shaoqi", "qid": "Q16988"}]       # already linked
    new = {(p["key"], p["qid"]): p for p in rep["new"]}
    assert set(new) == {(k, q) for (k, q), row in rows(project).items() if row.by == "kg link"}
    peng = new["peng-dehuai", "Q381823"]
    assert peng["score"] == 1.0 and peng["status"] == "proposed" and peng["features"]["dates"] == 1.0
    gary = next(e for e in rep["entities"] if e["key"] == "gary-goldberg")
    homonym = next(c for c in gary["candidates"] if c["qid"] == "Q932508")
    assert homonym["score"] == 0.4 and homonym["below_min_score"] and not homonym["proposed"]
    assert "score capped at 0.40 by role" in homonym["explain"]
    assert {s["text"] for s in gary["searches"]} >= {"Gary Goldberg"}
    assert rep["http"]["requests"] == len(wikibase.seen) > 0 and rep["http"]["retries"] == 0
    assert rep["written"] is True and rep["review"] == "data/wikidata/review.tsv"
    assert "kg: searching" not in r.stderr          # no bar in a --json run, even on a terminal


def test_the_report_mode_gives_counts_and_open_proposals():
    r, rep = link_json(CORPUS, "--report")
    assert r.returncode == 0 and rep["mode"] == "report"
    text = kg("link", "--report", "--root", str(CORPUS)).stdout.splitlines()
    c = rep["counts"]
    assert text[0] == (f"kg link: {c['linked']} linked, {c['proposed']} proposed, "
                       f"{c['unlinked']} unlinked ({rep['entities']} entities)")
    assert rep["kinds"]["person"] == {"linked": 5, "proposed": 1, "unlinked": 14}
    assert [(o["key"], o["kind"], [p["qid"] for p in o["proposals"]]) for o in rep["open"]] == \
        [("anastas-mikoyan", "person", ["Q152738"])]


def test_accept_and_reject_report_the_decision(project):  # noqa: F811
    r, rep = link_json(project, "--accept", "anastas-mikoyan", "Q152738", "--by", "A. Reviewer",
                       "--evidence", "dates checked")
    assert r.returncode == 0, r.stderr
    assert rep["mode"] == "accept" and rep["written"] is True
    d = rep["decision"]
    assert (d["key"], d["qid"], d["status"], d["by"]) == ("anastas-mikoyan", "Q152738", "accepted", "A. Reviewer")
    assert d["evidence"] == "dates checked"
    r, rep = link_json(project, "--accept", "anastas-mikoyan", "Q152738", "--by", "A. Reviewer",
                       "--evidence", "dates checked")
    assert rep["written"] is False                  # the same decision again changes nothing
    r, rep = link_json(project, "--reject", "anastas-mikoyan", "Q152738", "--by", "B", "--evidence", "wrong man")
    assert rep["mode"] == "reject" and rep["decision"]["status"] == "rejected"
    assert rep["decision"]["evidence"] == "wrong man"
    assert rows(project)["anastas-mikoyan", "Q152738"].status == "rejected"


def test_bad_input_is_a_json_error_naming_the_field(project):  # noqa: F811
    before = review_bytes(project)
    r, rep = link_json(project, "--accept", "no-such-key", "Q1", "--by", "x")
    assert r.returncode == 2 and rep["ok"] is False and rep["exit_code"] == 2
    assert rep["command"] == "link" and rep["error"]["field"] == "KEY"
    assert "no-such-key" in rep["error"]["message"] and "no-such-key" in r.stderr
    assert review_bytes(project) == before


def test_a_failing_api_is_a_json_error_with_exit_4(project, wikibase, tmp_path):  # noqa: F811
    before = review_bytes(project)
    wikibase.script(*[Fault(None, 500, body=b"oops")] * 50)
    r, rep = link_json(project, "--cache", str(tmp_path / "c"), "peng-dehuai", wb=wikibase)
    assert r.returncode == 4 and rep["exit_code"] == 4 and rep["ok"] is False
    assert "giving up" in rep["error"]["message"] and "HTTP 500" in rep["error"]["message"]
    assert review_bytes(project) == before
