"""The embedded default store: a persistent pyoxigraph (Oxigraph) Store in a local folder.

With no ``--endpoint``, ``kg load`` fills this store (default ``<root>/.kg-store/``) the
same way it fills a server: each named graph of ``dist/kg.nq`` replaces the graph of the
same name, graphs the dump does not name stay as they are (unless pruned), and a count
per graph checks the result. ``kg query --store`` reads it with :func:`open_for_query`, so
SPARQL works without any server. Oxigraph allows one writer per folder: a second process
that opens the store while a load runs gets a clear error.

Unlike a server load, the embedded store does not get ``dist/ontology.ttl``: it holds the
graphs of ``kg.nq`` only, the dataset VoID describes (``void:vocabulary`` names kg's terms
apart from it), like the in-memory store of ``kg query`` and ``kg serve``
(:func:`kg.query.fill`), so the same query sees the same data in all three. kg's
vocabulary stays in its own dump, which ``kg serve`` answers at the ontology's address.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from .errors import KgError
from .load import GraphResult, LoadReport, VerifyError, graph_namer, prune_prefix, spool, to_prune

DEFAULT_DIR = ".kg-store"


def store_dir(root: Path, folder: str | Path | None = None) -> Path:
    """The store's folder: ``folder`` (relative to the working directory) or ``<root>/.kg-store``."""
    return Path(folder) if folder else Path(root) / DEFAULT_DIR


def _open(folder: Path, read_only: bool = False) -> ox.Store:
    try:
        return ox.Store.read_only(str(folder)) if read_only else ox.Store(str(folder))
    except OSError as e:
        raise KgError(f"cannot open the embedded store: {e}", path=folder,
                      hint="another kg process may be using it; wait for it to finish") from None


def open_for_query(folder: Path) -> ox.Store:
    """The embedded store, read-only, for ``kg query --store`` (see :func:`kg.query.run`)."""
    folder = Path(folder)
    if not (folder / "CURRENT").exists():
        raise KgError("no embedded store to query", path=folder, hint="run `kg load` first")
    return _open(folder, read_only=True)


def graph_counts(store: ox.Store) -> dict[str, int]:
    """Triples per named graph."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def load_embedded(dist: Path, folder: Path, *, base: str, graph_prefix: str | None = None,
                  dry_run: bool = False, prune: bool = False) -> LoadReport:
    """Replace each named graph of the dump in the embedded store at ``folder``."""
    folder = Path(folder)
    prefix = prune_prefix(graph_prefix or base + "graph/") if prune else None
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        graphs = spool(Path(dist) / "kg.nq", Path(tmp), graph_namer(base, graph_prefix))
        if dry_run:
            return LoadReport(str(folder), tuple(GraphResult(g.graph, g.triples, 1) for g in graphs), 0.0, True)
        folder.mkdir(parents=True, exist_ok=True)
        store = _open(folder)
        try:
            start = time.perf_counter()
            for g in graphs:
                name = ox.NamedNode(g.graph)
                store.remove_graph(name) if store.contains_named_graph(name) else None
                store.bulk_load(path=str(g.path), format=ox.RdfFormat.N_TRIPLES, to_graph=name)
            pruned: tuple[str, ...] = ()
            if prune:
                pruned = to_prune((n.value for n in store.named_graphs() if isinstance(n, ox.NamedNode)),
                                  prefix, {g.graph for g in graphs})
                for n in pruned:
                    store.remove_graph(ox.NamedNode(n))
            store.flush()
            seconds = time.perf_counter() - start
            counts = graph_counts(store)
        finally:
            del store
    results = tuple(GraphResult(g.graph, g.triples, 1, counts.get(g.graph, 0)) for g in graphs)
    wrong = [r for r in results if r.stored != r.triples]
    if wrong:
        raise VerifyError("the embedded store does not hold what was sent: " + "; ".join(
            f"<{r.graph}> holds {r.stored}, sent {r.triples}" for r in wrong), path=folder)
    return LoadReport(str(folder), results, seconds, False, pruned)
