"""The project is the user's: `kg init` makes one that builds at once, also from an
installed wheel."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.vocab import DCTERMS

from .conftest import ROOT
from .test_build import kg

EXPECTED = {"kg.toml", "README.md", ".gitignore", "data/registry.yaml", "data/types.ttl",
            "data/records/900001.txt", "data/documents/900001.yaml", "data/wikidata/review.tsv",
            "queries/example.rq", "queries/example.expected.csv"}


def files_below(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_init_makes_a_project_that_builds_and_answers_its_example_query(tmp_path: Path):
    project = tmp_path / "new" / "project"  # parents are made
    run = kg("init", str(project), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert files_below(project) == EXPECTED
    assert "@TODAY@" not in (project / "kg.toml").read_text(encoding="utf-8")
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["project"]  # no temporary folder left
    build = kg("--root", str(project), "build", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    void = Graph().parse(project / "dist" / "void.ttl")
    ds = URIRef("https://example.org/kg/dataset")
    assert void.value(ds, DCTERMS.title) == Literal("My kg dataset", lang="en")
    assert void.value(ds, DCTERMS.license) is None  # the user chooses a licence; kg does not
    query = kg("--root", str(project), "query", f"@{project / 'queries' / 'example.rq'}", "--format", "csv",
               cwd=tmp_path)
    assert query.returncode == 0, query.stderr
    assert "Telegram from Example Author to the Example Committee,1956-09-18" in query.stdout
    check = kg("--root", str(project), "check", cwd=tmp_path)  # the example query answers as expected
    assert check.returncode == 0, check.stdout + check.stderr


def test_init_takes_an_empty_folder(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    assert kg("init", str(tmp_path / "empty"), cwd=tmp_path).returncode == 0
    assert files_below(tmp_path / "empty") == EXPECTED


@pytest.mark.parametrize("what", ["a folder with a file", "a file", "a folder with a hidden file"])
def test_init_refuses_anything_but_a_new_or_empty_folder(tmp_path: Path, what: str):
    target = tmp_path / "target"
    if what == "a file":
        target.write_text("mine\n", encoding="utf-8")
    else:
        target.mkdir()
        (target / (".keep" if "hidden" in what else "notes.txt")).write_text("mine\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    run = kg("init", str(target), cwd=tmp_path)
    assert run.returncode == 2
    assert str(target) in run.stderr and ("not empty" in run.stderr or "not a folder" in run.stderr)
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_init_does_not_read_the_current_projects_settings(tmp_path: Path):
    (tmp_path / "kg.toml").write_text("[kg\n", encoding="utf-8")  # broken, and not ours to read
    assert kg("init", "p", cwd=tmp_path).returncode == 0


def test_a_new_project_builds_from_an_installed_wheel(tmp_path: Path):
    """The template is package data: a wheel installed in a fresh venv makes a project that builds."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheel = subprocess.run([*pip, "wheel", "--no-deps", "-w", str(tmp_path / "whl"), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    if wheel.returncode != 0:
        pytest.skip(f"pip could not build the wheel (no package index?): {wheel.stderr[-300:]}")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q",
                              "install", *map(str, (tmp_path / "whl").glob("kg-*.whl"))],
                             capture_output=True, text=True, timeout=900)
    if install.returncode != 0:
        pytest.skip(f"pip could not install the dependencies (no package index?): {install.stderr[-300:]}")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOURCE_DATE_EPOCH")}
    exe = str(venv / "bin" / "kg")
    work = tmp_path / "work"  # outside the source tree: nothing is imported from it
    work.mkdir()
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import kg; print(kg.__file__)"], cwd=work,
                           env=env, capture_output=True, text=True, timeout=60)
    assert str(venv) in where.stdout, where
    for args in (["init", "p"], ["--root", "p", "build"]):
        run = subprocess.run([exe, *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, (args, run.stderr)
    assert (work / "p" / "dist" / "kg.ttl").stat().st_size > 0
