"""What a document states implies what it mentions: an author, recipient, participant,
place … stated with a passage is also mentioned by the document (P67 and schema:mentions),
with evidence resting on the same passage — without a second statement. Only what the
text names counts: an inferred statement implies no mention."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.cli import main

from .conftest import edit_facts, published
BASE = "https://kg.example.org/"
DOC = BASE + "document/900001"
P67 = "http://www.cidoc-crm.org/cidoc-crm/P67_refers_to"


@pytest.fixture
def built(mini_project, capsys):
    edit_facts(mini_project, "mentions:\n  - {entity: mao-zedong, passage: Cde. Mao Zedong}\n", "")  # none stated
    assert main(["--root", str(mini_project), "build"]) == 0, capsys.readouterr().err
    return published(mini_project)


def mentioned(store) -> set[str]:
    return {q.object.value[len(BASE):] for q in store.quads_for_pattern(ox.NamedNode(DOC), ox.NamedNode(P67), None)}


def test_stated_agents_and_places_are_mentioned(built):
    assert mentioned(built) == {"person/mao-zedong", "person/test-author", "person/peng-dehuai",
                                "group/test-delegation", "place/pyongyang"}


def test_inferred_ones_are_not(built):
    # the recipient, the place Beijing and the author's role are inferred in the fixture
    assert not mentioned(built) & {"group/test-committee", "place/beijing"}


def test_the_mention_rests_on_the_passages_that_name_them(built):
    q = f"""
    PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?text ?type WHERE {{
      ?e a crm:E13_Attribute_Assignment ; crm:P140_assigned_attribute_to <{DOC}> ;
         crm:P177_assigned_property_of_type crm:P67_refers_to ;
         crm:P141_assigned <{BASE}person/mao-zedong> ; crm:P2_has_type ?type ;
         crm:P17_was_motivated_by ?p .
      ?p crm:P190_has_symbolic_content ?text .
    }} ORDER BY ?text"""
    rows = [(r["text"].value, r["type"].value) for r in built.query(q, use_default_graph_as_union=True)]
    # Mao is named as participant and as the one who agreed: both passages back the mention
    assert rows == [("A conversation with Cde. Mao Zedong", BASE + "type/stated"),
                    ("Mao Zedong agreed with our proposal.", BASE + "type/stated")]
