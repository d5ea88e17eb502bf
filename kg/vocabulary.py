"""The controlled types one build uses: kg's own (``ontology/types.ttl``) and the project's.

A project adds classification levels, roles, event, group and place types in its own
``data/types.ttl``, written like kg's file: each type a ``skos:Concept`` and a
``crm:E55_Type`` in one of kg's schemes (``skos:inScheme kgt:classification``), with one
English ``rdfs:label`` and ``skos:prefLabel`` and, optionally, an ``rdfs:comment``. The
installed package is never edited: :func:`load_vocabulary` reads both files for each
build, the loader checks keys against the union, and the build publishes the project's
types in the shared graph next to kg's own. The file names its types in the project's type
namespace (kg.toml's ``vocabulary``, :mod:`kg.namespaces`); they are read into kg's canonical one.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .errors import KgError, quote
from .inputs import read_text
from .iris import is_key
from .namespaces import CANONICAL, Namespaces
from .vocab import CRM, KGT_NS, RDF, RDFS, SKOS, type_keys, types_triples

PROJECT_TYPES = "types.ttl"  # in the project's data/ folder
# kg's schemes a project may add types to: the ones the facts files choose from.
OPEN_SCHEMES = ("classification", "event", "group", "place", "role")
_CLASSES = {SKOS.Concept, CRM.E55_Type}
_ONE_EACH = (RDFS.label, SKOS.prefLabel)
_OPTIONAL = {RDFS.comment, SKOS.altLabel, SKOS.definition, SKOS.scopeNote, SKOS.exactMatch, SKOS.closeMatch,
             SKOS.broader}
ACTED_UPON = "subject"  # the role of someone an activity was done to; narrower roles are such roles too
_ALLOWED = {RDF.type, SKOS.inScheme, *_ONE_EACH, *_OPTIONAL}
HINT = "see 'Extending the vocabularies' in kg's README"


@dataclass(frozen=True)
class Vocabulary:
    """Every type key a build may use, with the key of its scheme, and the project's triples."""

    keys: dict[str, str]
    project_triples: tuple = field(default=())
    path: Path | None = None

    def triples(self) -> list:
        """kg's type triples and the project's: what the build publishes."""
        return types_triples() + list(self.project_triples)

    def in_scheme(self, scheme: str) -> list[str]:
        return sorted(k for k, s in self.keys.items() if s == scheme)

    @cached_property
    def acted_upon(self) -> frozenset[str]:
        """Roles of someone an activity was done to (``kgt:subject`` and roles narrower than it):
        they take part (P11), they do not carry it out (P14)."""
        narrower: dict[str, set[str]] = defaultdict(set)
        for s_, p, o in self.triples():
            if p == SKOS.broader and str(s_).startswith(KGT_NS) and str(o).startswith(KGT_NS):
                narrower[str(o)[len(KGT_NS):]].add(str(s_)[len(KGT_NS):])
        out, todo = set(), [ACTED_UPON]
        while todo:
            key = todo.pop()
            if key not in out:
                out.add(key)
                todo.extend(narrower[key])
        return frozenset(k for k in out if self.keys.get(k) == "role")


def load_vocabulary(data_dir: Path | str, namespaces: Namespaces = CANONICAL) -> Vocabulary:
    """kg's types, and the project's ``data/types.ttl`` if there is one (checked; exit 2 if
    malformed), its types named in ``namespaces.types``."""
    path = Path(data_dir) / PROJECT_TYPES
    package = type_keys()
    if not os.path.lexists(path):
        return Vocabulary(package)
    own, triples = _project(read_text(path), path, namespaces)
    return Vocabulary({**package, **dict(own)}, triples, path)


@lru_cache(maxsize=4)  # the loader and the build read the same file: parse it once
def _project(text: str, path: Path, namespaces: Namespaces) -> tuple[tuple, tuple]:
    g = _parse(text, path)
    own = _check(g, text, path, type_keys(), namespaces.types)
    canonical = {tuple(namespaces.canonical(x) for x in t) for t in g}  # as kg's code names types
    return tuple(sorted(own.items())), tuple(sorted(canonical))


def _parse(text: str, path: Path) -> Graph:
    try:
        return Graph().parse(data=text, format="turtle")
    except SyntaxError as e:  # rdflib's BadSyntax: 0-based line, and why
        line = getattr(e, "lines", None)
        why = getattr(e, "_why", None) or str(e).splitlines()[0]
        raise KgError(f"not valid Turtle: {quote(str(why))}", path=path,
                      line=line + 1 if isinstance(line, int) else None, hint=HINT) from None
    except Exception as e:  # noqa: BLE001 - any other parser complaint is bad input too
        raise KgError(f"not valid Turtle: {quote(str(e))}", path=path, hint=HINT) from None


