"""When CI runs the tests against the installed wheel (KG_TEST_INSTALLED=1, see .ci/run), the
kg under test must be the installed one — not the source folder beside the tests, which an
editable install or the working folder on sys.path would silently put first."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import kg

from .conftest import CORPUS, ROOT

installed_only = pytest.mark.skipif(not os.environ.get("KG_TEST_INSTALLED"),
                                    reason="only when testing the installed wheel (KG_TEST_INSTALLED=1)")


@installed_only
def test_the_kg_under_test_is_the_installed_one():
    assert ROOT not in Path(kg.__file__).resolve().parents, kg.__file__


@installed_only
def test_the_command_runs_the_installed_kg_from_the_project_folder():
    r = subprocess.run([sys.executable, "-c", "import kg; print(kg.__file__)"], cwd=CORPUS,
                       capture_output=True, text=True, timeout=60)
    assert ROOT not in Path(r.stdout.strip()).resolve().parents, r.stdout
