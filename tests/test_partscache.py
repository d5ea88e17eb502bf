"""The shared graph's parts known to conform (kg.partscache): a check whose shared graph is the
one whose parts all conformed last time does not cut it again, and finds the same; any change
to the shared graph, or a part the unit cache forgot, cuts it again."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg import partscache, pipeline, timings
from kg.settings import load_settings

from .conftest import CORPUS
from .test_units import _with

KG = Path(sys.executable).parent / "kg"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("KG_JOBS", "1")
    monkeypatch.delenv("KG_CACHE", raising=False)
    p = tmp_path / "p"
    p.mkdir()
    shutil.copytree(CORPUS / "data", p / "data")
    shutil.copy(CORPUS / "kg.toml", p / "kg.toml")
    return p


def check(project: Path):
    """``kg validate`` in this process: the result, and the counts it noted."""
    timings._counts.clear()
    result = pipeline.check(load_settings(project))
    counts = dict(timings._counts)
    timings._counts.clear()
    return result, counts


def noted(project: Path) -> list[str]:
    path = project / ".kg-cache" / partscache.FILE
    return path.read_text(encoding="ascii").split("\n")[:-1] if path.exists() else []


def test_the_same_shared_graph_is_not_cut_again(project):
    first, counts = check(project)
    parts = counts["units"] - len(first.facts.documents)
    assert parts >= 1 and "shared parts known" not in counts
    assert len(noted(project)) == parts + 1  # the key of the cut, then each part's unit key
    for _ in range(2):  # and stays known: the part keys are kept in the unit cache
        again, counts = check(project)
        assert counts["shared parts known"] == parts and counts["units"] == counts["units validated"] == 0
        assert again.violations == first.violations
    conforming = (project / ".kg-cache" / "conforming").read_text().split()
    assert set(noted(project)[1:]) <= set(conforming)


def test_an_edited_document_alone_is_validated(project):
    check(project)
    path = project / "data" / "documents" / "121976.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("inferred: >-\n", "inferred: >-\n      (Edited.)\n", 1),
                    encoding="utf-8")
    _, counts = check(project)
    assert counts["units"] == counts["units validated"] == 1 and counts["shared parts known"] >= 1


def test_a_changed_shared_graph_is_cut_again(project):
    check(project)
    before = noted(project)
    path = project / "data" / "registry.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("label: Nie Rongzhen", "label: Nie R.", 1),
                    encoding="utf-8")
    _, counts = check(project)
    assert "shared parts known" not in counts and counts["units validated"] >= 1
    assert noted(project)[0] != before[0]


@pytest.mark.parametrize("how", ["forgotten", "damaged", "other graph"])
def test_a_doubtful_note_cuts_again(project, how):
    first, counts = check(project)
    lines = noted(project)
    if how == "forgotten":  # the unit cache no longer knows one part
        conforming = project / ".kg-cache" / "conforming"
        conforming.write_text(conforming.read_text().replace(lines[1] + "\n", ""))
    elif how == "damaged":
        (project / ".kg-cache" / partscache.FILE).write_bytes(b"\xff" + "\n".join(lines).encode())
    else:
        (project / ".kg-cache" / partscache.FILE).write_text("\n".join(["0" * 64, *lines[1:]]) + "\n")
    again, counts = check(project)
    assert "shared parts known" not in counts and again.violations == first.violations
    assert noted(project) == lines


def test_a_violation_in_a_changed_shared_graph_is_found(project):
    settings = load_settings(project)
    check(project)  # the parts of the conforming graph noted
    result = pipeline.assemble(settings, cache=True)
    scheme = URIRef("https://kg.example.org/type/empty-scheme")  # no document reaches it: the parts alone see it
    changed = _with(result, None, [(scheme, RDF.type, SKOS.ConceptScheme),
                                   (scheme, RDFS.label, Literal("Empty scheme", lang="en"))])
    found = pipeline.find_violations(settings, changed)
    assert any(v.focus == str(scheme) for v in found), found


def test_kg_cache_0_notes_nothing(project, monkeypatch):
    monkeypatch.setenv("KG_CACHE", "0")
    check(project)
    assert noted(project) == []


def test_a_violation_of_an_edited_document_names_its_line(project):
    """The other documents from the caches: the edited one still names its file and line."""
    env = {**os.environ, "KG_JOBS": "1"}
    build = [str(KG), "--root", str(project), "build"]
    assert subprocess.run(build, env=env, capture_output=True, timeout=600).returncode == 0
    facts = project / "data" / "documents" / "121976.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text + '  - {event: joint-delegation-pyongyang, participant: anastas-mikoyan, '
                            'passage: "our CC gave him serious advice"}\n', encoding="utf-8")
    proc = subprocess.run(build, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert f"121976.yaml:{text.count(chr(10)) + 1}]" in proc.stderr and "PlannedActivityShape" in proc.stderr


def test_a_few_units_run_in_this_process(project, monkeypatch):
    """With every part known, a rebuild's units are its edited documents: with few of them,
    no worker is started even when two processes are allowed."""
    from kg import unitpool
    monkeypatch.setenv(unitpool.ENV, "2")
    assert unitpool.jobs(1) == unitpool.jobs(2 * unitpool.MIN_UNITS_PER_WORKER - 1) == 1
    assert unitpool.jobs(2 * unitpool.MIN_UNITS_PER_WORKER) == 2
