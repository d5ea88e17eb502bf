"""kg's default archives (ontology/archives.yaml): well-formed, one archive per cited name,
and every archive whose citation scheme kg reads is among them under the form records cite."""
from __future__ import annotations

import pytest

from kg.archives import default_archives
from kg.citations import parse
from kg.iris import is_key
from kg.names import NameIndex
from kg.records import read_record

from .conftest import ROOT

REAL = ROOT / "tests" / "fixtures" / "records-real"


def test_entries_are_well_formed_and_names_unambiguous():
    archives = default_archives()
    seen = {}
    for key, e in archives.items():
        assert is_key(key) and e.kind == "group" and e.type == "archive" and e.source == "default"
        assert e.label.strip() and e.names and e.wikidata is None   # no QID unverified in shared/wikidata.tsv
        assert e.origin.line >= 1
        for n in {e.label.casefold(), *(n.text.casefold() for n in e.names)}:
            assert seen.setdefault(n, key) == key, f"{n!r} names both {seen[n]} and {key}"
        assert all(2 <= len(n.lang) <= 3 for n in e.names)


@pytest.mark.parametrize("citation, key", [
    ("Digital Archive, GARF, Fond 5446, Opis 98c, Delo 718, Listy 35-38.", "garf"),
    ("Digital Archive, RGANI, f. 5, op. 28, d. 410, l. 210.", "rgani"),
    ("Digital Archive, RGASPI, f. 558, op. 11, d. 342, ll. 78.", "rgaspi"),
    ("Digital Archive, AVP RF, f. 0102, op. 13, p. 72, d. 5.", "avprf"),
    ("Digital Archive, PRC FMA 106-00086-01, 1-5.", "prc-fma"),
    ("Digital Archive, MOL, XIX-J-1-j Korea, 11. doboz, 24/b, 005008/1956.", "mol"),
    ("Digital Archive, Magyar Országos Levéltár, XIX-J-1-j Korea, 11. doboz, 24/b, 005008/1956.", "mol"),
    ("Digital Archive, RG 59, Central Decimal File, Box 4.", "nara"),
])
def test_the_archives_of_the_schemes_kg_reads(citation, key):
    (mark,), _ = parse(citation)
    assert NameIndex(default_archives()).archives[mark.archive.casefold()] == key


@pytest.mark.parametrize("stem, key", [("110143", "sapmo-ba"), ("114282", "pola-aa"), ("112645", "avprf"),
                                       ("111817", "central-state-archive-tirana"), ("114070", "romanian-mfa-archives")])
def test_real_records_find_their_default_archive(stem, key):
    assert NameIndex(default_archives()).archive(read_record(REAL / f"{stem}.txt")) == key
