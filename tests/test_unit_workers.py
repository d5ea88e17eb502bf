"""Workers that map, cut and validate (kg.unitpool), and the shared graph validated in parts
(kg.units.parts): the same dist/ bytes, the same violations and origins as one process
validating the shared graph whole."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg import pipeline, timings, units
from kg.settings import load_settings
from kg.units import SharedIndex, parts

from .conftest import CORPUS
from .test_parallel import DOCUMENTS, _bench
from .test_units import _with, same_as_before

KG = Path(sys.executable).parent / "kg"
BASE = "https://kg.example.org/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SMALL_PARTS = 40  # triples of the roots' own per part: the test corpora's shared graphs in many parts


@pytest.fixture(scope="module")
def bench_corpus(tmp_path_factory) -> Path:
    return _bench().make_corpus(tmp_path_factory.mktemp("workers"), DOCUMENTS)


def kg_build(project: Path, dist: Path, jobs: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "KG_JOBS": str(jobs), "KG_CACHE": "0", "KG_TIMINGS": "1", "SOURCE_DATE_EPOCH": "1764547200"}
    return subprocess.run([str(KG), "--root", str(project), "build", "--dist", str(dist)], env=env,
                          capture_output=True, text=True, timeout=900)


def count(stderr: str, name: str) -> int:
    return int(re.search(rf"^kg: count {name} (\d+)$", stderr, re.M).group(1))


def test_documents_mapped_in_workers_give_the_serial_dist(bench_corpus, tmp_path):
    serial, parallel = kg_build(bench_corpus, tmp_path / "serial", 1), kg_build(bench_corpus, tmp_path / "parallel", 2)
    assert serial.returncode == 0 and parallel.returncode == 0, serial.stderr + parallel.stderr
    files = sorted(p.name for p in (tmp_path / "serial").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "parallel").iterdir()) and "kg.nq" in files
    for name in files:
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "parallel" / name).read_bytes(), name
    # nothing from a cache: every document mapped and every unit validated (by the workers)
    assert count(parallel.stderr, "documents from the cache") == 0
    assert count(parallel.stderr, "units validated") == count(parallel.stderr, "units") > DOCUMENTS


def test_a_violation_found_in_a_worker_names_its_file_and_line(bench_corpus, tmp_path):
    """A participant on a planned event, stated by one document: found by the worker that maps
    and validates that document, reported with the line of the statement."""
    project = tmp_path / "p"
    shutil.copytree(bench_corpus, project, ignore=shutil.ignore_patterns(".kg-cache", "dist"))
    facts = project / "data" / "documents" / "121976.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + '  - {event: joint-delegation-pyongyang, participant: anastas-mikoyan, '
                            'passage: "our CC gave him serious advice"}\n', encoding="utf-8")
    line = text.count("\n") + 1
    serial, parallel = kg_build(project, tmp_path / "s", 1), kg_build(project, tmp_path / "q", 2)
    assert serial.returncode == 1 and parallel.returncode == 1, serial.stderr + parallel.stderr
    found = [x for x in parallel.stderr.splitlines() if x.startswith("  - ")]
    assert found == [x for x in serial.stderr.splitlines() if x.startswith("  - ")]
    assert any("kgsh:PlannedActivityShape" in x and x.count(f"121976.yaml:{line}]") == 1 for x in found), found
    assert not (tmp_path / "q").exists()


def test_the_parts_hold_the_whole_shared_graph(corpus_result):
    settings, result = corpus_result
    index = SharedIndex(result.shared_nt)
    cut = parts(index, SMALL_PARTS)
    assert len(cut) > 3
    roots = [r for batch in cut for r in batch]
    assert len(roots) == len(set(roots)) and roots == sorted(roots)
    covered = b"".join(index.closure(batch) for batch in cut)
    assert set(covered.splitlines()) == set(result.shared_nt.splitlines())
    pointed = {o for line in result.shared_nt.splitlines() if (o := units.nodes(line)[1]) is not None
               and o != units.nodes(line)[0]}
    assert set(roots) >= set(index.spans) - pointed  # every subject nothing points to is a root


@pytest.fixture(scope="module")
def corpus_result():
    settings = load_settings(CORPUS)
    return settings, pipeline.assemble(settings)


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setenv("KG_CACHE", "0")
    monkeypatch.setenv("KG_JOBS", "1")
    monkeypatch.setattr(units, "PART_TRIPLES", SMALL_PARTS)


def test_the_corpus_in_parts_gives_the_same_results(corpus_result, small_parts):
    assert same_as_before(*corpus_result) == set()


def test_each_part_of_the_conforming_corpus_conforms(corpus_result, small_parts):
    """The parts do not report what the whole graph does not (else every build would validate
    the shared graph whole as well): no unit beyond the parts and the documents."""
    settings, result = corpus_result
    timings._counts.clear()
    pipeline.find_violations(settings, result)
    n = len(parts(SharedIndex(result.shared_nt)))
    assert n > 3 and timings._counts["units"] == timings._counts["units validated"] == n + len(result.per_document)


def _without(result, triples):
    """A copy of ``result`` with ``triples`` taken out of the shared graph."""
    changed = _with(result, None, [])
    for t in triples:
        changed.shared.remove(t)
    return pipeline.BuildResult(changed.facts, changed.shared, changed.per_document)


def test_a_registry_entity_with_a_violation(corpus_result, small_parts):
    settings, result = corpus_result
    place = next(result.shared.subjects(RDF.type, URIRef(f"{CRM}E53_Place")))
    changed = _with(result, None, [(place, RDFS.label, Literal("Another name", lang="en"))])
    found = same_as_before(settings, changed)
    assert any(v.focus == str(place) for v in found), found


def test_a_type_missing_its_scheme(corpus_result, small_parts):
    settings, result = corpus_result
    kind, scheme = next((t, s) for t, s in result.shared.subject_objects(SKOS.inScheme))
    found = same_as_before(settings, _without(result, [(kind, SKOS.inScheme, scheme)]))
    assert any(v.focus == str(kind) for v in found), found


def test_a_scheme_without_types(corpus_result, small_parts):
    """An inverse path (a scheme needs a type in it): what a part cannot see from its own nodes."""
    settings, result = corpus_result
    scheme = URIRef(f"{BASE}type/empty-scheme")
    changed = _with(result, None, [(scheme, RDF.type, SKOS.ConceptScheme),
                                   (scheme, RDFS.label, Literal("Empty scheme", lang="en"))])
    found = same_as_before(settings, changed)
    assert any(v.focus == str(scheme) for v in found), found


def test_the_shared_graph_parsed_back_is_the_graph_mapped(corpus_result, bench_corpus):
    """Parts and units take the shared statements from its N-Triples: parsed back, they must be
    the very terms the mapping made (no datatype, language tag or lexical form changed)."""
    for result in (corpus_result[1], pipeline.assemble(load_settings(bench_corpus))):
        assert set(units.graph(result.shared_nt)) == set(result.shared)
        docs = result.per_document
        for number in docs:
            mapped = docs[number]  # mapped here: the graph the mapping made, and its N-Triples
            assert set(units.graph(docs.nt[number])) == set(mapped)
