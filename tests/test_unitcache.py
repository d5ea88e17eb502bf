"""The build caches (kg.unitcache, kg.doccache): an unchanged document is neither mapped nor
validated again, an edited one is, a changed shared entity re-maps every document and re-checks
the units it changes, and dist/ is byte-identical to a clean build's."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import unitcache

from .conftest import CORPUS

KG = Path(sys.executable).parent / "kg"


@pytest.fixture
def project(tmp_path) -> Path:
    p = tmp_path / "p"
    shutil.copytree(CORPUS, p, ignore=shutil.ignore_patterns(".kg-cache", "dist"))
    return p


def build(project: Path, dist: Path | None = None, **env) -> tuple[dict[str, bytes], int]:
    """Build; return dist/'s files and how many units were validated (and note, in
    ``build.from_cache``, how many documents came from the document cache)."""
    proc = run(project, dist, **env)
    assert proc.returncode == 0, proc.stderr
    build.stderr = proc.stderr
    validated = int(re.search(r"^kg: count units validated (\d+)$", proc.stderr, re.M).group(1))
    build.from_cache = int(re.search(r"^kg: count documents from the cache (\d+)$", proc.stderr, re.M).group(1))
    out = dist or project / "dist"
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}, validated


def run(project: Path, dist: Path | None = None, **env) -> subprocess.CompletedProcess:
    """``kg build`` of ``project``, reporting its stages and counts, as it ended."""
    argv = [str(KG), "--root", str(project), "build"] + (["--dist", str(dist)] if dist else [])
    return subprocess.run(argv, env={**os.environ, "KG_TIMINGS": "1", "KG_JOBS": "1", **env},
                          capture_output=True, text=True, timeout=600)


build.run = run


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def clean_build(project: Path, tmp_path: Path) -> dict[str, bytes]:
    files, validated = build(project, tmp_path / "clean", KG_CACHE="0")
    assert validated == 3
    return files


def test_an_unchanged_project_is_not_validated_again(project, tmp_path):
    first, validated = build(project)
    assert validated == 3  # the shared graph and two documents
    assert build.from_cache == 0
    again, validated = build(project)
    assert validated == 0 and again == first
    assert build.from_cache == 2  # neither mapped nor validated
    assert (project / ".kg-cache" / "conforming").read_text().count("\n") == 3
    assert len(list((project / ".kg-cache" / "documents").glob("*.nt"))) == 2


def test_an_edited_document_alone_is_validated_again(project, tmp_path):
    build(project)
    edit(project / "data" / "documents" / "121976.yaml", "inferred: >-\n", "inferred: >-\n      (Edited.)\n")
    files, validated = build(project)
    assert validated == 1 and build.from_cache == 1
    assert len(list((project / ".kg-cache" / "documents").glob("*.nt"))) == 2  # the old entry is gone
    assert files == clean_build(project, tmp_path)


def test_a_shared_entity_rechecks_the_shared_graph_and_the_documents_using_it(project, tmp_path):
    build(project)
    edit(project / "data" / "registry.yaml", "label: Nie Rongzhen", "label: Nie Rongzhen (marshal)")
    files, validated = build(project)
    assert build.from_cache == 0  # the shared graph changed: every document is mapped again
    assert validated == 2  # the shared graph and 121799, which names him; not 121976
    assert files == clean_build(project, tmp_path)
    again, validated = build(project)
    assert (validated, build.from_cache) == (0, 2) and again == files


@pytest.mark.parametrize("content", [b"not a key\n", b"\xff\xfe\x00", b""])
def test_a_damaged_cache_is_ignored(project, content):
    first, _ = build(project)
    (project / ".kg-cache" / "conforming").write_bytes(content)
    for entry in (project / ".kg-cache" / "documents").glob("*.nt"):
        entry.write_bytes(content)
    files, validated = build(project)
    assert validated == 3 and build.from_cache == 0 and files == first


def test_a_document_entry_changed_on_disk_is_not_used(project):
    """An entry whose triples no longer match its checksum (a line lost, say) is mapped anew."""
    first, _ = build(project)
    entry = sorted((project / ".kg-cache" / "documents").glob("*.nt"))[0]
    head, body = entry.read_bytes().split(b"\n", 1)
    entry.write_bytes(head + b"\n" + body.split(b"\n", 1)[1])
    files, _ = build(project)
    assert build.from_cache == 1 and files == first


def test_kg_cache_0_neither_reads_nor_writes(project):
    _, validated = build(project, KG_CACHE="0")
    assert validated == 3 and build.from_cache == 0 and not (project / ".kg-cache").exists()
    build(project)
    _, validated = build(project, KG_CACHE="0")
    assert validated == 3 and build.from_cache == 0


def test_the_key_depends_on_every_triple():
    from rdflib import Graph, Literal, URIRef
    g = Graph()
    g.add((URIRef("https://kg.example.org/a"), URIRef("https://kg.example.org/p"), Literal("x")))
    k = unitcache.key(g)
    g.add((URIRef("https://kg.example.org/a"), URIRef("https://kg.example.org/p"), Literal("y")))
    assert unitcache.key(g) != k and len(k) == 64
