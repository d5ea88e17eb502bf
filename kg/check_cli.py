"""``kg check``: the command-line adapter over :mod:`kg.check`."""
from __future__ import annotations

import argparse
from pathlib import Path

from .settings import Settings

HELP = "run the project's query checks (queries/*.rq) against dist/"
DESCRIPTION = (
    "Run each query in queries/ over the published dumps (dist/kg.nq) and compare its answer "
    "with queries/<name>.expected.csv: the query's variables as CSV, one row a line (ASK: true or "
    "false); rows in any order unless the query has ORDER BY. With --update, rewrite the expected "
    "files from the current answers, keeping their comments and columns, for you to review with "
    "`git diff queries/` before committing.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="check only these queries (queries/NAME.rq; default: all)")
    p.add_argument("--update", action="store_true",
                   help="rewrite the expected files from the current answers")
    p.add_argument("--dist", help="folder with the dumps (default: <root>/dist)")
    p.add_argument("--queries", metavar="DIR", help="folder of the checks (default: <root>/queries)")
    p.add_argument("--sparql", metavar="URL", dest="sparql_url", help="check the answers of this SPARQL endpoint (e.g. the triplestore "
                                                   "`kg load` filled) instead of dist/")


def run(args, settings: Settings) -> int:
    from . import check, query
    folder = Path(args.queries) if args.queries else settings.root / "queries"
    paths = check.find(folder, args.names)
    if args.sparql_url is not None:
        from .remote import endpoint
        store = endpoint(args.sparql_url)
    else:
        store = query.open_store(Path(args.dist) if args.dist else settings.dist_dir)
    results = [check.run_one(store, rq, folder, args.update) for rq in paths]
    for outcome, rewritten in results:
        mark = "updated" if rewritten else ("ok" if outcome.passed else "FAILED")
        print(f"  {mark:<7} {outcome.name}: {outcome.summary}")
        for line in outcome.diff:
            print(f"            {line}")
    failed = [o.name for o, _ in results if not o.passed]
    if args.update:
        n = sum(rewritten for _, rewritten in results)
        print(f"kg check: {len(results)} checks, {n} expected file(s) rewritten"
              + (f" in {folder}: review them with `git diff` before committing" if n else ""))
        return 0
    if failed:
        print(f"kg check: {len(failed)} of {len(results)} checks failed ('-' expected, not in the answer; "
              "'+' in the answer, not expected); if the new answers are right, run `kg check --update` "
              "and review the diff")
        return 1
    print(f"kg check: all {len(results)} checks passed")
    return 0
