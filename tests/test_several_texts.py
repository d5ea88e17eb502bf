"""Several originals or translations in one record, split where the record marks them: the
header names each text's language (Original Language: …, Contents: … Transcription / …
Translation) and each is in a script of its own. Without such a marker the reader keeps one
original and one translation and says so; it never guesses a split.

No real Digital Archive export with several texts was found in the stored pages (SOURCES.md
lists the searches), so these records are built from the real record 121799 (its header, its
Russian transcript and English translation) with a header naming more texts and, where a
Chinese text is needed, one short Chinese paragraph (毛泽东同志同意了我们的建议。 "Comrade Mao
Zedong agreed with our proposal", a sentence of the record's own translation).
"""
from __future__ import annotations

import shutil

import pytest

from kg.cli import main
from kg.records import parse_record

from .conftest import CORPUS, MINI, published

MIKOYAN = (CORPUS / "data" / "records" / "121799.txt").read_text(encoding="utf-8")
ZH = "毛泽东同志同意了我们的建议。"
HEADER_LANG = "Original Language:\n\nRussian\n"
HEADER_CONTENTS = "Contents:\n\nOriginal Scan\nTranslation - English\n"
SECRET = "\nSecret\n\n[to the] CPSU CC"   # where the English translation begins


def record(languages: str, contents: str, chinese: str | None = None) -> str:
    """121799 with another header; ``chinese``: 'before' the Russian, 'after' it, or 'inside'."""
    text = MIKOYAN.replace(HEADER_LANG, f"Original Language:\n\n{languages}\n").replace(
        HEADER_CONTENTS, "Contents:\n\n" + "\n".join(contents) + "\n")
    assert text.count(SECRET) == 1
    if chinese == "before":
        text = text.replace("Ц К К П С С", f"{ZH}\n\nЦ К К П С С", 1)
    elif chinese == "after":
        text = text.replace(SECRET, f"\n{ZH}\n{SECRET}")
    elif chinese == "inside":
        text = text.replace("(Всепланетно)", f"(Всепланетно)\n\n{ZH}", 1)
    return text


def test_two_originals_named_by_original_language():
    r = parse_record(record("Russian, Chinese", ["Original Scan", "Translation - English"], "after"), "121799.txt")
    assert r.original_languages == ("ru", "zh")
    assert [(i, t.role, t.language) for i, t in r.text_ids()] == [
        ("original", "original", "ru"), ("original zh", "original", "zh"), ("translation", "translation", "en")]
    assert r.text("original zh").content == ZH
    assert r.original.content.startswith("Ц К К П С С") and r.original.content.endswith("Служ N/1423-1427.")
    assert r.translation.content.startswith("Secret")
    assert not [w for w in r.warnings if "texts" in w]


def test_an_original_and_two_translations_named_by_contents():
    r = parse_record(record("Chinese", ["Chinese Transcription", "Russian Translation", "English Translation"],
                            "before"), "121799.txt")
    assert [(i, t.role, t.language) for i, t in r.text_ids()] == [
        ("original", "original", "zh"), ("translation ru", "translation", "ru"), ("translation", "translation", "en")]
    assert r.original.content == ZH and r.translation.language == "en"
    assert r.resolve_text("translation ru") == r.resolve_text("ru") == "translation ru"
    assert r.resolve_text("original") == r.resolve_text("zh") == "original"
    with pytest.raises(ValueError, match=r"'translation' names 2 texts of record 121799 .* 'translation ru' or "
                                         r"'translation en'"):
        r.resolve_text("translation")
    with pytest.raises(ValueError, match="record 121799 has no de text; it has original and translation ru and "
                                         "translation"):
        r.resolve_text("de")


def test_an_english_translation_not_listed_in_contents_is_still_the_translation():
    r = parse_record(record("Russian, Chinese", [], "after"), "121799.txt")
    assert [(i, t.role, t.language) for i, t in r.text_ids()] == [
        ("original", "original", "ru"), ("original zh", "original", "zh"), ("translation", "translation", "en")]


