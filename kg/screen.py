"""Screening: the focus nodes that could fail a shape, found by one SPARQL query on pyoxigraph.

pyshacl checks every constraint of a shape on every focus node in Python, so a document of
a few thousand triples takes a good part of a second, nearly all of it on nodes that
conform. For a node shape built only of components this module understands, one query
selects every target that might not conform; pyshacl then validates those targets only
(as ``sh:targetNode``, see :class:`kg.validate.SparqlTargets`). A target the query leaves
out conforms to every constraint of the shape, so pyshacl's results are the same as
without the screen: the screen only decides what pyshacl may skip, never what is wrong.

Each test passes a value only when it plainly conforms and leaves everything else to
pyshacl: a ``xsd:dateTime`` only in its plain form and a real day of the month, a language
tag only as written in ``sh:languageIn``, a comparison (``sh:lessThan``) only between two
plain dateTimes or two plain numbers, a ``sh:pattern`` only in the regex features Python
and Oxigraph read alike. A component it has no test for (``sh:node``, ``sh:or`` of
anything but value tests …) sends every target with a value on that path to pyshacl; one that may fail without any value (``sh:qualifiedMinCount``) sends
every target. A shape with a node-level component other than ``sh:nodeKind`` and
``sh:property``, or with a path other than a property or its inverse, is not screened.

The screen's store holds each literal as rdflib has it: Oxigraph canonicalises typed
literals (``"01"^^xsd:integer`` becomes ``"1"``), so XSD datatypes are renamed on the way
in, as ``kg serve``'s stores do (:mod:`kg.lexical`), and tests compare lexical forms.
``KG_SCREEN=0`` turns screening off (pyshacl then checks every target, as the tests do to
compare both ways).
"""
from __future__ import annotations

import os
import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from . import lexical
from .writers import Terms, to_rdflib

ENV = "KG_SCREEN"
_GIVEN = "\x00"  # marks where a given target's focus nodes go in a query

# what a shape may say besides its constraints
_ANNOTATIONS = {RDF.type, RDFS.label, RDFS.comment, SH.message, SH.severity, SH.name, SH.description,
                SH.order, SH.group}
_TARGETS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target}
# components whose test here is "has any value on the path" (pyshacl decides)
_OPAQUE = {SH["or"], SH.xone, SH["not"], SH.node, SH.pattern, SH.flags, SH.minLength, SH.maxLength,
           SH.uniqueLang, SH.qualifiedValueShape, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
           SH.property, SH.disjoint, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive}

# a regex in these features means the same to Python's re and to Oxigraph (Rust's regex);
# Python's $ also matches before a final line break, so a value passing Oxigraph passes pyshacl
_SAFE_PATTERN = re.compile(r"\^?(?:[A-Za-z0-9/:_-]|\\[.\[\]]|\[0-9\]|[+*?])*\$?")
_DAY = ("((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)")
# lexical forms that are plainly valid (a stricter test than XSD's: anything else goes to pyshacl)
PLAIN = {
    XSD.dateTime: f"^[12][0-9]{{3}}-{_DAY}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
    XSD.date: f"^[12][0-9]{{3}}-{_DAY}$",
    XSD.gYearMonth: "^[12][0-9]{3}-(0[1-9]|1[0-2])$",
    XSD.gYear: "^[12][0-9]{3}$",
    XSD.nonNegativeInteger: "^[0-9]{1,15}$",
    XSD.integer: "^-?[0-9]{1,15}$",
    XSD.decimal: "^-?[0-9]{1,15}([.][0-9]{1,15})?$",
    XSD.boolean: "^(true|false)$",
}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.Literal: "isLiteral({v})", SH.BlankNode: "isBlank({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})", SH.IRIOrLiteral: "!isBlank({v})", SH.BlankNodeOrLiteral: "!isIRI({v})",
}


def enabled() -> bool:
    return os.environ.get(ENV, "1").strip() != "0"


