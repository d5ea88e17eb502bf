"""Validation on all cores (kg.unitpool): the same dist/ bytes and the same violations as one
process. The corpus is the benchmark's: the shipped documents and clones of them."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg import pipeline, unitpool
from kg.errors import KgError
from kg.settings import load_settings

from .conftest import ROOT
from .test_units import _with

KG = Path(sys.executable).parent / "kg"
DOCUMENTS = 15  # with the shared graph, 16 units: two workers


def _bench():
    spec = importlib.util.spec_from_file_location("build_bench", ROOT / "benchmarks" / "build_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return _bench().make_corpus(tmp_path_factory.mktemp("parallel"), DOCUMENTS)


def build(project: Path, dist: Path, jobs: int) -> dict[str, bytes]:
    env = {**os.environ, "KG_JOBS": str(jobs), "SOURCE_DATE_EPOCH": "1764547200"}
    proc = subprocess.run([str(KG), "--root", str(project), "build", "--dist", str(dist)], env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return {p.name: p.read_bytes() for p in sorted(dist.iterdir())}


def test_parallel_build_is_byte_identical_to_serial(project, tmp_path):
    serial = build(project, tmp_path / "serial", 1)
    parallel = build(project, tmp_path / "parallel", 2)
    assert serial == parallel
    assert f"document/{_bench().FIRST_CLONE + DOCUMENTS - 3}".encode() in serial["kg.nt"]


def test_parallel_validation_finds_the_same_violations(project, monkeypatch):
    settings = load_settings(project)
    result = pipeline.assemble(settings)
    number = sorted(result.per_document)[-1]
    place = next(result.shared.subjects(RDF.type, URIRef("http://www.cidoc-crm.org/cidoc-crm/E53_Place")))
    broken = _with(result, number, [(place, RDFS.label, Literal("Another name", lang="en"))])
    monkeypatch.setenv(unitpool.ENV, "1")
    serial = pipeline.find_violations(settings, broken)
    monkeypatch.setenv(unitpool.ENV, "2")
    assert unitpool.jobs(len(broken.per_document) + 1) == 2
    parallel = pipeline.find_violations(settings, broken)
    assert serial == parallel and any(v.focus == str(place) for v in serial)


def test_workers_replaced_after_their_quota_find_the_same_violations(project, monkeypatch):
    """A worker is replaced after UNITS_PER_WORKER units (so what pyshacl keeps cannot pile
    up): with a fresh worker for every unit, the results are the same."""
    settings = load_settings(project)
    result = pipeline.assemble(settings)
    number = sorted(result.per_document)[0]
    place = next(result.shared.subjects(RDF.type, URIRef("http://www.cidoc-crm.org/cidoc-crm/E53_Place")))
    broken = _with(result, number, [(place, RDFS.label, Literal("Another name", lang="en"))])
    monkeypatch.setenv("KG_CACHE", "0")
    monkeypatch.setenv(unitpool.ENV, "1")
    serial = pipeline.find_violations(settings, broken)
    monkeypatch.setenv(unitpool.ENV, "2")
    monkeypatch.setattr(unitpool, "UNITS_PER_WORKER", 1)
    assert pipeline.find_violations(settings, broken) == serial and serial


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_kg_jobs_must_be_a_whole_number(value, monkeypatch):
    monkeypatch.setenv(unitpool.ENV, value)
    with pytest.raises(KgError, match="KG_JOBS"):
        unitpool.jobs(100)