def _check(g: Graph, text: str, path: Path, package: dict[str, str], types_ns: str) -> dict[str, str]:
    """The project's ``{key: scheme}``; every triple is about one of its types (in ``types_ns``), well formed."""
    own = {}
    for subject in sorted(set(g.subjects()), key=str):
        key = _key(subject, types_ns)
        err = _Where(path, text, key or _local(subject), types_ns)  # the line of kgt:<local> if there is one
        if key is None or not is_key(key):
            err.fail(f"{quote(str(subject))} is not a type of kg's namespace {types_ns}",
                     f"name each type kgt:<key>, with @prefix kgt: <{types_ns}> (from kg.toml's vocabulary) "
                     "and a key of lower-case words joined by '-' (kgt:strictly-secret)")
        if key in OPEN_SCHEMES or key in package.values():
            _scheme_statement(g, subject, key, err)
            continue
        scheme = _one(g, subject, SKOS.inScheme, err, "skos:inScheme (its scheme, e.g. kgt:classification)")
        scheme_key = _key(scheme, types_ns)
        if scheme_key not in OPEN_SCHEMES:
            err.fail(f"the scheme of kgt:{key} is {quote(str(scheme))}; a project adds types to kg's schemes only",
                     "expected skos:inScheme one of " + ", ".join(f"kgt:{s}" for s in OPEN_SCHEMES))
        if key in package:
            where = "in the same scheme" if package[key] == scheme_key else f"in the scheme kgt:{package[key]}"
            err.fail(f"kgt:{key} is already one of kg's types, {where}; a key names one type",
                     "use kg's type as it is, or choose another key for yours")
        _shape(g, subject, key, err)
        own[key] = scheme_key
    return own


def _shape(g: Graph, subject: Node, key: str, err: "_Where") -> None:
    for p in sorted(set(g.predicates(subject)) - _ALLOWED, key=str):
        err.fail(f"kgt:{key} has {quote(str(p))}; a type is described only by rdf:type, skos:inScheme, "
                 "rdfs:label, skos:prefLabel, rdfs:comment, skos:altLabel, skos:definition, "
                 "skos:scopeNote, skos:exactMatch, skos:closeMatch")
    classes = set(g.objects(subject, RDF.type))
    if classes != _CLASSES:
        err.fail(f"kgt:{key} must be exactly 'a crm:E55_Type, skos:Concept'")
    for p in _ONE_EACH:
        values = list(g.objects(subject, p))
        if len(values) != 1 or not _english(values[0]):
            name = "rdfs:label" if p == RDFS.label else "skos:prefLabel"
            err.fail(f"kgt:{key} needs exactly one English {name} (\"…\"@en), found {len(values)}")
    for p in (RDFS.comment, SKOS.definition, SKOS.scopeNote, SKOS.altLabel):
        if any(not isinstance(v, Literal) for v in g.objects(subject, p)):
            err.fail(f"kgt:{key}: the value of {g.namespace_manager.normalizeUri(p)} must be text")


def _scheme_statement(g: Graph, subject: Node, key: str, err: "_Where") -> None:
    """A project may restate that one of kg's schemes is a scheme; it may not describe it."""
    if set(g.predicate_objects(subject)) != {(RDF.type, SKOS.ConceptScheme)}:
        err.fail(f"kgt:{key} is one of kg's schemes; the project adds types to it, it does not describe it",
                 "keep only 'kgt:%s a skos:ConceptScheme .' or remove it" % key)


def _one(g: Graph, subject: Node, predicate: URIRef, err: "_Where", what: str) -> Node:
    values = list(g.objects(subject, predicate))
    if len(values) != 1:
        err.fail(f"kgt:{err.key} needs exactly one {what}, found {len(values)}")
    return values[0]


def _english(value) -> bool:
    return isinstance(value, Literal) and value.language == "en" and bool(str(value).strip())


def _key(term, types_ns: str) -> str | None:
    s = str(term)
    return s[len(types_ns):] if isinstance(term, URIRef) and s.startswith(types_ns) else None


def _local(term) -> str:
    """The last segment of an IRI (a type named in another namespace: where is it written?)."""
    s = str(term)
    return s[max(s.rfind("/"), s.rfind("#")) + 1:]


def _line_of(text: str, key: str, types_ns: str) -> int | None:
    """The first line that names ``kgt:<key>`` at its start (where it is declared), else any."""
    names = (f"kgt:{key}", f"<{types_ns}{key}>")
    lines = text.splitlines()
    for starts in (True, False):
        for n, line in enumerate(lines, 1):
            s = line.strip()
            if any((s.startswith(x) if starts else x in s) and _ends_name(s, x) for x in names):
                return n
    return None


def _ends_name(line: str, name: str) -> bool:
    """``name`` occurs in ``line`` not followed by more characters of a name (kgt:a vs kgt:ab)."""
    i = line.find(name)
    while i >= 0:
        after = line[i + len(name):i + len(name) + 1]
        if not after or not (after.isalnum() or after in "-_"):
            return True
        i = line.find(name, i + 1)
    return False


@dataclass(frozen=True)
class _Where:
    """Where a type is declared, for an error (the line is looked up only then)."""

    path: Path
    text: str
    key: str | None
    types_ns: str

    def fail(self, message: str, hint: str | None = None):
        line = _line_of(self.text, self.key, self.types_ns) if self.key else None
        raise KgError(message, path=self.path, line=line, hint=hint or HINT)
