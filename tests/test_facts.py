"""Curated facts: bad input gets an error naming file, line, field and what was expected;
hostile strings survive the whole build intact."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from kg import pipeline
from kg.errors import FactsError, PassageError
from kg.facts import load_facts
from kg.passages import locate
from kg.settings import load_settings
from kg.vocab import RDFS, SCHEMA, SKOS

from .conftest import CORPUS, ROOT


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / "data", tmp_path / "data")
    shutil.copy(CORPUS / "kg.toml", tmp_path / "kg.toml")
    return tmp_path / "data"


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace text in a data file; return the 1-based line of the first change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def error_of(data: Path) -> FactsError:
    with pytest.raises(FactsError) as info:
        load_facts(data)
    return info.value


def test_passages_match_across_whitespace_only():
    text = "We fly to Pyongyang\non 19 August [SIC]  at 7 A. M."
    start, end = locate("Pyongyang on 19 August [SIC] at 7", text)
    assert text[start:end] == "Pyongyang\non 19 August [SIC]  at 7"
    assert locate("Pyongyang on 19 Aug", text) is not None
    assert locate("Pyongyang on 19 September", text) is None
    assert locate("pyongyang", text) is None  # case matters


def test_malformed_yaml_names_file_and_line(data):
    edit(data / "registry.yaml", "persons:", "persons: [unclosed")
    err = error_of(data)
    assert err.path.name == "registry.yaml" and err.line is not None
    assert "not valid YAML" in str(err)


def test_unknown_entity_key(data):
    line = edit(data / "documents" / "121799.yaml", "participant: mao-zedong", "participant: mao-zedung")
    err = error_of(data)
    assert err.path.name == "121799.yaml"
    assert err.line == line and err.field == "participant"
    assert "'mao-zedung' is not a key of the registry" in str(err)


def test_entity_of_the_wrong_kind(data):
    edit(data / "documents" / "121799.yaml", "participant: mao-zedong", "participant: beijing")
    err = error_of(data)
    assert "is a place; expected a group or person" in str(err)


def test_passage_not_in_the_text(data):
    line = edit(data / "documents" / "121799.yaml", "Our delegation", "Our glorious delegation")
    with pytest.raises(PassageError) as info:
        load_facts(data)
    err = info.value
    assert err.path.name == "121799.yaml" and err.line == line and err.field == "passage"
    assert "not in the translation text of record 121799" in str(err)
    assert "differs at 'glorious" in str(err)


def test_invalid_date(data):
    text = (data / "documents" / "121799.yaml").read_text(encoding="utf-8")
    m = re.search(r"begin: ['\"]?1956-09-18T18:00['\"]?", text)
    assert m, "fixture: the conversation's begin"
    edit(data / "documents" / "121799.yaml", m.group(0), "begin: 1956-09-31T18:00")
    err = error_of(data)
    assert err.field in ("begin", "end") and "not a real date" in str(err)


def test_date_in_the_wrong_form(data):
    text = (data / "documents" / "121799.yaml").read_text(encoding="utf-8")
    m = re.search(r"begin: ['\"]?1956-09-18T18:00['\"]?", text)
    edit(data / "documents" / "121799.yaml", m.group(0), "begin: 18 September 1956")
    err = error_of(data)
    assert "expected YYYY, YYYY-MM, YYYY-MM-DD" in str(err)


def test_duplicate_key(data):
    registry = data / "registry.yaml"
    text = registry.read_text(encoding="utf-8")
    m = re.search(r"\n(  mao-zedong:\n(?:    .*\n)+)", text)
    registry.write_text(text.replace(m.group(1), m.group(1) * 2, 1), encoding="utf-8")
    err = error_of(data)
    assert err.path.name == "registry.yaml" and err.field == "mao-zedong"
    assert "duplicate key 'mao-zedong'" in str(err)


def test_unknown_type(data):
    line = edit(data / "registry.yaml", "type: conversation", "type: chat")
    err = error_of(data)
    assert err.line == line and err.field == "type"
    assert "'chat' is not an event type" in str(err) and "conversation" in err.hint


def test_unknown_field_is_rejected(data):
    line = edit(data / "registry.yaml", "  mao-zedong:\n", "  mao-zedong:\n    colour: red\n") + 1
    err = error_of(data)
    assert err.line == line
    assert err.field == "colour" and "unknown field" in str(err)


def test_statement_without_evidence(data):
    path = data / "documents" / "121976.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - {event: ccp-8th-congress, place: beijing}\n",
                    encoding="utf-8")
    err = error_of(data)
    assert "needs a verbatim 'passage'" in str(err)


def test_facts_file_for_a_missing_record(data):
    shutil.copy(data / "documents" / "121976.yaml", data / "documents" / "999999.yaml")
    err = error_of(data)
    assert err.path.name == "999999.yaml" and "facts file without a record" in str(err)


def test_bad_wikidata_id(data):
    line = edit(data / "wikidata" / "review.tsv", "mao-zedong\tQ5816\t", "mao-zedong\thttps://www.wikidata.org/wiki/Q5816\t")
    err = error_of(data)
    assert err.path.name == "review.tsv" and err.line == line and err.field == "qid"


def test_wikidata_links_are_not_written_in_the_registry(data):
    line = edit(data / "registry.yaml", "    label: Mao Zedong\n", "    label: Mao Zedong\n    wikidata: Q5816\n") + 1
    err = error_of(data)
    assert err.line == line and err.field == "wikidata" and "review.tsv" in str(err)


HOSTILE = 'Mao "Chairman" <Zedong> \\ \'x\' \n second line & ; . Ω 毛泽东 🙂 """'


