"""Agents and patients: someone an activity was done to (executed, arrested, advised) takes
part in it with their role (P11 on the role part-activity), never P14_carried_out_by — for
kg's role `subject` and for any project role narrower than it."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main

from .conftest import edit_facts, published
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
ADVICE = "  - {event: conversation, participant: mao-zedong, passage: \"A conversation with Cde. Mao Zedong\"}\n"
VICTIM = """@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix kgt: <https://kg.example.org/type/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

kgt:addressee a crm:E55_Type, skos:Concept ;
    skos:inScheme kgt:role ;
    skos:broader kgt:subject ;
    rdfs:label "addressee"@en ;
    skos:prefLabel "addressee"@en ;
    rdfs:comment "The person spoken to or advised."@en .
"""


@pytest.fixture
def project(mini_project):
    return mini_project


def add_statement(project: Path, line: str) -> None:
    edit_facts(project, ADVICE, ADVICE + line)


def links(project: Path, part: str) -> set[str]:
    return {q.predicate.value[len(CRM):] for q in published(project).quads_for_pattern(ox.NamedNode(part), None, None)
            if q.predicate.value in (CRM + "P11_had_participant", CRM + "P14_carried_out_by")}


@pytest.mark.parametrize("role, types", [("subject", None), ("addressee", VICTIM)])
def test_someone_acted_upon_takes_part_and_does_not_carry_out(project, capsys, role, types):
    if types:
        (project / "data" / "types.ttl").write_text(types, encoding="utf-8")
    add_statement(project, f"  - {{event: conversation, participant: peng-dehuai, role: {role}, "
                           "inferred: a test of a role of someone acted upon}\n")
    assert main(["--root", str(project), "build"]) == 0, capsys.readouterr().err
    part = f"https://kg.example.org/event/conversation/part/{role}/peng-dehuai"
    assert links(project, part) == {"P11_had_participant"}


def test_an_agent_role_still_carries_out(project, capsys):
    add_statement(project, "  - {event: conversation, participant: peng-dehuai, role: host, "
                           "inferred: a test of an agent's role}\n")
    assert main(["--root", str(project), "build"]) == 0, capsys.readouterr().err
    assert links(project, "https://kg.example.org/event/conversation/part/host/peng-dehuai") == {"P14_carried_out_by"}


def test_carried_out_by_with_a_patient_role_is_refused(project, capsys):
    add_statement(project, "  - {event: conversation, carried_out_by: peng-dehuai, role: subject, "
                           "inferred: a contradiction}\n")
    assert main(["--root", str(project), "build"]) == 2
    err = capsys.readouterr().err
    assert "900001.yaml:" in err and "did not carry it out" in err and "participant" in err
