"""Each kind of statement is declared once (kg/statement_kinds.py): the loader's checks, the
mapper dispatch, the reconciliation roles and data/README.md's table all follow from it."""
from __future__ import annotations

import pytest

from kg import statement_kinds
from kg.cli import main
from kg.mapping.statements import MAPPERS
from kg.wikidata import subjects

from .conftest import ROOT, edit_facts


def test_data_readme_table_is_the_declaration():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- statement kinds:")
    block = text[text.index("\n", start) + 1:text.index("<!-- end of statement kinds -->")]
    assert block == statement_kinds.markdown_table()


def test_every_kind_has_exactly_one_mapper():
    assert set(MAPPERS) == set(statement_kinds.BY_PROP)


def test_reconciliation_roles_come_from_the_declaration():
    assert subjects.ACTING == {k.prop for k in statement_kinds.KINDS if k.acting}
    assert "recipient" in subjects.ACTING and "about" in subjects.MENTIONED
    assert not subjects.ACTING & subjects.MENTIONED


@pytest.fixture
def project(mini_project):
    return mini_project


@pytest.mark.parametrize("old, new, words", [
    ("{event: trip, place: pyongyang, passage:", "{event: trip, place: pyongyang, role: host, passage:",
     "'place' takes no role"),
    ("{group: test-delegation, member: test-author, role: head-of-delegation,",
     "{group: test-delegation, member: test-author, role: head-of-delegation, on_behalf_of: test-committee,",
     "'on_behalf_of' goes with a 'role' on a participant or carried_out_by or proposed_participant"),
    ("{event: conversation, place: beijing,", "{group: test-delegation, place: beijing,",
     "'place' is said of an event, not a group"),
    ("author: {entity: test-author, passage: TEST AUTHOR}\n", "", "every document states its author"),
    ("recipients:\n  - {entity: test-committee,", "recipients:\n  - {entity: beijing,",
     "'beijing' is a place; expected a group or person"),
])
def test_the_loader_checks_what_the_declaration_says(project, capsys, old, new, words):
    edit_facts(project, old, new)
    code = main(["--root", str(project), "validate"])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "900001.yaml:" in err, err


def test_data_readme_proposition_table_is_the_declaration():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- proposition fields:")
    block = text[text.index("\n", start) + 1:text.index("<!-- end of proposition fields -->")]
    assert block == statement_kinds.proposition_table()