def test_hostile_strings_in_labels_survive_every_dump(data, tmp_path):
    text = (data / "registry.yaml").read_text(encoding="utf-8")
    m = re.search(r"(  mao-zedong:\n    label: )(.*)\n", text)
    yaml_value = '"' + HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    (data / "registry.yaml").write_text(text.replace(m.group(0), m.group(1) + yaml_value + "\n", 1),
                                        encoding="utf-8")
    settings = load_settings(data.parent)
    result = pipeline.build(settings)
    node = URIRef(settings.base + "person/mao-zedong")
    for name, fmt in (("kg.ttl", "turtle"), ("kg.nt", "nt"), ("kg.jsonld", "json-ld"), ("kg.nq", "nquads")):
        g = Dataset(default_union=True) if fmt == "nquads" else Graph()
        g.parse(settings.dist_dir / name, format=fmt)
        assert (node, RDFS.label, Literal(HOSTILE, lang="en")) in g, name
        assert (node, SCHEMA.name, Literal(HOSTILE, lang="en")) in g, name
    assert result.counts()["persons"] > 0


def test_names_as_written_keep_their_language(data):
    facts = load_facts(data)
    spellings = {(u.entity, u.text, u.lang) for d in facts.documents for u in d.names}
    assert ("peng-dehuai", "Пин Дэ-хуэй", "ru") in spellings
    assert ("peng-dehuai", "Пян Дэ-жуэй", "ru") in spellings


def test_alt_labels_are_language_tagged(dist_graph):
    node = URIRef(load_settings(CORPUS).base + "person/peng-dehuai")
    assert Literal("Пин Дэ-хуэй", lang="ru") in set(dist_graph.objects(node, SKOS.altLabel))


def test_on_behalf_of_needs_a_role(data):
    path = data / "documents" / "121799.yaml"
    edit(path, "participant: mao-zedong,", "participant: mao-zedong, on_behalf_of: ccp-central-committee,")
    err = error_of(data)
    assert err.field == "on_behalf_of" and "goes with a 'role'" in str(err)


def test_on_behalf_of_must_be_a_group(data):
    path = data / "documents" / "121799.yaml"
    edit(path, "on_behalf_of: ccp-central-committee", "on_behalf_of: beijing")
    err = error_of(data)
    assert err.field == "on_behalf_of" and "is a place; expected a group" in str(err)


def test_two_documents_may_not_give_one_event_different_times(data):
    path = data / "documents" / "121976.yaml"
    path.write_text(path.read_text(encoding="utf-8")
                    + "  - event: conversation-1956-09-18\n"
                      "    time: {on: 1956-09-17}\n"
                      "    inferred: a test of conflicting dates\n", encoding="utf-8")
    err = error_of(data)
    assert err.field == "time" and "differs from the one stated at" in str(err)
    assert "121799.yaml:" in str(err) or "121976.yaml:" in str(err)
