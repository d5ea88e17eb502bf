"""kg.toml's [dataset] is the dataset's identity: what dist/void.ttl states it is."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.vocab import DCTERMS, RDF, RDFS

from .conftest import ROOT
from .test_build import kg

IDENTITY = """\
[kg]
base = "https://archive.example.edu/kg/"
modified = "2026-11-24"

[dataset]
title = "Letters of the 1956 crisis"
description = "Records of the Digital Archive, with the facts they state."
license = "https://creativecommons.org/publicdomain/zero/1.0/"
publisher = { name = "Example University Library", iri = "https://library.example.edu/" }
"""


def mini_project(tmp_path: Path, toml: str) -> Path:
    project = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", project)
    (project / "kg.toml").write_text(toml, encoding="utf-8")
    return project


def test_the_identity_in_kg_toml_is_what_void_states(tmp_path: Path):
    project = mini_project(tmp_path, IDENTITY)
    run = kg("--root", str(project), "build", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    void = Graph().parse(project / "dist" / "void.ttl")
    ds = URIRef("https://archive.example.edu/kg/dataset")
    assert void.value(ds, DCTERMS.title) == Literal("Letters of the 1956 crisis", lang="en")
    assert void.value(ds, RDFS.label) == Literal("Letters of the 1956 crisis", lang="en")
    assert void.value(ds, DCTERMS.description) == Literal(
        "Records of the Digital Archive, with the facts they state.", lang="en")
    assert void.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    publisher = URIRef("https://library.example.edu/")
    assert void.value(ds, DCTERMS.publisher) == publisher
    assert void.value(publisher, RDFS.label) == Literal("Example University Library", lang="en")
    assert (publisher, RDF.type, DCTERMS.Agent) in void


def test_a_publisher_without_iri_and_the_neutral_defaults(tmp_path: Path):
    project = mini_project(tmp_path, '[dataset]\npublisher = { name = "A. Historian" }\n')
    assert kg("--root", str(project), "build", cwd=tmp_path).returncode == 0
    void = Graph().parse(project / "dist" / "void.ttl")
    ds = URIRef("https://kg.example.org/dataset")
    assert void.value(ds, DCTERMS.title) == Literal("kg dataset", lang="en")
    assert void.value(ds, DCTERMS.license) is None and void.value(ds, DCTERMS.description) is None
    node = void.value(ds, DCTERMS.publisher)
    assert node == URIRef("https://kg.example.org/dataset/publisher")
    assert void.value(node, RDFS.label) == Literal("A. Historian", lang="en")


@pytest.mark.parametrize("table, field", [
    ('license = "CC BY 4.0"', "dataset.license"),
    ('licence = "https://creativecommons.org/licenses/by/4.0/"', "dataset.licence"),
    ('title = ""', "dataset.title"),
    ('title = "two\\nlines"', "dataset.title"),
    ("title = 1956", "dataset.title"),
    ('publisher = "Someone"', "dataset.publisher"),
    ('publisher = { iri = "https://example.org/" }', "dataset.publisher"),
    ('publisher = { name = "X", iri = "mailto:x@example.org" }', "dataset.publisher.iri"),
])
def test_a_bad_identity_exits_2_naming_kg_toml_and_the_field(tmp_path: Path, table: str, field: str):
    project = mini_project(tmp_path, f"[dataset]\n{table}\n")
    run = kg("--root", str(project), "build", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "kg.toml" in run.stderr and f"field '{field}'" in run.stderr and "Traceback" not in run.stderr
    assert not (project / "dist").exists()


def test_no_corpus_specific_text_in_kg_code():
    for path in sorted((ROOT / "kg").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "Sino-Soviet" not in text and "Korean Workers" not in text, path
