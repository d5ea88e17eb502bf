"""Open vocabularies: a project adds its own types in data/types.ttl, never by editing kg.

Built through the real CLI on a copy of the mini fixture project; the SHACL check of the
scheme runs pyshacl on the graph the build assembles.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg import pipeline
from kg.settings import load_settings
from kg.validate import shapes_graph, validate
from kg.vocab import CRM, KGT, KGT_NS, RDFS, SKOS

from .conftest import ROOT
from .test_build import kg

MINI = ROOT / "tests" / "fixtures" / "mini"

# A real level of Soviet classification: "top secret, special file" (osobaya papka).
SPECIAL_FILE = """\
@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix kgt: <https://kg.example.org/type/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

kgt:special-file a crm:E55_Type, skos:Concept ;
    skos:inScheme kgt:{scheme} ;
    rdfs:label "Top Secret, Special File"@en ;
    skos:prefLabel "Top Secret, Special File"@en ;
    rdfs:comment "Soviet 'osobaya papka': the most restricted level of Central Committee papers."@en .

kgt:ministry a crm:E55_Type, skos:Concept ;
    skos:inScheme kgt:group ;
    rdfs:label "ministry"@en ;
    skos:prefLabel "ministry"@en .
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "p")
    return tmp_path / "p"


def use_special_file(project: Path, scheme: str = "classification") -> None:
    (project / "data" / "types.ttl").write_text(SPECIAL_FILE.replace("{scheme}", scheme), encoding="utf-8")
    facts = project / "data" / "documents" / "900001.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("classification: {type: secret,", "classification: {type: special-file,"),
                     encoding="utf-8")
    registry = project / "data" / "registry.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("groups:\n", "groups:\n  test-ministry: {label: Test Ministry, type: ministry}\n"),
                        encoding="utf-8")


def test_a_project_type_builds_validates_and_is_published(project: Path):
    use_special_file(project)
    assert kg("--root", str(project), "validate").returncode == 0
    run = kg("--root", str(project), "build")
    assert run.returncode == 0, run.stderr
    g = Graph().parse(project / "dist" / "kg.ttl")
    special, ministry = URIRef(KGT_NS + "special-file"), URIRef(KGT_NS + "ministry")
    doc = next(g.subjects(CRM.P2_has_type, special))
    assert (doc, CRM.P2_has_type, KGT.telegram) in g
    assert (special, SKOS.inScheme, KGT.classification) in g
    assert g.value(special, RDFS.label) == Literal("Top Secret, Special File", lang="en")
    assert (special, RDFS.comment, None) in g
    assert (None, CRM.P2_has_type, ministry) in g and (ministry, SKOS.inScheme, KGT.group) in g
    assert (KGT.secret, SKOS.inScheme, KGT.classification) in g  # kg's own types stay
    void = (project / "dist" / "void.ttl").read_text(encoding="utf-8")
    assert '"data/types.ttl"@en' in void  # an input of the build, with its checksum


def test_a_project_type_in_the_wrong_scheme_is_refused_by_the_loader(project: Path):
    use_special_file(project, scheme="event")
    run = kg("--root", str(project), "build")
    assert run.returncode == 2
    assert "900001.yaml" in run.stderr and "'special-file' is not a classification type" in run.stderr
    assert not (project / "dist").exists()


def test_a_type_in_the_wrong_scheme_is_a_shacl_violation(project: Path):
    """The shapes check scheme membership in the graph: a document typed with a concept of
    the event scheme is a violation, the same concept in the classification scheme is not."""
    use_special_file(project)
    result = pipeline.assemble(load_settings(project))
    special = URIRef(KGT_NS + "special-file")
    shapes = shapes_graph()

    def violations(scheme: URIRef) -> list:
        unit = Graph()
        for t in (*result.shared, *result.per_document["900001"]):
            unit.add(t)
        unit.remove((special, SKOS.inScheme, None))
        unit.add((special, SKOS.inScheme, scheme))
        return [v for v in validate(unit, shapes) if v.is_error]

    assert violations(KGT.classification) == []
    wrong = violations(KGT.event)
    assert wrong and all("document" in v.message for v in wrong), wrong


def ttl(body: str) -> str:
    return ("@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .\n"
            "@prefix kgt: <https://kg.example.org/type/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\n" + body)


CONCEPT = ('kgt:x-level a crm:E55_Type, skos:Concept ;\n    skos:inScheme kgt:classification ;\n'
           '    rdfs:label "X"@en ;\n    skos:prefLabel "X"@en .\n')

