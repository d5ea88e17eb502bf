"""Machine-readable reports of ``kg build``, ``kg validate`` and ``kg link`` (their ``--json`` option).

One JSON object on stdout, whatever the outcome, so a script or a CI job reads the result
without parsing messages::

    {"command": "build", "ok": true, "exit_code": 0,
     "counts": {"persons": 21, …}, "documents": {"121799": {"triples": 1766, …}},
     "warnings": ["…"], "violations": [], "dist": "dist", "files": ["SHA256SUMS", …]}

A failure carries ``"error"`` (message, file, line, field, hint: what the human message
says, in parts) and, for SHACL, every violation with its focus node, property, message,
shape, severity and the input file it came from.

``kg link --json`` says which ``mode`` ran and what it found or did: ``report`` (counts
and open proposals), ``propose`` (entities searched, new proposals with their scores,
HTTP counters), ``accept`` / ``reject`` (the decision), ``seed`` (what the list gave).
"""
from __future__ import annotations

import json
from dataclasses import asdict

from .errors import KgError

VERSION = 1  # the report's own format version: bumped when a key changes meaning


def _violations(violations) -> list[dict]:
    return [asdict(v) for v in violations]


def success(command: str, result, *, dist: str | None = None) -> dict:
    """The report of a build or validation that finished (``ok`` false if it does not conform)."""
    errors = [v for v in result.violations if v.is_error]
    out = {"report": VERSION, "command": command, "ok": not errors, "exit_code": 1 if errors else 0,
           "counts": result.counts(), "documents": result.document_counts(),
           "warnings": result.warnings,
           "violations": _violations(result.violations)}
    if dist is not None:
        out["dist"] = dist
        out["files"] = sorted(result.files)
    return out


def link(mode: str, fields: dict) -> dict:
    """The report of a ``kg link`` run that finished in ``mode``, with what it found or did."""
    return {"report": VERSION, "command": "link", "ok": True, "exit_code": 0, "mode": mode, **fields}


def failure(command: str, error: KgError) -> dict:
    """The report of a build that stopped: bad input (2) or SHACL violations (1)."""
    return {"report": VERSION, "command": command, "ok": False, "exit_code": error.exit_code,
            "error": {"message": error.message, "file": str(error.path) if error.path else None,
                      "line": error.line, "field": error.field, "hint": error.hint},
            "violations": _violations(getattr(error, "violations", ()))}


def internal(command: str, error: BaseException) -> dict:
    """The report of a bug in kg (exit 3)."""
    return {"report": VERSION, "command": command, "ok": False, "exit_code": 3,
            "error": {"message": f"internal error: {type(error).__name__}: {error} (this is a bug in kg)",
                      "file": None, "line": None, "field": None, "hint": None},
            "violations": []}


def dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