def term(t, terms: Terms | None = None) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """An rdflib term as the screen's store holds it: as :class:`kg.writers.Terms` converts it,
    a typed literal's XSD datatype renamed (:mod:`kg.lexical`); a plain literal stays plain,
    apart from one typed ``xsd:string``, as in rdflib."""
    converted = (terms or Terms())(t)
    return lexical.kept(converted) if isinstance(t, Literal) and t.datatype is not None else converted


def _kept(datatype) -> str:
    """A datatype as the screen's store names it, in SPARQL syntax."""
    return f"<{lexical.kept_datatype(str(datatype))}>"


def stores(data: Graph) -> tuple[ox.Store, ox.Store]:
    """``data`` in two pyoxigraph stores, made in one pass: as Oxigraph keeps it (what the
    shapes' SPARQL targets run on) and with its literals as written (what the screening
    queries run on); only a typed literal (an object) differs between them."""
    terms = Terms()
    canonical, written = [], []
    for s, p, o in data:
        quad = ox.Quad(terms(s), terms(p), terms(o))
        canonical.append(quad)
        written.append(ox.Quad(quad.subject, quad.predicate, term(o, terms)) if isinstance(o, Literal) else quad)
    out = ox.Store(), ox.Store()
    out[0].bulk_extend(canonical)
    out[1].bulk_extend(written)
    return out


def _sparql(t) -> str:
    """A term of the shapes graph in SPARQL syntax, as the screen's store holds it."""
    return str(term(t))


class Unscreenable(Exception):
    """The shape uses something the screen has no test for: pyshacl checks all its targets."""


