"""SPARQL over the published dumps on an embedded store (pyoxigraph).

The N-Quads dump is loaded into an in-memory Oxigraph store; queries see the union of
all named graphs as their default graph, and ``GRAPH ?g {…}`` reaches each document's.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox

from .errors import KgError

FORMATS = ("table", "csv", "json")


def open_store(dist: Path) -> ox.Store:
    path = Path(dist) / "kg.nq"
    if not path.exists():
        raise KgError("no published dump to query", path=path, hint="run `kg build` first")
    store = ox.Store()
    with path.open("rb") as f:
        store.bulk_load(f, ox.RdfFormat.N_QUADS)
    return store


def run(store: ox.Store, sparql: str) -> tuple[list[str], list[list[str | None]]] | bool:
    """Run a SELECT (→ header, rows of plain strings) or ASK (→ bool) query."""
    try:
        result = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as e:
        raise KgError(f"SPARQL syntax error: {e}", field="query") from None
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if not isinstance(result, ox.QuerySolutions):
        raise KgError("only SELECT and ASK queries print as tables; use CONSTRUCT through the library",
                      field="query")
    header = [v.value for v in result.variables]
    rows = [[None if s[h] is None else s[h].value for h in header] for s in result]
    return header, rows


def render(result, fmt: str) -> str:
    if isinstance(result, bool):
        return json.dumps({"boolean": result}) + "\n" if fmt == "json" else ("true\n" if result else "false\n")
    header, rows = result
    if fmt == "json":
        return json.dumps([dict(zip(header, r)) for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows([["" if v is None else v for v in r] for r in rows])
        return buf.getvalue()
    cells = [header] + [["" if v is None else v for v in r] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = [" | ".join(c[i].ljust(widths[i]) for i in range(len(header))).rstrip() for c in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
