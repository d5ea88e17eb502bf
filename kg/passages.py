"""Find a curated passage in a document's text, allowing only whitespace to differ.

Both the passage and the text are compared with every run of whitespace squeezed to one
space, by ``str.find`` (linear time), so a long passage over a long text stays fast.
"""
from __future__ import annotations

import bisect
import functools
import re
from array import array

from .errors import quote

_SPACES = re.compile(r"\s+")


class _Squeezed:
    """A text with each whitespace run replaced by one space, and the way back to offsets."""

    def __init__(self, text: str):
        self.text = _SPACES.sub(" ", text)
        self.at = array("q")      # squeezed offset of each run's space
        self.shift = array("q")   # characters removed up to and including that run
        removed = 0
        for m in _SPACES.finditer(text):
            self.at.append(m.start() - removed)
            removed += m.end() - m.start() - 1
            self.shift.append(removed)

    def original(self, offset: int) -> int:
        """The offset in the original text of the squeezed text's character at ``offset``."""
        n = bisect.bisect_left(self.at, offset)   # runs that end before ``offset``
        return offset + (self.shift[n - 1] if n else 0)

    def squeezed(self, offset: int) -> int:
        """The squeezed offset of the first character at or after original ``offset``."""
        lo, hi = 0, len(self.text)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.original(mid) < offset:
                lo = mid + 1
            else:
                hi = mid
        return lo


@functools.lru_cache(maxsize=4)
def _squeezed(text: str) -> _Squeezed:
    return _Squeezed(text)


def locate(passage: str, text: str, start: int = 0) -> tuple[int, int] | None:
    """Character offsets ``(start, end)`` of the first occurrence of ``passage`` in ``text``.

    Runs of whitespace (spaces, tabs, line breaks) in either may differ in length and kind;
    every other character must match exactly. ``None`` when the passage is not there.
    """
    words = passage.split()
    if not words:
        return None
    sq = _squeezed(text)
    needle = " ".join(words)
    at = sq.text.find(needle, sq.squeezed(start) if start else 0)
    if at < 0:
        return None
    return sq.original(at), sq.original(at + len(needle) - 1) + 1


def closest_hint(passage: str, text: str) -> str:
    """Say how far a missing passage does match, to help the curator fix it."""
    words = passage.split()
    lo, hi = 0, len(words)          # the longest matching prefix of words, by bisection
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if locate(" ".join(words[:mid]), text) is not None:
            lo = mid
        else:
            hi = mid - 1
    best = lo
    if best == 0:
        return "not even its first word occurs in the text"
    if best == len(words):
        return "it matches"
    matched = " ".join(words[:best])
    shown = quote(matched if len(matched) <= 60 else "…" + matched[-59:])
    return f"the text matches up to {shown} and then differs at {quote(words[best])}"
