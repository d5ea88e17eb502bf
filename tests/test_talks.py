"""The substance of the talks (competency questions 13–17): the acts of the conversation of
18 September 1956 — proposals, agreements, objections, decisions, criticism — as the
published graph answers them, run with the corpus's queries (queries/cq13-…cq17-*.rq) on
the corpus's N-Quads dump, as tests/test_competency.py runs CQ1–12. The expected answers
are those of telegram 121799 (Wilson Center Digital Archive)."""
from __future__ import annotations

from .test_competency import _aspects, cq, label_of, registry, store, v  # noqa: F401  (fixtures)


def _soviet(registry) -> str:
    return label_of(registry, "groups", "soviet-delegation")


def test_cq13_soviet_objections_and_their_result(cq, registry):
    rows = cq("cq13-objections")
    # Three objections, in the telegram's order: the volunteers, the members who fled, Pak Heon-yeong.
    assert [v(r["putForwardBy"]) for r in rows] == ["Mao Zedong", "Mao Zedong", "Peng Dehuai"]
    volunteers, fled, pak = rows
    assert "Chinese volunteers" in v(volunteers["objectedTo"])
    assert "excluding such a posing of the question" in v(volunteers["passage"])
    assert volunteers["result"] is None
    assert "fled Korea" in v(fled["objectedTo"])
    assert "difficult position" in v(fled["passage"]) and "prestige" in v(fled["passage"])
    # With what result: Mao then agreed.
    assert v(fled["resultBy"]) == "Mao Zedong" and "agrees" in v(fled["result"])
    assert "Pak Heon-yeong" in v(pak["objectedTo"])
    assert "no sense for us to stir up this matter" in v(pak["passage"])


def test_cq14_members_who_fled(cq, registry):
    rows = cq("cq14-members-who-fled")
    assert [(v(r["kind"]), v(r["by"])) for r in rows] == [
        ("proposal", "Mao Zedong"), ("objection", _soviet(registry)), ("agreement", "Mao Zedong"),
        ("decision", None)]
    decision = rows[-1]
    assert "would not pursue work" in v(decision["passage"]) and "against the KWP leadership" in v(decision["passage"])
    assert v(rows[1]["answers"]) == v(rows[0]["summary"]) and v(rows[2]["answers"]) == v(rows[1]["summary"])


def test_cq15_critics_of_kim_il_sung(cq):
    rows = cq("cq15-critics")
    assert {v(r["critic"]) for r in rows} == {"Liu Shaoqi", "Zhou Enlai", "Peng Dehuai"}
    assert all("more than once made comments demonstrating their critical attitude toward Kim Il Sung"
               in v(r["passage"]) for r in rows)


def test_cq16_agreements(cq, registry):
    rows = cq("cq16-agreements")
    agreements = {(v(r["putForwardBy"]), v(r["agreedBy"])): r for r in rows if v(r["kind"]) == "agreement"}
    soviet = _soviet(registry)
    # The joint delegation: proposed by the Soviet side, agreed (twice) by Mao.
    joint = [r for r in rows if v(r["kind"]) == "agreement" and "joint CPSU and CCP delegation" in v(r["agreedTo"])]
    assert {(v(r["putForwardBy"]), v(r["agreedBy"])) for r in joint} == {(soviet, "Mao Zedong")}
    assert any("the only correct" in v(r["passage"]) for r in joint)
    # Mao's published KWP CC resolution, agreed by the Soviet side.
    assert "publish it in the press" in v(agreements[("Mao Zedong", soviet)]["agreedTo"])
    assert v(agreements[("Mao Zedong", soviet)]["passage"]) == "We agreed with him."
    # Choe Yong-geon to inform Kim Il Sung and travel with them.
    assert any("Choe Yong-geon" in v(r["agreedTo"]) and "invite Choe Yong-geon" in v(r["passage"]) for r in rows)
    decisions = [v(r["passage"]) for r in rows if v(r["kind"]) == "decision"]
    # The line for the talks, the ambassadors' part, no deadline: arranged together, no speaker named.
    assert any("talk frankly with Kim Il Sung" in p and "reconcile the quarrelling sides" in p
               and "in the presidium or in the KWP CC plenum" in p for p in decisions)
    assert any("ambassadors" in p and "observe the implementation" in p for p in decisions)
    assert any("not to set a deadline" in p for p in decisions)
    assert all(r["agreedBy"] is None for r in rows if v(r["kind"]) == "decision")


def test_cq17_the_planned_trip_time(cq, registry):
    aspects = _aspects(cq("cq17-planned-trip-time"))
    (departure,) = aspects["departure"]
    assert v(departure["begin"]) == "1956-09-19T07:00:00" and departure["end"] is None
    assert v(departure["stated"]) == "19 August [SIC]"
    estimates = {(v(r["who"]), float(v(r["min"])), float(v(r["max"])), v(r["basis"])) for r in aspects["duration estimate"]}
    assert estimates == {("Peng Dehuai", 7.0, 7.0, "reported"), ("Mao Zedong", 5.0, 5.0, "reported")}
    (preference,) = aspects["proposal"]
    assert v(preference["who"]) == _soviet(registry)
    assert v(preference["passage"]) == "We favored finishing work in Pyongyang in two or three days."
    (deadline,) = aspects["decision"]
    assert deadline["who"] is None and "not to set a deadline" in v(deadline["passage"])


def test_where_the_translation_differs_the_original_is_cited_too(store):
    """Peng Dehuai's question: the evidence of who asked rests on the English passage and on
    the Russian one ("спросил, что мы будем отвечать": asked what we would answer)."""
    rows = list(store.query("""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        PREFIX kgt: <https://kg.example.org/type/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX schema: <http://schema.org/>
        SELECT ?passage ?lang WHERE {
          ?act crm:P2_has_type kgt:question ;
               crm:P14_carried_out_by/rdfs:label "Peng Dehuai"@en .
          ?e crm:P140_assigned_attribute_to ?act ;
             crm:P177_assigned_property_of_type crm:P14_carried_out_by ;
             crm:P17_was_motivated_by ?p .
          ?p crm:P190_has_symbolic_content ?passage ;
             crm:P106i_forms_part_of/schema:inLanguage ?lang .
        }""", use_default_graph_as_union=True))
    got = {(r["lang"].value, r["passage"].value.split(" ", 2)[1]) for r in rows}
    assert got == {("en", "Dehuai"), ("ru", "Дэ-хуэй")}, got
    assert any("спросил, что мы будем отвечать" in r["passage"].value for r in rows)
