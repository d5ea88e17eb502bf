"""SPARQL over the published dumps on an embedded store (pyoxigraph).

The N-Quads dump is loaded into an in-memory Oxigraph store: each document's named graph
and the shared one as published, and the default graph their RDF merge — every triple once,
however many graphs hold it, so ``COUNT(*)`` over the default graph gives VoID's
``void:triples``. ``GRAPH ?g {…}`` reaches each named graph. ``kg query``, ``kg check`` and
the query workers of ``kg serve`` all open the dumps here.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox

from .errors import KgError

FORMATS = ("table", "csv", "json")
# The default graph: the merge of the named graphs (a set: a triple of two graphs counts once).
_MERGE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def fill(store: ox.Store, nquads: Path) -> None:
    """Load ``nquads`` into ``store``: its named graphs, and their merge as the default graph."""
    with Path(nquads).open("rb") as f:
        store.bulk_load(f, ox.RdfFormat.N_QUADS)
    store.update(_MERGE)


def open_store(dist: Path) -> ox.Store:
    path = Path(dist) / "kg.nq"
    if not path.exists():
        raise KgError("no published dump to query", path=path, hint="run `kg build` first")
    store = ox.Store()
    fill(store, path)
    return store


def _has_default_graph(store: ox.Store) -> bool:
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


def run(store, sparql: str) -> tuple[list[str], list[list[str | None]]] | bool:
    """Run a SELECT (→ header, rows of plain strings) or ASK (→ bool) query.

    The default graph is the store's own (the merge, for the dumps), or, in a store with none
    (the one `kg load` fills, like a triplestore), the union of its named graphs."""
    if not isinstance(store, ox.Store):  # a SPARQL endpoint (kg.remote.Endpoint)
        return store.select(sparql)
    try:
        result = store.query(sparql, use_default_graph_as_union=not _has_default_graph(store))
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
