"""A project's own query checks: ``queries/<name>.rq``, each with its expected answer in
``queries/<name>.expected.csv``, run over the published dumps.

The expected file is CSV as ``kg query --format csv`` prints it: a header line naming the
query's variables, then one line per row, values as plain text (an unbound value is an empty
cell). The header may name only some of the query's variables; the others are not checked.
A row counts once however often the answer repeats it. Rows may be in any order unless the
query has ORDER BY, when their order is checked too. For an ASK query the file holds ``true``
or ``false``. Lines starting with ``#`` at the top of the file are comments for the editors;
``--update`` keeps them, with the file's columns, and rewrites the rows.
"""
from __future__ import annotations

import csv
import difflib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import inputs, query
from .errors import KgError, quote

SUFFIX = ".expected.csv"
SHOWN = 20                      # diff lines printed per failed check

_SYNTAX_AT = re.compile(r"error at (\d{1,9}):(\d{1,9}): ")
# What hides an ORDER keyword from the scan: comments, string literals and IRIs.
_SKIP = re.compile(r"#[^\n]*|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
                   r"|<[^<>\"{}|^`\\\x00-\x20]*>", re.S)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.I)


@dataclass(frozen=True)
class Expected:
    comments: tuple[str, ...]                     # the leading '#' lines
    columns: tuple[str, ...] | None = None        # the header (None: the file gives a boolean)
    rows: tuple[tuple[str, ...], ...] = ()
    boolean: bool | None = None


@dataclass(frozen=True)
class Outcome:
    name: str
    passed: bool
    summary: str                                  # "3 rows", "true", "1 row missing, …"
    diff: tuple[str, ...] = ()


# ---------------------------------------------------------------- the query and its answer

def ordered(sparql: str) -> bool:
    """Whether the query has ORDER BY (outside comments, strings and IRIs)."""
    return _ORDER_BY.search(_SKIP.sub(" ", sparql)) is not None


def answer(store, sparql: str, path: Path):
    """The query's answer: a bool (ASK) or (variables, rows with '' for unbound)."""
    try:
        result = query.run(store, sparql)
    except KgError as e:
        m = _SYNTAX_AT.search(e.message)
        message = f"SPARQL syntax error at column {m[2]}: {e.message[m.end():]}" if m else e.message
        raise KgError(message, path=path, line=int(m[1]) if m else None) from None
    if isinstance(result, bool):
        return result
    header, rows = result
    return tuple(header), [tuple("" if v is None else v for v in r) for r in rows]


# ---------------------------------------------------------------- the expected file

def expected_path(rq: Path) -> Path:
    return rq.with_name(rq.name[:-len(".rq")] + SUFFIX)


def _split_comments(text: str) -> tuple[tuple[str, ...], str, int]:
    """The leading '#' lines, the rest of the text, and the line number where the rest starts."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and lines[n].startswith("#"):
        n += 1
    return tuple(ln.rstrip("\r\n") for ln in lines[:n]), "".join(lines[n:]), n + 1


def parse_expected(text: str, path: Path, variables: tuple[str, ...] | None) -> Expected:
    """The expected answer in ``text``; ``variables`` are the query's (None for an ASK query)."""
    comments, body, first = _split_comments(text)
    if variables is None:
        word = body.strip()
        if word not in ("true", "false"):
            raise KgError(f"expected the answer of an ASK query, true or false; found {quote(word)}",
                          path=path, line=first)
        return Expected(comments, boolean=word == "true")
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            if fields:                              # a blank line is no row
                records.append((first + reader.line_num - 1, fields))
    except csv.Error as e:
        raise KgError(f"not CSV: {e}", path=path, line=first + reader.line_num - 1,
                      hint="quote a value holding a comma, a quote or a line break with \"…\"") from None
    if not records:
        raise KgError("no header line; expected the names of the query's variables, comma-separated, "
                      f"e.g. {','.join(variables)}", path=path, line=first)
    (line, header), rows = records[0], records[1:]
    for name in header:
        if name not in variables:
            raise KgError(f"column {quote(name)} is not a variable of the query; expected some of "
                          f"{quote(', '.join(variables))}", path=path, line=line)
    if len(set(header)) != len(header):
        raise KgError("a column is named twice in the header", path=path, line=line)
    for line, fields in rows:
        if len(fields) != len(header):
            raise KgError(f"{len(fields)} value(s) in this row, {len(header)} column(s) in the header",
                          path=path, line=line, hint="leave an unbound value empty, between two commas")
    return Expected(comments, tuple(header), tuple(tuple(f) for _, f in rows))


def render_expected(exp: Expected) -> str:
    out = io.StringIO()
    out.writelines(c + "\n" for c in exp.comments)
    if exp.columns is None:
        out.write("true\n" if exp.boolean else "false\n")
    else:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(exp.columns)
        w.writerows(exp.rows)
    return out.getvalue()


# ---------------------------------------------------------------- comparing

