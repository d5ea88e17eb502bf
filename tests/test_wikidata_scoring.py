"""Scoring Wikidata candidates: pure features with explicit values, and how they combine."""
from __future__ import annotations

import pytest

from kg.wikidata.scoring import (
    CAPS,
    WEIGHTS,
    Candidate,
    Feature,
    Subject,
    combine,
    country_feature,
    dates_feature,
    latin,
    name_feature,
    name_similarity,
    party_feature,
    rank,
    role_feature,
    roles_in,
    score,
    type_feature,
    variant_key,
)


def person(**kw) -> Subject:
    return Subject(key=kw.pop("key", "p"), kind="person", names=kw.pop("names", (("X", "en"),)), **kw)


def cand(qid="Q1", **kw) -> Candidate:
    kw.setdefault("label", "X")
    kw.setdefault("description", "")
    kw.setdefault("names", ((kw["label"], "en", "label"),))
    return Candidate(qid=qid, **kw)


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("a, b, value, how", [
    ("Mao Zedong", "mao zedong", 1.0, "equal"),
    ("Kim Il Sung", "Kim Il-sung", 1.0, "equal"),
    ("Zhou Enlai", "Чжоу Энь-лай", 1.0, "equal"),
    ("Choe Yong-geon", "Choe Yong-gon", 0.9, "transliteration variant"),
    ("Pak Heon-yeong", "Pak Hon-yong", 0.9, "transliteration variant"),
    ("Peng Dehuai", "Пин Дэ-хуэй", 0.9, "transliteration variant"),
    ("Пэн Дэхуай", "Пин Дэ-хуэй", 0.9, "transliteration variant"),
    ("Mao Zedong", "Мао Цзе-дун", 0.9, "transliteration variant"),
    ("Deng Xiaoping", "Дэн Сяо-пин", 0.9, "transliteration variant"),
    ("Wang Jiaxiang", "Ван Цзя-сян", 0.9, "transliteration variant"),
    ("Kim Il Sung", "Ким Ир Сен", 0.9, "transliteration variant"),
    ("A. Mikoyan", "Anastas Mikoyan", 0.85, "initials or a middle name left out"),
    ("Gary Goldberg", "Gary David Goldberg", 0.85, "initials or a middle name left out"),
])
def test_name_matches(a, b, value, how):
    assert name_similarity(a, b) == (value, how)
    assert name_similarity(b, a) == (value, how)


@pytest.mark.parametrize("a, b", [
    ("Mao Zedong", "Deng Xiaoping"), ("Pak Il-u", "Pak Hon-yong"), ("Kim Il Sung", "Kim Jong Il"),
    ("Kim Il Sung", "Kim Il-sung University"),
])
def test_different_names_stay_below_the_variants(a, b):
    value, how = name_similarity(a, b)
    assert how == "similar" and value < 0.6


def test_latin_and_variant_keys():
    assert latin("Pak Heon-yeong!") == "pak heon yeong"
    assert latin("Мао Цзе-дун") == "mao ze dun"
    assert variant_key("Choe Yong-geon") == variant_key("Choe Yong-gon") == "chngn"
    # Letters across a word boundary do not combine (Pak + Heon is not 'kh').
    assert variant_key("Pak Heon-yeong") == "pkhnn"


def test_name_feature_takes_the_best_pair_and_says_which():
    subject = person(names=(("Presidium of the CPSU Central Committee", "en"), ("CPSU CC Presidium", "en")))
    c = cand(names=(("Politburo of the Communist Party of the Soviet Union", "en", "label"),
                    ("Presidium of the CPSU Central Committee", "en", "alias")))
    f = name_feature(subject, c)
    assert f.value == 1.0 and "alias 'Presidium of the CPSU Central Committee'@en" in f.why


# ---------------------------------------------------------------- type

def test_type_fits_each_kind():
    assert type_feature(person(), cand(classes=(("Q5", ""),))).value == 1.0
    place = Subject("beijing", "place", (("Beijing", "en"),))
    assert type_feature(place, cand(classes=(("Q5119", "capital city"),))).value == 1.0
    group = Subject("cpsu", "group", (("CPSU", "en"),))
    assert type_feature(group, cand(classes=(("Q7278", ""),))).value == 1.0
    event = Subject("congress", "event", (("8th Congress", "en"),))
    assert type_feature(event, cand(classes=(("Q1", "party congress"),))).value == 1.0


