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
