"""Records name their translators and archive. A name the registry does not know is
published from the records themselves (a person, or an archive group), with one warning
listing every such name and the YAML to curate it under the same key; kg's default
archives serve the archives it knows; a registry entry always wins."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import yaml

from kg.cli import main

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
REAL = HERE / "fixtures" / "records-real"
BASE = "https://kg.example.org/"
PREFIXES = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def project_with(tmp_path, *numbers, edits=None) -> Path:
    """The mini project with real records added (``edits``: file name → (old, new) text)."""
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    for number in numbers:
        shutil.copy(REAL / f"{number}.txt", project / "data" / "records")
    for name, (old, new) in (edits or {}).items():
        path = project / "data" / "records" / name
        text = (REAL / name).read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    return project


def store(project: Path) -> ox.Store:
    s = ox.Store()
    with (project / "dist" / "kg.nq").open("rb") as f:
        s.bulk_load(f, ox.RdfFormat.N_QUADS)
    return s


def rows(s: ox.Store, query: str):
    """The solutions of a SELECT as a list; the answer of an ASK as a bool."""
    answer = s.query(PREFIXES + query, use_default_graph_as_union=True)
    return bool(answer) if isinstance(answer, ox.QueryBoolean) else list(answer)


def build(project: Path, capsys) -> str:
    """Build; exit 0 expected; the stderr."""
    code = main(["--root", str(project), "build"])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def names_warning(err: str) -> list[str]:
    found = [w for w in err.split("kg: warning: ")[1:] if "not in the registry" in w]
    assert len(found) <= 1, "one warning for all header names"
    return found


def test_unknown_translators_are_published_from_the_header_and_curating_keeps_the_iri(tmp_path, capsys):
    project = project_with(tmp_path, "134230", "115608", "113395")   # Goldberg twice, Szalontai
    err = build(project, capsys)
    (warning,) = names_warning(err)
    assert warning.startswith("2 name(s) in the records' headers are not in the registry")
    for where, name in (("134230.txt:7", 'person "Gary Goldberg" → gary-goldberg'),
                        ("115608.txt:6", 'person "Gary Goldberg" → gary-goldberg'),
                        ("113395.txt:16", 'person "Balazs Szalontai" → balazs-szalontai')):
        assert any(where in line and name in line for line in warning.splitlines()), (where, name)
    s = store(project)
    person = BASE + "person/gary-goldberg"
    got = rows(s, f"""SELECT ?doc ?label ?spelling ?user WHERE {{
        ?tr crm:P94i_was_created_by/crm:P14_carried_out_by <{person}> ; schema:translator <{person}> ;
            crm:P73i_is_translation_of ?doc .
        <{person}> a crm:E21_Person ; rdfs:label ?label ; crm:P1_is_identified_by ?name .
        ?name crm:P190_has_symbolic_content ?spelling ; crm:P67i_is_referred_to_by ?user .
    }}""")
    assert {r["doc"].value for r in got} == {BASE + "document/134230", BASE + "document/115608"}
    assert {(r["label"].value, r["spelling"].value) for r in got} == {("Gary Goldberg", "Gary Goldberg")}
    assert {r["user"].value for r in got} == {r["doc"].value for r in got}   # the name says who uses it
    # Curating with the snippet: same IRI, no warning, no "uses" link any more (a curated name)
    snippet = yaml.safe_load(warning[warning.index("  persons:"):])
    registry = project / "data" / "registry.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["persons"].update(snippet["persons"])
    registry.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    err = build(project, capsys)
    assert names_warning(err) == []
    assert rows(store(project), f"SELECT ?tr WHERE {{ ?tr schema:translator <{person}> }}")


def test_default_archives_keep_the_cited_documents(tmp_path, capsys):
    """MOL, AVPRF and RGANI come with kg: full name as label, the cited form as a name."""
    project = project_with(tmp_path, "134230", "115608", "113395")
    build(project, capsys)
    got = {(r["doc"].value, r["label"].value) for r in rows(store(project), """
        SELECT ?doc ?label WHERE { ?doc schema:holdingArchive ?a . ?a rdfs:label ?label ;
            a schema:ArchiveOrganization . ?item crm:P128_carries ?doc ; crm:P50_has_current_keeper ?a }""")}
    assert got == {(BASE + "document/134230", "Russian State Archive of Contemporary History"),
                   (BASE + "document/115608", "Archive of Foreign Policy of the Russian Federation"),
                   (BASE + "document/113395", "Hungarian National Archives"),
                   (BASE + "document/900001", "State Archive of the Russian Federation")}   # the registry's
    assert rows(store(project), f"""ASK {{ <{BASE}group/mol> crm:P1_is_identified_by ?n .
        ?n crm:P190_has_symbolic_content "Magyar Országos Levéltár"@hu }}""")
    # only the archives cited are published
    assert not rows(store(project), f"ASK {{ <{BASE}group/nara> ?p ?o }}")


def test_the_registry_overrides_a_default_by_key_or_by_cited_name(tmp_path, capsys):
    project = project_with(tmp_path, "113395", "115608")
    registry = project / "data" / "registry.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["groups"]["mol"] = {"label": "Our Hungarian archive", "type": "archive"}               # same key
    data["groups"]["foreign-policy-archive"] = {"label": "Our AVP", "type": "archive",          # same name
                                                "names": [{"text": "AVPRF", "lang": "en"}]}
    registry.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build(project, capsys)
    got = {(r["doc"].value, r["a"].value, r["label"].value) for r in rows(store(project), """
        SELECT ?doc ?a ?label WHERE { ?doc schema:holdingArchive ?a . ?a rdfs:label ?label }""")}
    assert got == {(BASE + "document/113395", BASE + "group/mol", "Our Hungarian archive"),
                   (BASE + "document/115608", BASE + "group/foreign-policy-archive", "Our AVP"),
                   (BASE + "document/900001", BASE + "group/garf", "State Archive of the Russian Federation")}
    assert not rows(store(project), f"ASK {{ <{BASE}group/avprf> ?p ?o }}")


def test_an_unknown_archive_is_minted_and_its_snippet_parses(tmp_path, capsys):
    old = "Digital Archive, MOL, XIX-J-1-j Korea"
    project = project_with(tmp_path, edits={"113395.txt": (old, "Digital Archive, Archivum Exemplum, Pars, 4")})
    err = build(project, capsys)
    (warning,) = names_warning(err)
    assert 'archive "Archivum Exemplum, Pars" → archivum-exemplum-pars' in warning
    snippet = yaml.safe_load(warning[warning.index("  persons:"):])
    assert snippet["groups"]["archivum-exemplum-pars"]["label"] == "Archivum Exemplum, Pars"
    got = rows(store(project), f"""SELECT ?label WHERE {{ <{BASE}document/113395> schema:holdingArchive ?a .
        ?a rdfs:label ?label ; a crm:E74_Group ; crm:P2_has_type ?t }}""")
    assert [r["label"].value for r in got] == ["Archivum Exemplum, Pars"]


def test_a_key_taken_by_another_kind_gets_the_kind_as_suffix(tmp_path, capsys):
    """A translator whose slug is a registry place's key: published as person/<slug>-person,
    the registry's place untouched; the snippet proposes that key."""
    project = project_with(tmp_path, edits={"113395.txt": ("by Balazs Szalontai", "by Beijing")})
    err = build(project, capsys)
    (warning,) = names_warning(err)
    assert 'person "Beijing" → beijing-person' in warning and "beijing-person: {label" in warning
    s = store(project)
    assert rows(s, f"ASK {{ ?tr schema:translator <{BASE}person/beijing-person> }}")
    assert rows(s, f"ASK {{ <{BASE}place/beijing> a crm:E53_Place }}")
    assert not rows(s, f"ASK {{ <{BASE}place/beijing> a crm:E21_Person }}")


