"""The held-back scenario: real Digital Archive records kg has not been tuned to go into a new
project as they are — no facts files, the registry as `kg init` wrote it — and the project
builds, validates and serves. Run as a user would: `kg` subprocesses, a real HTTP server.

Every record of tests/fixtures/records-real/ goes in except the three pages the reader
refuses on purpose (saved cut off before their citation, or with none: test_records_real.REFUSED),
and the corpus's two records (Russian transcript + translation) without their facts."""
from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from .conftest import CORPUS, ROOT
from .test_records_real import REFUSED

REAL = ROOT / "tests" / "fixtures" / "records-real"
KG = [sys.executable, "-m", "kg"]


def kg(*args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("held-back") / "archive"
    done = kg("init", str(root))
    assert done.returncode == 0, done.stderr
    registry = (root / "data" / "registry.yaml").read_bytes()
    for example in (root / "data" / "records").glob("*.txt"):
        example.unlink()
        (root / "data" / "documents" / f"{example.stem}.yaml").unlink()
    copied = [p for p in REAL.glob("*.txt") if p.stem not in REFUSED]
    copied += sorted((CORPUS / "data" / "records").glob("*.txt"))
    for p in copied:
        shutil.copy(p, root / "data" / "records")
    assert len(copied) == len(list(REAL.glob("*.txt"))) - len(REFUSED) + 2
    build = kg("--root", str(root), "build")
    assert build.returncode == 0, build.stderr
    assert (root / "data" / "registry.yaml").read_bytes() == registry   # nothing was added to it
    assert not list((root / "data" / "documents").iterdir())
    return root, build.stdout, build.stderr


def base(root: Path) -> str:
    return re.search(r'(?m)^base = "([^"]+)"', (root / "kg.toml").read_text(encoding="utf-8"))[1]


def ask(root: Path, query: str) -> bool:
    store = ox.Store()
    with (root / "dist" / "kg.nq").open("rb") as f:
        store.bulk_load(f, ox.RdfFormat.N_QUADS)
    return bool(store.query("PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>\nPREFIX schema: <http://schema.org/>\n"
                            + query, use_default_graph_as_union=True))


def test_every_record_builds_and_validates(project):
    root, out, err = project
    documents = int(re.search(r"(\d+) documents", out)[1])
    assert documents == len(list((root / "data" / "records").glob("*.txt")))
    done = kg("--root", str(root), "validate")
    assert done.returncode == 0, done.stderr
    assert "conforms" in done.stdout


def test_header_names_are_one_warning_naming_the_files(project):
    root, _, err = project
    warnings = [w for w in err.split("kg: warning: ")[1:] if "not in the registry" in w]
    assert len(warnings) == 1
    for where, name in (("113395.txt:16", "Balazs Szalontai"), ("116538.txt:15", "Charles Kraus"),
                        ("telegram-shtykov-ussr-first-deputy-minister-foreign-affairs.txt:28", "James F. Person")):
        assert re.search(rf'(?m)^  \S*{re.escape(where)}: person "{name}" → ', warnings[0]), (where, name)


def test_minted_translator_and_default_archive_are_published(project):
    root, _, _ = project
    b = base(root)
    assert ask(root, f"""ASK {{ <{b}document/113395> crm:P73_has_translation ?tr .
        ?tr crm:P94i_was_created_by/crm:P14_carried_out_by <{b}person/balazs-szalontai> .
        <{b}person/balazs-szalontai> a crm:E21_Person }}""")
    assert ask(root, f"""ASK {{ ?item crm:P128_carries <{b}document/113395> ;
        crm:P50_has_current_keeper <{b}group/mol> . <{b}document/113395> schema:holdingArchive <{b}group/mol> }}""")
    assert ask(root, f"""ASK {{ ?item crm:P128_carries <{b}document/116538> ;
        crm:P50_has_current_keeper <{b}group/prc-fma> }}""")
    # the corpus's Russian originals, without their facts: text, language, translation
    assert ask(root, f"""ASK {{ <{b}document/121799> crm:P72_has_language <{b}language/ru> ;
        crm:P190_has_symbolic_content ?ru ; crm:P73_has_translation/crm:P190_has_symbolic_content ?en }}""")


def test_the_project_serves_a_minted_translator_and_a_document(project):
    root, _, _ = project
    server = subprocess.Popen([*KG, "--root", str(root), "serve", "--port", "0", "--workers", "1", "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = server.stdout.readline()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line)[1])
        for path, expect in (("/person/gary-goldberg", "Gary Goldberg"), ("/document/113395", "Szalontai"),
                             ("/group/mol", "Hungarian National Archives")):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Accept": "text/html"})
            r = conn.getresponse()
            body = r.read().decode()
            conn.close()
            assert r.status == 200 and expect in body, (path, r.status)
    finally:
        server.terminate()
        server.wait(timeout=30)
