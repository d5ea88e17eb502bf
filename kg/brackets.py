"""Square brackets in a document's text: the words a translator or editor put there.

A translation's brackets are not the author's words: ``Pak [Heon-yeong]`` is the
translator's identification, ``[inserted by hand: 18 September]`` the translator's
description of the sheet, ``[to the]`` a word the translator supplies. Two kinds of bracket
add nothing a claim could rest on, and are left aside:

* ``[SIC]`` vouches for the word before it; it adds no words;
* a bracket that continues a word (a letter right before ``[``: ``c[omrade]``,
  ``C[entral] C[ommittee]``) spells out an abbreviation the source writes.

Every other bracket is *free-standing*. A claim whose passage holds one may rest on it; the
facts loader decides with :func:`rests_on_brackets` (see data/README.md, "Brackets").
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
MAX_BRACKET = 2000   # an opening bracket with no closing one within this many characters is not a bracket


@dataclass(frozen=True)
class Bracket:
    """The characters ``[start, end)`` of a text, ``[`` and ``]`` included."""

    start: int
    end: int
    words: str        # what is inside, whitespace squeezed
    free: bool        # neither [SIC] nor the end of an abbreviated word


@functools.lru_cache(maxsize=8)
def brackets(text: str) -> tuple[Bracket, ...]:
    """Every bracketed stretch of ``text``, left to right (brackets do not nest). Linear time."""
    out, at = [], 0
    while True:
        start = text.find("[", at)
        if start < 0:
            return tuple(out)
        end = text.find("]", start + 1, start + 1 + MAX_BRACKET)
        if end < 0:
            at = start + 1
            continue
        words = " ".join(text[start + 1:end].split())
        abbreviation = start > 0 and text[start - 1].isalpha()
        sic = words.strip(" .").lower() == "sic"
        out.append(Bracket(start, end + 1, words, free=not (abbreviation or sic)))
        at = end + 1


def in_passage(text: str, start: int, end: int) -> tuple[Bracket, ...]:
    """The free-standing brackets that overlap the passage ``text[start:end]``."""
    return tuple(b for b in brackets(text) if b.free and b.start < end and b.end > start)


def readings(text: str, start: int, end: int) -> tuple[str, str]:
    """The passage read with its brackets' words (the brackets themselves dropped) and
    without them (each free-standing bracket blanked out), whitespace squeezed."""
    with_words, without = [], []
    at = start
    for b in brackets(text):
        if b.end <= start or b.start >= end:
            continue
        lo, hi = max(b.start, start), min(b.end, end)
        plain = text[at:lo]
        with_words += [plain, " ", text[lo:hi].replace("[", "").replace("]", ""), " "]
        without += [plain, " ", (" " if b.free else text[lo:hi].replace("[", "").replace("]", "")), " "]
        at = hi
    with_words.append(text[at:end])
    without.append(text[at:end])
    squeeze = lambda parts: _SPACES.sub(" ", "".join(parts)).strip()  # noqa: E731
    return squeeze(with_words), squeeze(without)


def _has_name(reading: str, name: str) -> bool:
    """``name`` occurs in ``reading`` as whole words (case and spacing ignored)."""
    hay, needle = f" {_words(reading)} ", f" {_words(name)} "
    return needle.strip() != "" and needle in hay


def _words(s: str) -> str:
    """Lower-case words: punctuation other than ``-`` and ``'`` turned to spaces."""
    return " ".join("".join(c if c.isalnum() or c in "-'’" else " " for c in s.lower()).split())


def rests_on_brackets(text: str, start: int, end: int, names: list[str]) -> bool | None:
    """Whether a claim about a value called ``names`` rests on the passage's brackets.

    ``False`` when the passage holds no free-standing bracket, or one of the names stands
    in it outside the brackets; ``True`` when a name is found only with the brackets' words
    read in (``Pak [Heon-yeong]``, ``he [Mao Zedong]``); ``None`` when kg cannot tell (no
    name found either way: the value is an event, a time, a type, or named otherwise).
    """
    if not in_passage(text, start, end):
        return False
    with_words, without = readings(text, start, end)
    if any(_has_name(without, n) for n in names):
        return False
    if any(_has_name(with_words, n) for n in names):
        return True
    return None
