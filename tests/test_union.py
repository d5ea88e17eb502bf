"""kg.union: the published union and kg.nq's graphs kept in pieces between builds.

Whatever the history of builds, the dumps assembled from the pieces are those a clean build
writes: random graphs edited step by step (lines added, dropped, copied between graphs,
graphs added and removed) are published by one cache that follows every step and by a fresh
one, and both are compared with the whole-graph writers. Then whole builds: an edited
document, a damaged piece, a damaged document cache entry.
"""
from __future__ import annotations

import gzip
import hashlib
import random
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg import union as union_module
from kg import writers
from kg.publish import Built, Staging, context, prefixes, render_dumps
from kg.union import Pieces, Source

from .test_unitcache import build, clean_build, edit, project  # noqa: F401  (the fixture)

BASE = "https://kg.example.org/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def line_pool(rng: random.Random, n: int) -> list[tuple]:
    """Triples over a few dozen subjects (some sorting as prefixes of others: ``a`` and ``a/b``)."""
    subjects = [URIRef(f"{BASE}{kind}/{i}{tail}") for kind in ("person", "event", "document")
                for i in range(12) for tail in ("", "/name")]
    out = []
    for _ in range(n):
        s = rng.choice(subjects)
        kind = rng.randrange(4)
        if kind == 0:
            out.append((s, RDF.type, URIRef(f"{CRM}E{rng.randrange(5)}_Thing")))
        elif kind == 1:
            out.append((s, RDFS.label, Literal(f"label {rng.randrange(40)} \"q\"\n", lang=rng.choice(["en", "ru"]))))
        elif kind == 2:
            out.append((s, URIRef(f"{CRM}P{rng.randrange(9)}_p"), rng.choice(subjects)))
        else:
            out.append((s, URIRef("http://example.org/unprefixed#v"), Literal(str(rng.randrange(99)))))
    return out


def nt_of(triples) -> bytes:
    g = Graph()
    for t in triples:
        g.add(t)
    return writers.ntriples(g)


def sources(graphs: dict[str, bytes]) -> list[Source]:
    return [Source(iri, hashlib.sha256(nt).hexdigest(), lambda nt=nt: nt) for iri, nt in sorted(graphs.items())]


def publish(root: Path, graphs: dict[str, bytes], out: Path) -> tuple[dict[str, bytes], Pieces, list]:
    """The four dumps of ``graphs`` (each graph of kg.nq whole) through kg.union, from ``root``'s cache."""
    pieces = Pieces(root, prefixes(), context()["@context"])
    got = pieces.union(sources(graphs))
    named = [pieces.graph(s.iri, s.sha, s.nt) for s in sources(graphs)]
    staging = Staging(out)
    render_dumps(Built(got, named), staging)
    staging.commit()
    pieces.finish()
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    return files, pieces, got.chunks


def expected(graphs: dict[str, bytes]) -> dict[str, bytes]:
    """What the whole-graph writers make of the union and the graphs."""
    union = writers.merge_lines(graphs.values())
    return {"kg.nt": union, "kg.ttl": writers.turtle(union, prefixes()),
            "kg.jsonld": writers.jsonld(union, context()["@context"]),
            "kg.nq": writers.nquads_of(sorted(graphs.items()))}


