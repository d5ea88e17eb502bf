"""kg check: a project's queries (queries/*.rq) with their expected answers, run over dist/.

The test corpus's own checks (tests/fixtures/corpus/queries, the shipped project's competency
questions) pass on its build; then copies of them are broken one way at a time."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kg.check import ordered
from kg.cli import main

from .conftest import CORPUS

PEOPLE = """# People by name
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?name WHERE {
  ?person a crm:E21_Person ; rdfs:label ?name .
  FILTER (STR(?name) IN ("Mao Zedong", "Peng Dehuai", "Kim Il Sung"))
}
"""
MAO, PENG, KIM = ("https://kg.example.org/person/mao-zedong,Mao Zedong",
                  "https://kg.example.org/person/peng-dehuai,Peng Dehuai",
                  "https://kg.example.org/person/kim-il-sung,Kim Il Sung")


def check(corpus_dist: Path, queries: Path, *args: str) -> int:
    return main(["--root", str(CORPUS), "check", "--dist", str(corpus_dist), "--queries", str(queries), *args])


@pytest.fixture()
def queries(tmp_path) -> Path:
    """A folder with one query and its expected answer, to change at will."""
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "people.rq").write_text(PEOPLE, encoding="utf-8")
    (folder / "people.expected.csv").write_text(f"# three people\nperson,name\n{MAO}\n{KIM}\n{PENG}\n",
                                                encoding="utf-8")
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the corpus's own checks

def test_the_corpus_checks_pass_on_its_build(corpus_dist):
    """`kg check` as a user runs it: every competency question gives its expected answer."""
    r = subprocess.run([sys.executable, "-m", "kg", "check", "--dist", str(corpus_dist)], cwd=CORPUS,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    names = sorted(p.name[:-3] for p in (CORPUS / "queries").glob("*.rq"))
    assert len(names) >= 12
    for name in names:
        assert f"  ok      {name}: " in r.stdout
    assert f"kg check: all {len(names)} checks passed" in r.stdout


def test_the_committed_expected_files_are_what_update_writes(corpus_dist, tmp_path, capsys):
    copy = shutil.copytree(CORPUS / "queries", tmp_path / "queries")
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    assert check(corpus_dist, copy, "--update") == 0
    assert "0 expected file(s) rewritten" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before


# ---------------------------------------------------------------- passing and failing

def test_rows_in_any_order_and_only_the_columns_named(corpus_dist, queries, capsys):
    assert check(corpus_dist, queries) == 0
    write(queries, "people.expected.csv", "name\nPeng Dehuai\nMao Zedong\nKim Il Sung\nMao Zedong\n")
    assert check(corpus_dist, queries) == 0
    assert "  ok      people: 3 rows" in capsys.readouterr().out


def test_a_changed_answer_fails_with_the_rows_missing_and_not_expected(corpus_dist, queries, capsys):
    write(queries, "people.expected.csv", f"person,name\n{MAO}\n{KIM}\nhttps://kg.example.org/person/x,Nobody\n")
    assert check(corpus_dist, queries) == 1
    out = capsys.readouterr().out
    assert "  FAILED  people: 1 row missing, 1 row not expected" in out
    assert "- https://kg.example.org/person/x,Nobody" in out and f"+ {PENG}" in out
    assert "1 of 1 checks failed" in out and "kg check --update" in out


def test_with_order_by_the_order_is_checked(corpus_dist, queries, capsys):
    write(queries, "people.rq", PEOPLE + "ORDER BY DESC(?name)\n")
    write(queries, "people.expected.csv", f"person,name\n{MAO}\n{KIM}\n{PENG}\n")
    assert check(corpus_dist, queries) == 1
    out = capsys.readouterr().out
    assert "people: the rows are in another order" in out and f"+ {PENG}" in out and f"- {PENG}" in out
    write(queries, "people.expected.csv", f"person,name\n{PENG}\n{MAO}\n{KIM}\n")
    assert check(corpus_dist, queries) == 0


def test_ask_answers_true_or_false(corpus_dist, queries, capsys):
    write(queries, "has-mao.rq", 'ASK { ?p <http://www.w3.org/2000/01/rdf-schema#label> "Mao Zedong"@en }\n')
    write(queries, "has-mao.expected.csv", "# Mao is in the graph\ntrue\n")
    assert check(corpus_dist, queries, "has-mao") == 0
    write(queries, "has-mao.expected.csv", "false\n")
    assert check(corpus_dist, queries, "has-mao") == 1
    assert "has-mao: expected false, the answer is true" in capsys.readouterr().out


def test_values_with_commas_quotes_and_line_breaks_round_trip(corpus_dist, queries):
    write(queries, "passages.rq", "PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>\n"
                                  "SELECT ?text WHERE { { ?p crm:P3_has_note ?text } UNION\n"
                                  "  { ?p <http://www.w3.org/ns/oa#start> ?s ; crm:P190_has_symbolic_content ?text } }")
    assert check(corpus_dist, queries, "--update", "passages") == 0
    text = (queries / "passages.expected.csv").read_text(encoding="utf-8")
    assert '""' in text and ',' in text and '\n' in text.split("\n", 1)[1].strip()
    assert check(corpus_dist, queries, "passages") == 0


# ---------------------------------------------------------------- --update

def test_update_writes_new_files_and_keeps_comments_and_columns(corpus_dist, queries, capsys):
    write(queries, "people.expected.csv", "# chosen by the editors\n# two lines\nname\nMao Zedong\n")
    write(queries, "count.rq", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    assert check(corpus_dist, queries, "--update") == 0
    out = capsys.readouterr().out
    assert "  updated people: 2 rows not expected" in out and "  updated count: new" in out
    assert "2 expected file(s) rewritten" in out and "git diff" in out
    assert (queries / "people.expected.csv").read_text(encoding="utf-8") == \
        "# chosen by the editors\n# two lines\nname\nKim Il Sung\nMao Zedong\nPeng Dehuai\n"
    assert (queries / "count.expected.csv").read_text(encoding="utf-8").startswith("n\n")
    assert check(corpus_dist, queries) == 0
    assert not [p for p in queries.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_update_rewrites_a_file_it_cannot_read_keeping_its_comments(corpus_dist, queries, capsys):
    write(queries, "people.expected.csv", "# keep me\nperson,nobody\n")
    assert check(corpus_dist, queries, "--update") == 0
    assert "people: rewritten, the old file was unreadable: column 'nobody'" in capsys.readouterr().out
    text = (queries / "people.expected.csv").read_text(encoding="utf-8")
    assert text.startswith("# keep me\nperson,name\n") and PENG in text


# ---------------------------------------------------------------- bad input: exit 2, naming the file

@pytest.mark.parametrize("name, text, where, what", [
    ("people.expected.csv", "# c\nperson,nobody\n", "people.expected.csv:2", "column 'nobody' is not a variable"),
    ("people.expected.csv", f"person,name\n{MAO}\nonly-one\n", "people.expected.csv:3", "1 value(s) in this row, 2"),
    ("people.expected.csv", 'person,name\n"a"b,c\n', "people.expected.csv:2", "not CSV"),
    ("people.expected.csv", "# only a comment\n", "people.expected.csv:2", "no header line"),
    ("people.expected.csv", "name,name\n", "people.expected.csv:1", "named twice"),
    ("people.expected.csv", "person,name\n\x00\n", "people.expected.csv:2", "control character"),
    ("people.rq", "SELECT ?x WHERE {\n  ?x ?y\n}", "people.rq:3", "SPARQL syntax error at column"),
    ("people.rq", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "people.rq", "only SELECT and ASK"),
])
def test_a_bad_file_exits_2_naming_it(corpus_dist, queries, capsys, name, text, where, what):
    write(queries, name, text)
    assert check(corpus_dist, queries) == 2
    err = capsys.readouterr().err
    assert f"{queries / where}" in err and what in err and "Traceback" not in err, err


def test_an_ask_file_that_is_not_true_or_false(corpus_dist, queries, capsys):
    write(queries, "a.rq", "ASK { ?s ?p ?o }")
    write(queries, "a.expected.csv", "# c\nyes\n")
    assert check(corpus_dist, queries, "a") == 2
    assert f"{queries / 'a.expected.csv'}:2: expected the answer of an ASK query" in capsys.readouterr().err


def test_missing_pieces_exit_2_saying_what_to_do(corpus_dist, queries, tmp_path, capsys):
    (queries / "people.expected.csv").unlink()
    assert check(corpus_dist, queries) == 2
    assert "no expected answer" in capsys.readouterr().err
    assert check(corpus_dist, queries, "nope") == 2
    assert "no query 'nope'" in capsys.readouterr().err
    assert check(corpus_dist, tmp_path / "none") == 2
    assert "no folder of queries" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check(corpus_dist, empty) == 2
    assert "no queries to check" in capsys.readouterr().err
    assert check(tmp_path / "no-dist", queries, "--update") == 2
    assert "no published dump" in capsys.readouterr().err
    if hasattr(os, "mkfifo"):
        os.mkfifo(queries / "fifo.rq")
        assert check(corpus_dist, queries) == 2
        assert "named pipe" in capsys.readouterr().err


def test_help_documents_the_exit_codes():
    r = subprocess.run([sys.executable, "-m", "kg", "check", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    assert "0 every check passed" in text and "1 a check failed" in text and "2 a query or expected file" in text


# ---------------------------------------------------------------- ORDER BY, seen through the query's text

@pytest.mark.parametrize("sparql, expected", [
    ("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s", True),
    ("select * where { ?s ?p ?o }\norder\n  by ?s", True),
    ("SELECT * WHERE { ?s ?p ?o } # ORDER BY ?s", False),
    ('SELECT * WHERE { ?s ?p "ORDER BY" }', False),
    ("SELECT * WHERE { ?s ?p '''\nORDER BY\n''' }", False),
    ("SELECT * WHERE { ?s <http://x/ORDER#BY> ?o }", False),
    ("SELECT * WHERE { ?s ?p ?o FILTER (?o < 3) } ORDER BY ?s", True),
    ("SELECT * WHERE { ?s ?p ?o FILTER (?o < 3 && ?o > 1) } ORDER BY ?s", True),
    ("SELECT * WHERE { ?s ?p ?o } # a <comment\nORDER BY ?s", True),
    ("SELECT ?border WHERE { ?border ?p ?o }", False),
])
def test_order_by_is_found_outside_comments_strings_and_iris(sparql, expected):
    assert ordered(sparql) is expected


def test_order_by_scan_is_linear_on_hostile_text():
    hostile = ["<" * 400_000, '"' + "a" * 400_000, "'''" + "<a" * 200_000, "#" + '"' * 400_000 + "\nORDER BY ?x"]
    results: list = []
    worker = threading.Thread(target=lambda: results.extend(ordered(s) for s in hostile), daemon=True)
    worker.start()
    worker.join(30)
    assert results == [False, False, False, True]
