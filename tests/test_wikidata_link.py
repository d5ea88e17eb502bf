"""``kg link`` end to end on a copy of the corpus, against a real HTTP server on 127.0.0.1
that answers like the Wikidata API from tests/fixtures/wikidata/items/."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.settings import load_settings
from kg.wikidata import cli, review
from kg.wikidata.seed import match

from .conftest import CORPUS
from .wikibase_server import FakeWikibase, Fault

FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"
# Entities whose accepted link the tests remove, so that kg link looks for them again.
RELINK = ("mao-zedong", "peng-dehuai", "kim-il-sung", "cpsu-cc-presidium")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / "data", tmp_path / "data")
    shutil.copy(CORPUS / "kg.toml", tmp_path / "kg.toml")
    path = tmp_path / "data" / review.PATH
    review.write(path, [r for r in review.read(path) if r.key not in RELINK])
    return tmp_path


@pytest.fixture()
def wikibase():
    with FakeWikibase() as wb:
        yield wb


def kg_link(root: Path, *argv: str, wb: FakeWikibase | None = None) -> int:
    """Run ``kg link`` as the CLI does (exit code of a KgError included)."""
    p = argparse.ArgumentParser(prog="kg link")
    cli.add_arguments(p)
    if wb is not None:
        argv = ("--endpoint", wb.endpoint, "--contact", "tests@example.org", "--retries", "2",
                "--backoff", "0.01", *argv)
    args = p.parse_args(argv)
    try:
        return cli.run(args, load_settings(root))
    except KgError as e:
        print(f"kg link: error: {e}")
        return e.exit_code


def rows(root: Path) -> dict[tuple[str, str], review.Row]:
    return {(r.key, r.qid): r for r in review.read(root / "data" / review.PATH)}


def review_bytes(root: Path) -> bytes:
    return (root / "data" / review.PATH).read_bytes()


# ---------------------------------------------------------------- finding candidates

def test_picks_the_right_candidates_and_only_proposes(project, wikibase, capsys):
    before = rows(project)
    assert kg_link(project, wb=wikibase) == 0
    after = rows(project)
    proposed = {k: r for k, r in after.items() if k not in before}
    assert ("peng-dehuai", "Q381823") in proposed and ("mao-zedong", "Q5816") in proposed
    assert ("kim-il-sung", "Q41117") in proposed and ("cpsu-cc-presidium", "Q842008") in proposed
    assert ("gary-goldberg", "Q900000001") in proposed
    # Never a link: every new row is a proposal by kg link; the decided rows are untouched.
    assert {r.status for r in proposed.values()} == {"proposed"}
    assert {r.by for r in proposed.values()} == {"kg link"}
    assert {k: r for k, r in after.items() if k in before and r.status != "proposed"} == \
        {k: r for k, r in before.items() if r.status != "proposed"}
    peng = after["peng-dehuai", "Q381823"]
    assert peng.score == 1.0 and peng.feature("type") == 1.0 and peng.feature("dates") == 1.0
    assert peng.feature("country") == 1.0 and peng.label == "Peng Dehuai"
    assert after["mao-zedong", "Q5816"].feature("party") == 1.0     # "Chairman of the Chinese Communist Party"
    # The probable seed row is scored now, its note kept.
    mikoyan = after["anastas-mikoyan", "Q152738"]
    assert mikoyan.status == "proposed" and mikoyan.score == 1.0 and mikoyan.by == "seed: wikidata.tsv"
    assert mikoyan.evidence.startswith("probable in the list") and "| kg link: name 1.00" in mikoyan.evidence
    assert "1 new proposal" not in capsys.readouterr().out


def test_a_name_found_only_through_an_alias(project, wikibase):
    kg_link(project, "cpsu-cc-presidium", wb=wikibase)
    searches = wikibase.calls("wbsearchentities")
    assert {s.params["search"] for s in searches} == {"Presidium of the CPSU Central Committee", "CPSU CC Presidium"}
    row = rows(project)["cpsu-cc-presidium", "Q842008"]
    assert row.label == "Politburo of the Communist Party of the Soviet Union"
    assert row.feature("name") == 1.0 and "alias 'Presidium of the CPSU Central Committee'" in row.evidence
    assert row.feature("part_of") == 1.0            # part of the CPSU CC (Q1971373), as the registry says


def test_the_homonym_ranks_lower_and_is_not_proposed(project, wikibase, capsys):
    kg_link(project, "gary-goldberg", "--verbose", wb=wikibase)
    out = capsys.readouterr().out
    got = rows(project)
    assert ("gary-goldberg", "Q900000001") in got
    assert ("gary-goldberg", "Q932508") not in got and ("gary-goldberg", "Q900000003") not in got
    lines = [ln for ln in out.splitlines() if ln.startswith("  gary-goldberg: ")]
    assert [ln.split()[1] for ln in lines] == ["Q900000001", "Q932508", "Q900000003"]
    assert "Q932508 0.40 below 0.50" in lines[1]
    assert "role 0.00: registry: translation; item 'American television producer and writer (1944–2013)': " \
           "entertainment" in out and "score capped at 0.40 by role" in out
    assert "P31 Q4167410 'Wikimedia disambiguation page' is not an entity" in out


def test_a_place_named_like_a_person_scores_low(project, wikibase, capsys):
    kg_link(project, "mao-zedong", "--verbose", wb=wikibase)
    out = capsys.readouterr().out
    assert ("mao-zedong", "Q900000002") not in rows(project)
    assert "Q900000002 0.20 below 0.50" in out
    assert "type 0.00: P31 Q532 'village' is a place class, not a person" in out


def test_a_rejected_candidate_is_never_proposed_again(project, wikibase):
    assert kg_link(project, "--reject", "peng-dehuai", "Q381823", "--by", "tester", "--evidence", "test") == 0
    kg_link(project, "peng-dehuai", wb=wikibase)
    row = rows(project)["peng-dehuai", "Q381823"]
    assert row.status == "rejected" and row.by == "tester"


def test_the_cache_makes_a_rerun_free_and_offline_works(project, wikibase, tmp_path):
    cache = str(tmp_path / "cache")
    kg_link(project, "--cache", cache, wb=wikibase)
    first = review_bytes(project)
    n = len(wikibase.seen)
    assert n > 0
    kg_link(project, "--cache", cache, wb=wikibase)
    assert len(wikibase.seen) == n and review_bytes(project) == first
    assert kg_link(project, "--cache", cache, "--offline", "--endpoint", wikibase.endpoint) == 0
    assert len(wikibase.seen) == n


def test_entities_are_fetched_in_batches(project, wikibase):
    kg_link(project, wb=wikibase)
    calls = wikibase.calls("wbgetentities")
    assert calls and all(len(c.params["ids"].split("|")) <= 50 for c in calls)
    assert all(c.params["maxlag"] == "5" for c in wikibase.seen)


# ---------------------------------------------------------------- faults never make links

def test_transient_faults_are_survived_and_make_no_link(project, wikibase, tmp_path):
    wikibase.script(Fault("wbsearchentities", 429, {"Retry-After": "1"}, b""),
                    Fault("wbsearchentities", 500, body=b"oops"),
                    Fault("wbsearchentities", body=b"{not json"),
                    Fault("wbgetentities", delay=1.0),
                    Fault("wbgetentities", 502, body=b"bad gateway"))
    accepted_before = {k for k, r in rows(project).items() if r.status == "accepted"}
    assert kg_link(project, "--timeout", "0.3", "--retries", "4", "--cache", str(tmp_path / "c"), wb=wikibase) == 0
    assert wikibase.faults == []                     # every fault was played
    after = rows(project)
    assert {k for k, r in after.items() if r.status == "accepted"} == accepted_before
    assert after["peng-dehuai", "Q381823"].status == "proposed"


@pytest.mark.parametrize("fault", [
    Fault(None, 500, body=b"oops"),
    Fault(None, body=b"<html>proxy</html>"),
    Fault("wbgetentities", 503, {"Retry-After": "0"}, b""),
], ids=["500", "malformed-json", "503-on-entities"])
def test_a_persistent_fault_fails_cleanly_and_writes_nothing(project, wikibase, fault, tmp_path, capsys):
    before = review_bytes(project)
    wikibase.script(*[fault] * 200)
    assert kg_link(project, "--cache", str(tmp_path / "c"), wb=wikibase) == 4
    assert "giving up" in capsys.readouterr().out
    assert review_bytes(project) == before


def test_no_contact_fails_before_any_request(project, wikibase, capsys):
    assert kg_link(project, "--endpoint", wikibase.endpoint) == 2
    assert "no contact for the User-Agent" in capsys.readouterr().out and wikibase.seen == []


def test_contact_and_endpoint_from_kg_toml(project, wikibase):
    toml = project / "kg.toml"
    toml.write_text(toml.read_text(encoding="utf-8") +
                    f'\n[wikidata]\ncontact = "toml@example.org"\nendpoint = "{wikibase.endpoint}"\nmaxlag = 3\n',
                    encoding="utf-8")
    assert kg_link(project, "peng-dehuai", "--no-cache") == 0
    seen = wikibase.seen[0]
    assert "(toml@example.org)" in seen.headers["User-Agent"] and seen.params["maxlag"] == "3"


# ---------------------------------------------------------------- decisions

def test_accept_and_reject_edit_the_file_deterministically(project, wikibase):
    kg_link(project, "gary-goldberg", "--min-score", "0", "--no-cache", wb=wikibase)
    assert {q for k, q in rows(project) if k == "gary-goldberg"} == {"Q900000001", "Q932508", "Q900000003"}
    assert kg_link(project, "--accept", "gary-goldberg", "Q900000001", "--by", "A. Reviewer") == 0
    got = rows(project)
    accepted = got["gary-goldberg", "Q900000001"]
    assert accepted.status == "accepted" and accepted.by == "A. Reviewer"
    assert accepted.evidence == "accepted the proposal (score 1.00)" and accepted.score == 1.0
    assert got["gary-goldberg", "Q932508"].status == "rejected"
    assert got["gary-goldberg", "Q932508"].evidence == "Q900000001 was accepted for gary-goldberg"
    text = review_bytes(project)
    # The same decision again changes nothing; the rows stay sorted by key, then QID number.
    kg_link(project, "--accept", "gary-goldberg", "Q900000001", "--by", "A. Reviewer")
    assert review_bytes(project) == text
    keys = [(r.key, int(r.qid[1:])) for r in review.read(project / "data" / review.PATH)]
    assert keys == sorted(keys)
    # A second link for the same entity is refused until the first is rejected.
    assert kg_link(project, "--accept", "gary-goldberg", "Q932508", "--by", "B") == 2
    assert kg_link(project, "--reject", "gary-goldberg", "Q900000001", "--by", "B", "--evidence", "wrong") == 0
    assert rows(project)["gary-goldberg", "Q900000001"].status == "rejected"


def test_accept_checks_key_qid_and_evidence(project, capsys):
    assert kg_link(project, "--accept", "no-such-key", "Q1", "--by", "x") == 2
    assert kg_link(project, "--accept", "zhou-enlai", "17410", "--by", "x") == 2
    assert kg_link(project, "--accept", "zhou-enlai", "Q17410", "--by", "x") == 2     # never proposed
    assert "say why it is the same entity" in capsys.readouterr().out
    assert kg_link(project, "--accept", "zhou-enlai", "Q17410", "--by", "x", "--evidence", "checked") == 0
    row = rows(project)["zhou-enlai", "Q17410"]
    assert (row.status, row.by, row.evidence) == ("accepted", "x", "checked")


def test_accepting_makes_a_link_that_the_build_publishes(project):
    from kg.facts import load_facts
    assert load_facts(project / "data").entities["anastas-mikoyan"].wikidata is None    # proposed only
    kg_link(project, "--accept", "anastas-mikoyan", "Q152738", "--by", "x", "--evidence", "checked")
    assert load_facts(project / "data").entities["anastas-mikoyan"].wikidata == "Q152738"


# ---------------------------------------------------------------- report and seed

def test_report_prints_counts_and_open_proposals(capsys):
    assert kg_link(CORPUS, "--report") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "kg link: 19 linked, 1 proposed, 43 unlinked (63 entities)"
    assert out[1].split() == ["persons", "5", "linked", "1", "proposed", "14", "unlinked"]
    assert out[3].split() == ["places", "9", "linked", "0", "proposed", "0", "unlinked"]
    assert "  anastas-mikoyan (person: Anastas Mikoyan)" in out
    assert any(ln.strip().startswith("Q152738") for ln in out)


def test_seed_accepts_verified_and_proposes_probable(project, capsys):
    (project / "data" / review.PATH).unlink()
    assert kg_link(project, "--seed", str(FIXTURES / "list.tsv")) == 0
    got = rows(project)
    assert got["beijing", "Q956"].status == "accepted"
    assert got["beijing", "Q956"].evidence == "seeded from the verified list"
    assert got["beijing", "Q956"].by == "seed: list.tsv"
    assert got["cpsu-cc-presidium", "Q842008"].status == "accepted"
    assert got["north-korea", "Q423"].status == "accepted"
    assert got["anastas-mikoyan", "Q152738"].status == "proposed"
    assert not any(k == "zhou-enlai" for k, _ in got)
    out = capsys.readouterr().out
    assert "Zhou Enlai: unknown, left for kg link" in out
    assert "Russian: a language, not a registry entity; skipped" in out
    assert "Korean Peninsula: no place of the registry has this name; skipped" in out
    # Seeding twice changes nothing.
    text = review_bytes(project)
    kg_link(project, "--seed", str(FIXTURES / "list.tsv"))
    assert review_bytes(project) == text


def test_the_committed_review_file_is_the_seed_of_the_verified_list(project):
    """data/wikidata/review.tsv as committed: the verified list seeded (plus later decisions)."""
    committed = rows(CORPUS)
    seeded = {k: r for k, r in committed.items() if r.by == "seed: wikidata.tsv"}
    assert {k for k, r in seeded.items() if r.status == "accepted"} == {
        ("mao-zedong", "Q5816"), ("liu-shaoqi", "Q16988"), ("deng-xiaoping", "Q16977"),
        ("peng-dehuai", "Q381823"), ("kim-il-sung", "Q41117"), ("cpsu", "Q79854"),
        ("cpsu-central-committee", "Q1971373"), ("cpsu-cc-presidium", "Q842008"), ("ccp", "Q17427"),
        ("kwp", "Q49623"), ("beijing", "Q956"), ("pyongyang", "Q18808"), ("moscow", "Q649"),
        ("korea", "Q18097"), ("north-korea", "Q423"), ("south-korea", "Q884"), ("soviet-union", "Q15180"),
        ("china", "Q148"), ("yugoslavia", "Q36704")}


def test_seed_matches_names_with_parentheses():
    from kg.facts import load_facts
    entities = load_facts(CORPUS / "data").entities
    assert match("Politburo (Presidium) of the CPSU Central Committee", "group", entities) == "cpsu-cc-presidium"
    assert match("North Korea (DPRK)", "place", entities) == "north-korea"
    assert match("State Archive of the Russian Federation (GARF)", "group", entities) == "garf"
    assert match("Korean Peninsula", "place", entities) is None


def test_an_item_accepted_for_one_entity_is_not_proposed_for_another(project, wikibase):
    kg_link(project, "--accept", "zhou-enlai", "Q381823", "--by", "x", "--evidence", "deliberately wrong")
    kg_link(project, "peng-dehuai", wb=wikibase)
    assert not [q for k, q in rows(project) if k == "peng-dehuai"]


def test_progress_over_the_entities_searched(project, wikibase, capsys, monkeypatch):
    monkeypatch.setenv("KG_PROGRESS", "1")
    assert kg_link(project, "peng-dehuai", "mao-zedong", wb=wikibase) == 0
    err = capsys.readouterr().err
    assert "kg: searching Wikidata" in err and "/2 " in err