def test_two_spellings_of_one_slug_are_one_entity_and_the_warning_says_so(tmp_path, capsys):
    """113395 writes "Balazs Szalontai"; a copy of 116009 writes it with accents, a copy of
    the new-site page in capitals. One key, one person; the label is the spelling of the first
    record (file order); the capitals are a name of their own, the accented spelling shares
    the first one's name node (name IRIs drop accents)."""
    page = "report-embassy-hungary-north-korea-hungarian-foreign-ministry-39.txt"
    project = project_with(tmp_path, "113395",
                           edits={"116009.txt": ("by Balazs Szalontai", "by Balázs Szalontai"),
                                  page: ("by Balazs Szalontai", "by BALAZS SZALONTAI")})
    err = build(project, capsys)
    (warning,) = names_warning(err)
    assert ('balazs-szalontai: spelled "Balazs Szalontai" and "Balázs Szalontai" and "BALAZS SZALONTAI"'
            in warning)
    s = store(project)
    person = BASE + "person/balazs-szalontai"
    assert {r["l"].value for r in rows(s, f"SELECT ?l WHERE {{ <{person}> rdfs:label ?l }}")} == {"Balazs Szalontai"}
    spellings = rows(s, f"""SELECT ?t ?doc WHERE {{ <{person}> crm:P1_is_identified_by ?n .
        ?n crm:P190_has_symbolic_content ?t ; crm:P67i_is_referred_to_by ?doc }}""")
    assert {(r["t"].value, r["doc"].value) for r in spellings} == {
        ("Balazs Szalontai", BASE + "document/113395"), ("Balazs Szalontai", BASE + "document/116009"),
        ("BALAZS SZALONTAI", BASE + "document/" + page[:-4])}
    assert len(rows(s, f"SELECT ?tr WHERE {{ ?tr schema:translator <{person}> }}")) == 3


