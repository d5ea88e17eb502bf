"""The command line as people use it: options anywhere, each command's exit codes, --json."""
from __future__ import annotations

import json

import pytest

from .conftest import edit_facts
from .test_build import kg


def test_global_options_work_after_the_command(mini_project, tmp_path):
    """`kg build --root X` and `kg --root X build` are the same command."""
    before = kg("--root", str(mini_project), "build", "--dist", str(tmp_path / "a"))
    after = kg("build", "--root", str(mini_project), "--dist", str(tmp_path / "b"), cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    assert after.returncode == 0, after.stderr
    assert (tmp_path / "a" / "kg.nq").read_bytes() == (tmp_path / "b" / "kg.nq").read_bytes()


def test_base_after_the_command_is_used(mini_project, tmp_path):
    r = kg("build", "--root", str(mini_project), "--base", "https://archive.example.edu/kg/",
           "--dist", str(tmp_path / "d"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    nq = (tmp_path / "d" / "kg.nq").read_text(encoding="utf-8")
    assert "<https://archive.example.edu/kg/document/900001>" in nq


def test_an_option_given_after_the_command_wins(mini_project, tmp_path):
    r = kg("--root", str(tmp_path / "nowhere"), "validate", "--root", str(mini_project), cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_validate_reports_as_validate(mini_project):
    r = kg("validate", "--root", str(mini_project))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("kg validate: ")
    assert "kg build" not in r.stdout


@pytest.mark.parametrize("command, has, lacks", [
    ("check", "1 a check failed", "5 "),
    ("query", "4 the SPARQL endpoint", "1 "),
    ("load", "4 the store is unreachable", "1 "),
    ("link", "4 the Wikidata API failed", "1 "),
    ("build", "1 SHACL violations", "4 "),
])
def test_each_command_lists_its_own_exit_codes(command, has, lacks):
    r = kg(command, "--help")
    assert r.returncode == 0, r.stderr
    codes = " ".join(r.stdout.split("exit codes:", 1)[1].split())
    assert has in codes
    assert f"; {lacks}" not in codes


def test_build_json_report(mini_project, tmp_path):
    r = kg("build", "--json", "--root", str(mini_project), "--dist", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["ok"] is True and rep["exit_code"] == 0 and rep["command"] == "build"
    assert rep["counts"]["documents"] == 1
    assert set(rep["documents"]) == {"900001"}
    assert rep["documents"]["900001"]["statements"] > 0
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == rep["files"]
    assert rep["violations"] == [] or all(v["severity"] != "Violation" for v in rep["violations"])


def test_json_report_of_bad_input_names_file_and_line(mini_project, tmp_path):
    edit_facts(mini_project, "kind: telegram", "kind: sonnet")
    r = kg("build", "--json", "--root", str(mini_project), "--dist", str(tmp_path / "d"))
    assert r.returncode == 2
    rep = json.loads(r.stdout)
    assert rep["ok"] is False and rep["exit_code"] == 2
    assert rep["error"]["file"].endswith("900001.yaml")
    assert rep["error"]["line"] == 2
    assert rep["error"]["field"] == "kind"
    assert "sonnet" in rep["error"]["message"]
    assert not (tmp_path / "d").exists()


def test_json_report_of_shacl_violations(mini_project, tmp_path):
    """A proposal is not participation: a participant on a planned event breaks a shape."""
    facts = mini_project / "data" / "documents" / "900001.yaml"
    facts.write_text(facts.read_text(encoding="utf-8")
                     + "  - {event: trip, participant: peng-dehuai, passage: Peng Dehuai could go.}\n",
                     encoding="utf-8")
    for command in ("build", "validate"):
        r = kg(command, "--json", "--root", str(mini_project))
        assert r.returncode == 1, (command, r.stderr)
        rep = json.loads(r.stdout)
        assert rep["ok"] is False and rep["exit_code"] == 1
        errors = [v for v in rep["violations"] if v["severity"] == "Violation"]
        assert errors, rep
        v = next(v for v in errors if v["shape"] == "kgsh:PlannedActivityShape")
        assert v["focus"] == "https://kg.example.org/event/trip"
        assert v["path"] == "crm:P11_had_participant"
        assert "900001.yaml:" in v["origin"]
    assert not (mini_project / "dist").exists()


def test_kg_serve_runs_and_stops_on_ctrl_c(tmp_path, corpus_dist):
    """The command as a user starts it: waitress on 127.0.0.1, a free port, Ctrl-C stops it cleanly."""
    import http.client
    import shutil
    import signal
    import subprocess
    import sys

    from .conftest import CORPUS
    project = tmp_path / "p"
    shutil.copytree(CORPUS, project)
    shutil.copytree(corpus_dist, project / "dist")
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--root", str(project), "--port", "0", "--workers", "1"],
                            cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "Ctrl-C stops" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/person/peng-dehuai", headers={"Accept": "text/turtle", "Accept-Encoding": "gzip"})
        r = conn.getresponse()
        assert r.status == 200 and r.getheader("Content-Encoding") == "gzip" and r.getheader("Server") == "kg"
        r.read()
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "kg serve: stopped" in err and "GET /person/peng-dehuai 200" in err


class _Counted:
    """What the summary reads of a build: the totals and each document's counts."""

    def __init__(self, n: int):
        self.n = n

    def counts(self):
        return {"documents": self.n, "triples": 100 * self.n}

    def document_counts(self):
        return {str(900000 + i): {"triples": 90 + i, "statements": 3, "names": 1} for i in range(self.n)}


def test_summary_lists_documents_of_a_small_project_and_sums_up_an_archive():
    from kg.cli import LISTED_DOCUMENTS, _summary

    small = _summary("build", _Counted(LISTED_DOCUMENTS)).splitlines()
    assert len(small) == 1 + LISTED_DOCUMENTS
    assert small[1] == "  document 900000: 90 triples, 3 statements, 1 names"
    big = _summary("build", _Counted(LISTED_DOCUMENTS + 1)).splitlines()
    assert big[0] == f"kg build: {LISTED_DOCUMENTS + 1} documents, {100 * (LISTED_DOCUMENTS + 1)} triples"
    assert big[1:] == [f"  {LISTED_DOCUMENTS + 1} documents, 90–{90 + LISTED_DOCUMENTS} triples each"
                       " (each document's counts: kg build --json)"]
