"""Typed errors: every problem in the user's input says where, what and how to fix.

The CLI turns them into messages and exit codes (see ``kg.cli``).
"""
from __future__ import annotations

from pathlib import PurePath


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
        parts = [p for p in (where, f"field {quote(self.field)}" if self.field else "", self.message) if p]
        s = ": ".join(parts)
        return s + (f" ({self.hint})" if self.hint else "")


class FactsError(KgError):
    """The curated facts (data/*.yaml) are malformed or inconsistent."""


class PassageError(FactsError):
    """A statement's passage is not found verbatim in the document's text."""


class ValidationFailed(KgError):
    """The graph does not conform to the SHACL shapes (``violations``: what was found)."""

    exit_code = 1

    def __init__(self, message: str, *, violations=(), **where):
        super().__init__(message, **where)
        self.violations = tuple(violations)


class PublishError(KgError):
    """The dumps could not be written."""


def quote(value, limit: int = 60) -> str:
    """A value as a message shows it: text quoted and cut to ``limit`` characters, other
    values by kind and size — never the ``repr()`` of a large (or alias-expanded) structure."""
    if isinstance(value, PurePath):
        value = str(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[:limit]) + f"… ({len(value)} characters)"
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if value.bit_length() <= 64 else "a very large number"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key(s)"
    if isinstance(value, (list, tuple, set, frozenset)):
        return f"a list of {len(value)} item(s)"
    return f"a {type(value).__name__} value"
