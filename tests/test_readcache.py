"""The read cache (kg.readcache): a build reads from it exactly what reading the inputs gives —
the same Facts, the same shared graph, the same dist/ — an edited input is read again, a
damaged or foreign entry is ignored, an input error is reported on every build, and
``KG_CACHE=0`` neither reads nor writes it."""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kg import pipeline, readcache
from kg.errors import FactsError
from kg.facts import load_facts
from kg.readcache import ReadCache
from kg.settings import load_settings

from .conftest import CORPUS, MINI, ROOT

KG = Path(sys.executable).parent / "kg"
PROJECTS = {"shipped": ROOT, "corpus": CORPUS, "mini": MINI}


def copy(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(source / "data", target / "data")
    if (source / "kg.toml").exists():
        shutil.copy(source / "kg.toml", target / "kg.toml")
    return target


@pytest.fixture
def project(tmp_path) -> Path:
    return copy(CORPUS, tmp_path / "p")


def read(project: Path, cache: bool = True):
    """The project's Facts, through a fresh read cache (or none), and that cache."""
    settings = load_settings(project)
    reads = ReadCache(project if cache else None)
    return load_facts(settings.data_dir, settings.namespaces, reads), reads


def entries(project: Path) -> list[Path]:
    folder = project / ".kg-cache" / readcache.SUBFOLDER
    return sorted(folder.glob(f"*{readcache.SUFFIX}")) if folder.is_dir() else []


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def kg(project: Path, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(KG), "--root", str(project), *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "KG_JOBS": "1", **env})


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_the_cache_gives_the_facts_reading_gives(name, tmp_path):
    project = copy(PROJECTS[name], tmp_path / name)
    plain, _ = read(project, cache=False)
    first, reads = read(project)          # read, and stored
    assert reads.hits == 0 and len(entries(project)) == len(reads.used) > len(plain.documents)
    again, reads = read(project)          # every file from the cache
    assert reads.hits == len(reads.used) == len(entries(project))
    assert plain == first == again
    assert plain.warnings == again.warnings
    assert [d.record.warnings for d in plain.documents] == [d.record.warnings for d in again.documents]
    assert [dict(d.record.lines) for d in plain.documents] == [dict(d.record.lines) for d in again.documents]


def test_the_build_from_the_cache_publishes_the_same_bytes(project, tmp_path):
    assert kg(project, "build").returncode == 0          # stores
    edit(project / "data" / "documents" / "121976.yaml", "inferred: >-\n", "inferred: >-\n      (Edited.)\n")
    assert kg(project, "build").returncode == 0          # all but one file from the cache
    assert kg(project, "build", "--dist", str(tmp_path / "clean"), KG_CACHE="0").returncode == 0
    built = {p.name: p.read_bytes() for p in (project / "dist").iterdir()}
    assert built == {p.name: p.read_bytes() for p in (tmp_path / "clean").iterdir()}


@pytest.mark.parametrize("path, old, new", [
    ("data/documents/121976.yaml", "inferred: >-\n", "inferred: >-\n      (Edited.)\n"),
    ("data/records/121976.txt", "Mikoyan reports on a conversation", "Mikoyan reports on a talk"),
    ("data/registry.yaml", "label: Nie Rongzhen", "label: Nie Rongzhen (marshal)"),
    ("data/wikidata/review.tsv", "anastas-mikoyan\tQ152738\tproposed", "anastas-mikoyan\tQ152738\taccepted"),
])
def test_an_edited_input_is_read_again(project, path, old, new):
    before, _ = read(project)
    before_nt = pipeline.assemble(load_settings(project), cache=True).shared_nt
    edit(project / path, old, new)
    after, reads = read(project)
    assert after != before and after == read(project, cache=False)[0]
    assert reads.hits < len(reads.used)
    result = pipeline.assemble(load_settings(project), cache=True)
    assert result.shared_nt == pipeline.assemble(load_settings(project)).shared_nt
    if path.startswith(("data/registry", "data/wikidata")):
        assert result.shared_nt != before_nt
    assert {p.stem for p in entries(project)} == set(_used(project))


def _used(project: Path) -> set[str]:
    """The keys a cached read of the project and its shared graph use now."""
    settings = load_settings(project)
    reads = ReadCache(project)
    facts = load_facts(settings.data_dir, settings.namespaces, reads)
    pipeline._map_shared(settings, pipeline._context(settings, facts), facts, reads)
    return reads.used


