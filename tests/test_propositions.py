"""The ``propositions:`` section of a facts file (acts in a conversation): what the loader
refuses, with the file, line and field, and what the mapping publishes for a valid item."""
from __future__ import annotations

import subprocess
import sys

import pytest

from kg.cli import main

from .conftest import MINI_FACTS, edit_facts, published

AGREED = "  send-delegation-agreed:\n    type: agreement\n"


@pytest.mark.parametrize("old, new, words, field", [
    ("    type: proposal\n", "    type: congress\n", "'congress' is not a proposition type", "type"),
    ("    by: test-delegation\n", "    by: beijing\n", "'beijing' is a place; expected a group or person", "by"),
    ("    by: test-delegation\n", "    by: [test-delegation, nobody]\n", "'nobody' is not a key of the registry", "by"),
    ("    in: conversation\n    by: test-delegation\n", "    by: test-delegation\n", "missing: every proposition states its in",
     "in"),
    ("    summary: Send a delegation to Pyongyang.\n", "", "missing: every proposition states its summary", "summary"),
    ("    passage: We proposed sending a delegation to Pyongyang.\n",
     "    inferred: The text implies it.\n", "give its verbatim 'passage'", "passage"),
    ("    passage: We proposed sending a delegation to Pyongyang.\n",
     "    passage: We proposed sending a delegation to Moscow.\n", "is not in the translation text", "passage"),
    ("    responds_to: send-delegation\n", "    responds_to: no-such-act\n", "is not another proposition of this file",
     "responds_to"),
    ("    responds_to: send-delegation\n", "    responds_to: send-delegation-agreed\n",
     "is not another proposition of this file", "responds_to"),
    ("    purpose: trip\n", "    purpose: trip\n    about_time: conversation\n    stance: firm\n", "unknown field 'stance'",
     "stance"),
    ("  send-delegation:\n", "  Send_Delegation:\n", "is not a curated key", "Send_Delegation"),
    ("    passage: We proposed sending a delegation to Pyongyang.\n",
     "    passage: We proposed sending a delegation to Pyongyang.\n    original: Мы предложили\n",
     "is not in the original text", "original"),
])
def test_the_loader_refuses_bad_propositions(mini_project, capsys, old, new, words, field):
    edit_facts(mini_project, old, new)
    code = main(["--root", str(mini_project), "validate"])
    err = capsys.readouterr().err
    assert code == 2 and words in err, err
    assert "900001.yaml:" in err and field in err, err
    assert "Traceback" not in err


def test_about_time_needs_the_events_time_in_the_same_file(mini_project, capsys):
    edit_facts(mini_project, "    purpose: trip\n", "    purpose: trip\n    about_time: conversation\n")
    assert main(["--root", str(mini_project), "validate"]) == 0, capsys.readouterr().err
    text = (mini_project / MINI_FACTS).read_text(encoding="utf-8")
    start = text.index("  - event: conversation\n    time:")
    end = text.index("  - {event: conversation, participant: mao-zedong")
    (mini_project / MINI_FACTS).write_text(text[:start] + text[end:], encoding="utf-8")
    code = main(["--root", str(mini_project), "validate"])
    err = capsys.readouterr().err
    assert code == 2 and "about_time 'conversation'" in err and "time is not stated in this file" in err, err


def test_a_decision_may_name_no_one_but_a_proposal_must(mini_project, capsys):
    edit_facts(mini_project, "    by: test-delegation\n", "")
    assert main(["--root", str(mini_project), "validate"]) == 1
    out = capsys.readouterr()
    assert "needs who put it forward" in out.out + out.err
    edit_facts(mini_project, "    type: proposal\n", "    type: decision\n")
    assert main(["--root", str(mini_project), "validate"]) == 0, capsys.readouterr().err


def test_two_files_may_not_give_one_conversation_the_same_key(tmp_path):
    """Acts hang below their conversation: a key given twice for it stops the build (exit 2)."""
    import shutil

    from .conftest import CORPUS

    project = tmp_path / "p"
    shutil.copytree(CORPUS, project)
    facts = project / "data" / "documents" / "121976.yaml"
    text = facts.read_text(encoding="utf-8")
    old = "  kwp-mandate:\n    type: position\n    in: conversation-mikoyan-mao-1956-09\n"
    assert old in text
    facts.write_text(text.replace(old, "  cpsu-cc-mandate:\n    type: position\n    in: conversation-1956-09-18\n"),
                     encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kg", "--root", str(project), "validate"], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    assert "proposition 'cpsu-cc-mandate' of 'conversation-1956-09-18' is already given at" in run.stderr
    assert "121799.yaml" in run.stderr and "121976.yaml" in run.stderr


def test_an_agreement_is_published_with_its_speaker_answer_and_passage(mini_project):
    assert main(["--root", str(mini_project), "build"]) == 0
    store = published(mini_project)
    rows = list(store.query("""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        PREFIX kgo: <https://kg.example.org/ontology#>
        PREFIX kgt: <https://kg.example.org/type/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?who ?answered ?note ?passage WHERE {
          ?act crm:P2_has_type kgt:agreement ;
               crm:P9i_forms_part_of/rdfs:label "Test conversation"@en ;
               crm:P14_carried_out_by/rdfs:label ?who ;
               kgo:respondsTo/crm:P94_has_created/crm:P3_has_note ?answered .
          ?e crm:P140_assigned_attribute_to ?act ;
             crm:P177_assigned_property_of_type crm:P14_carried_out_by ;
             crm:P2_has_type kgt:stated ;
             crm:P17_was_motivated_by/crm:P190_has_symbolic_content ?passage .
        }""", use_default_graph_as_union=True))
    assert [(r["who"].value, r["answered"].value, r["passage"].value) for r in rows] == [
        ("Mao Zedong", "Editors' summary: Send a delegation to Pyongyang.", "Mao Zedong agreed with our proposal.")]