def test_a_place_named_like_a_person_is_the_wrong_type():
    f = type_feature(person(), cand(classes=(("Q532", ""),)))
    assert f == Feature(0.0, "P31 Q532 'village' is a place class, not a person")


def test_a_disambiguation_page_is_not_an_entity():
    f = type_feature(person(), cand(classes=(("Q4167410", ""),)))
    assert f.value == 0.0 and "not an entity" in f.why


def test_an_unrecognised_class_or_none_says_so():
    assert type_feature(person(), cand(classes=(("Q1", "fictional thing"),))).value is None
    assert type_feature(person(), cand()).value is None


# ---------------------------------------------------------------- dates

def test_alive_and_adult_when_acting():
    s = person(acting=frozenset({1956}))
    assert dates_feature(s, cand(start=1893, end=1976)) == Feature(1.0, "item 1893–1976 fits 1956")
    assert dates_feature(s, cand(start=1944, end=2013)) == Feature(0.0, "born 1944, acts in 1956")
    assert dates_feature(s, cand(start=1900, end=1955)) == Feature(0.0, "died 1955, acts in 1956")


def test_the_dead_may_be_mentioned():
    s = person(mentioned=frozenset({1956}))
    assert dates_feature(s, cand(start=1900, end=1955)).value == 1.0
    assert dates_feature(s, cand(start=1960)).value == 0.0


def test_life_years_from_the_registry():
    s = person(life=(1900, 1976))
    assert dates_feature(s, cand(start=1900, end=1976)).value == 1.0
    assert dates_feature(s, cand(start=1931, end=2001)) == Feature(0.0, "the registry gives 1900–1976")


def test_dates_without_anything_to_compare():
    assert dates_feature(person(acting=frozenset({1956})), cand()).value is None
    assert dates_feature(person(), cand(start=1944, end=2013)).value is None


def test_groups_exist_and_events_overlap():
    group = Subject("kwp", "group", (("KWP", "en"),), acting=frozenset({1956}))
    assert dates_feature(group, cand(start=1949)).value == 1.0
    assert dates_feature(group, cand(start=1912, end=1952)).value == 0.0
    event = Subject("c", "event", (("C", "en"),), period=(1956, 1956))
    assert dates_feature(event, cand(start=1956, end=1956)).value == 1.0
    assert dates_feature(event, cand(start=1945, end=1945)).value == 0.0


# ---------------------------------------------------------------- party, country, role

def test_party_and_country():
    s = person(parties=frozenset({"Q17427"}), countries=frozenset({"Q148"}))
    assert party_feature(s, cand(parties=frozenset({"Q17427"}))) == Feature(1.0, "P102 Q17427")
    assert party_feature(s, cand(parties=frozenset({"Q79854"}))).value == 0.0
    assert party_feature(s, cand()).value is None
    assert country_feature(s, cand(countries=frozenset({"Q148", "Q13426199"}))).value == 1.0
    assert country_feature(person(), cand(countries=frozenset({"Q148"}))).value is None


def test_roles():
    assert roles_in("Chinese Communist leader and marshal") == {"politics", "military"}
    assert roles_in("American television producer and writer") == {"entertainment"}
    s = person(roles=frozenset({"translation"}))
    assert role_feature(s, cand(description="American television producer and writer")).value == 0.0
    assert role_feature(s, cand(description="translator")).value == 1.0
    assert role_feature(s, cand(description="")).value is None


# ---------------------------------------------------------------- the score

def test_score_is_the_weighted_mean_of_known_features():
    features = {"name": Feature(1.0, ""), "type": Feature(1.0, ""), "dates": Feature(None, ""),
                "role": Feature(0.5, "")}
    expected = (WEIGHTS["name"] + WEIGHTS["type"] + 0.5 * WEIGHTS["role"]) / \
        (WEIGHTS["name"] + WEIGHTS["type"] + WEIGHTS["role"])
    assert combine(features) == (round(expected, 2), None)


@pytest.mark.parametrize("feature", sorted(CAPS))
def test_a_contradiction_caps_the_score(feature):
    features = {"name": Feature(1.0, ""), "type": Feature(1.0, ""), feature: Feature(0.0, "")}
    value, capped_by = combine(features)
    assert capped_by == feature and value == CAPS[feature]


