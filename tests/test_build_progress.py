"""Progress of ``kg build`` and ``kg validate``: bars over the documents read and the validation
units, on a terminal only (KG_PROGRESS=1 stands for one), never in a --json run."""
from __future__ import annotations

import json

import pytest

from .test_build import kg


@pytest.mark.parametrize("command", ["build", "validate"])
def test_bars_count_documents_and_units(mini_project, command):
    r = kg(command, "--root", str(mini_project), env={"KG_PROGRESS": "1", "KG_CACHE": "0"})  # every unit validated
    assert r.returncode == 0, r.stderr
    err = r.stderr.replace("\r", "\n")
    assert "kg: reading facts" in err and "/1 " in err             # one document
    assert "kg: validating" in err and "/2 " in err                 # the shared unit and the document's
    assert r.stdout.startswith(f"kg {command}: ")                   # stdout stays the summary


def test_no_bar_when_piped(mini_project, monkeypatch):
    monkeypatch.delenv("KG_PROGRESS", raising=False)               # the subprocess's stderr is a pipe
    r = kg("validate", "--root", str(mini_project))
    assert r.returncode == 0, r.stderr
    assert "kg: " not in r.stderr


@pytest.mark.parametrize("command", ["build", "validate"])
def test_no_bar_in_a_json_run(mini_project, tmp_path, command):
    extra = ("--dist", str(tmp_path / "d")) if command == "build" else ()
    r = kg(command, "--json", "--root", str(mini_project), *extra, env={"KG_PROGRESS": "1"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True
    assert "kg: reading" not in r.stderr and "kg: validating" not in r.stderr
