"""A project's own vocabulary namespace (kg.toml's ``vocabulary``): kg's ontology, types and
shapes are published under it, and nothing published keeps kg's canonical example.org IRIs.

The test corpus is built, validated, checked, loaded and served as a project with its own
base and vocabulary, through the real CLI; its dumps must be the shipped corpus's dumps with
only the namespaces changed.
"""
from __future__ import annotations

import gzip
import http.client
import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg import pipeline
from kg.namespaces import CANONICAL, Namespaces
from kg.settings import load_settings
from kg.validate import shapes_graph, validate
from kg.vocab import KGO, KGO_NS, KGSH_NS, KGT, KGT_NS, RDF, SCHEMA

from .conftest import CORPUS, MINI
from .gsp_server import GspServer
from .serving import when_ready
from .test_build import kg

CANON = "https://kg.example.org/"
BASE = "https://archive.example.edu/kg/"
VOCAB = "https://archive.example.edu/kg/vocab/"
OURS = Namespaces(VOCAB)


def to_custom(text: str) -> str:
    """The corpus's canonical IRIs as the custom project names them (vocabulary first: it is
    below the base, and kg's namespaces have the same layout below either root)."""
    for prefix in ("ontology#", "type/", "shapes#"):
        text = text.replace(CANON + prefix, VOCAB + prefix)
    return text.replace(CANON, BASE)


def to_canonical(text: str) -> str:
    return text.replace(VOCAB, CANON).replace(BASE, CANON)


def set_namespaces(project: Path, base: str = BASE, vocabulary: str | None = VOCAB) -> None:
    toml = project / "kg.toml"
    text = toml.read_text(encoding="utf-8") if toml.exists() else "[kg]\n"
    lines = [line for line in text.splitlines() if not line.startswith(("base ", "vocabulary "))]
    at = lines.index("[kg]") + 1
    lines[at:at] = [f'base = "{base}"'] + ([f'vocabulary = {json.dumps(vocabulary)}'] if vocabulary else [])
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


def published_files(dist: Path) -> dict[str, str]:
    """Every file of ``dist/`` as text, the gzipped ones decompressed."""
    out = {}
    for p in sorted(dist.iterdir()):
        data = p.read_bytes()
        out[p.name] = (gzip.decompress(data) if p.name.endswith(".gz") else data).decode("utf-8")
    return out


