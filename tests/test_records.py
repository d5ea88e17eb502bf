"""Tests for kg.records: the two corpus records, accepted variants, and rejected records."""
from __future__ import annotations

import dataclasses
import pathlib
import re

import pytest

from kg.errors import KgError
from kg.records import Record, RecordError, parse_record, read_record

RECORDS = pathlib.Path(__file__).resolve().parents[1] / "data" / "records"
NUMBERS = ("121976", "121799")
# The first line of each record's original text and of its translation.
FIRST = {"121976": ("Телеграммы т. Микояна", "Cable by c[omrade] Mikoyan"),
         "121799": ("Ц К К П С С", "Secret")}


def raw(number: str) -> str:
    return (RECORDS / f"{number}.txt").read_text(encoding="utf-8")


def parse(text: str, number: str = "121799") -> Record:
    return parse_record(text, RECORDS / f"{number}.txt")


def header(r: Record) -> tuple:
    """Everything a record says apart from where things are in the file."""
    return (r.number, r.title, r.date, r.citation, r.shelfmark, r.translators, r.url,
            r.summary, r.original_language, r.contents)


def marks(r: Record) -> tuple:
    return tuple((t.language, a.kind, re.sub(r"\s+", " ", a.text), a.value)
                 for t in (r.original, r.translation) for a in t.annotations)


def find(text, kind, value=None):
    """The annotations of ``kind`` (and ``value``, if given) in a Text."""
    return [a for a in text.annotations if a.kind == kind and (value is None or a.value == value)]


def found(text, kind):
    """(text, value) of each annotation of ``kind`` in a Text."""
    return [(a.text, a.value) for a in find(text, kind)]


def rejected(text: str, field: str, number: str = "121799") -> RecordError:
    with pytest.raises(RecordError) as info:
        parse(text, number)
    err = info.value
    assert err.field == field, str(err)
    assert f"{number}.txt" in str(err) and f"field '{field}'" in str(err)
    if err.line is not None:
        assert f"{number}.txt:{err.line}: " in str(err)
    return err


# --- the corpus records -------------------------------------------------------------------

def test_121976_header():
    r = read_record(RECORDS / "121976.txt")
    assert r.number == "121976"
    assert r.title == ("Cable from Cde. Mikoyan from Beijing concerning the 8th CCP Congress "
                       "and Conversations with the Chinese Comrades")
    assert r.date == "1956-09-16"
    assert r.citation.startswith('"Cable from Cde. Mikoyan from Beijing')
    assert r.citation.endswith(
        "State Archive of the Russian Federation, fond 5446, opis 98c, delo 717.")
    s = r.shelfmark
    assert (s.archive, s.levels, s.sheets) == (
        "State Archive of the Russian Federation",
        (("fond", "5446"), ("opis", "98c"), ("delo", "717")), None)
    assert s.pages_marked == ("2", "3")
    assert s.label() == "State Archive of the Russian Federation f. 5446, op. 98c, d. 717"
    assert r.translators == ("Sergey Radchenko",)
    assert r.url == "https://wilson-center.drivingcreative.com/document/121976"
    assert r.summary.startswith("Mikoyan reports on a conversation with Mao Zedong")
    assert r.original_language == "ru"
    assert r.contents == ("Transcript - Russian", "Translation - English")
    assert dict(r.lines) == {"date": 3, "title": 5, "citation": 11, "shelfmark": 11,
                             "translators": 13, "url": 15, "summary": 19,
                             "original_language": 23, "contents": 27}


