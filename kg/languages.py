"""Languages, by name and by ISO 639 code, defined once.

The record reader finds a record's language by its English name (:func:`code_of`); the
mapper labels ``crm:E56_Language`` nodes with :func:`name_of` and links them with
``WIKIDATA``. kg's own table (``NAMES``: the usual names, and alternative names such as
Farsi) is asked first, then every language of ISO 639 that pycountry knows (by its name,
common or inverted name; a qualifier in brackets such as "(macrolanguage)" may be left
out). A language's code is its ISO 639-1 code where it has one, else its ISO 639-3 code.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pycountry

NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ka": "Georgian", "km": "Khmer", "ko": "Korean", "lo": "Lao", "lt": "Lithuanian",
    "lv": "Latvian", "mk": "Macedonian", "mn": "Mongolian", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sh": "Serbo-Croatian",
    "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
    "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
    "zh": "Chinese",
}
# Only items verified for this project (see data/wikidata/review.tsv for entities).
WIKIDATA = {"ru": "Q7737", "en": "Q1860", "zh": "Q7850", "ko": "Q9176"}
# Lower-case English name (and common alternative names) → code; asked before ISO 639.
BY_NAME = {name.lower(): code for code, name in NAMES.items()} | {
    "farsi": "fa", "slovene": "sl", "pashto": "ps", "bahasa indonesia": "id"}
# The script a language is written in, for the languages not written in Latin letters: the
# first word of the Unicode names of its letters (kana count as CJK). Texts of a record in
# languages of different scripts are told apart by it (kg.records).
SCRIPTS = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "mn", "kk", "ky", "tg"), "CYRILLIC"),
    **dict.fromkeys(("zh", "ja", "yue", "cmn"), "CJK"), "ko": "HANGUL",
    **dict.fromkeys(("ar", "fa", "ur", "ps", "prs", "ug"), "ARABIC"), "el": "GREEK",
    "he": "HEBREW", "yi": "HEBREW", "th": "THAI", "ka": "GEORGIAN", "hy": "ARMENIAN", "km": "KHMER",
    "lo": "LAO", "hi": "DEVANAGARI", "bo": "TIBETAN", "my": "MYANMAR",
}
_QUALIFIER = re.compile(r"\s*\([^()]{0,40}\)")


@lru_cache(maxsize=1)
def _iso() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-case name → code, code → English name) of every ISO 639 language pycountry has."""
    by_name, names = {}, {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None) or lang.alpha_3
        names.setdefault(code, _QUALIFIER.sub("", lang.name).strip() or lang.name)
        written = [getattr(lang, k, None) for k in ("name", "common_name", "inverted_name")]
        for n in filter(None, written):
            by_name.setdefault(n.lower(), code)
        for n in filter(None, written):   # without "(macrolanguage)", "(1453-)" …: never over a full name
            by_name.setdefault(_QUALIFIER.sub("", n).strip().lower(), code)
    return by_name, names


def code_of(name: str) -> str | None:
    """The code of a language named in English ("Russian", "Farsi", "Uighur"), or None."""
    key = " ".join(name.split()).lower()
    return BY_NAME.get(key) or _iso()[0].get(key)


def script_of(code: str) -> str:
    """The script of language ``code`` (see ``SCRIPTS``); LATIN for the others."""
    return SCRIPTS.get(code, "LATIN")


def name_of(code: str) -> str:
    """The English name of a language code that :func:`code_of` gave."""
    return NAMES.get(code) or _iso()[1].get(code, code)
