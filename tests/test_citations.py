"""Shelfmarks of any archive read from a citation (kg.citations); the strings are as the
Digital Archive prints them (see tests/fixtures/records-real/SOURCES.md)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from kg.citations import parse, source_of

RU = [
    ("Wilson Center Digital Archive, State Archive of the Russian Federation, fond 5446, opis 98c, "
     "delo 717.", "State Archive of the Russian Federation",
     (("fond", "5446"), ("opis", "98c"), ("delo", "717")), None,
     "State Archive of the Russian Federation f. 5446, op. 98c, d. 717"),
    ("History and Public Policy Program Digital Archive, RGANI: fond 5, opis 61, delo 462, listy 71-74.",
     "RGANI", (("fond", "5"), ("opis", "61"), ("delo", "462")), "71-74", "RGANI f. 5, op. 61, d. 462, ll. 71–74"),
    ("AVPRF F. 0102, Op. 13, P. 72, Delo 5, Listy 16-35.", "AVPRF",
     (("fond", "0102"), ("opis", "13"), ("papka", "72"), ("delo", "5")), "16-35",
     "AVPRF f. 0102, op. 13, p. 72, d. 5, ll. 16–35"),
    ("AVPRF fond 0102, opis 16, delo 7, p.16-42", "AVPRF",
     (("fond", "0102"), ("opis", "16"), ("delo", "7")), "16-42", "AVPRF f. 0102, op. 16, d. 7, ll. 16–42"),
    ("TsAMO RF, fond 5, opis 918795, delo 124, list 429", "TsAMO RF",
     (("fond", "5"), ("opis", "918795"), ("delo", "124")), "429", "TsAMO RF f. 5, op. 918795, d. 124, l. 429"),
    ("GARF, Fond 5446, Opis 98c, Delo 718, Listy 35-38.", "GARF",
     (("fond", "5446"), ("opis", "98c"), ("delo", "718")), "35-38", "GARF f. 5446, op. 98c, d. 718, ll. 35–38"),
]


@pytest.mark.parametrize("citation,archive,levels,sheets,label", RU, ids=[r[1] for r in RU])
def test_russian(citation, archive, levels, sheets, label):
    (mark,), warnings = parse(citation)
    assert (mark.archive, mark.levels, mark.sheets, mark.scheme, mark.label()) == (
        archive, levels, sheets, "russian", label)
    assert warnings == ()


def test_several_archives_abbreviated_and_full():
    marks, warnings = parse("APRF, f. 45, op. 1, d. 342, l. 78; AVPRF, Fond 059a, Opis 5a, Delo 5, "
                            "Papka 11, List 80; and RGASPI, f. 558, op. 11, d. 342, ll. 0078.")
    assert [(m.archive, m.levels, m.sheets) for m in marks] == [
        ("APRF", (("fond", "45"), ("opis", "1"), ("delo", "342")), "78"),
        ("AVPRF", (("fond", "059a"), ("opis", "5a"), ("papka", "11"), ("delo", "5")), "80"),
        ("RGASPI", (("fond", "558"), ("opis", "11"), ("delo", "342")), "0078")]
    assert warnings == ()


def test_archives_joined_by_and():
    marks, _ = parse("APRF, Fond 45, Opis 1, Delo 347, Listy 12-13 and AVPRF, Fond 059a, Opis 5a, "
                     "Delo 4, Papka 11, Listy 159-160")
    assert [(m.archive, m.level("delo"), m.sheets) for m in marks] == [
        ("APRF", "347", "12-13"), ("AVPRF", "4", "159-160")]


def test_partial_russian_reference_is_kept_whole():
    marks, warnings = parse("APRF, Listy 146-147, Fond and Opis not given; and AVPRF, Fond 059a, "
                            "Opis 5a, Delo 3, Papka 11, Listy 96-97.")
    assert (marks[0].archive, marks[0].levels, marks[0].text) == (
        "APRF", (), "Listy 146-147, Fond and Opis not given")
    assert marks[1].levels[-1] == ("delo", "3") and marks[1].sheets == "96-97"
    assert len(warnings) == 1 and "APRF, Listy 146-147" in warnings[0]


@pytest.mark.parametrize("text,levels,pages", [
    ("PRC FMA 106-00086-01", (("fond", "106"), ("file", "00086"), ("item", "01")), None),
    ("PRC FMA 106-01380-18, 61-66", (("fond", "106"), ("file", "01380"), ("item", "18")), "61-66"),
    ("PRC FMA 106-01403-02, 35.", (("fond", "106"), ("file", "01403"), ("item", "02")), "35"),
])
def test_chinese_foreign_ministry_archive(text, levels, pages):
    (mark,), warnings = parse("History and Public Policy Program Digital Archive, " + text)
    assert (mark.archive, mark.levels, mark.sheets, mark.scheme) == ("PRC FMA", levels, pages, "prc-fma")
    assert mark.label() == text.rstrip(".") and warnings == ()


@pytest.mark.parametrize("text,levels", [
    ("MOL, XIX-J-1-j Korea, 11. doboz, 24/b, 005008/1956",
     (("fond", "XIX-J-1-j"), ("series", "Korea"), ("box", "11"), ("file", "24/b"), ("item", "005008/1956"))),
    ("MOL, XIX-J-1-j Korea, 4. doboz, 5/a, 004076/ 1955",
     (("fond", "XIX-J-1-j"), ("series", "Korea"), ("box", "4"), ("file", "5/a"), ("item", "004076/1955"))),
    ("MOL, XIX-J-1-j Korea, 1978, 80. doboz, 81-1, 002339/1978",
     (("fond", "XIX-J-1-j"), ("series", "Korea, 1978"), ("box", "80"), ("file", "81-1"), ("item", "002339/1978"))),
    ("MOL, XIX-J-1-j Korea, 7. doboz, 5/f, 009565/4/1955",
     (("fond", "XIX-J-1-j"), ("series", "Korea"), ("box", "7"), ("file", "5/f"), ("item", "009565/4/1955"))),
])
def test_hungarian_national_archives(text, levels):
    (mark,), warnings = parse(text + ". Translated for NKIDP by Balazs Szalontai.".split(".")[0])
    assert (mark.archive, mark.levels, mark.scheme, mark.label()) == ("MOL", levels, "mol", text)
    assert warnings == ()


def test_us_national_archives():
    (mark,), warnings = parse("National Archives, RG 59, Central Decimal File 1955-59, 795.00/9-1656, Box 3820")
    assert mark.archive == "National Archives" and mark.scheme == "nara"
    assert mark.levels == (("record-group", "59"), ("series", "Central Decimal File 1955-59"),
                           ("box", "3820"), ("file", "795.00/9-1656"))
    (bare,), _ = parse("Digital Archive, RG 59, Central Decimal File, 611.61/9-1956")
    assert bare.archive == "National Archives" and bare.levels[0] == ("record-group", "59")
    assert warnings == ()


@pytest.mark.parametrize("text,archive,rest", [
    ("Central State Archive, Tirana, AQPPSH-MPKK-V. 1961, L. 13, D. 6", "Central State Archive, Tirana",
     "AQPPSH-MPKK-V. 1961, L. 13, D. 6"),
    ("SAPMO-BA, DY 30, 2460", "SAPMO-BA", "DY 30, 2460"),
    ("Political Archive of the Federal Foreign Office, Berlin (PolA AA), MfAA, C 294/78",
     "Political Archive of the Federal Foreign Office, Berlin (PolA AA), MfAA", "C 294/78"),
])
def test_unknown_scheme_is_one_identifier_with_a_warning(text, archive, rest):
    (mark,), warnings = parse("History and Public Policy Program Digital Archive, " + text + ".")
    assert (mark.archive, mark.levels, mark.sheets, mark.text, mark.scheme) == (archive, (), None, rest, None)
    assert mark.label() == text
    assert len(warnings) == 1 and "no known scheme" in warnings[0]


def test_archive_without_shelfmark():
    (mark,), warnings = parse('"Note," September 02, 1953, History and Public Policy Program Digital '
                              "Archive, Polish Foreign Ministry Archive.")
    assert (mark.archive, mark.text, mark.levels) == ("Polish Foreign Ministry Archive", "", ())
    assert warnings == ("the citation names 'Polish Foreign Ministry Archive' but no shelfmark",)


def test_source_is_what_follows_the_digital_archive():
    c = '"Telegram," September 19, 1956, Wilson Center Digital Archive, GARF, Fond 5446.'
    assert source_of(c) == "GARF, Fond 5446."
    assert source_of("GARF, Fond 5446, Opis 98c") == "GARF, Fond 5446, Opis 98c"


def test_long_input_is_linear():
    """A very long citation is read in well under the timeout (no backtracking)."""
    code = ("from kg.citations import parse\n"
            "for s in ['a, ' * 200000, 'fond ' * 100000, 'PRC FMA ' + '1' * 300000, "
            "'MOL, XIX-J-1-j ' + 'x ' * 200000, 'RG 59, ' * 100000, 'GARF' + ' ' * 400000 + 'x', "
            "' ;' * 200000, ', ' * 200000 + 'and']:\n    parse(s)\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
