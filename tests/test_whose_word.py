"""Whose word each claim is: stated (the author), reported (a speaker the author relays),
editorial (a translator's bracket), inferred (the editors) — the facts format, the bracket
rule, the two readings of original and translation, and what the published graph says."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from kg import brackets
from kg.cli import main
from kg.errors import FactsError
from kg.facts import load_facts
from kg.vocab import CRM, KGT

from .conftest import CORPUS, published

BASE = "https://kg.example.org/"
D76 = "data/documents/121976.yaml"
D99 = "data/documents/121799.yaml"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / "data", tmp_path / "data")
    shutil.copy(CORPUS / "kg.toml", tmp_path / "kg.toml")
    return tmp_path


def edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture text {old!r} not once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def error_of(project: Path) -> FactsError:
    with pytest.raises(FactsError) as info:
        load_facts(project / "data")
    return info.value


def statement(project: Path, number: str, subject, prop: str, value):
    facts = load_facts(project / "data")
    doc = next(d for d in facts.documents if d.number == number)
    return next(st for st in doc.statements
                if (st.subject, st.prop, st.value_key) == (subject, prop, value))


# ---------------------------------------------------------------- the bracket rule

def test_sic_and_abbreviations_are_not_free_standing():
    text = "Cable by c[omrade] Mikoyan on 19 August [SIC] concerning the [8th CCP] Congress"
    assert [b.words for b in brackets.brackets(text)] == ["omrade", "SIC", "8th CCP"]
    assert [b.words for b in brackets.in_passage(text, 0, len(text))] == ["8th CCP"]


def test_a_name_only_in_brackets_is_decisive():
    text = "the Chinese told him about the execution of Pak [Heon-yeong]. When he [Mao Zedong] mentioned Korea"
    pak = text.index("execution"), text.index("].") + 1
    assert brackets.readings(text, *pak) == ("execution of Pak Heon-yeong", "execution of Pak")
    assert brackets.rests_on_brackets(text, *pak, ["Pak Heon-yeong"]) is True
    korea = text.index("When"), len(text)
    assert brackets.rests_on_brackets(text, *korea, ["Korea"]) is False          # named outside
    assert brackets.rests_on_brackets(text, *korea, ["Mao Zedong"]) is True
    assert brackets.rests_on_brackets(text, *korea, []) is None                   # kg cannot tell
    assert brackets.rests_on_brackets("Cable by c[omrade] Mikoyan", 0, 26, []) is False


def test_a_passage_inside_a_bracket_rests_on_it():
    text = "A. MIKOYAN\n[handwritten: authenticated: V. Chistov\n\nMFA 19 September]"
    start = text.index("authenticated")
    assert brackets.rests_on_brackets(text, start, start + 25, ["V. Chistov"]) is True


def test_bracket_scan_is_linear_on_hostile_text():
    """Unclosed brackets by the million must not hang the scan (a regression would time out)."""
    text = "[" * 1_000_000 + "x]" + " [a" * 300_000
    done = []
    worker = threading.Thread(target=lambda: done.append(len(brackets.brackets(text))), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done, "the bracket scan did not finish"


def test_stated_claim_on_a_translators_bracket_stops_the_build(project):
    line = edit(project / D76, '''    passage: "execution of Pak [Heon-yeong]"
    editorial: >-
      The original has only "Пака" (Pak); "[Heon-yeong]" is the translator's identification
      (telegram 121799 names another Pak, Pak Il-u, under arrest).
''', '''    passage: "execution of Pak [Heon-yeong]"
''')
    err = error_of(project)
    assert err.path.name == "121976.yaml" and err.line == line and err.field == "passage"
    assert "'Pak Heon-yeong' only inside the brackets '[Heon-yeong]'" in str(err)
    assert "editorial" in err.hint


def test_kg_cannot_tell_and_asks(project, capsys):
    edit(project / D99, '''    bracket: ignore   # "[proposal]" completes the sentence; the agreement is the author's report
''', "")
    assert main(["--root", str(project), "validate"]) == 2
    err = capsys.readouterr().err
    assert "121799.yaml:" in err and "field 'passage'" in err and "'[proposal]'" in err
    assert "cannot tell" in err and "bracket: ignore" in err and "Traceback" not in err


@pytest.mark.parametrize("old, new, field, words", [
    ('passage: "A. MIKOYAN"}', 'passage: "A. MIKOYAN", editorial: "no bracket here"}', "editorial", "holds none"),
    ('passage: "A. MIKOYAN"}', 'passage: "A. MIKOYAN", bracket: ignore}', "bracket", "holds none"),
    ('passage: "A. MIKOYAN"}', 'passage: "A. MIKOYAN", bracket: yes}', "bracket", "not a bracket decision"),
    ('passage: "A. MIKOYAN"}', 'passage: "A. MIKOYAN", according_to: mao-zedong}', "according_to", "unknown field"),
])
def test_whose_word_keys_are_checked(project, old, new, field, words):
    edit(project / D99, "author: {entity: anastas-mikoyan, " + old, "author: {entity: anastas-mikoyan, " + new)
    err = error_of(project)
    assert err.path.name == "121799.yaml" and err.field == field and words in str(err), str(err)


def test_inference_takes_no_speaker(project):
    edit(project / D99, '''    inferred: >-
      The text names Pak Il-u's arrest''', '''    according_to: mao-zedong
    inferred: >-
      The text names Pak Il-u's arrest''')
    err = error_of(project)
    assert err.field == "according_to" and "editors' own" in str(err)


# ---------------------------------------------------------------- reported speech

def test_reported_speech_defaults_to_the_documented_conversation(project):
    st = statement(project, "121976", "execution-pak-heon-yeong", "participant", "kim-il-sung")
    assert (st.according_to, st.said_in, st.editorial) == ("mao-zedong", "conversation-mikoyan-mao-1956-09", None)
    st = statement(project, "121976", "execution-pak-heon-yeong", "participant", "pak-heon-yeong")
    assert st.according_to == "mao-zedong" and "расстрелял его" in st.editorial


def test_said_in_needs_a_default_or_in(project):
    edit(project / D76, '''documents:
  - event: conversation-mikoyan-mao-1956-09''', '''documents:
  - {event: ccp-8th-congress, passage: "from Beijing", inferred: "test"}
  - event: conversation-mikoyan-mao-1956-09''')
    err = error_of(project)
    assert err.path.name == "121976.yaml" and err.field == "according_to" and "'in' has no default" in str(err)
    line = edit(project / D76, '''    passage: "comrades who escaped from there wrote letters to CC CCP"
    according_to: mao-zedong
''', '''    passage: "comrades who escaped from there wrote letters to CC CCP"
    according_to: mao-zedong
    in: conversation-mikoyan-mao-1956-09
''')
    assert line > 0
    err = error_of(project)          # the next reported statement still has no 'in'
    assert err.field == "according_to"


def test_in_without_according_to(project):
    edit(project / D76, '''    passage: "comrades who escaped from there wrote letters to CC CCP"
    according_to: mao-zedong
''', '''    passage: "comrades who escaped from there wrote letters to CC CCP"
    in: conversation-mikoyan-mao-1956-09
''')
    err = error_of(project)
    assert err.field == "in" and "give 'according_to' too" in str(err)


# ---------------------------------------------------------------- two readings

def test_both_readings_are_loaded(project):
    a = statement(project, "121799", None, "authenticated_by", "v-chistov")
    b = statement(project, "121799", None, "authenticated_by", "anastas-mikoyan")
    assert a.readings_differ == b.readings_differ and "Верно: Микоян" in a.readings_differ
    assert (a.passages[0].text, b.passages[0].text) == ("translation", "original")
    assert a.editorial and not b.editorial


@pytest.mark.parametrize("old, new, field, words", [
    ("  other_reading:\n    entity: anastas-mikoyan\n", "  other_reading:\n    entity: v-chistov\n",
     None, "same value"),
    ('  readings_differ: >-\n    The Russian transcript', '  note: >-\n    The Russian transcript',
     "other_reading", "need 'readings_differ"),
])
def test_readings_are_checked(project, old, new, field, words):
    edit(project / D99, old, new)
    err = error_of(project)
    assert err.path.name == "121799.yaml" and err.field == field and words in str(err), str(err)


# ---------------------------------------------------------------- the published graph

def test_the_graph_says_whose_word(corpus_dist):
    store = published(corpus_dist.parent)
    q = lambda s: {tuple(str(v.value) for v in row) for row in store.query(s, use_default_graph_as_union=True)}  # noqa: E731
    prefixes = f"PREFIX crm: <{CRM}> PREFIX kgt: <{KGT}> "
    # every assignment has a whose-word type and a passage or a note
    assert not q(prefixes + """SELECT ?e WHERE { ?e a crm:E13_Attribute_Assignment .
        FILTER NOT EXISTS { ?e crm:P2_has_type ?t VALUES ?t { kgt:stated kgt:reported kgt:editorial kgt:inferred } }
    } """) and not q(prefixes + """SELECT ?e WHERE { ?e a crm:E13_Attribute_Assignment .
        FILTER NOT EXISTS { ?e crm:P17_was_motivated_by ?p } FILTER NOT EXISTS { ?e crm:P3_has_note ?n } }""")
    ev = BASE + "document/121976/evidence/execution-pak-heon-yeong/participant/pak-heon-yeong/subject"
    by = q(prefixes + f"SELECT ?who WHERE {{ <{ev}> crm:P14_carried_out_by ?who }}")
    assert by == {(BASE + "person/mao-zedong",), (BASE + "person/sergey-radchenko",)}
    assert q(prefixes + f"SELECT ?c WHERE {{ <{ev}> crm:P10_falls_within ?c }}") == {
        (BASE + "event/conversation-mikoyan-mao-1956-09",)}
    stated = BASE + "document/121799/evidence/joint-delegation-pyongyang/proposed-by/soviet-delegation"
    assert q(prefixes + f"SELECT ?who ?t WHERE {{ <{stated}> crm:P14_carried_out_by ?who ; crm:P2_has_type ?t }}") == {
        (BASE + "person/anastas-mikoyan", str(KGT.stated))}
    corrected = BASE + "document/121799/evidence/joint-delegation-pyongyang/time/time"
    assert q(prefixes + f"SELECT ?t WHERE {{ <{corrected}> crm:P2_has_type ?t }}") == {
        (str(KGT.inferred),), (str(KGT["date-correction"]),)}
    readings = q(prefixes + """SELECT ?v WHERE { ?e crm:P2_has_type kgt:readings-differ ; crm:P141_assigned ?v }""")
    assert readings == {(BASE + "person/v-chistov",), (BASE + "person/anastas-mikoyan",)}


def test_an_event_statement_may_have_two_readings(project):
    edit(project / D76, '''    participant: mao-zedong
    passage: "I told c[omrade] Mao Zedong"
''', '''    participant: mao-zedong
    passage: "I told c[omrade] Mao Zedong"
    other_reading: {participant: ccp-politburo, text: original, passage: "побеседовать с ним и Политбюро"}
    readings_differ: "A test: the original adds the Politburo."
''')
    st = statement(project, "121976", "conversation-mikoyan-mao-1956-09", "participant", "ccp-politburo")
    assert st.passages[0].text == "original" and st.readings_differ == "A test: the original adds the Politburo."
    edit(project / D76, "other_reading: {participant: ccp-politburo,", "other_reading: {about: ccp-politburo,")
    err = error_of(project)
    assert err.path.name == "121976.yaml" and "unknown field 'about'" in str(err)


def test_the_other_reading_has_none_of_its_own(project):
    line = edit(project / D99, '''    passage: "Верно: Микоян"
''', '''    passage: "Верно: Микоян"
    readings_differ: nested
''')
    err = error_of(project)
    assert err.path.name == "121799.yaml" and err.line == line + 1 and err.field == "readings_differ"


def test_a_bracket_decision_needs_the_passage(project):
    line = edit(project / D99, '''created_at:
  entity: beijing
  passage: "A conversation with the Chinese comrades was held today"
  inferred: >-''', '''created_at:
  entity: beijing
  bracket: ignore
  inferred: >-''')
    err = error_of(project)
    assert err.path.name == "121799.yaml" and err.line == line + 2 and err.field == "bracket"
    assert "give the 'passage'" in str(err)
