"""The build as a user runs it: the CLI, exit codes, determinism, atomic writes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, ROOT


def kg(*args: str, env: dict | None = None, cwd: Path = CORPUS) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the project's inputs, to break at will."""
    shutil.copytree(CORPUS / "data", tmp_path / "data")
    shutil.copy(CORPUS / "kg.toml", tmp_path / "kg.toml")
    return tmp_path


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_two_builds_under_different_hash_seeds_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ra = kg("build", "--dist", str(a), env={"PYTHONHASHSEED": "1"})
    rb = kg("build", "--dist", str(b), env={"PYTHONHASHSEED": "4242"})
    assert ra.returncode == 0, ra.stderr
    assert rb.returncode == 0, rb.stderr
    fa, fb = files_of(a), files_of(b)
    assert set(fa) == set(fb)
    assert [n for n in fa if fa[n] != fb[n]] == []


def test_build_prints_a_summary_per_kind_and_per_document(project):
    r = kg("--root", str(project), "build")
    assert r.returncode == 0, r.stderr
    assert "persons" in r.stdout and "events" in r.stdout and "evidence" in r.stdout
    assert "document 121799:" in r.stdout and "document 121976:" in r.stdout
    assert (project / "dist" / "kg.ttl").exists()
    assert not [p for p in project.iterdir() if p.name.startswith(".dist.")], "temporary folders left behind"


def test_source_date_epoch_sets_the_build_time(project):
    r = kg("--root", str(project), "build", env={"SOURCE_DATE_EPOCH": "86400"})
    assert r.returncode == 0, r.stderr
    assert "1970-01-02T00:00:00" in (project / "dist" / "void.ttl").read_text()


def test_a_failed_build_leaves_the_previous_dist_untouched(project):
    assert kg("--root", str(project), "build").returncode == 0
    before = files_of(project / "dist")
    facts = project / "data" / "documents" / "121799.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("Our delegation", "Their delegation", 1),
                     encoding="utf-8")
    r = kg("--root", str(project), "build")
    assert r.returncode == 2
    assert "121799.yaml" in r.stderr and "not in the translation text" in r.stderr
    assert files_of(project / "dist") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".dist.")]


def test_validate_writes_nothing_and_says_it_conforms(project):
    r = kg("--root", str(project), "validate")
    assert r.returncode == 0, r.stderr
    assert "conforms" in r.stdout
    assert not (project / "dist").exists()


def test_bad_input_exits_2_with_file_and_line(project):
    (project / "data" / "registry.yaml").write_text("persons:\n  mao-zedong: [unclosed\n", encoding="utf-8")
    r = kg("--root", str(project), "validate")
    assert r.returncode == 2
    assert "registry.yaml:" in r.stderr and "not valid YAML" in r.stderr


def test_help_everywhere():
    for args in ([], ["build"], ["validate"], ["query"]):
        r = kg(*args, "--help")
        assert r.returncode == 0
        assert "exit codes" in r.stdout


def test_query_prints_table_csv_and_json(corpus_dist):
    q = ("PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> PREFIX schema: <http://schema.org/> "
         "SELECT ?name WHERE { ?d a crm:E31_Document ; schema:identifier ?name } ORDER BY ?name")
    table = kg("query", "--dist", str(corpus_dist), q)
    assert table.returncode == 0, table.stderr
    assert "121799" in table.stdout and "(2 rows)" in table.stdout
    csv = kg("query", "--dist", str(corpus_dist), "--format", "csv", q)
    assert csv.stdout.splitlines() == ["name", "121799", "121976"]
    js = kg("query", "--dist", str(corpus_dist), "--format", "json", q)
    import json
    assert json.loads(js.stdout) == [{"name": "121799"}, {"name": "121976"}]


def test_query_syntax_error_exits_2(corpus_dist):
    r = kg("query", "--dist", str(corpus_dist), "SELECT WHERE {")
    assert r.returncode == 2
    assert "SPARQL syntax error" in r.stderr


def test_a_shacl_violation_fails_the_build_with_a_readable_report(tmp_path):
    """A proposal is not participation: a participant on a planned event breaks a shape."""
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", tmp_path / "mini")
    facts = tmp_path / "mini" / "data" / "documents" / "900001.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + "  - {event: trip, participant: peng-dehuai, passage: Peng Dehuai could go.}\n",
                     encoding="utf-8")
    line = text.count("\n") + 1
    r = kg("--root", str(tmp_path / "mini"), "build")
    assert r.returncode == 1, r.stderr
    assert "nothing was written" in r.stderr
    assert "https://kg.example.org/event/trip (Planned trip to Pyongyang)" in r.stderr
    assert "crm:P11_had_participant" in r.stderr
    assert "kgsh:PlannedActivityShape" in r.stderr
    assert f"900001.yaml:{line}]" in r.stderr  # the statement that asserted it
    assert not (tmp_path / "mini" / "dist").exists()
    v = kg("--root", str(tmp_path / "mini"), "validate")
    assert v.returncode == 1 and "kgsh:PlannedActivityShape" in v.stderr


def test_dist_pointing_at_data_is_refused_and_data_is_untouched(project):
    """`kg build --dist data` used to replace data/ with the dumps."""
    before = {p.relative_to(project).as_posix(): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    r = kg("--root", str(project), "build", "--dist", str(project / "data"))
    assert r.returncode == 2, r.stderr
    assert "must not be, contain or sit inside" in r.stderr and "Traceback" not in r.stderr
    after = {p.relative_to(project).as_posix(): p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before


def test_query_default_graph_is_the_merge(corpus_dist):
    """`kg query` counts each triple once, as VoID does, though some sit in two named graphs."""
    from rdflib import Graph, URIRef
    from kg.vocab import VOID
    void = int(Graph().parse(corpus_dist / "void.ttl").value(URIRef("https://kg.example.org/dataset"), VOID.triples))
    merged = kg("query", "--dist", str(corpus_dist), "--format", "csv", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    quads = kg("query", "--dist", str(corpus_dist), "--format", "csv",
               "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    assert merged.stdout.splitlines()[1] == str(void)
    assert int(quads.stdout.splitlines()[1]) > void


def test_a_build_failing_while_it_publishes_leaves_the_previous_dist_and_no_debris(project, monkeypatch):
    """Files are written as they are made, into a fresh folder: a failure after some are
    written (here, in the description, after every dump) keeps the old dist/ as it was."""
    from kg import pipeline
    from kg.settings import load_settings
    settings = load_settings(project)
    pipeline.build(settings)
    before = {p.name: p.read_bytes() for p in (project / "dist").iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("the description failed")
    monkeypatch.setattr(pipeline, "describe", broken)
    with pytest.raises(RuntimeError):
        pipeline.build(settings)
    assert {p.name: p.read_bytes() for p in (project / "dist").iterdir()} == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".dist.")] == []