@pytest.fixture(scope="module")
def custom(tmp_path_factory) -> Path:
    """The test corpus as a project with its own base and vocabulary, built with `kg build`;
    its query checks name the project's IRIs."""
    project = tmp_path_factory.mktemp("custom") / "p"
    shutil.copytree(CORPUS, project)
    set_namespaces(project)
    for q in (project / "queries").iterdir():
        q.write_text(to_custom(q.read_text(encoding="utf-8")), encoding="utf-8")
    run = kg("--root", str(project), "build", cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr
    return project


# ---------------------------------------------------------------- the mapping itself

def test_the_layout_below_a_root_and_the_canonical_one():
    assert (CANONICAL.ontology, CANONICAL.types, CANONICAL.shapes) == (KGO_NS, KGT_NS, KGSH_NS)
    assert (CANONICAL.ontology, CANONICAL.types) == (CANON + "ontology#", CANON + "type/")
    assert (OURS.ontology, OURS.types, OURS.shapes) == (VOCAB + "ontology#", VOCAB + "type/", VOCAB + "shapes#")


def test_term_moves_only_kgs_own_terms_and_canonical_undoes_it():
    moved = {
        KGO.statedAs: URIRef(VOCAB + "ontology#statedAs"),
        KGT.planned: URIRef(VOCAB + "type/planned"),
        URIRef(KGSH_NS + "DocumentShape"): URIRef(VOCAB + "shapes#DocumentShape"),
        Literal(KGT_NS, datatype=XSD.anyURI): Literal(VOCAB + "type/", datatype=XSD.anyURI),  # a SHACL prefix
        Literal("x", datatype=URIRef(KGO_NS + "code")): Literal("x", datatype=URIRef(VOCAB + "ontology#code")),
    }
    for canonical, ours in moved.items():
        assert OURS.term(canonical) == ours
        assert OURS.canonical(ours) == canonical
    kept = [URIRef(CANON + "person/mao-zedong"),        # the default base is kg's root: entities stay
            URIRef(CANON + "typed/x"), SCHEMA.Person, Literal(KGT_NS + "planned"),
            Literal(KGT_NS, lang="en"), Literal(CANON + "x", datatype=XSD.anyURI)]
    for node in kept:
        assert OURS.term(node) is node
    planned = KGT.planned
    assert CANONICAL.term(planned) is planned


def test_rewrite_changes_the_graph_in_place_and_the_default_changes_nothing():
    g = Graph()
    g.add((URIRef(CANON + "event/x"), URIRef(str(RDF.type)), KGT.planned))
    g.add((URIRef(CANON + "event/x/time"), KGO.statedAs, Literal("19 August [SIC]")))
    before = set(g)
    assert CANONICAL.rewrite(g) is g and set(g) == before
    assert OURS.rewrite(g) is g
    assert set(g) == {(URIRef(CANON + "event/x"), RDF.type, URIRef(VOCAB + "type/planned")),
                      (URIRef(CANON + "event/x/time"), URIRef(VOCAB + "ontology#statedAs"), Literal("19 August [SIC]"))}


def test_the_published_context_names_the_projects_namespaces():
    ctx = OURS.context()["@context"]
    assert ctx["kgo"] == VOCAB + "ontology#" and ctx["kgt"] == VOCAB + "type/"
    assert not [v for v in ctx.values() if CANON in str(v)]
    assert CANONICAL.context()["@context"]["kgt"] == KGT_NS
    assert list(OURS.prefixes()) == list(CANONICAL.prefixes())  # the same prefixes, in the same order


# ---------------------------------------------------------------- kg.toml

@pytest.mark.parametrize("value", [
    '"https://archive.example.edu/kg/vocab"',       # no trailing '/'
    '"https://archive.example.edu/kg/vocab#"',      # '#': kg adds ontology# below it
    '"https://archive.example.edu/kg?v=/"',         # a query
    '"ftp://archive.example.edu/kg/"',
    '"https:///kg/"',                               # no host
    '"https://archive.example.edu/my vocab/"',
    '"https://archive.example.edu/<kg>/"',
    '"vocab/"',
    "42",
    '["https://archive.example.edu/kg/"]',
])
def test_a_vocabulary_that_is_not_an_http_iri_ending_in_a_slash_exits_2(tmp_path: Path, value: str):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    (project / "kg.toml").write_text(f"[kg]\nvocabulary = {value}\n", encoding="utf-8")
    for command in ("build", "validate"):
        run = kg("--root", str(project), command, cwd=tmp_path)
        assert run.returncode == 2, run.stdout + run.stderr
        assert "kg.toml" in run.stderr and "field 'vocabulary'" in run.stderr, run.stderr
        assert "ending in '/'" in run.stderr and "Traceback" not in run.stderr
    assert not (project / "dist").exists()


def test_no_vocabulary_keeps_kgs_namespaces(tmp_path: Path):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    set_namespaces(project, vocabulary=None)
    assert load_settings(project).namespaces == CANONICAL
    set_namespaces(project)
    assert load_settings(project).namespaces == OURS


# ---------------------------------------------------------------- a project with its own namespaces

def test_every_published_file_names_the_projects_namespaces_only(custom: Path):
    files = published_files(custom / "dist")
    assert set(files) >= {"kg.ttl", "kg.nt", "kg.nq", "kg.jsonld", "context.jsonld", "void.ttl", "kg.nq.gz"}
    stray = {name: text.count("kg.example.org") for name, text in files.items() if "kg.example.org" in text}
    assert stray == {}
    assert f"<{VOCAB}type/planned>" in files["kg.nt"] and f"<{VOCAB}ontology#statedAs>" in files["kg.nt"]
    assert f"@prefix kgo: <{VOCAB}ontology#> ." in files["kg.ttl"]
    assert f"@prefix kgt: <{VOCAB}type/> ." in files["kg.ttl"]
    assert json.loads(files["context.jsonld"])["@context"]["kgt"] == VOCAB + "type/"
    assert json.loads(files["kg.jsonld"])["@context"]["kgo"] == VOCAB + "ontology#"
    void = Graph().parse(data=files["void.ttl"], format="turtle")  # the vocabulary list: VoID's partitions
    partition = URIRef(BASE + "dataset/property/kgo-statedAs")
    assert void.value(partition, URIRef("http://rdfs.org/ns/void#property")) == URIRef(VOCAB + "ontology#statedAs")


def test_the_dumps_are_the_corpus_dumps_with_only_the_namespaces_changed(custom: Path, corpus_dist: Path):
    for name in ("kg.nt", "kg.nq", "context.jsonld"):
        ours = to_canonical((custom / "dist" / name).read_text(encoding="utf-8"))
        theirs = (corpus_dist / name).read_text(encoding="utf-8")
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines()), name