def _project(got, columns: tuple[str, ...], keep_order: bool) -> tuple[tuple[str, ...], ...]:
    """The answer's rows on ``columns``, each once; sorted unless the query orders them."""
    header, rows = got
    idx = [header.index(c) for c in columns]
    distinct = dict.fromkeys(tuple(r[i] for i in idx) for r in rows)
    return tuple(distinct) if keep_order else tuple(sorted(distinct))


def _line(row: tuple[str, ...]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue().replace("\r", "\\r").replace("\n", "\\n")


def _rows(n: int) -> str:
    return f"{n} row{'' if n == 1 else 's'}"


def compare(name: str, exp: Expected, got, keep_order: bool) -> Outcome:
    if exp.columns is None:
        if isinstance(got, bool) and got == exp.boolean:
            return Outcome(name, True, str(got).lower())
        return Outcome(name, False, f"expected {str(exp.boolean).lower()}, the answer is {str(got).lower()}")
    rows = _project(got, exp.columns, keep_order)
    want = tuple(dict.fromkeys(exp.rows))
    if rows == want or (not keep_order and set(rows) == set(want)):
        return Outcome(name, True, _rows(len(rows)))
    missing, extra = set(want) - set(rows), set(rows) - set(want)
    if keep_order and not missing and not extra:
        summary = "the rows are in another order"
        diff = [f"{d[0]} {d[1:]}" for d in difflib.unified_diff([_line(r) for r in want], [_line(r) for r in rows],
                                                                n=0, lineterm="")
                if not d.startswith(("---", "+++", "@@"))]
    else:
        parts = [f"{_rows(len(missing))} missing" if missing else "",
                 f"{_rows(len(extra))} not expected" if extra else ""]
        summary = ", ".join(p for p in parts if p)
        diff = [f"- {_line(r)}" for r in sorted(missing)] + [f"+ {_line(r)}" for r in sorted(extra)]
    if len(diff) > SHOWN:
        diff = diff[:SHOWN] + [f"… and {len(diff) - SHOWN} more line(s)"]
    return Outcome(name, False, summary, tuple(diff))


def updated(exp: Expected | None, got, variables: tuple[str, ...] | None, keep_order: bool) -> Expected:
    """The expected answer rewritten from ``got``, keeping the file's comments and columns."""
    comments = exp.comments if exp else ()
    if variables is None:
        return Expected(comments, boolean=got)
    columns = exp.columns if exp and exp.columns else variables
    return Expected(comments, columns, _project(got, columns, keep_order))


# ---------------------------------------------------------------- the folder of checks

def find(folder: Path, names: list[str]) -> list[Path]:
    """The queries to check: every ``*.rq`` in ``folder``, or those named (by name or file)."""
    if not os.path.isdir(folder):
        raise KgError("no folder of queries to check", path=folder,
                      hint="add <name>.rq and <name>.expected.csv there, or give --queries")
    every = inputs.list_files(folder, ".rq", within=folder)
    if not names:
        if not every:
            raise KgError("no queries to check (no *.rq file)", path=folder,
                          hint="add <name>.rq, then run `kg check --update` to write <name>.expected.csv")
        return every
    by_name = {p.name[:-len(".rq")]: p for p in every}
    chosen = []
    for n in names:
        key = Path(n).name.removesuffix(".rq")
        if key not in by_name:
            raise KgError(f"no query {quote(n)} in {folder}", field="check",
                          hint=f"expected one of {quote(', '.join(by_name))}")
        chosen.append(by_name[key])
    return chosen


def run_one(store, rq: Path, folder: Path, update: bool) -> tuple[Outcome, bool]:
    """Check one query; with ``update``, rewrite its expected file. → (outcome, file rewritten)."""
    name = rq.name[:-len(".rq")]
    sparql = inputs.read_text(rq, within=folder)
    got = answer(store, sparql, rq)
    variables = None if isinstance(got, bool) else got[0]
    keep_order = ordered(sparql)
    path = expected_path(rq)
    exists = os.path.lexists(path)
    if not update:
        if not exists:
            raise KgError("no expected answer for this query", path=path,
                          hint="write it, or run `kg check --update` to write it from the current answer")
        exp = parse_expected(inputs.read_text(path, within=folder), path, variables)
        return compare(name, exp, got, keep_order), False
    old, outcome = None, Outcome(name, False, "new")
    if exists:
        text = inputs.read_text(path, within=folder)
        try:
            old = parse_expected(text, path, variables)
            outcome = compare(name, old, got, keep_order)
        except KgError as e:            # rewritten whole: only the comments are kept
            old = Expected(_split_comments(text)[0])
            outcome = Outcome(name, False, f"rewritten, the old file was unreadable: {e.message}")
    new = updated(old, got, variables, keep_order)
    if outcome.passed:
        return outcome, False
    _write(path, render_expected(new))
    return Outcome(name, True, outcome.summary, outcome.diff), True


def _write(path: Path, text: str) -> None:
    """Replace ``path`` whole (a temporary file renamed over it): never half-written."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise KgError(f"cannot write: {e.strerror}", path=path) from None
