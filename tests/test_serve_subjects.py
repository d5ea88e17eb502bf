"""``kg serve``'s first start: the subjects found in kg.nt itself, kg.nt in parts in memory,
and the build's note trusted instead of hashing the dumps.

Whatever answers a lookup while the first start's work goes on in the background must
answer exactly what the finished stores answer: the subjects in kg.nt (binary search)
as their sorted list does, kg.nt's parts in memory as one store does.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import distdir, lexical
from kg.serve import pagestore, parts, subjects
from kg.serve.graph import Graph
from kg.serve.subjects import InFile, Listed

from .test_serve_cache import BASE


def _prefixes(iris: list[str]) -> set[str]:
    """Every prefix of the IRIs at a "/" (and each IRI less its last character), with some not there."""
    out = {BASE, BASE[:-1], "https://kg.example.org", "http://elsewhere.example/", BASE + "zzz", BASE + "person/zz"}
    for iri in iris:
        out.add(iri[:-1])
        at = iri.find("/", len(BASE))
        while at > 0:
            out.add(iri[:at + 1])
            out.add(iri[:at])
            at = iri.find("/", at + 1)
    return out


def _same(listed: Listed, in_file: InFile, iris: list[str]) -> None:
    assert in_file.all() == listed.all()
    for prefix in sorted(_prefixes(iris)):
        assert in_file.below(prefix) == listed.below(prefix), prefix
    for iri in sorted(set(iris) | {p for p in _prefixes(iris)} | {i + "x" for i in iris}):
        assert in_file.holds(iri) == listed.holds(iri), iri


def test_the_subjects_found_in_kg_nt_are_those_of_the_sorted_list(corpus_dist):
    g = Graph(corpus_dist, BASE)  # in memory: the list from the store
    extra = sorted({q.subject.value for name in ("void.ttl", "ontology.ttl")
                    for q in ox.parse((corpus_dist / name).read_bytes(), ox.RdfFormat.TURTLE)
                    if isinstance(q.subject, ox.NamedNode)})
    in_file = InFile(corpus_dist / "kg.nt", BASE, extra + ["http://elsewhere.example/x"])
    assert len(g.subjects) > 500
    _same(Listed(g.subjects), in_file, g.subjects)


def test_the_binary_search_over_tricky_neighbours(tmp_path, monkeypatch):
    """IRIs that are prefixes of others, subjects of many lines, UTF-8 IRIs: searched in steps of a few lines."""
    monkeypatch.setattr(subjects, "_NEAR", 48)
    keys = ["1", "1/a", "1/a/b", "12", "1x", "1-2", "2", "café", "caf", "z" * 40, "10", "1/"]
    lines = []
    for i, key in enumerate(keys):
        for j in range(1 + 3 * (i % 4)):  # 1, 4, 7 or 10 lines
            lines.append(f'<{BASE}document/{key}> <urn:x:p> "{j}" .\n'.encode("utf-8"))
    lines.append(f'<{BASE}person/a> <urn:x:p> <{BASE}document/1> .\n'.encode())
    lines.append(b'<http://elsewhere.example/a> <urn:x:p> "x" .\n')
    lines.append(b'_:b <urn:x:p> "y" .\n')
    nt = tmp_path / "kg.nt"
    nt.write_bytes(b"".join(sorted(lines)))
    extra = [f"{BASE}dataset", f"{BASE}document/1/void", "http://elsewhere.example/b"]
    iris = sorted({f"{BASE}document/{k}" for k in keys} | {f"{BASE}person/a"} | set(extra[:2]))
    _same(Listed(iris), InFile(nt, BASE, sorted(extra)), iris)
    empty = tmp_path / "empty.nt"
    empty.write_bytes(b"")
    assert InFile(empty, BASE, []).all() == [] and not InFile(empty, BASE, []).holds(BASE + "x")


def _quads(store, s=None, p=None, o=None) -> list[str]:
    return sorted(str(q) for q in store.quads_for_pattern(s, p, o, ox.DefaultGraph()))


def test_kg_nt_in_parts_answers_as_one_store(corpus_dist, monkeypatch):
    monkeypatch.setattr(parts, "_MIN_PART", 1)
    nt = corpus_dist / "kg.nt"
    one = ox.Store()
    with nt.open("rb") as f:
        one.bulk_load(lexical.reader(f), ox.RdfFormat.N_TRIPLES)
    split = parts.load(nt, 5)
    assert len(split.stores) == 5 and len(split) == len(one)
    found = parts.cuts(nt, 5)
    data = nt.read_bytes()
    for at, key in found[1:]:  # each cut at the first line of a subject, its key that subject's
        previous = data[data.rfind(b"\n", 0, at - 1) + 1:at]
        assert data[at - 1:at] == b"\n" and data[at:].startswith(key) and not previous.startswith(key)
    terms = {t for q in one for t in (q.subject, q.predicate, q.object)}
    for t in sorted(terms, key=str):
        if isinstance(t, ox.NamedNode):
            assert _quads(split, s=t) == _quads(one, s=t), t
            assert _quads(split, o=t) == _quads(one, o=t), t
    extra = [ox.Quad(q.subject, q.predicate, q.object) for q in list(one)[:5]] + [
        ox.Quad(ox.NamedNode(BASE + "dataset"), ox.NamedNode("urn:x:p"), ox.Literal("new"))]
    split.extend(extra)  # further triples: each once
    assert len(split) == len(one) + 1 and _quads(split, s=ox.NamedNode(BASE + "dataset"))


def test_a_dist_as_the_build_wrote_it_is_not_hashed_and_any_change_is(tmp_path, corpus_dist, monkeypatch):
    from .conftest import CORPUS
    project = tmp_path / "p"
    shutil.copytree(CORPUS, project, ignore=shutil.ignore_patterns(".kg-cache", "dist"))
    from kg.pipeline import build
    from kg.settings import load_settings
    from kg.unitcache import dist_note
    settings = load_settings(project)
    build(settings)
    note, dist = dist_note(project), project / "dist"
    assert distdir.as_written(dist, note) and not distdir.as_written(dist, None)
    asked = []
    monkeypatch.setattr(pagestore, "verified", lambda *a: asked.append(a) or True)
    monkeypatch.setattr(pagestore, "_second_process", lambda *a: None)  # the check, if any, here
    g = Graph(dist, settings.base, settings.namespaces, cache=tmp_path / "cache", note=note)
    assert asked == [] and isinstance(g.store, parts.Parts)  # trusted: nothing read but kg.nt
    g.cached.wait_background(120)
    os.utime(dist / "kg.nq")  # touched: no longer as the build wrote it
    assert not distdir.as_written(dist, note)
    (dist / "kg.nq").write_bytes((dist / "kg.nq").read_bytes())  # a new key: a first start again
    again = Graph(dist, settings.base, settings.namespaces, cache=tmp_path / "cache", note=note)
    assert len(asked) == 1 and isinstance(again.store, parts.Parts)  # checked by its checksums


@pytest.mark.parametrize("edit", ["kg.nt", "kg.nq"])
def test_dumps_not_what_sha256sums_lists_are_served_from_kg_nq(tmp_path, corpus_dist, edit):
    dist = tmp_path / "dist"
    shutil.copytree(corpus_dist, dist)
    with (dist / edit).open("ab") as f:
        f.write(b"\n")  # one byte more: no longer what SHA256SUMS lists (kg.nt is still sorted)
    g = Graph(dist, BASE, cache=tmp_path / "cache")
    assert g.cached.complete and g.cached.meta["merged"] is False and isinstance(g.store, ox.Store)
    assert g.subjects == Graph(corpus_dist, BASE).subjects


def test_kg_nt_too_large_for_memory_goes_to_the_store_on_disk_before_serving(tmp_path, corpus_dist, monkeypatch):
    assert parts.fits(corpus_dist / "kg.nt")  # a few MB: in memory
    monkeypatch.setattr(parts, "MEMORY_PER_BYTE", float(parts.available_memory() or 1 << 40))
    assert not parts.fits(corpus_dist / "kg.nt")
    dist = tmp_path / "dist"
    shutil.copytree(corpus_dist, dist)
    memory, g = Graph(corpus_dist, BASE), Graph(dist, BASE, cache=tmp_path / "cache")
    assert g.cached.complete and g.cached.meta["merged"] is True and isinstance(g.store, ox.Store)
    assert (g.subjects, g.type_terms, g.data_triples) == (memory.subjects, memory.type_terms, memory.data_triples)
    for iri in memory.subjects[::25]:
        assert g.outgoing(iri) == memory.outgoing(iri) and g.incoming(iri) == memory.incoming(iri), iri


def test_the_first_incoming_statements_are_those_of_all_of_them_sorted(tmp_path, corpus_dist):
    from .test_serve_cache import _hub_dist
    for dist in (corpus_dist, _hub_dist(tmp_path)):
        g = Graph(dist, BASE)
        objects = sorted({q.object.value for q in g.store if isinstance(q.object, ox.NamedNode)})
        for iri in objects[::7] + [BASE + "person/hub", BASE + "person/peng-dehuai", BASE + "nothing"]:
            back = [(t.subject.value, t.predicate.value) for t in g.incoming(iri) if isinstance(t.subject, ox.NamedNode)]
            for n in (1, 3, 300):
                assert g.incoming_first(iri, n) == (len(back), back[:n]), (iri, n)
