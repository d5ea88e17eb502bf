"""Typed errors: every problem in the user's input says where, what and how to fix.

The CLI turns them into messages and exit codes (see ``kg.cli``).
"""
from __future__ import annotations


class KgError(Exception):
    """A problem in the user's input or setup, reported with where, what and how to fix."""

    exit_code = 2

    def __init__(self, message: str, *, path=None, line: int | None = None,
                 field: str | None = None, hint: str | None = None):
        self.message, self.path, self.line, self.field, self.hint = message, path, line, field, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path else ""
        if self.line:
            where += f":{self.line}"
        parts = [p for p in (where, f"field '{self.field}'" if self.field else "", self.message) if p]
        s = ": ".join(parts)
        return s + (f" ({self.hint})" if self.hint else "")


def quote(value, limit: int = 60) -> str:
    """``value`` quoted for a message, cut to ``limit`` characters: never a huge repr()."""
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"… ({len(text)} characters)"


class FactsError(KgError):
    """The curated facts (data/*.yaml) are malformed or inconsistent."""


class PassageError(FactsError):
    """A statement's passage is not found verbatim in the document's text."""


class ValidationFailed(KgError):
    """The graph does not conform to the SHACL shapes."""

    exit_code = 1


class PublishError(KgError):
    """The dumps could not be written."""
