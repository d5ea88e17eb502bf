"""Records name their translators and archive; the registry must know them. A new archive
of many records is told every missing entry in one message, with a snippet to paste."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from kg.cli import main

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
REAL = HERE / "fixtures" / "records-real"


def test_every_missing_name_is_reported_at_once_and_the_snippet_works(tmp_path, capsys):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    for number in ("134230", "115608", "113395"):   # RGANI, AVPRF, MOL; Goldberg twice, Szalontai
        shutil.copy(REAL / f"{number}.txt", project / "data" / "records")
    assert main(["--root", str(project), "build"]) == 2
    err = capsys.readouterr().err
    assert "5 name(s) in the records' headers are not in the registry" in err
    for where, name in (("134230.txt:", "person 'Gary Goldberg'"), ("115608.txt:", "person 'Gary Goldberg'"),
                        ("113395.txt:", "person 'Balazs Szalontai'"), ("134230.txt:", "archive 'RGANI'"),
                        ("115608.txt:", "archive 'AVPRF'"), ("113395.txt:", "archive 'MOL'")):
        assert any(where in line and name in line for line in err.splitlines()), (where, name)
    snippet = yaml.safe_load(err[err.index("  persons:"):])
    registry = project / "data" / "registry.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    for section in ("persons", "groups"):
        data[section].update(snippet[section])
    registry.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["--root", str(project), "build"]) == 0, capsys.readouterr().err


def test_names_with_commas_make_a_snippet_that_parses(tmp_path, capsys):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    shutil.copy(REAL / "111817.txt", project / "data" / "records")   # "Central State Archive, Tirana"
    assert main(["--root", str(project), "build"]) == 2
    err = capsys.readouterr().err
    snippet = yaml.safe_load(err[err.index("  persons:"):])
    assert snippet["groups"]["central-state-archive-tirana"]["label"] == "Central State Archive, Tirana"


def test_a_citation_naming_no_archive_builds_without_a_holder(tmp_path, capsys):
    """The reference is kept (as the document's shelfmark, and in the citation); no keeper is invented."""
    import pyoxigraph as ox
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    name = "letter-no-71-president-syngman-rhee-minister-duk-shin-choi"
    shutil.copy(REAL / f"{name}.txt", project / "data" / "records")
    assert main(["--root", str(project), "build"]) == 0, capsys.readouterr().err
    assert "follows no known scheme" in capsys.readouterr().err   # said as a warning
    store = ox.Store()
    with (project / "dist" / "kg.nq").open("rb") as f:
        store.bulk_load(f, ox.RdfFormat.N_QUADS)
    doc = f"https://kg.example.org/document/{name}"
    rows = list(store.query(f"""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        PREFIX schema: <http://schema.org/>
        SELECT ?ref ?archive WHERE {{
          <{doc}> crm:P1_is_identified_by ?id . ?id crm:P2_has_type <https://kg.example.org/type/shelfmark> ;
                  crm:P190_has_symbolic_content ?ref .
          OPTIONAL {{ <{doc}> schema:holdingArchive ?archive }}
        }}""", use_default_graph_as_union=True))
    assert len(rows) == 1 and rows[0]["ref"].value.startswith("B-330-002") and rows[0]["archive"] is None