def test_validate_check_load_and_query_work_in_the_projects_namespaces(custom: Path):
    run = kg("--root", str(custom), "validate", cwd=custom)
    assert run.returncode == 0, run.stdout + run.stderr
    check = kg("--root", str(custom), "check", cwd=custom)  # the corpus's query checks, in its IRIs
    assert check.returncode == 0, check.stdout + check.stderr
    load = kg("--root", str(custom), "load", cwd=custom)
    assert load.returncode == 0, load.stdout + load.stderr
    query = (f"PREFIX kgt: <{VOCAB}type/>\nPREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>\n"
             "SELECT ?e WHERE { ?e crm:P2_has_type kgt:planned }")
    for extra in ((), ("--store",)):
        run = kg("--root", str(custom), "query", query, "--format", "csv", *extra, cwd=custom)
        assert run.returncode == 0, run.stderr
        assert f"{BASE}event/joint-delegation-pyongyang" in run.stdout.splitlines()


def test_kg_load_puts_the_vocabulary_in_the_graph_of_the_projects_ontology_iri(custom: Path):
    with GspServer() as s:
        run = kg("--root", str(custom), "load", "--endpoint", s.url + "/gsp", "--store-type", "generic",
                 "--query-url", s.url + "/query", cwd=custom)
        assert run.returncode == 0, run.stdout + run.stderr
        sent = Graph().parse(data="\n".join(s.graphs[OURS.ontology]), format="nt")
    assert OURS.ontology == VOCAB + "ontology#" and f"<{OURS.ontology}> (kg's vocabulary" in run.stdout
    assert set(sent) == set(Graph().parse(custom / "dist" / "ontology.ttl"))
    assert not any(CANON in str(t) for t in sent.all_nodes())


def test_the_shapes_check_the_projects_terms(custom: Path):
    """Shapes that name kg's types and properties (through sh:in, sh:hasValue, sh:path and the
    prefixes of their SPARQL) catch a violation in the project's namespaces."""
    settings = load_settings(custom)
    result = pipeline.assemble(settings)
    ours, canonical = shapes_graph(settings.namespaces), shapes_graph()
    unit = Graph()
    for t in (*result.shared, *result.per_document["121799"]):
        unit.add(t)
    assert [v for v in validate(unit, ours) if v.is_error] == []
    # An archive (typed kgt:archive, found by a SPARQL target) that is no schema:ArchiveOrganization.
    unit.remove((URIRef(BASE + "group/garf"), RDF.type, SCHEMA.ArchiveOrganization))
    # A stated begin after the stated end (sh:path kgo:statedBegin, sh:lessThanOrEquals kgo:statedEnd).
    span = URIRef(BASE + "event/joint-delegation-pyongyang/time")
    unit.add((span, OURS.term(KGO.statedBegin), Literal("1956-08-20T00:00:00", datatype=XSD.dateTime)))
    unit.add((span, OURS.term(KGO.statedEnd), Literal("1956-08-19T23:59:59", datatype=XSD.dateTime)))
    found = {(v.focus, v.shape) for v in validate(unit, ours) if v.is_error}
    assert (BASE + "group/garf", "kgsh:ArchiveShape") in found
    assert (str(span), "kgsh:StatedDateShape") in found
    assert all(v.shape.startswith("kgsh:") for v in validate(unit, ours))
    missed = {(v.focus, v.shape) for v in validate(unit, canonical) if v.is_error}
    assert (BASE + "group/garf", "kgsh:ArchiveShape") not in missed  # kg's canonical shapes do not see them


def get(port: int, path: str, accept: str = "text/html") -> tuple[int, str]:
    """GET ``path``; a 503 with Retry-After (the SPARQL store still being built on a first
    start, while pages are served) is asked again until it is ready."""
    def send() -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Accept": accept})
        r = conn.getresponse()
        body = r.read().decode("utf-8")
        headers = {k.lower(): v for k, v in r.getheaders()}
        conn.close()
        return r.status, headers, body

    status, _, body = when_ready(send)
    return status, body


