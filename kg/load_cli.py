"""``kg load``: the command-line adapter over :mod:`kg.load` (servers) and :mod:`kg.store` (embedded).

Credentials come from ``--user`` / ``--password`` or, better (not visible in ``ps``), the
environment: ``KG_STORE_USER`` and ``KG_STORE_PASSWORD``.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from .settings import Settings

DESCRIPTION = (
    "Load dist/kg.nq into a SPARQL triplestore with the Graph Store HTTP Protocol: one named "
    "graph per document plus the shared graph, and kg's vocabulary (dist/ontology.ttl) in the "
    "graph named by the ontology's IRI, each replaced whole (PUT), so a reload is "
    "idempotent. Without --endpoint, fill the embedded store in <root>/.kg-store/ "
    "with the graphs of kg.nq (query it with `kg query --store`).")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .load import STORE_TYPES
    p.add_argument("--endpoint", metavar="URL",
                   help="the server's root URL (Oxigraph, Virtuoso), or the Graph Store Protocol URL "
                        "of a generic server; without it, load the embedded store")
    p.add_argument("--store-type", choices=STORE_TYPES, default="auto",
                   help="which server it is (default: detect from the URL or the server's answer)")
    p.add_argument("--query-url", metavar="URL",
                   help="SPARQL query endpoint to check the load (needed for --store-type generic)")
    p.add_argument("--graph-prefix", metavar="IRI",
                   help="name the graphs <IRI>document/<n> and <IRI>shared (default: <base>graph/)")
    p.add_argument("--user", help="user name (default: $KG_STORE_USER; dba for Virtuoso)")
    p.add_argument("--password", help="password (default: $KG_STORE_PASSWORD; prefer the variable)")
    p.add_argument("--auth", choices=("basic", "digest"),
                   help="HTTP authentication scheme (default: digest for Virtuoso, basic otherwise)")
    p.add_argument("--chunk-triples", type=int, default=100_000, metavar="N",
                   help="send large graphs in requests of at most N triples (default: 100000)")
    p.add_argument("--retries", type=int, default=4, metavar="N",
                   help="retries of a request after a transient failure (default: 4)")
    p.add_argument("--timeout", type=float, default=300, metavar="SECONDS",
                   help="total time allowed for one request: connecting, sending a chunk and reading "
                        "the whole answer (default: 300)")
    p.add_argument("--prune", action="store_true",
                   help="also drop the store's graphs under the graph prefix that the dump does not have "
                        "(the prefix must be a full IRI ending in / or #); never the vocabulary's graph")
    p.add_argument("--dry-run", action="store_true",
                   help="show which graphs and how many triples would be sent; send nothing")
    p.add_argument("--store-dir", metavar="DIR", help="folder of the embedded store (default: <root>/.kg-store)")
    p.add_argument("--dist", help="folder with the dumps (default: <root>/dist)")


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def _triples(dist: Path) -> int | None:
    """The number of triples to send, for the bar: the dump's quads (one a line) and the
    vocabulary's triples (a small Turtle file)."""
    import pyoxigraph as ox

    from .ontology_dump import DUMP
    try:
        quads = _lines(dist / "kg.nq")
    except OSError:
        return None
    try:
        return quads + len(set(ox.parse(path=str(dist / DUMP), format=ox.RdfFormat.TURTLE)))
    except (OSError, SyntaxError):  # no vocabulary to send, or kg.load reports the error
        return quads


def run(args, settings: Settings) -> int:
    from . import load, progress, store
    dist = Path(args.dist) if args.dist else settings.dist_dir
    if not args.endpoint:
        report = store.load_embedded(dist, store.store_dir(settings.root, args.store_dir), base=settings.base,
                                     graph_prefix=args.graph_prefix, dry_run=args.dry_run, prune=args.prune)
    else:
        if args.dry_run and args.store_type == "auto" and not load.guess_kind(args.endpoint) \
                and not args.query_url:  # a dry run sends nothing, not even a probe
            target = load.Target("store (type detected at load time)", args.endpoint, "")
        else:
            target = load.resolve_target(
                args.endpoint, args.store_type, query_url=args.query_url,
                user=args.user or os.environ.get("KG_STORE_USER") or None,
                password=args.password or os.environ.get("KG_STORE_PASSWORD") or None,
                auth=args.auth, online=not args.dry_run)
        client = load.GspClient(target, retries=args.retries, timeout=args.timeout)
        with progress.bar(None if args.dry_run else _triples(dist), "loading", "triples") as advance:
            report = load.load(dist, target, base=settings.base, graph_prefix=args.graph_prefix,
                               chunk_triples=args.chunk_triples, dry_run=args.dry_run, prune=args.prune,
                               ontology=settings.namespaces.ontology, client=client, on_triples=advance)
    print("\n".join(report.lines()))
    return 0