def test_121799_header():
    r = read_record(RECORDS / "121799.txt")
    assert r.number == "121799"
    assert r.title == "Telegram from A. Mikoyan to the CPSU Central Committee"
    assert r.date == "1956-09-19"
    assert r.citation == ('"Telegram from A. Mikoyan to the CPSU Central Committee", September 19, '
                          "1956, Wilson Center Digital Archive, GARF, Fond 5446, Opis 98c, "
                          "Delo 718, Listy 35-38.")
    s = r.shelfmark
    assert (s.archive, s.levels, s.sheets) == (
        "GARF", (("fond", "5446"), ("opis", "98c"), ("delo", "718")), "35-38")
    assert s.pages_marked == ()
    assert s.label() == "GARF f. 5446, op. 98c, d. 718, ll. 35–38"
    assert r.translators == ("Gary Goldberg",)
    assert r.url == "https://wilson-center.drivingcreative.com/document/121799"
    assert r.summary.startswith("Mao Zedong reveals") and r.summary.endswith("next morning.")
    assert r.original_language == "ru"
    assert r.contents == ("Original Scan", "Translation - English")
    assert dict(r.lines) == {"date": 3, "title": 5, "citation": 9, "shelfmark": 9,
                             "translators": 9, "url": 10, "summary": 14,
                             "original_language": 18, "contents": 22}


@pytest.mark.parametrize("number, orig, trans", [
    ("121976", (31, "Телеграммы т. Микояна", "побеседуем подробнее.", 45),
     (47, "Cable by c[omrade] Mikoyan", "talk about this in detail later.", 57)),
    ("121799", (25, "Ц К К П С С", "19.1X Служ N/1423-1427.", 114),
     (116, "Secret", "[Translator's note: a handwritten version of the preceding document follows]",
      176)),
])
def test_texts_split_by_script(number, orig, trans):
    r = parse(raw(number), number)
    for t, (line, first, last, last_line), lang in ((r.original, orig, "ru"),
                                                    (r.translation, trans, "en")):
        assert t.language == lang and t.line == line
        assert t.content.startswith(first) and t.content.endswith(last)
        assert t.line_of(0) == line and t.line_of(len(t.content)) == last_line
        assert t.content in raw(number)   # verbatim


def test_121976_page_markers_and_date_lines():
    r = parse(raw("121976"), "121976")
    pages = find(r.original, "page")
    assert [(a.text, a.value, r.original.line_of(a.start)) for a in pages] == [
        ("лист 2", "2", 35), ("лист 3", "3", 41)]
    assert found(r.original, "date-line") == [("16. IX. 56 г.", "1956-09-16")]
    assert found(r.translation, "date-line") == [("16.IX.56", "1956-09-16")]
    assert find(r.translation, "editorial", "Mao Zedong")[0].text == "[Mao Zedong]"
    assert {a.kind for a in r.translation.annotations} == {"editorial", "date-line"}


def test_121799_translation_annotations():
    t = parse(raw("121799")).translation
    assert [a.text for a in find(t, "classification", "Secret")] == ["Secret"]
    assert t.line_of(find(t, "classification")[0].start) == 116
    assert [a.text for a in find(t, "sic")] == ["[SIC]"]
    assert t.content[find(t, "sic")[0].start - 10:find(t, "sic")[0].start] == "19 August "
    assert found(t, "inserted")[0] == ("[inserted by hand: 18 September]", "18 September")
    assert len(find(t, "inserted")) == 2
    assert [a.text for a in find(t, "deleted")] == [
        "[deleted in the handwritten version: reprisals against honest Party members are halted]"]
    notes = find(t, "translator-note")
    assert len(notes) == 2 and notes[0].text.startswith("[Translator's note: in the handwritten")
    handwritten = [a.text for a in find(t, "handwritten")]
    assert "[in the handwritten version: absolutely]" in handwritten
    block = [a for a in find(t, "handwritten") if a.text.startswith("[handwritten:")]
    assert len(block) == 1 and block[0].text == (
        "[handwritten: authenticated: V. Chistov\n\nMFA 19 September Spets N 1423-1427]")
    assert (t.line_of(block[0].start), t.line_of(block[0].end - 1)) == (172, 174)
    auth, = find(t, "authentication")
    assert (auth.text, auth.value) == ("authenticated: V. Chistov", "V. Chistov")
    reg, = find(t, "registration")
    assert (reg.text, reg.value) == ("Spets N 1423-1427", "1423-1427")
    for inner in (auth, reg):   # both sit inside the handwritten block
        assert block[0].start < inner.start and inner.end < block[0].end
    assert [a.text for a in find(t, "signature")] == ["A. MIKOYAN"]
    assert found(t, "date-line") == [("19 September 1956", "1956-09-19")]
    assert [a.value for a in find(t, "editorial")][:2] == ["to the", "exchange"]


