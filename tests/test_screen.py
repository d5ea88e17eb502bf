"""Screening (kg/screen.py) changes what pyshacl checks, never what it finds.

Each comparison validates the same graph twice through :func:`kg.validate.validate`: with
the screen (pyshacl checks only the targets a screening query selects) and without it
(pyshacl checks every target). The results must be identical — on every valid and invalid
fixture of tests/test_shapes.py (every shape's violation), on the corpus's validation
units, and on a few hundred deterministic mutations of a real document's unit (triples
dropped, values retyped, retagged, swapped, duplicated, dates put out of order or made
impossible), which break the shapes in ways no fixture was written for.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from kg import screen
from kg.pipeline import assemble
from kg.settings import load_settings
from kg.units import SharedIndex, graph, reached
from kg.validate import SparqlTargets, shapes_graph, validate
from kg.writers import ntriples

from .conftest import CORPUS
from .test_shapes import CASES, variant


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return shapes_graph()


@lru_cache(maxsize=2)
def _targets(on: bool) -> SparqlTargets:
    return SparqlTargets(_shapes(), screen=on)


def both_ways(g: Graph):
    """The results with and without the screen."""
    return validate(g, _shapes(), {}, _targets(True)), validate(g, _shapes(), {}, _targets(False))


def test_screen_covers_every_shape_of_core_constraints():
    """Every node shape is screened except those of SPARQL constraints (already whole-graph
    queries selecting offenders only) and the one with sh:xone: the speed rests on it."""
    shapes = _shapes()
    screened = set(_targets(True).screen.queries)
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        if (shape, SH.sparql, None) in shapes or (shape, SH.xone, None) in shapes:
            continue
        assert shape in screened, shape


def test_shapes_graph_is_put_back():
    g = variant(remove="", add="<person/x> a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> .")
    both_ways(g)  # pyshacl adds a few axioms of its own to the shapes graph on its first run
    before = set(_shapes())
    both_ways(g)
    assert set(_shapes()) == before


@pytest.mark.parametrize("case", [p.values[0] for p in CASES], ids=[p.id for p in CASES])
def test_fixture_results_are_the_same_with_and_without_the_screen(case):
    for g in (variant(case.valid_remove, case.valid_add), variant(case.remove, case.add)):
        on, off = both_ways(g)
        assert on == off


@lru_cache(maxsize=1)
def _corpus_units() -> list[Graph]:
    result = assemble(load_settings(CORPUS))
    index = SharedIndex(result.shared_nt)
    units = [graph(result.shared_nt)]
    for n in sorted(result.per_document):
        nt = ntriples(result.per_document[n])
        units.append(graph(reached(nt, index), graph(nt)))  # the document with the shared lines it reaches
    return units


def test_corpus_units_conform_both_ways():
    for g in _corpus_units():
        on, off = both_ways(g)
        assert on == off == []


def _mutations(g: Graph, rng: random.Random, n: int) -> list[Graph]:
    """``n`` variants of ``g``, each with one to three random breakages."""
    triples = sorted(g, key=lambda t: tuple(map(str, t)))
    literals = [t for t in triples if isinstance(t[2], Literal)]
    iris = sorted({t[2] for t in triples if isinstance(t[2], URIRef)}, key=str)
    out = []

    def retype(lit: Literal) -> Literal:
        choice = rng.randrange(11)
        text = str(lit)
        if choice == 9:  # ill-typed, its datatype kept
            return Literal(re.sub(r"^(\d{4})-\d\d-\d\d", r"\1-02-30", text) if lit.datatype else text + "x",
                           datatype=lit.datatype or XSD.nonNegativeInteger)
        if choice == 10:
            return Literal(text + "x", datatype=lit.datatype, lang=lit.language)
        if choice == 0:
            return Literal(text, lang=rng.choice(["ru", "EN", "en-GB", "zh"]))
        if choice == 1:
            return Literal(text)
        if choice == 2:
            return Literal(text, datatype=rng.choice([XSD.date, XSD.dateTime, XSD.string, XSD.integer,
                                                      XSD.nonNegativeInteger, XSD.gYear]))
        if choice == 3:
            return Literal(re.sub(r"-\d\d(T|$)", lambda m: "-30" + m.group(1), text), datatype=lit.datatype,
                           lang=lit.language)
        if choice == 4:
            return Literal(text.replace("1956", "1957").replace("0", "1", 1), datatype=lit.datatype,
                           lang=lit.language)
        if choice == 5:
            return Literal("0" + text, datatype=lit.datatype, lang=lit.language)
        if choice == 6:
            return Literal(text + "Z", datatype=lit.datatype)
        if choice == 7:
            return Literal(text[:10], datatype=lit.datatype, lang=lit.language)
        return Literal(text, datatype=XSD.decimal)

    for _ in range(n):
        m = Graph()
        for t in triples:
            m.add(t)
        for _ in range(rng.randint(1, 3)):
            kind = rng.randrange(6)
            s, p, o = rng.choice(triples)
            if kind == 0:
                m.remove((s, p, o))
            elif kind == 1 and literals:
                s, p, o = rng.choice(literals)
                m.remove((s, p, o))
                m.add((s, p, retype(o)))
            elif kind == 2 and literals:
                s, p, o = rng.choice(literals)
                m.add((s, p, retype(o)))  # a second value
            elif kind == 3 and iris:
                m.remove((s, p, o))
                m.add((s, p, rng.choice(iris)))
            elif kind == 4:
                m.remove((s, p, o))
                m.add((s, p, Literal(str(o))))
            else:
                m.add((rng.choice(iris) if iris else s, p, o))
        out.append(m)
    return out


@pytest.mark.parametrize("which,seed", [("document", s) for s in range(4)] + [("shared", s) for s in range(2)])
def test_mutated_units_give_the_same_results(which, seed):
    """Random breakage of the corpus's smaller document unit, and of the shared graph (names,
    Wikidata links, types, places): the screen never hides a result, nor adds one."""
    units = _corpus_units()
    rng = random.Random(seed)
    differing = []
    found = 0
    base = units[0] if which == "shared" else sorted(units[1:], key=len)[0]
    for g in _mutations(base, rng, 15 if which == "document" else 8):
        on, off = both_ways(g)
        found += bool(off)
        if on != off:
            differing.append((sorted(set(off) - set(on), key=str), sorted(set(on) - set(off), key=str)))
    assert not differing, differing[:2]
    assert found  # the mutations do break shapes


@pytest.mark.parametrize("datatype", sorted(map(str, screen.PLAIN)))
def test_a_plain_lexical_form_is_well_typed(datatype):
    """A value the screen passes as plainly valid is never one rdflib (and so pyshacl) finds ill-typed."""
    datatype = URIRef(datatype)
    pattern = re.compile(screen.PLAIN[datatype].replace("$", r"\Z"))
    candidates = set()
    for y in ("1956", "2000", "1900", "2100", "0999"):
        for mo in ("01", "02", "04", "06", "09", "11", "12", "13", "00"):
            for d in ("01", "28", "29", "30", "31", "32"):
                candidates |= {f"{y}-{mo}-{d}", f"{y}-{mo}-{d}T07:00:00", f"{y}-{mo}-{d}T23:59:59",
                               f"{y}-{mo}-{d}T24:00:00", f"{y}-{mo}", y}
    candidates |= {"0", "-1", "15", "007", "1.5", "-0.25", "1.", ".5", "true", "false", "1e3", "+3"}
    for text in sorted(candidates):
        if pattern.match(text):
            assert not Literal(text, datatype=datatype).ill_typed, (text, datatype)