def test_kg_serve_pages_data_and_sparql_name_the_projects_namespaces(custom: Path):
    proc = subprocess.Popen([sys.executable, "-m", "kg", "--root", str(custom), "serve", "--port", "0",
                             "--workers", "1", "--quiet"], cwd=custom, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, line + proc.stderr.read()
        port = int(line.rsplit(":", 1)[1].split("/")[0])
        pages = {}
        for path, accept in [("/", "text/html"), ("/event/joint-delegation-pyongyang", "text/html"),
                             ("/person/anastas-mikoyan", "text/html"), ("/dumps/", "text/html"),
                             ("/event/joint-delegation-pyongyang", "text/turtle"),
                             ("/event/joint-delegation-pyongyang", "application/ld+json"),
                             ("/dataset", "text/turtle"), ("/sparql", "text/html"),
                             ("/sparql?query=" + quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 40"),
                              "text/turtle")]:
            status, body = get(port, path, accept)
            assert status == 200, (path, accept, status)
            pages[(path, accept)] = body
        assert {k: b.count("kg.example.org") for k, b in pages.items() if "kg.example.org" in b} == {}
        event = pages[("/event/joint-delegation-pyongyang", "text/html")]
        assert '<span class="badge">planned</span>' in event            # kgt:planned
        assert "19 August [SIC]" in event                               # kgo:statedAs
        assert "Proposed participants" in event and "Mikoyan" in event  # kgo:proposedParticipant
        assert "Proposed for (planned, not attended)" in pages[("/person/anastas-mikoyan", "text/html")]
        assert f"@prefix kgt: <{VOCAB}type/>" in pages[("/event/joint-delegation-pyongyang", "text/turtle")]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def test_kg_site_writes_no_canonical_iri(custom: Path, tmp_path: Path):
    run = kg("--root", str(custom), "site", str(tmp_path / "site"), cwd=custom)
    assert run.returncode == 0, run.stderr
    stray = [p.relative_to(tmp_path).as_posix() for p in (tmp_path / "site").rglob("*")
             if p.is_file() and p.suffix != ".gz" and b"kg.example.org" in p.read_bytes()]
    assert stray == []


# ---------------------------------------------------------------- a project's own types

SPECIAL_FILE = """\
@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix kgt: <{types}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

kgt:special-file a crm:E55_Type, skos:Concept ;
    skos:inScheme kgt:classification ;
    rdfs:label "Top Secret, Special File"@en ;
    skos:prefLabel "Top Secret, Special File"@en .
"""


def mini_with_special_file(tmp_path: Path, types_ns: str) -> Path:
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    set_namespaces(project)
    (project / "data" / "types.ttl").write_text(SPECIAL_FILE.replace("{types}", types_ns), encoding="utf-8")
    facts = project / "data" / "documents" / "900001.yaml"
    text = facts.read_text(encoding="utf-8")
    assert "classification: {type: secret," in text
    facts.write_text(text.replace("classification: {type: secret,", "classification: {type: special-file,"),
                     encoding="utf-8")
    return project


def test_a_projects_types_are_declared_and_published_in_its_namespace(tmp_path: Path):
    project = mini_with_special_file(tmp_path, VOCAB + "type/")
    run = kg("--root", str(project), "build", cwd=project)
    assert run.returncode == 0, run.stdout + run.stderr
    files = published_files(project / "dist")
    assert [n for n, text in files.items() if "kg.example.org" in text] == []
    special = URIRef(VOCAB + "type/special-file")
    g = Graph().parse(data=files["kg.nt"], format="nt")
    assert g.value(special, URIRef("http://www.w3.org/2004/02/skos/core#inScheme")) == URIRef(VOCAB + "type/classification")
    assert (URIRef(BASE + "document/900001"), URIRef("http://www.cidoc-crm.org/cidoc-crm/P2_has_type"), special) in g


def test_types_declared_in_kgs_canonical_namespace_are_refused_in_a_project_with_its_own(tmp_path: Path):
    project = mini_with_special_file(tmp_path, KGT_NS)
    run = kg("--root", str(project), "build", cwd=project)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "types.ttl:6:" in run.stderr and VOCAB + "type/" in run.stderr and "Traceback" not in run.stderr


def test_kg_init_writes_the_types_prefix_of_its_vocabulary(tmp_path: Path):
    project = tmp_path / "new"
    assert kg("init", str(project), cwd=tmp_path).returncode == 0
    settings = load_settings(project)
    assert settings.namespaces != CANONICAL
    types = (project / "data" / "types.ttl").read_text(encoding="utf-8")
    assert f"# @prefix kgt: <{settings.namespaces.types}> ." in types.splitlines()
    # The commented example, uncommented, is a type of the project that builds.
    lines = types.splitlines()
    example = "\n".join(line[2:] for line in lines[lines.index(next(x for x in lines if x.startswith("# @prefix"))):])
    (project / "data" / "types.ttl").write_text(example + "\n", encoding="utf-8")
    facts = project / "data" / "documents" / "900001.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("{type: secret,", "{type: special-file,"),
                     encoding="utf-8")
    run = kg("--root", str(project), "build", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    nt = (project / "dist" / "kg.nt").read_text(encoding="utf-8")
    assert f"<{settings.namespaces.types}special-file>" in nt and "kg.example.org" not in nt