def test_121799_original_annotations():
    o = parse(raw("121799")).original
    assert found(o, "signature") == [("А.МИКОЯН", None)]
    assert found(o, "authentication") == [("Верно: Микоян", "Микоян")]
    assert found(o, "registration") == [("Служ N/1423-1427", "1423-1427")]
    assert found(o, "date-line") == [
        ("19.1X-56г.", "1956-09-19"), ("19.1X", None)]
    assert o.line_of(find(o, "signature")[0].start) == 110


@pytest.mark.parametrize("number", NUMBERS)
def test_annotation_offsets(number):
    r, file_lines = parse(raw(number), number), raw(number).split("\n")
    for t in (r.original, r.translation):
        order = sorted(t.annotations, key=lambda a: (a.start, -a.end, a.kind))
        assert t.annotations == tuple(order)
        for a in t.annotations:
            assert 0 <= a.start < a.end <= len(t.content)
            assert t.content[a.start:a.end] == a.text
            assert a.text.split("\n")[0] in file_lines[t.line_of(a.start) - 1]


def test_record_is_frozen_and_uses_tuples():
    r = parse(raw("121799"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.title = "x"
    with pytest.raises(TypeError):
        r.lines["title"] = 1
    assert all(isinstance(v, tuple) for v in (r.contents, r.translators, r.original.annotations,
                                              r.shelfmark.pages_marked))
    assert issubclass(RecordError, KgError)


# --- accepted variants --------------------------------------------------------------------

HEADING = r"^(\*\*)?(Citation|Summary|Original Language|Contents):(\*\*)?$"


def to_plain(text):
    return text.replace("**", "")


def to_bold(text):
    """Bold date, title (wrapped or not) and headings, as in 121976."""
    lines = to_plain(text).split("\n")
    end = lines.index("", 4) - 1   # the title's last line
    lines[2], lines[4], lines[end] = f"**{lines[2]}**", f"**{lines[4]}", f"{lines[end]}**"
    lines[4] = lines[4] + "**" if end == 4 else lines[4]
    return re.sub(HEADING, r"**\2:**", "\n".join(lines), flags=re.M)


def move_summary_after_contents(text, number):
    block = re.search(r"(?ms)^[ \t*#]*Summary[ \t*:#]*$.*?(?=^[ \t*#]*Original Language)", text)[0]
    text = text.replace(block, "")
    first = FIRST[number][0]
    return text.replace(first, block + first, 1)


def drop(pattern, text):
    new = re.sub(pattern, "", text, count=1, flags=re.M | re.S)
    assert new != text, pattern
    return new


VARIANTS = {
    "crlf": lambda t, n: t.replace("\n", "\r\n"),
    "bom": lambda t, n: "\ufeff" + t,
    "bold-plain-swap": lambda t, n: to_plain(t) if "**" in t else to_bold(t),
    "no-colon": lambda t, n: re.sub(HEADING, r"\1\2\3", t, flags=re.M),
    "upper-case": lambda t, n: re.sub(HEADING, lambda m: m.group().upper(), t, flags=re.M),
    "lower-case": lambda t, n: re.sub(HEADING, lambda m: m.group().lower(), t, flags=re.M),
    "bold-colon-outside": lambda t, n: re.sub(HEADING, r"**\2**:", t, flags=re.M),
    "markdown-heading": lambda t, n: re.sub(HEADING, r"## \2", t, flags=re.M),
    "extra-blank-lines": lambda t, n: "\n\n\n" + t.replace("\n\n", "\n\n\n\n") + "\n\n\n",
    "trailing-spaces": lambda t, n: t.replace("\n", "  \n"),
    "summary-after-contents": move_summary_after_contents,
    "translator-after-url": lambda t, n: move_translator_after_url(t),
    "no-blank-before-text": lambda t, n: t.replace("\n\n" + FIRST[n][0], "\n" + FIRST[n][0]),
    "bulleted-contents": lambda t, n: re.sub(r"(?m)^(Original Scan|Transcript - Russian|"
                                             r"Translation - English)$", r"- \1", t),
    "inline-language": lambda t, n: re.sub(r"(Original Language:\**)\n\n", r"\1 ", t),
    "other-section": lambda t, n: re.sub(r"(?m)^(?=\**Original Language)",
                                         "Associated People & Organizations:\n\nMao Zedong\n\n", t),
}


def move_translator_after_url(text):
    sentence = re.search(r"Translated by [^\n]*?\.(?=\n)", text).group()
    text = drop(r"\s*" + re.escape(sentence), text)
    return re.sub(r"(?m)^(<https://[^>]*>)$", r"\1\n" + sentence, text)


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variants_read_the_same(number, variant):
    base, text = parse(raw(number), number), VARIANTS[variant](raw(number), number)
    assert text != raw(number)
    r = parse(text, number)
    assert header(r) == header(base)
    assert marks(r) == marks(base)
    for t, b, first in zip((r.original, r.translation), (base.original, base.translation),
                           FIRST[number]):
        assert t.content.startswith(first)
        assert t.content.split()[-1] == b.content.split()[-1]
        for a in t.annotations:
            assert t.content[a.start:a.end] == a.text


@pytest.mark.parametrize("number", NUMBERS)
def test_crlf_and_bom_from_file(tmp_path, number):
    path = tmp_path / f"{number}.txt"
    path.write_bytes(raw(number).replace("\n", "\r\n").encode("utf-8-sig"))
    r, base = read_record(path), parse(raw(number), number)
    assert header(r) == header(base) and dict(r.lines) == dict(base.lines)
    assert (r.original, r.translation) == (base.original, base.translation)


@pytest.mark.parametrize("number", NUMBERS)
def test_summary_removed(number):
    text = drop(r"^[ \t*#]*Summary[ \t*:#]*$.*?(?=^[ \t*#]*Original Language)", raw(number))
    r, base = parse(text, number), parse(raw(number), number)
    assert r.summary is None and "summary" not in r.lines
    assert header(r)[:7] == header(base)[:7] and r.contents == base.contents


@pytest.mark.parametrize("number", NUMBERS)
def test_contents_removed(number):
    first = re.escape(FIRST[number][0])
    text = drop(rf"^[ \t*#]*Contents[ \t*:#]*$.*?(?=^{first})", raw(number))
    r = parse(text, number)
    assert r.contents == () and "contents" not in r.lines and r.original_language == "ru"
    assert r.original.content.startswith(FIRST[number][0])


@pytest.mark.parametrize("number", NUMBERS)
def test_translator_removed(number):
    text = drop(r"\s*Translated by [^\n]*\.(?=\n)", raw(number))
    r, base = parse(text, number), parse(raw(number), number)
    assert r.translators == () and "translators" not in r.lines
    assert r.citation == base.citation and r.shelfmark == base.shelfmark


def test_sections_in_another_order():
    """Original Language last, Contents first, Summary between them."""
    text = raw("121799")
    blocks = {name: re.search(rf"(?ms)^{name}:\n.*?(?=^\S+( \S+)?:$|^Ц К К)", text).group()
              for name in ("Summary", "Original Language", "Contents")}
    for block in blocks.values():
        text = text.replace(block, "")
    text = text.replace("Ц К К", blocks["Contents"] + "\n" + blocks["Summary"]
                        + blocks["Original Language"] + "Ц К К")
    r, base = parse(text), parse(raw("121799"))
    assert header(r) == header(base)
    assert r.original.content.startswith("Ц К К П С С")


def test_inline_values_and_other_date_forms():
    text = raw("121799").replace("Original Language:\n\nRussian", "Original Language: Russian")
    for date in ("19 September 1956", "1956-09-19", "Sept. 19, 1956"):
        r = parse(text.replace("September 19, 1956\n", date + "\n", 1))
        assert r.date == "1956-09-19" and r.original_language == "ru"


def test_several_translators_and_listy_variants():
    text = raw("121799").replace(
        "Translated by Gary Goldberg.",
        "Obtained and translated by V. Chistov and Gary Goldberg for CWIHP.")
    text = text.replace("Fond 5446, Opis 98c, Delo 718, Listy 35-38",
                        "f. 5446, op. 98c, d. 718, l. 35")
    r = parse(text)
    assert r.translators == ("V. Chistov", "Gary Goldberg")
    assert (r.shelfmark.level("fond"), r.shelfmark.sheets, r.shelfmark.label()) == (
        "5446", "35", "GARF f. 5446, op. 98c, d. 718, l. 35")
    assert r.citation.endswith("d. 718, l. 35.")


def test_latin_script_original_split_by_english_words(tmp_path):
    text = ("March 3, 1957\n\nA German Note\n\nCitation:\n\n\"A German Note\", March 3, 1957, "
            "Wilson Center Digital Archive, Bundesarchiv, fond 1, opis 2, delo 3.\n\n"
            "<https://example.org/document/42>\n\nOriginal Language:\n\nGerman\n\n"
            "Geheim\n\nDie Delegation ist heute in Peking eingetroffen und wurde vom "
            "Vorsitzenden empfangen.\n\nSecret\n\nThe delegation arrived in Beijing today "
            "and was received by the Chairman.\n")
    path = tmp_path / "note.txt"
    path.write_text(text, encoding="utf-8")
    r = read_record(path)
    assert (r.number, r.original_language, r.translators, r.summary) == ("42", "de", (), None)
    assert r.original.content.startswith("Geheim") and r.original.content.endswith("empfangen.")
    assert r.translation.content.startswith("Secret")
    assert [a.kind for a in r.translation.annotations] == ["classification"]


# --- rejected records ---------------------------------------------------------------------

@pytest.mark.parametrize("number", NUMBERS)
def test_missing_date_is_read_from_the_citation(number):
    text = drop(r"^\**September 1\d, 1956\**\n", raw(number))
    r = parse(text, number)
    assert r.date == {"121976": "1956-09-16", "121799": "1956-09-19"}[number]
    assert r.title.startswith(("Cable from Cde. Mikoyan", "Telegram from A. Mikoyan"))


@pytest.mark.parametrize("number", NUMBERS)
def test_unparseable_date(number):
    text = raw(number).replace("September", "Septembre", 1)
    err = rejected(text, "date", number)
    assert err.line == 3 and "Septembre" in str(err) and "expected" in str(err)


def test_no_date_anywhere():
    text = drop(r"^\**September 1\d, 1956\**\n", raw("121799")).replace("September 19, 1956,", "")
    assert rejected(text, "date").line == 4


@pytest.mark.parametrize("number", NUMBERS)
def test_missing_title_is_read_from_the_citation(number):
    text = drop(r"^\**(Cable|Telegram) from.*?\n\n(?=\**Citation)", raw(number))
    assert parse(text, number).title == parse(raw(number), number).title


@pytest.mark.parametrize("number", NUMBERS)
def test_missing_citation(number):
    text = drop(r"^[ \t*#]*Citation[ \t*:#]*$.*?(?=^[ \t*#]*Summary)", raw(number))
    err = rejected(text, "citation", number)
    assert err.line and "Citation:" in str(err)


def test_missing_citation_heading_only():
    text = drop(r"^Citation:\n", raw("121799"))
    assert rejected(text, "citation").line


@pytest.mark.parametrize("number", NUMBERS)
def test_missing_url(number):
    text = drop(r"^<https://[^>]*>\n", raw(number))
    err = rejected(text, "url", number)
    assert err.line and "/document/" in str(err)


def test_url_number_must_match_file_name():
    err = rejected(raw("121799").replace("/document/121799", "/document/121800"), "url")
    assert err.line == 10 and "121800" in str(err)
    assert parse_record(raw("121799"), "draft.txt").number == "121799"   # a non-numeric name


@pytest.mark.parametrize("number", NUMBERS)
def test_missing_original_language(number):
    """A text that is not English under a header naming no language: read, its language unstated."""
    text = drop(r"^[ \t*#]*Original Language[ \t*:#]*$\s*Russian\n", raw(number))
    r = parse_record(text, f"{number}.txt")
    assert r.original_languages == () and r.original.language is None and r.translation.language == "en"
    (warning,) = [w for w in r.warnings if "other than English" in w]
    assert warning.startswith(f"{number}.txt:{r.original.line}:")


def test_unknown_original_language():
    """Not refused: a warning, and the language left unstated (kg.languages has every ISO 639 name)."""
    r = parse_record(raw("121799").replace("\nRussian\n", "\nXyzish\n"), "121799.txt")
    assert r.original_languages == () and r.original.language is None
    assert any(w.startswith("121799.txt:18: unknown original language 'Xyzish'") for w in r.warnings)
    assert parse_record(raw("121799").replace("\nRussian\n", "\nKlingon\n"), "121799.txt").original_languages \
        == ("tlh",)


def test_citation_without_shelfmark_names_the_archive_only():
    r = parse(raw("121799").replace("Fond 5446, Opis 98c, Delo 718, Listy 35-38", "Box 12/3"))
    assert [(m.archive, m.levels, m.text) for m in r.shelfmarks] == [("GARF", (), "Box 12/3")]
    assert r.warnings and "no known scheme" in r.warnings[0] and "121799.txt" in r.warnings[0]


@pytest.mark.parametrize("number", NUMBERS)
def test_translation_only(number):
    text = raw(number)
    start, end = text.index(FIRST[number][0]), text.index(FIRST[number][1])
    r = parse(text[:start] + text[end:], number)
    assert r.original is None and r.roles() == ("translation",)
    assert (r.translation.language, r.translation.content, r.translation.annotations) == (
        "en", *(lambda t: (t.content, t.annotations))(parse(raw(number), number).translation))
    assert r.translation.content.startswith(FIRST[number][1])


@pytest.mark.parametrize("number", NUMBERS)
def test_original_only(number):
    text = raw(number)
    r = parse(text[:text.index(FIRST[number][1])], number)
    assert r.translation is None and r.roles() == ("original",)
    assert r.original.language == "ru" and r.original.content.startswith(FIRST[number][0])


@pytest.mark.parametrize("number", NUMBERS)
def test_header_only(number):
    text = raw(number)
    r = parse(text[:text.index(FIRST[number][0])], number)
    assert r.texts == () and r.roles() == () and r.original_languages == ("ru",)


def test_several_original_languages():
    r = parse(raw("121799").replace("\nRussian\n", "\nRussian, Chinese\n"))
    assert r.original_languages == ("ru", "zh") and r.original.language == "ru"
    r = parse(raw("121799").replace("Original Language:\n\nRussian", "Original Languages: Russian and German"))
    assert r.original_languages == ("ru", "de")


def test_pdf_export_header_in_one_paragraph():
    """The PDF export's form: every heading inline, the contents running into the text."""
    text = raw("121799")
    head, body = text[:text.index("Ц К К П С С")], text[text.index("Ц К К П С С"):]
    flat = " ".join(head.split()).replace("Contents: Original Scan Translation - English", "Contents: "
                                          "Translation - English Scan of Original Document")
    r = parse(flat.replace("<https", "https").replace("121799>", "121799") + " " + body)
    base = parse(text)
    assert (r.title, r.date, r.citation, r.summary, r.translators, r.shelfmark.levels) == (
        base.title, base.date, base.citation, base.summary, base.translators, base.shelfmark.levels)
    assert r.contents == ("Translation - English", "Scan of Original Document")
    assert r.roles() == ("original", "translation") and r.translation.content == base.translation.content


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff", "\r\n"])
def test_empty_file(text):
    with pytest.raises(RecordError) as info:
        parse(text)
    assert "121799.txt" in str(info.value) and "empty" in str(info.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(KgError, match="cannot read"):
        read_record(tmp_path / "121799.txt")
    path = tmp_path / "121799.txt"
    head = raw("121799").encode("utf-8")[:40]   # four line ends, then a partial line
    path.write_bytes(head + b"\n\xff\xfe\n")
    with pytest.raises(KgError, match=r"121799\.txt:6: the file is not UTF-8"):
        read_record(path)
