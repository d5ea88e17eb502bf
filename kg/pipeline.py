"""The one function that wires the stages: read → map → validate → publish.

records + curated facts → typed model (:mod:`kg.facts`) → graphs (:mod:`kg.mapping`) →
SHACL (:mod:`kg.validate`) → files (:mod:`kg.publish`, :mod:`kg.describe`). Nothing else
calls more than one stage.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from rdflib import Graph

from .describe import build_time, describe
from .errors import ValidationFailed
from .facts import Facts, input_files, load_facts
from .inputs import read_bytes
from .iris import Iris
from .mapping import map_all
from .mapping.statements import evidence_iri
from .publish import Built, checksums, render_dumps, turtle, write_dist
from .settings import CONFIG_FILE, Settings
from .timings import report, stage
from .units import SharedIndex, unit
from .unitcache import UnitCache
from .unitpool import validate_units
from .validate import Violation
from .vocab import CRM, RDF

SHARED_GRAPH = "shared"


@dataclass
class BuildResult:
    """What a build made, for the CLI's summary."""

    facts: Facts
    shared: Graph
    per_document: dict[str, Graph]
    union: Graph
    violations: list[Violation] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        """What was read but not fully understood (e.g. a shelfmark of an unknown scheme, kept
        whole), then the SHACL warnings: worth a look, never fatal."""
        return (list(self.facts.warnings) + [w for d in self.facts.documents for w in d.record.warnings]
                + [str(v) for v in self.violations if not v.is_error])

    def counts(self) -> dict[str, int]:
        kinds = {"persons": CRM.E21_Person, "groups": CRM.E74_Group, "places": CRM.E53_Place,
                 "events": CRM.E7_Activity, "documents": CRM.E31_Document,
                 "evidence": CRM.E13_Attribute_Assignment}
        out = {k: len(set(self.union.subjects(RDF.type, c))) for k, c in kinds.items()}
        out["triples"] = len(self.union)
        return out

    def document_counts(self) -> dict[str, dict[str, int]]:
        return {d.number: {"triples": len(self.per_document[d.number]), "statements": len(d.statements),
                           "names": len(d.names)} for d in self.facts.documents}


def _origins(facts: Facts, iris: Iris, union: Graph) -> dict[str, str]:
    """Where each node — and each (node, property) a statement asserts — was written."""
    out = {str(iris.entity(e.kind, e.key)): str(e.origin) for e in facts.entities.values()}
    for d in facts.documents:
        doc = iris.document(d.number)
        out[str(doc)] = str(d.path)
        for st in d.statements:
            evidence = evidence_iri(doc, st)
            out[str(evidence)] = str(st.origin)
            subject = union.value(evidence, CRM.P140_assigned_attribute_to)
            prop = union.value(evidence, CRM.P177_assigned_property_of_type)
            out.setdefault(f"{subject} {prop}", str(st.origin))
    return out


def assemble(settings: Settings) -> BuildResult:
    """Read and map; no validation, no writes."""
    with stage("read"):
        facts = load_facts(settings.data_dir, settings.namespaces)
    with stage("map"):
        shared, docs = map_all(facts, settings.base, settings.identity.archive)
        for g in (shared, *docs.values()):  # kg's terms in the project's namespaces (kg.toml's vocabulary)
            settings.namespaces.rewrite(g)
        union = Graph()
        for g in (shared, *docs.values()):
            for t in g:
                union.add(t)
    return BuildResult(facts, shared, docs, union)


def check(settings: Settings) -> BuildResult:
    """Read, map and validate (``kg validate``)."""
    result = assemble(settings)
    with stage("validate"):
        result.violations = find_violations(settings, result)
    return result


def find_violations(settings: Settings, result: BuildResult) -> list[Violation]:
    """Every SHACL result of the build's graphs, sorted.

    The shared graph is one validation unit; each document is another: its graph with the
    shared statements it reaches (:mod:`kg.units`), so a unit's size follows the document,
    not the archive. Units are independent of each other, validated on all cores
    (:mod:`kg.unitpool`), and a unit the build cache knows to conform is not validated
    again (:mod:`kg.unitcache`).
    """
    origins = _origins(result.facts, Iris(settings.base), result.union)
    index = SharedIndex(result.shared)
    units = (unit(result.per_document[number], index) for number in sorted(result.per_document))
    return validate_units(itertools.chain([result.shared], units), len(result.per_document) + 1, origins,
                          UnitCache(settings.root), settings.namespaces)


def _named(settings: Settings, result: BuildResult) -> list[tuple[str, object]]:
    """Each named graph's IRI and triples: one per document, then the shared graph (every
    triple of the shared mapping that no document graph holds)."""
    iris = Iris(settings.base)
    named = [(str(iris.graph(f"document/{number}")), g) for number, g in sorted(result.per_document.items())]
    in_documents = {t for _, g in named for t in g}
    shared = (t for t in result.shared if t not in in_documents)
    return [*named, (str(iris.graph(SHARED_GRAPH)), shared)]


def _inputs(settings: Settings) -> dict[str, bytes]:
    """The bytes of kg.toml and of every file of data/ the build reads, by path below the root."""
    root = settings.root
    out = {CONFIG_FILE: read_bytes(root / CONFIG_FILE, within=root)} if (root / CONFIG_FILE).exists() else {}
    for p in input_files(settings.data_dir):
        out[p.relative_to(root).as_posix()] = read_bytes(p)
    return out


def render(settings: Settings, result: BuildResult) -> dict[str, bytes]:
    """All files of ``dist/`` as bytes (nothing written)."""
    files = render_dumps(Built(result.union, _named(settings, result), settings.namespaces))
    sources = [d.record.url for d in result.facts.documents if d.record.url]
    when = build_time(settings.source_date_epoch, settings.modified)
    with stage("publish void.ttl"):
        void = describe(result.union, files, _inputs(settings), base=settings.base, identity=settings.identity,
                        sources=sources, when=when, namespaces=settings.namespaces)
        files["void.ttl"] = turtle(void, settings.namespaces)
    files["SHA256SUMS"] = checksums(files)
    return files


def build(settings: Settings, *, write: bool = True) -> BuildResult:
    """Read, map, validate, and (unless ``write`` is false) publish to ``dist/``."""
    result = check(settings)
    errors = [v for v in result.violations if v.is_error]
    if errors:
        raise ValidationFailed(f"{len(errors)} SHACL violation(s); nothing was written:\n"
                               + "\n".join(f"  - {v}" for v in errors), violations=errors)
    result.files = render(settings, result)
    if write:
        with stage("write"):
            write_dist(settings.dist_dir, result.files)
    report()
    return result
