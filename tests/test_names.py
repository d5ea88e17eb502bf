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