class _Compiler:
    def __init__(self, shapes: Graph, embeddable: dict, given: dict):
        self.g, self.embeddable, self.given, self.n = shapes, embeddable, given, 0
        self.uses: set = set()  # the given targets the query names

    def var(self) -> str:
        self.n += 1
        return f"?_{self.n}"

    def targets(self, shape) -> str:
        parts = []
        for p, o in sorted(self.g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if p == SH.targetClass:
                parts.append(f"?this {_sparql(RDF.type)}/{_sparql(RDFS.subClassOf)}* {_sparql(o)} .")
            elif p == SH.targetSubjectsOf:
                parts.append(f"?this {_sparql(o)} {self.var()} .")
            elif p == SH.targetObjectsOf:
                parts.append(f"{self.var()} {_sparql(o)} ?this .")
            elif p == SH.targetNode:
                parts.append(f"VALUES ?this {{ {_sparql(o)} }}")
            elif p == SH.target:
                if o in self.embeddable:
                    parts.append(f"{{ {self.embeddable[o]} }}")
                elif o in self.given:
                    self.uses.add(o)
                    parts.append(f"VALUES ?this {{ {_GIVEN}{self.given[o]}{_GIVEN} }}")
                else:
                    raise Unscreenable(o)
        if not parts:
            raise Unscreenable(shape)
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    def path(self, node) -> str:
        """A SHACL property path as a SPARQL property path (the same value nodes)."""
        if isinstance(node, URIRef):
            return _sparql(node)
        if not isinstance(node, BNode):
            raise Unscreenable(node)
        predicates = set(self.g.predicates(node))
        for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            if predicates == {key}:
                return f"({self.path(self.g.value(node, key))}){mark}"
        if predicates == {SH.inversePath}:
            return f"^({self.path(self.g.value(node, SH.inversePath))})"
        if predicates == {SH.alternativePath}:
            members = list(Collection(self.g, self.g.value(node, SH.alternativePath)))
            if not members:
                raise Unscreenable(node)
            return "(" + "|".join(self.path(m) for m in members) + ")"
        if predicates == {RDF.first, RDF.rest}:
            members = list(Collection(self.g, node))
            if len(members) < 2:
                raise Unscreenable(node)
            return "(" + "/".join(self.path(m) for m in members) + ")"
        raise Unscreenable(node)

    @staticmethod
    def values(path: str, value: str) -> str:
        return f"?this {path} {value} ."

    def plain(self, v: str, datatype) -> str:
        """``v`` is a literal of ``datatype`` in a plainly valid lexical form."""
        if datatype == RDF.langString:
            return f"(isLiteral({v}) && lang({v}) != \"\")"
        if datatype == XSD.string:
            return (f"(isLiteral({v}) && lang({v}) = \"\" && (datatype({v}) = {_sparql(XSD.string)}"
                    f" || datatype({v}) = {_kept(XSD.string)}))")
        if datatype in PLAIN:
            return (f"(isLiteral({v}) && datatype({v}) = {_kept(datatype)}"
                    f" && REGEX(STR({v}), \"{PLAIN[datatype]}\"))")
        return "false"

    def value_test(self, node, v: str) -> str | None:
        """A test a value ``v`` passes only if it conforms to the value components of shape
        ``node`` (None: the shape has no value component this screen knows)."""
        tests = []
        for p, o in self.g.predicate_objects(node):
            if p == SH.datatype:
                tests.append(self.plain(v, o))
            elif p == SH["class"]:
                tests.append(f"EXISTS {{ {v} {_sparql(RDF.type)}/{_sparql(RDFS.subClassOf)}* {_sparql(o)} }}")
            elif p == SH.nodeKind:
                if o not in _NODE_KINDS:
                    raise Unscreenable(o)
                tests.append(_NODE_KINDS[o].format(v=v))
            elif p == SH.languageIn:
                tags = [str(x) for x in Collection(self.g, o)]
                if not all(isinstance(x, Literal) for x in Collection(self.g, o)):
                    raise Unscreenable(o)
                tests.append(f"(isLiteral({v}) && lang({v}) IN ({', '.join(_string(t) for t in tags)}))")
            elif p == SH["in"]:
                members = list(Collection(self.g, o))
                tests.append("(" + " || ".join(f"sameTerm({v}, {_sparql(m)})" for m in members) + ")"
                             if members else "false")
            elif p == SH["or"]:
                tests.append(self.any_of(o, v))
            elif p == SH.pattern:
                tests.append(self.pattern(node, o, v))
        return " && ".join(tests) if tests else None

    def pattern(self, node, pattern, v: str) -> str:
        """``sh:pattern`` (no flags) written in the few regex features whose meaning Python's
        ``re`` (pyshacl) and Oxigraph's REGEX share — characters, ``\\. \\[ \\]``, ``[0-9]``, ``+ * ?``,
        ``^ $`` — else ``false`` (pyshacl decides)."""
        if (node, SH.flags, None) in self.g or not _SAFE_PATTERN.fullmatch(str(pattern)):
            return "false"
        return f"(!isBlank({v}) && REGEX(STR({v}), {_string(str(pattern))}))"

    def any_of(self, items, v: str) -> str:
        """``sh:or``: the value passes one of the member shapes (each made of value components only)."""
        alternatives = []
        for member in Collection(self.g, items):
            if not isinstance(member, BNode) or set(self.g.predicates(member)) - {SH.datatype, SH.nodeKind,
                                                                                    SH["class"], SH["in"],
                                                                                    SH.languageIn}:
                return "false"
            alternatives.append(f"({self.value_test(member, v) or 'false'})")
        return "(" + " || ".join(alternatives) + ")" if alternatives else "false"

    def member_conforms(self, member) -> str:
        """When the focus node ``?this`` conforms to ``member`` of a node-level ``sh:xone``,
        exactly: a property shape of ``sh:minCount`` 0 or 1 and ``sh:maxCount 1`` only."""
        predicates = set(self.g.predicates(member)) - _ANNOTATIONS
        if (not isinstance(member, BNode) or predicates - {SH.path, SH.minCount, SH.maxCount}
                or SH.path not in predicates
                or any(int(n) not in (0, 1) for n in self.g.objects(member, SH.minCount))
                or any(int(n) != 1 for n in self.g.objects(member, SH.maxCount))):
            raise Unscreenable(member)
        path, a, b = self.path(self.g.value(member, SH.path)), self.var(), self.var()
        tests = [f"EXISTS {{ {self.values(path, a)} }}" for n in self.g.objects(member, SH.minCount) if int(n) == 1]
        if SH.maxCount in predicates:
            tests.append(f"NOT EXISTS {{ {self.values(path, a)} {self.values(path, b)} FILTER (!sameTerm({a}, {b})) }}")
        return "(" + (" && ".join(tests) or "true") + ")"

    def member_fails(self, member) -> str:
        """When the focus node ``?this`` might not conform to ``member`` of a node-level ``sh:or``
        (a property shape of ``sh:minCount 1`` and value components, or value components of
        the node itself)."""
        predicates = set(self.g.predicates(member)) - _ANNOTATIONS
        values = {SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.languageIn}
        if not isinstance(member, BNode) or predicates - values - {SH.path, SH.minCount}:
            raise Unscreenable(member)
        if SH.path not in predicates:
            if SH.minCount in predicates:
                raise Unscreenable(member)
            return f"!COALESCE({self.value_test(member, '?this') or 'true'}, false)"
        path, v = self.path(self.g.value(member, SH.path)), self.var()
        fails = []
        for n in self.g.objects(member, SH.minCount):
            if int(n) > 1:
                raise Unscreenable(member)
            if int(n) == 1:
                fails.append(f"NOT EXISTS {{ {self.values(path, v)} }}")
        test = self.value_test(member, v)
        if test is not None:
            fails.append(f"EXISTS {{ {self.values(path, v)} FILTER (!COALESCE({test}, false)) }}")
        return "(" + (" || ".join(fails) or "false") + ")"

    def exact(self, node, v: str) -> str:
        """A test ``v`` passes exactly when it conforms to shape ``node`` (``sh:in``, ``sh:class``,
        or a property shape of one ``sh:hasValue``); anything else is :class:`Unscreenable`."""
        predicates = set(self.g.predicates(node)) - _ANNOTATIONS
        if predicates == {SH["in"]}:
            return self.value_test(node, v)
        if predicates == {SH["class"]} and len(set(self.g.objects(node, SH["class"]))) == 1:
            return self.value_test(node, v)
        if predicates == {SH.pattern} and "$" not in str(self.g.value(node, SH.pattern)):
            test = self.pattern(node, self.g.value(node, SH.pattern), v)  # without $, both find the same
            if test != "false":
                return test
        if predicates == {SH.path, SH.hasValue} and len(set(self.g.objects(node, SH.hasValue))) == 1:
            path = self.path(self.g.value(node, SH.path))
            return f"EXISTS {{ {v} {path} {_sparql(self.g.value(node, SH.hasValue))} }}"
        raise Unscreenable(node)

    def qualified(self, prop, path: str, targets: str) -> str:
        """``sh:qualifiedValueShape`` with its counts: the targets whose number of conforming values is out of range."""
        q = self.g.value(prop, SH.qualifiedValueShape)
        if (prop, SH.qualifiedValueShapesDisjoint, None) in self.g:
            raise Unscreenable(prop)
        v = self.var()
        n = f"SUM(IF(BOUND({v}) && COALESCE({self.exact(q, v)}, false), 1, 0))"
        out = [f"{n} < {int(m)}" for m in self.g.objects(prop, SH.qualifiedMinCount)]
        out += [f"{n} > {int(m)}" for m in self.g.objects(prop, SH.qualifiedMaxCount)]
        return (f"{{ SELECT ?this WHERE {{ {{ SELECT DISTINCT ?this {v} WHERE {{ {targets} OPTIONAL {{ "
                f"{self.values(path, v)} }} }} }} }} GROUP BY ?this HAVING ({' || '.join(out) or 'false'}) }}")

    def compare(self, path, other, v: str, strict: bool) -> str:
        """``sh:lessThan`` (strict) / ``sh:lessThanOrEquals``: every pair plainly in order."""
        w = self.var()
        op = "<" if strict else "<="
        dec = _kept(XSD.decimal)
        dt, num = _kept(XSD.dateTime), [_kept(XSD.nonNegativeInteger), _kept(XSD.integer)]
        in_order = (
            f"((datatype({v}) = {dt} && datatype({w}) = {dt}"
            f" && REGEX(STR({v}), \"{PLAIN[XSD.dateTime]}\") && REGEX(STR({w}), \"{PLAIN[XSD.dateTime]}\")"
            f" && STR({v}) {op} STR({w}))"
            f" || (datatype({v}) IN ({', '.join(num)}) && datatype({w}) = datatype({v})"
            f" && REGEX(STR({v}), \"^[0-9]{{1,15}}$\") && REGEX(STR({w}), \"^[0-9]{{1,15}}$\")"
            f" && <{XSD.integer}>(STR({v})) {op} <{XSD.integer}>(STR({w})))"
            f" || (datatype({v}) = {dec} && datatype({w}) = {dec}"
            f" && REGEX(STR({v}), \"{PLAIN[XSD.decimal]}\") && REGEX(STR({w}), \"{PLAIN[XSD.decimal]}\")"
            f" && <{XSD.decimal}>(STR({v})) {op} <{XSD.decimal}>(STR({w}))))")
        return (f"{self.values(path, v)} ?this {_sparql(other)} {w} ."
                f" FILTER (!COALESCE({in_order}, false))")

    def property_branches(self, prop, targets: str) -> list[str]:
        allowed = _ANNOTATIONS | {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind,
                                  SH.languageIn, SH["in"], SH.hasValue, SH.equals, SH.lessThan,
                                  SH.lessThanOrEquals, SH.qualifiedMinCount} | _OPAQUE
        predicates = set(self.g.predicates(prop))
        if predicates - allowed or (prop, SH.deactivated, None) in self.g:
            raise Unscreenable(prop)
        path = self.path(self.g.value(prop, SH.path))
        v = self.var()
        out = []
        for n in self.g.objects(prop, SH.minCount):
            out.append(f"{{ SELECT ?this WHERE {{ {targets} OPTIONAL {{ {self.values(path, v)} }} }}"
                       f" GROUP BY ?this HAVING (COUNT(DISTINCT {v}) < {int(n)}) }}")
        for n in self.g.objects(prop, SH.maxCount):
            out.append(f"{{ SELECT ?this WHERE {{ {targets} {self.values(path, v)} }}"
                       f" GROUP BY ?this HAVING (COUNT(DISTINCT {v}) > {int(n)}) }}")
        for x in self.g.objects(prop, SH.hasValue):
            out.append(f"{{ {targets} FILTER NOT EXISTS {{ {self.values(path, _sparql(x))} }} }}")
        for other in self.g.objects(prop, SH.equals):
            w = self.var()
            out.append(f"{{ {targets} {{ {self.values(path, v)} FILTER NOT EXISTS {{ ?this {_sparql(other)} {v} }} }}"
                       f" UNION {{ ?this {_sparql(other)} {w} FILTER NOT EXISTS {{ {self.values(path, w)} }} }} }}")
        for other in self.g.objects(prop, SH.lessThan):
            out.append(f"{{ {targets} {self.compare(path, other, v, True)} }}")
        for other in self.g.objects(prop, SH.lessThanOrEquals):
            out.append(f"{{ {targets} {self.compare(path, other, v, False)} }}")
        opaque = predicates & _OPAQUE - {SH["or"], SH["not"], SH.qualifiedValueShape, SH.qualifiedMaxCount,
                                          SH.pattern, SH.flags}
        if SH.qualifiedValueShape in predicates:
            try:
                out.append(self.qualified(prop, path, targets))
            except Unscreenable:
                if any(int(n) > 0 for n in self.g.objects(prop, SH.qualifiedMinCount)):
                    out.append(f"{{ {targets} }}")
                opaque.add(SH.qualifiedValueShape)
        for inner in self.g.objects(prop, SH["not"]):
            try:
                test = self.exact(inner, v)
            except Unscreenable:
                opaque.add(SH["not"])
                continue
            out.append(f"{{ {targets} {self.values(path, v)} FILTER (COALESCE({test}, true)) }}")
        if opaque or (SH["or"] in predicates and self.any_of(self.g.value(prop, SH["or"]), v) == "false"):
            out.append(f"{{ {targets} {self.values(path, v)} }}")
        test = self.value_test(prop, v)
        if test is not None:
            out.append(f"{{ {targets} {self.values(path, v)} FILTER (!COALESCE({test}, false)) }}")
        return out

    def shape(self, shape) -> str:
        """The query selecting every target of ``shape`` that might not conform."""
        predicates = set(self.g.predicates(shape))
        if (predicates - (_ANNOTATIONS | _TARGETS | {SH.property, SH.nodeKind, SH["or"], SH.xone})
                or (shape, SH.deactivated, None) in self.g):
            raise Unscreenable(shape)
        targets = self.targets(shape)
        branches = []
        for items in self.g.objects(shape, SH["or"]):
            fails = [self.member_fails(m) for m in Collection(self.g, items)]
            branches.append(f"{{ {targets} FILTER ({' && '.join(fails) or 'true'}) }}")
        for kind in self.g.objects(shape, SH.nodeKind):
            if kind not in _NODE_KINDS:
                raise Unscreenable(kind)
            branches.append(f"{{ {targets} FILTER (!{_NODE_KINDS[kind].format(v='?this')}) }}")
        for items in self.g.objects(shape, SH.xone):
            conforming = " + ".join(f"IF({self.member_conforms(m)}, 1, 0)" for m in Collection(self.g, items))
            branches.append(f"{{ {targets} FILTER (({conforming or '0'}) != 1) }}")
        for prop in sorted(self.g.objects(shape, SH.property), key=str):
            branches.extend(self.property_branches(prop, targets))
        if not branches:
            return ""
        return "SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " }"