def test_the_shared_graph_from_the_cache_is_the_graph_mapped(project):
    mapped = pipeline.assemble(load_settings(project))
    assert mapped.shared_graph is not None  # no cache: the graph mapped, kept
    pipeline.assemble(load_settings(project), cache=True)
    cached = pipeline.assemble(load_settings(project), cache=True)
    assert cached.shared_graph is None and cached.shared_nt == mapped.shared_nt
    assert set(cached.shared) == set(mapped.shared)  # parsed when asked for


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x55
    path.write_bytes(bytes(data))


def _foreign(path: Path, marker: Path) -> None:
    """A well-formed entry (its checksum right) whose pickle would run a command."""
    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))
    body = pickle.dumps(Evil())
    path.write_bytes(b"kg-read sha256 " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


@pytest.mark.parametrize("how", ["damaged", "foreign", "empty", "link"])
def test_a_bad_entry_is_ignored(project, tmp_path, how):
    plain, _ = read(project, cache=False)
    read(project)
    marker = tmp_path / "ran"
    for p in entries(project):
        if how == "damaged":
            _damage(p)
        elif how == "foreign":
            _foreign(p, marker)
        elif how == "empty":
            p.write_bytes(b"")
        else:
            target = tmp_path / p.name
            shutil.copy(p, target)
            p.unlink()
            p.symlink_to(target)
    again, reads = read(project)
    assert reads.hits == 0 and again == plain
    assert not marker.exists()
    assert read(project)[1].hits == len(entries(project))  # stored again, whole


def test_an_entry_holds_only_what_its_key_says(project, monkeypatch):
    """The cache is consulted by key: an entry replaced by another valid object is what a cached
    read returns (so the key is all that decides), and what KG_CACHE=0 never looks at."""
    settings = load_settings(project)
    read(project)
    reads = ReadCache(project)
    path = settings.data_dir / "records" / "121976.txt"
    key = reads.key("record", path, path.read_bytes())
    record = read(project)[0].documents[1].record
    assert record.path == path
    reads._put(key, replace(record, title="From the cache"))
    assert read(project)[0].documents[1].record.title == "From the cache"
    monkeypatch.setenv("KG_CACHE", "0")
    off, reads = read(project)
    assert not reads.enabled and off.documents[1].record.title == record.title


def test_kg_cache_0_reads_and_writes_nothing(project):
    assert kg(project, "build", KG_CACHE="0").returncode == 0
    assert entries(project) == []
    assert kg(project, "build").returncode == 0
    assert entries(project)
    for p in entries(project):
        _damage(p)  # were they read, they would be rewritten
    before = {p: p.read_bytes() for p in entries(project)}
    assert kg(project, "build", KG_CACHE="0").returncode == 0
    assert {p: p.read_bytes() for p in entries(project)} == before


@pytest.mark.parametrize("path, old, new, message", [
    ("data/documents/121976.yaml", "kind: ", "colour: blue\nkind: ", "unknown field 'colour'"),
    ("data/registry.yaml", "label: Nie Rongzhen", "label: ''", "expected non-empty text"),
    ("data/records/121976.txt", "**Summary:**", "**Summary:**\x01", "control character"),
])
def test_an_input_error_is_reported_on_every_build(project, path, old, new, message):
    assert kg(project, "build").returncode == 0  # everything stored
    edit(project / path, old, new)
    runs = [kg(project, "build"), kg(project, "build"), kg(project, "build", KG_CACHE="0")]
    assert {r.returncode for r in runs} == {2}
    assert runs[0].stderr == runs[1].stderr == runs[2].stderr
    assert message in runs[0].stderr and path.split("/")[-1] in runs[0].stderr
    assert "Traceback" not in runs[0].stderr


def test_the_checks_across_documents_run_with_every_file_cached(project):
    read(project)
    shutil.copy(project / "data" / "documents" / "121976.yaml", project / "data" / "documents" / "121977.yaml")
    with pytest.raises(FactsError, match="facts file without a record"):
        read(project)
    (project / "data" / "documents" / "121977.yaml").unlink()
    shutil.copy(project / "data" / "records" / "121976.txt", project / "data" / "records" / "copy.txt")
    with pytest.raises(FactsError, match="and so is"):
        read(project)


def test_paused_gc_restores_the_collector():
    assert gc.isenabled()
    with readcache.paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with readcache.paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