@pytest.mark.parametrize("seed", range(8))
def test_a_cache_following_every_edit_publishes_what_a_clean_build_does(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(union_module, "CUT", 3)  # many chunks, so edits fall inside, across and at their ends
    monkeypatch.setattr(union_module, "SERIAL", 1 << 20)  # all in this process (workers: the test below)
    rng = random.Random(seed)
    pool = line_pool(rng, 400)
    graphs = {f"{BASE}graph/document/{i}": nt_of(rng.sample(pool, rng.randrange(1, 60))) for i in range(10)}
    graphs[f"{BASE}graph/shared"] = nt_of(rng.sample(pool, 80))
    incremental_renders = []
    for step in range(14):
        files, pieces, chunks = publish(tmp_path / "kept", graphs, tmp_path / f"out{step}")
        fresh, _, fresh_chunks = publish(tmp_path / f"fresh{step}", graphs, tmp_path / f"fresh-out{step}")
        assert files == fresh and chunks == fresh_chunks
        want = expected(graphs)
        for name, data in want.items():
            assert files[name] == data, name
            assert gzip.decompress(files[f"{name}.gz"]) == data, name
        if step:
            incremental_renders.append((pieces.rendered, len(chunks)))
        # the next edit: one graph changed (lines dropped, added, copied from another graph),
        # now and then a graph added or removed, or three graphs changed at once
        what = rng.randrange(6)
        names = sorted(graphs)
        if what == 0 and len(graphs) > 3:
            del graphs[rng.choice(names)]
        elif what == 1:
            graphs[f"{BASE}graph/document/x{step}"] = nt_of(rng.sample(pool, 20))
        else:
            for name in rng.sample(names, 3 if what == 2 else 1):
                own = list(writers.lines(graphs[name]))
                kept = rng.sample(own, max(0, len(own) - rng.randrange(4)))
                other = list(writers.lines(graphs[rng.choice(names)]))
                copied = rng.sample(other, min(len(other), rng.randrange(4)))
                fresh_lines = [line + b"\n" for line in kept + copied]
                added = nt_of(rng.sample(pool, rng.randrange(3)))
                graphs[name] = writers.merge_lines([b"".join(sorted(fresh_lines)), added])
                if not graphs[name]:
                    del graphs[name]
    # one small edit renders a few chunks, not all of them
    assert any(rendered < total / 2 for rendered, total in incremental_renders)


def test_an_unchanged_union_renders_nothing(tmp_path):
    rng = random.Random(1)
    graphs = {f"{BASE}graph/{i}": nt_of(line_pool(rng, 50)) for i in range(4)}
    first, pieces, _ = publish(tmp_path / "kept", graphs, tmp_path / "a")
    assert pieces.rendered > 0
    again, pieces, _ = publish(tmp_path / "kept", graphs, tmp_path / "b")
    assert again == first and pieces.rendered == 0


def test_a_damaged_piece_is_made_again(project, tmp_path):  # noqa: F811
    first, _ = build(project)
    folder = project / ".kg-cache" / "union"
    for piece in sorted(p for p in folder.iterdir() if p.name.startswith("c")):
        data = bytearray(piece.read_bytes())
        data[-2] ^= 1  # the same size, one bit off
        piece.write_bytes(bytes(data))
    again, _ = build(project)
    assert again == first


def test_an_edit_publishes_from_kept_pieces_what_a_clean_build_does(project, tmp_path):  # noqa: F811
    build(project)
    edit(project / "data" / "documents" / "121976.yaml", "inferred: >-\n", "inferred: >-\n      (Edited.)\n")
    files, validated = build(project)
    rendered = int(re.search(r"^kg: count union chunks rendered (\d+)$", build.stderr, re.M).group(1))
    assert validated == 1 and rendered == 1  # the chunk holding the edited note
    assert files == clean_build(project, tmp_path)


def test_a_damaged_document_entry_is_reported_then_mapped_again(project, tmp_path):  # noqa: F811
    """An entry of the document cache keeps its size but not its triples: when a build needs
    those triples (here: the union's cache is gone) it stops and names the entry, removed;
    the next build maps that document again."""
    first, _ = build(project)
    shutil.rmtree(project / ".kg-cache" / "union")
    entry = sorted((project / ".kg-cache" / "documents").glob("*.nt"))[0]
    data = bytearray(entry.read_bytes())
    data[-3] ^= 1
    entry.write_bytes(bytes(data))
    proc = build.run(project)
    assert proc.returncode != 0 and "damaged" in proc.stderr and entry.name in proc.stderr
    assert not entry.exists()
    again, _ = build(project)
    assert build.from_cache == 1 and again == first


def test_chunks_rendered_by_workers_are_those_rendered_here(tmp_path, monkeypatch):
    monkeypatch.setattr(union_module, "CUT", 2)
    rng = random.Random(5)
    pool = line_pool(rng, 500)
    graphs = {f"{BASE}graph/{i}": nt_of(rng.sample(pool, 120)) for i in range(6)}
    monkeypatch.setattr(union_module, "SERIAL", 1 << 20)
    here, pieces, chunks = publish(tmp_path / "serial", graphs, tmp_path / "a")
    assert not pieces.pooled and pieces.rendered == len(chunks) < 1000
    monkeypatch.setattr(union_module, "SERIAL", 2)
    monkeypatch.setenv("KG_JOBS", "2")
    workers, pieces, chunks = publish(tmp_path / "workers", graphs, tmp_path / "b")
    assert pieces.pooled and pieces.rendered == len(chunks) > 2 and workers == here == {**workers, **expected(graphs)}