def test_a_registry_person_wins_by_key_as_well_as_by_name(tmp_path, capsys):
    project = project_with(tmp_path, "113395")
    registry = project / "data" / "registry.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["persons"]["balazs-szalontai"] = {"label": "Balázs Szalontai"}   # the key, another spelling
    registry.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    err = build(project, capsys)
    assert names_warning(err) == []
    got = rows(store(project), f"""SELECT ?l WHERE {{ ?tr schema:translator <{BASE}person/balazs-szalontai> .
        <{BASE}person/balazs-szalontai> rdfs:label ?l }}""")
    assert [r["l"].value for r in got] == ["Balázs Szalontai"]


def test_a_citation_naming_no_archive_builds_without_a_holder(tmp_path, capsys):
    """The reference is kept (as the document's shelfmark, and in the citation); no keeper is invented."""
    name = "letter-no-71-president-syngman-rhee-minister-duk-shin-choi"
    project = project_with(tmp_path, name)
    assert "follows no known scheme" in build(project, capsys)   # said as a warning
    doc = f"{BASE}document/{name}"
    got = rows(store(project), f"""SELECT ?ref ?archive WHERE {{
          <{doc}> crm:P1_is_identified_by ?id . ?id crm:P2_has_type <{BASE}type/shelfmark> ;
                  crm:P190_has_symbolic_content ?ref .
          OPTIONAL {{ <{doc}> schema:holdingArchive ?archive }}
        }}""")
    assert len(got) == 1 and got[0]["ref"].value.startswith("B-330-002") and got[0]["archive"] is None


def test_a_long_archive_name_is_cut_in_the_listing_and_whole_in_the_snippet(tmp_path, capsys):
    long = "Archivum " + "Exemplum " * 12 + "Pars"
    project = project_with(tmp_path, edits={"113395.txt": ("Digital Archive, MOL, XIX-J-1-j Korea",
                                                           f"Digital Archive, {long}, 4")})
    (warning,) = names_warning(build(project, capsys))
    (line,) = [x for x in warning.splitlines() if "113395.txt:16: archive" in x]
    assert len(line) < 300 and "…" in line
    snippet = yaml.safe_load(warning[warning.index("  persons:"):])
    assert [g["label"] for g in snippet["groups"].values()] == [long]


def test_a_published_header_name_can_be_linked_to_wikidata_and_used_by_facts(tmp_path, capsys):
    """The keys in the warning are real keys: review.tsv may accept a QID for one (the
    link is published), and a facts file may name one."""
    project = project_with(tmp_path, "113395")
    review = project / "data" / "wikidata" / "review.tsv"
    review.write_text(review.read_text(encoding="utf-8") + "balazs-szalontai\tQ4\taccepted" + "\t" * 10
                      + "\ttest\ta test row\n", encoding="utf-8")
    (project / "data" / "documents" / "113395.yaml").write_text(
        "record: 113395\nkind: record\nauthor: {entity: balazs-szalontai, inferred: a test}\n"
        "mentions:\n  - {entity: mol, inferred: a test}\n", encoding="utf-8")
    build(project, capsys)
    s = store(project)
    assert rows(s, f"ASK {{ <{BASE}person/balazs-szalontai> <http://www.w3.org/2002/07/owl#sameAs> "
                   "<http://www.wikidata.org/entity/Q4> }")
    assert rows(s, f"ASK {{ <{BASE}document/113395> crm:P67_refers_to <{BASE}group/mol> }}")
