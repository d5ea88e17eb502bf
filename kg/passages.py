"""Find a curated passage in a document's text, allowing only whitespace to differ."""
from __future__ import annotations

import re


def locate(passage: str, text: str, start: int = 0) -> tuple[int, int] | None:
    """Character offsets ``(start, end)`` of the first occurrence of ``passage`` in ``text``.

    Runs of whitespace (spaces, tabs, line breaks) in either may differ in length and kind;
    every other character must match exactly. ``None`` when the passage is not there.
    """
    words = passage.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.compile(pattern).search(text, start)
    return (m.start(), m.end()) if m else None


def closest_hint(passage: str, text: str) -> str:
    """Say how far a missing passage does match, to help the curator fix it."""
    words = passage.split()
    best = 0
    for n in range(len(words), 0, -1):
        if locate(" ".join(words[:n]), text) is not None:
            best = n
            break
    if best == 0:
        return "not even its first word occurs in the text"
    return f"the text matches up to {' '.join(words[:best])!r} and then differs at {words[best]!r}" \
        if best < len(words) else "it matches"