@pytest.mark.parametrize("languages, contents, chinese, why", [
    ("Russian", ["Transcript - Russian", "Translation - Russian", "Translation - English"], None, "share a script"),
    ("Russian, Chinese", ["Translation - English"], "inside", "one run of paragraphs per language"),
])
def test_no_marker_to_split_on_keeps_one_original_and_says_so(languages, contents, chinese, why):
    r = parse_record(record(languages, contents, chinese), "121799.txt")
    assert r.roles() == ("original", "translation") and len(r.texts) == 2
    assert r.original.language == "ru" and r.translation.language == "en"
    (warning,) = [w for w in r.warnings if "texts" in w]
    assert warning.startswith("121799.txt:") and why in warning and "not split" in warning


FACTS = """record: 121799
kind: telegram
author: {entity: test-author, inferred: The test says so.}
mentions:
  - {entity: mao-zedong, passage: "Мао Цзэ-дун согласился", text: translation ru}
  - {entity: peng-dehuai, passage: "Cdes. Mao Zedong, Liu Shaoqi", text: translation en}
names:
  - {entity: mao-zedong, text: 毛泽东, lang: zh, in: zh}
"""


def project_with(tmp_path, facts: str | None):
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    (project / "data" / "records" / "121799.txt").write_text(
        record("Chinese", ["Chinese Transcription", "Russian Translation", "English Translation"], "before"),
        encoding="utf-8")
    if facts is not None:
        (project / "data" / "documents" / "121799.yaml").write_text(facts, encoding="utf-8")
    return project


def test_facts_cite_any_text_by_role_and_language_and_the_graph_validates(tmp_path, capsys):
    project = project_with(tmp_path, FACTS)
    assert main(["--root", str(project), "validate"]) == 0, capsys.readouterr().err
    assert main(["--root", str(project), "build"]) == 0, capsys.readouterr().err
    doc = "https://kg.example.org/document/121799"
    rows = {(r["text"].value, r["lang"].value, r["role"].value) for r in published(project).query(f"""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        SELECT ?text ?lang ?role WHERE {{
          {{ BIND(<{doc}> AS ?text) BIND("document" AS ?role) }}
          UNION {{ ?text crm:P73i_is_translation_of <{doc}> BIND("translation" AS ?role) }}
          ?text crm:P72_has_language ?l ; crm:P190_has_symbolic_content ?c .
          BIND(STRAFTER(STR(?l), "/language/") AS ?lang) }}""", use_default_graph_as_union=True)}
    assert rows == {(doc, "zh", "document"), (doc + "/translation/ru", "ru", "translation"),
                    (doc + "/translation/en", "en", "translation")}
    passages = {r["p"].value for r in published(project).query(f"""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        SELECT ?p WHERE {{ ?p crm:P106i_forms_part_of ?t . FILTER(STRSTARTS(STR(?t), "{doc}")) }}""",
        use_default_graph_as_union=True)}
    assert any(p.startswith(doc + "/translation/ru/passage/") for p in passages)
    assert any(p.startswith(doc + "/translation/en/passage/") for p in passages)
    assert published(project).query(f"""PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        ASK {{ ?n crm:P106i_forms_part_of <{doc}> ; crm:P190_has_symbolic_content "毛泽东"@zh }}""",
        use_default_graph_as_union=True)


def test_an_ambiguous_text_is_a_clear_error(tmp_path, capsys):
    project = project_with(tmp_path, FACTS.replace("text: translation ru}", "text: translation}"))
    assert main(["--root", str(project), "build"]) == 2
    err = capsys.readouterr().err
    assert "121799.yaml:5: field 'text': 'translation' names 2 texts of record 121799" in err
    assert "'translation ru' or 'translation en'" in err and "Traceback" not in err
