"""Command adapters for ``kg serve`` and ``kg site`` (wired into ``kg.cli.COMMANDS``)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import KgError
from ..settings import Settings

SERVE_HELP = "serve the published graph as linked data (pages, data, SPARQL, dumps)"
SERVE_DESCRIPTION = ("Serve dist/ over HTTP: every entity IRI under the base dereferences at /<kind>/<key> "
                     "(HTML, Turtle, JSON-LD or N-Triples by Accept or by .html/.ttl/.jsonld/.nt), "
                     "/sparql answers read-only SPARQL 1.1 Protocol queries, /dumps/ serves the dump files.")
SITE_HELP = "export the pages and per-entity data files as a static site"
SITE_DESCRIPTION = ("Write every page of `kg serve` and each entity's .ttl/.jsonld/.nt into a folder for "
                    "hosting without kg, with an Apache type map (.var) per entity and the Apache rules as "
                    ".htaccess; kg/serve/deploy/README.md shows how to serve it with nginx or Apache on Debian.")


def queries_dir(settings: Settings) -> Path:
    """The project's queries (<root>/queries/*.rq, also `kg check`'s): the query form's examples."""
    return settings.root / "queries"


def serve_add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)")
    p.add_argument("--dist", help="folder with the dumps (default: <root>/dist)")
    p.add_argument("--query-timeout", type=float, default=10.0, help="seconds a SPARQL query may run (default: 10)")
    p.add_argument("--result-limit", type=int, default=10_000, help="most rows a SPARQL answer holds (default: 10000)")
    p.add_argument("--workers", type=int, default=2, help="SPARQL worker processes (default: 2)")
    p.add_argument("--query-memory", type=int, default=1024, metavar="MiB",
                   help="memory a SPARQL query may use beyond the loaded data, per worker; a query that needs "
                        "more is stopped with 422 (default: 1024)")
    p.add_argument("--quiet", action="store_true", help="do not log each request")
    p.add_argument("--cache", metavar="DIR",
                   help="folder for the stores built from dist/ on the first start and reused while kg.nq is "
                        "unchanged (default: <root>/.kg-cache/serve)")
    p.add_argument("--sparql", metavar="URL", dest="sparql_url",
                   help="answer /sparql from this SPARQL endpoint (e.g. the triplestore `kg load` filled) instead "
                        "of query workers over dist/; pages still come from dist/")


def serve_run(args, settings: Settings) -> int:
    from .server import make_server
    from .wsgi import project_app
    if args.query_timeout <= 0 or args.result_limit <= 0 or args.workers <= 0 or args.query_memory <= 0:
        raise KgError("--query-timeout, --result-limit, --workers and --query-memory must be positive", field="serve")
    app = project_app(settings, Path(args.dist) if args.dist else None, workers=args.workers,
                      query_timeout=args.query_timeout, result_limit=args.result_limit,
                      query_memory=args.query_memory, sparql_url=args.sparql_url,
                      cache=Path(args.cache) if args.cache else None)
    try:
        server = make_server(app, args.host, args.port, quiet=args.quiet)
    except OSError as e:
        app.pool.close()
        raise KgError(f"cannot listen on {args.host}:{args.port}: {e.strerror}", field="--port",
                      hint="pick another --port") from None
    host, port = server.server_address[:2]
    print(f"kg serve: {settings.base} at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()  # returns on Ctrl-C (the server closes itself)
    except KeyboardInterrupt:
        pass
    finally:
        print("kg serve: stopped", file=sys.stderr)
        server.server_close()
        app.pool.close()
    return 0


def site_add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("output", help="folder to write the site into (created; must be empty if it exists)")
    p.add_argument("--dist", help="folder with the dumps (default: <root>/dist)")


def site_run(args, settings: Settings) -> int:
    from .site import export
    dist = Path(args.dist) if args.dist else settings.dist_dir
    n = export(dist, settings.base, Path(args.output), queries_dir=queries_dir(settings),
               namespaces=settings.namespaces)
    print(f"kg site: wrote {n} files to {args.output}")
    return 0


# name → (help, description, add_arguments, run), the shape of kg.cli.COMMANDS
COMMANDS = {
    "serve": (SERVE_HELP, SERVE_DESCRIPTION, serve_add_arguments, serve_run),
    "site": (SITE_HELP, SITE_DESCRIPTION, site_add_arguments, site_run),
}
