"""Every IRI kg publishes is made here, from curated keys, under one base.

Top-level resources: ``<base><kind>/<key>`` (``person/mao-zedong``). Dependent nodes hang
below their parent (``document/121799/creation/time``). Nothing is numbered by position or
hashed, so IRIs stay stable across builds.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

from rdflib import URIRef

KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # used with fullmatch: no trailing newline
# What never appears in an IRI (RFC 3987): controls, space, <>"{}|\^`, lone surrogates, and a
# '%' that does not start a %XX escape.
NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f\ud800-\udfff]|%(?![0-9A-Fa-f]{2})')

# Kinds of top-level resources and their path segment.
KINDS = {"person": "person", "group": "group", "place": "place", "event": "event",
         "document": "document", "holding": "holding", "language": "language"}

_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "j", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "eh", "yu", "ya"]))


def is_http_iri(value) -> bool:
    """An absolute http(s) IRI with a host, and no character IRIs forbid (:data:`NOT_IN_IRI`)."""
    if not (isinstance(value, str) and len(value) <= 2000 and value.startswith(("http://", "https://"))
            and NOT_IN_IRI.search(value) is None):
        return False
    try:
        return bool(urlsplit(value).hostname)
    except ValueError:
        return False


def is_key(key) -> bool:
    """A curated key: lower-case ASCII words joined by single hyphens (the whole value)."""
    return isinstance(key, str) and KEY_RE.fullmatch(key) is not None


def slug(text: str) -> str:
    """A readable path segment for a name as written, distinct for distinct spellings.

    Cyrillic is transliterated letter by letter (е → e, э → eh, so "Цзе" and "Цзэ" stay
    apart); case is kept (IRIs are case-sensitive, so "Микоян" and "МИКОЯН" stay apart);
    other letters lose their accents; anything still outside ``[A-Za-z0-9]`` is
    percent-encoded.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        low = ch.lower()
        if low in _CYRILLIC:
            latin = _CYRILLIC[low] or ("-hard" if low == "ъ" else "-soft")
            out.append(latin[:1].upper() + latin[1:] if ch != low and latin[:1].isalpha() else latin)
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch.isspace() or ch in "-_":
            out.append("-")
        elif ch in ".,'’":
            out.append("")
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            out.append(base if base.isascii() and base.isalnum() else quote(ch, safe=""))
    return re.sub(r"-{2,}", "-", "".join(out)).strip("-") or "x"


class Iris:
    """IRI factory bound to one base."""

    def __init__(self, base: str):
        self.base = base

    def entity(self, kind: str, key: str) -> URIRef:
        return URIRef(f"{self.base}{KINDS[kind]}/{key}")

    def document(self, number: str) -> URIRef:
        return URIRef(f"{self.base}document/{number}")

    def language(self, code: str) -> URIRef:
        return URIRef(f"{self.base}language/{code}")

    def holding(self, *parts: str) -> URIRef:
        return URIRef(f"{self.base}holding/" + "/".join(slug(p) for p in parts))

    def graph(self, name: str) -> URIRef:
        """Named graph IRI: ``graph/shared`` or ``graph/document/121799``."""
        return URIRef(f"{self.base}graph/{name}")

    @staticmethod
    def below(parent: URIRef, *segments: str) -> URIRef:
        """A dependent node's IRI under its parent."""
        return URIRef(str(parent) + "".join("/" + s for s in segments))