MALFORMED = {
    "bad Turtle": (ttl(CONCEPT + "kgt:y a skos:Concept\n    skos:inScheme kgt:role .\n"), 11, "not valid Turtle"),
    "unbound prefix": (ttl("foo:z a skos:Concept .\n"), 6, "not valid Turtle"),
    "no scheme": (ttl(CONCEPT.replace("    skos:inScheme kgt:classification ;\n", "")), 6,
                  "needs exactly one skos:inScheme"),
    "no label": (ttl(CONCEPT.replace('    rdfs:label "X"@en ;\n', "")), 6, "exactly one English rdfs:label"),
    "label not English": (ttl(CONCEPT.replace('rdfs:label "X"@en', 'rdfs:label "X"@de')), 6,
                          "exactly one English rdfs:label"),
    "not a concept": (ttl(CONCEPT.replace("crm:E55_Type, skos:Concept", "crm:E55_Type")), 6,
                      "a crm:E55_Type, skos:Concept"),
    "clash with kg's type in another scheme": (ttl(CONCEPT.replace("x-level", "meeting")), 6,
                                              "already one of kg's types, in the scheme kgt:event"),
    "clash with kg's type in the same scheme": (ttl(CONCEPT.replace("x-level", "secret")), 6,
                                               "already one of kg's types, in the same scheme"),
    "a scheme kg does not read": (ttl(CONCEPT.replace("kgt:classification", "kgt:weather")), 6,
                                  "a project adds types to kg's schemes only"),
    "describing kg's scheme": (ttl(CONCEPT + 'kgt:role rdfs:label "Rollen"@de .\n'), 10, "is one of kg's schemes"),
    "outside kg's namespace": (ttl('<https://example.org/t> a skos:Concept .\n'), None,
                               "is not a type of kg's namespace"),
    "a key that is not a key": (ttl(CONCEPT.replace("x-level", "X_Level")), None, "is not a type of kg's namespace"),
    "other properties": (ttl(CONCEPT.replace(" .\n", " ;\n    crm:P2_has_type kgt:secret .\n")), 6,
                         "a type is described only by"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_types_file_exits_2_naming_the_file_and_line(project: Path, case: str):
    text, line, message = MALFORMED[case]
    (project / "data" / "types.ttl").write_text(text, encoding="utf-8")
    for command in ("build", "validate") if case == "bad Turtle" else ("build",):  # both read it alike
        run = kg("--root", str(project), command)
        assert run.returncode == 2, (case, run.stderr)
        where = "data/types.ttl" + (f":{line}:" if line else "")
        assert where in run.stderr and message in run.stderr, (case, run.stderr)
        assert "Traceback" not in run.stderr
    assert not (project / "dist").exists()


def test_restating_one_of_kgs_schemes_is_allowed(project: Path):
    (project / "data" / "types.ttl").write_text(ttl("kgt:classification a skos:ConceptScheme .\n" + CONCEPT),
                                                encoding="utf-8")
    run = kg("--root", str(project), "validate")
    assert run.returncode == 0, run.stderr


def test_the_documented_examples_are_valid_types_files(tmp_path: Path):
    """The README's example and the commented one `kg init` writes load as they stand."""
    import tomllib

    from kg.init import TYPES
    from kg.namespaces import CANONICAL, Namespaces
    from kg.vocabulary import load_vocabulary
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Extending the vocabularies", 1)[1]
    example = section.split("```turtle\n", 1)[1].split("```", 1)[0]
    project = ROOT / "kg" / "templates" / "project"
    ours = Namespaces(tomllib.loads((project / "kg.toml").read_text(encoding="utf-8"))["kg"]["vocabulary"])
    template = (project / "data" / "types.ttl").read_text(encoding="utf-8").replace(TYPES, ours.types)  # as kg init
    commented = template.split("\n#\n", 1)[1]  # after the prose: the example, each line behind '# '
    uncommented = "\n".join(line.removeprefix("#").removeprefix(" ") for line in commented.splitlines())
    for text, namespaces in ((example, CANONICAL), (uncommented, ours)):
        (tmp_path / "types.ttl").write_text(text, encoding="utf-8")
        assert load_vocabulary(tmp_path, namespaces).keys["special-file"] == "classification"


def test_a_large_types_file_is_read_in_linear_time(tmp_path: Path):
    """Thousands of types, the last one clashing: the error still names its line, promptly."""
    import subprocess
    import sys
    many = "".join(CONCEPT.replace("x-level", f"level-{i}") for i in range(4000))
    text = ttl(many + CONCEPT.replace("x-level", "meeting"))
    (tmp_path / "types.ttl").write_text(text, encoding="utf-8")
    line = text.count("\n") - 3
    code = ("import sys\nfrom kg.vocabulary import load_vocabulary\nfrom kg.errors import KgError\n"
            "try:\n    load_vocabulary(sys.argv[1])\nexcept KgError as e:\n    print(e)\n")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert f"types.ttl:{line}: kgt:meeting is already one of kg's types" in run.stdout, run.stdout + run.stderr