def _string(text: str) -> str:
    return str(ox.Literal(text))


class Screen:
    """The screening queries of a shapes graph's node shapes (those it can screen)."""

    def __init__(self, shapes: Graph, embeddable: dict | None = None, prologue: str = "",
                 given: dict | None = None):
        """``embeddable``: SPARQL targets (node → SELECT text, its prefixes in ``prologue``)
        a screening query may use as its target; ``given``: SPARQL targets (node → a number)
        whose focus nodes the caller finds and passes to :meth:`offenders`; a shape with
        another SPARQL target is not screened."""
        self.queries: dict = {}
        self.given: dict = {}  # shape → the given targets its query names
        for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
            if not isinstance(shape, URIRef):
                continue
            try:
                compiler = _Compiler(shapes, embeddable or {}, given or {})
                query = compiler.shape(shape)
                self.queries[shape] = prologue + query if query else ""
                self.given[shape] = compiler.uses
            except Unscreenable:
                continue

    def offenders(self, s: ox.Store, given: dict | None = None) -> dict:
        """``{shape: focus nodes that might not conform}`` for every screened shape, in the
        store ``s`` of the data's literals as written (:func:`stores`); ``given``: the focus
        nodes of each given SPARQL target (by its number)."""
        if not self.queries:
            return {}
        nodes = {k: " ".join(sorted(_sparql(n) for n in found)) for k, found in (given or {}).items()}
        out = {}
        for shape, query in self.queries.items():
            if not query:
                out[shape] = set()
                continue
            parts = query.split(_GIVEN)
            text = "".join(nodes.get(int(x), "") if i % 2 else x for i, x in enumerate(parts))
            out[shape] = {_back(row["this"]) for row in s.query(text)}
        return out


def _back(t):
    """A node the screen's store returned, as rdflib's (its datatype's name restored)."""
    if isinstance(t, ox.Literal) and not t.language and t.datatype.value.startswith(lexical.KEPT):
        return Literal(t.value, datatype=URIRef(lexical.shown(t).datatype.value))
    return to_rdflib(t)
