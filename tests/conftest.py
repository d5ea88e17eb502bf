"""Shared fixtures: the repository root, the test corpus and its build, graphs of its dumps.

The tests never read the project's live data/ or dist/: a user adds documents there, and the
tests must not change their answers when they do. They run on tests/fixtures/corpus, a frozen
copy of the corpus kg ships with (kg.toml + data/), built once per session into a temporary
folder. That the committed dist/ is what `kg build` makes from data/ is checked by .ci/run.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"


def build_corpus(dist: Path) -> Path:
    """Build tests/fixtures/corpus into ``dist`` with `kg build --dist`, as a user would."""
    from kg.cli import main

    code = main(["--root", str(CORPUS), "build", "--dist", str(dist)])
    assert code == 0, f"the test corpus does not build (exit {code})"
    return dist


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def corpus_dist(tmp_path_factory) -> Path:
    """The test corpus's dumps: tests/fixtures/corpus built once into a temporary dist/."""
    return build_corpus(tmp_path_factory.mktemp("corpus") / "dist")


@pytest.fixture(scope="session")
def dist_graph(corpus_dist) -> Graph:
    """The test corpus's Turtle dump, parsed with rdflib."""
    return Graph().parse(corpus_dist / "kg.ttl", format="turtle")


@pytest.fixture(scope="session")
def dist_dataset(corpus_dist) -> Dataset:
    ds = Dataset()
    ds.parse(corpus_dist / "kg.nq", format="nquads")
    return ds


# ---------------------------------------------------------------- a small project to edit

MINI = ROOT / "tests" / "fixtures" / "mini"
MINI_FACTS = Path("data") / "documents" / "900001.yaml"


@pytest.fixture
def mini_project(tmp_path) -> Path:
    """A fresh copy of tests/fixtures/mini (one record, its facts, a small registry) to edit."""
    import shutil

    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    return project


def edit_facts(project: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in the mini project's facts file."""
    path = project / MINI_FACTS
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def published(project: Path):
    """The project's dist/kg.nq in a pyoxigraph store."""
    import pyoxigraph as ox

    store = ox.Store()
    with (project / "dist" / "kg.nq").open("rb") as f:
        store.bulk_load(f, ox.RdfFormat.N_QUADS)
    return store
