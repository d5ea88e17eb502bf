"""Shared fixtures: the repository root, a fresh build, and graphs of the published dumps."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def dist_graph() -> Graph:
    """The published Turtle dump, parsed with rdflib."""
    return Graph().parse(DIST / "kg.ttl", format="turtle")


@pytest.fixture(scope="session")
def dist_dataset() -> Dataset:
    ds = Dataset()
    ds.parse(DIST / "kg.nq", format="nquads")
    return ds