def test_the_homonym_ranks_lower_and_the_features_say_why():
    translator = person(key="gary-goldberg", names=(("Gary Goldberg", "en"),), roles=frozenset({"translation"}))
    producer = cand("Q932508", label="Gary David Goldberg", description="American television producer and writer",
                    names=(("Gary David Goldberg", "en", "label"), ("Gary Goldberg", "en", "alias")),
                    classes=(("Q5", "human"),), start=1944, end=2013)
    right = cand("Q900000001", label="Gary Goldberg", description="translator of Russian archival documents",
                 classes=(("Q5", "human"),))
    ranked = rank(translator, [producer, right])
    assert [s.candidate.qid for s in ranked] == ["Q900000001", "Q932508"]
    homonym = ranked[1]
    assert homonym.features["name"].value == 1.0 and homonym.features["type"].value == 1.0
    assert homonym.features["role"].value == 0.0 and homonym.capped_by == "role"
    assert homonym.score == CAPS["role"]
    assert "entertainment" in homonym.explain() and "capped at 0.40 by role" in homonym.explain()


def test_rank_is_stable_on_ties():
    s = person(names=(("X", "en"),))
    ranked = rank(s, [cand("Q20"), cand("Q3")])
    assert [r.candidate.qid for r in ranked] == ["Q3", "Q20"]
    assert score(s, cand("Q3")).score == 1.0


def test_acting_in_an_undated_past_event_does_not_need_them_alive():
    """Executed before the document was written: born in time, dead since — still a match."""
    s = person(acted_by=frozenset({1956}))
    assert dates_feature(s, cand(start=1900, end=1955)) == Feature(1.0, "item 1900–1955 fits 1956")
    assert dates_feature(s, cand(start=1944, end=2013)) == Feature(
        0.0, "born 1944, acts in an undated event before 1956")


# ---------------------------------------------------------------- what the documents say about time

def _subjects_of(project):
    from kg.facts import load_facts
    from kg.wikidata.subjects import subjects
    return subjects(load_facts(project / "data"), {})


def _add(project, registry: str, statements: str) -> None:
    reg = project / "data" / "registry.yaml"
    text = reg.read_text(encoding="utf-8").replace("events:\n", "events:\n" + registry)
    text = text.replace("persons:\n", "persons:\n  pak-heon-yeong: {label: Pak Heon-yeong}\n")
    reg.write_text(text, encoding="utf-8")
    facts = project / "data" / "documents" / "900001.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + statements, encoding="utf-8")


def test_years_follow_the_events_not_only_the_document(mini_project):
    _add(mini_project,
         "  old-execution: {label: An execution, type: execution}\n"
         "  war: {label: A war, type: conversation}\n",
         "  - {event: old-execution, participant: pak-heon-yeong, role: subject, inferred: A test.}\n"
         "  - {event: war, carried_out_by: mao-zedong, passage: Cde. Mao Zedong}\n"
         "  - {event: war, time: {between: [1950, 1953]}, inferred: Reference works date it.}\n")
    subj = _subjects_of(mini_project)
    # a past event the document only refers to, undated: acted by 1956, maybe dead since
    assert subj["pak-heon-yeong"].acted_by == {1956} and not subj["pak-heon-yeong"].acting
    # a dated event: alive in its years
    assert {1950, 1953} <= subj["mao-zedong"].acting
    # the author, and a participant of the event the document records: alive at the document
    assert 1956 in subj["test-author"].acting
    assert 1956 in subj["mao-zedong"].acting  # the conversation is dated 1956
    # a proposer of a planned activity acts at the document's time
    assert 1956 in subj["test-delegation"].acting


def test_a_person_who_died_before_the_document_can_be_proposed(mini_project):
    """The issue's case: a person the document names only as the subject of an undated past
    event used to get the document's year as an acting year, so his own item (died before it)
    scored 0 on dates."""
    from kg.wikidata.scoring import dates_feature as feature
    _add(mini_project, "  old-execution: {label: An execution, type: execution}\n",
         "  - {event: old-execution, participant: pak-heon-yeong, role: subject, inferred: A test.}\n")
    pak = _subjects_of(mini_project)["pak-heon-yeong"]
    assert 1956 not in pak.acting
    assert feature(pak, cand(start=1900, end=1955)).value == 1.0
    assert feature(pak, cand(start=1950, end=2000)).value == 0.0
