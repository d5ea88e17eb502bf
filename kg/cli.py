"""The ``kg`` command: a thin layer over the library, one small handler per command.

Exit codes:
  0  success (for ``kg validate``: the data conforms)
  1  the data does not conform to the SHACL shapes (nothing was written)
  2  bad input or usage: a record, a facts file, a passage, a query; the message says where
  3  an unexpected internal error (a bug in kg: please report it)
  4  a remote service failed: the Wikidata API (kg link; nothing was written), or a
     triplestore that is unreachable, refuses the credentials, or does not hold what was
     sent (kg load)
"""
from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Callable

from . import __version__, progress, report
from .errors import KgError
from .settings import Settings, load_settings

EPILOG = ("exit codes: 0 ok, 1 data does not conform (nothing written), 2 bad input or usage, "
          "3 internal error, 4 a remote service failed (Wikidata API, triplestore); "
          "`kg COMMAND --help` lists each command's own")

BAD_INPUT = "bad input or usage (the message names the file, line or option)"
INTERNAL = "internal error (a bug in kg: please report it)"

# Each command's exit codes, shown in its --help (130: interrupted, for every command).
EXIT_CODES: dict[str, dict[int, str]] = {
    "build": {0: "built and wrote dist/", 1: "SHACL violations: nothing was written", 2: BAD_INPUT, 3: INTERNAL},
    "validate": {0: "the data conforms", 1: "the data does not conform", 2: BAD_INPUT, 3: INTERNAL},
    "init": {0: "made the project", 2: "the folder is not new or empty, or " + BAD_INPUT, 3: INTERNAL},
    "query": {0: "answered", 2: "a bad query, or no dump to query", 3: INTERNAL,
              4: "the SPARQL endpoint (--sparql) is unreachable or failed"},
    "link": {0: "done", 2: BAD_INPUT, 3: INTERNAL,
             4: "the Wikidata API failed (nothing written; answers fetched so far are cached)"},
    "load": {0: "loaded and checked", 2: BAD_INPUT, 3: INTERNAL,
             4: "the store is unreachable, refuses the credentials, or does not hold what was sent"},
    "serve": {0: "stopped", 2: "no dumps to serve, the port is taken, or " + BAD_INPUT, 3: INTERNAL},
    "site": {0: "wrote the site", 2: "no dumps, the output folder is not empty, or " + BAD_INPUT, 3: INTERNAL},
    "check": {0: "every check passed (or the expected files were updated)",
              1: "a check failed (its missing and unexpected rows are shown)",
              2: "a query or expected file is bad, or dist/ is missing", 3: INTERNAL,
              4: "the SPARQL endpoint (--sparql) is unreachable or failed"},
}


def _epilog(name: str) -> str:
    codes = EXIT_CODES[name]
    return "exit codes: " + "; ".join(f"{c} {m}" for c, m in sorted(codes.items())) + "; 130 interrupted"


# ---------------------------------------------------------------- build / validate / query

def _build_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dist", help="output folder: a new or empty one, or one kg wrote before, never in data/ "
                                  "(default: <root>/dist)")


def _build(args, settings: Settings) -> int:
    from . import pipeline
    from .distdir import check_target
    from .unitcache import dist_note
    if args.dist is not None and not args.dist.strip():
        raise KgError("give the folder to write the dumps to", field="--dist")
    keep = (settings.data_dir,)
    target = Path(args.dist) if args.dist else settings.dist_dir
    check_target(target, keep, in_background=True, written=dist_note(settings.root))  # checksums while it works
    result = pipeline.build(settings, dist=target, keep=keep)
    if args.json:
        return _report(report.success("build", result, dist=str(target)))
    _warnings(result)
    print(_summary("build", result))
    print(f"  wrote {len(result.files)} files to {target}")
    return 0


def _validate(args, settings: Settings) -> int:
    from . import pipeline
    result = pipeline.check(settings)
    if args.json:
        return _report(report.success("validate", result))
    errors = [v for v in result.violations if v.is_error]
    if errors:
        print(f"kg validate: {len(errors)} violation(s):", file=sys.stderr)
        for v in errors:
            print(f"  - {v}", file=sys.stderr)
        return 1
    _warnings(result)
    print(_summary("validate", result))
    print("  conforms")
    return 0


def _report(rep: dict) -> int:
    sys.stdout.write(report.dumps(rep))
    return rep["exit_code"]


def _query_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("sparql", help="the query text, or @FILE to read it from a file, or - for stdin")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--dist", help="folder with the dumps (default: <root>/dist)")
    p.add_argument("--store", action="store_true", help="query the embedded store filled by `kg load` instead of dist/")
    p.add_argument("--sparql", metavar="URL", dest="sparql_url", help="ask this SPARQL endpoint (e.g. the triplestore `kg load` filled) "
                                                   "instead of dist/; credentials from KG_SPARQL_USER / KG_SPARQL_PASSWORD")
    p.add_argument("--store-dir", metavar="DIR", help="folder of the embedded store (default: <root>/.kg-store)")


def _query(args, settings: Settings) -> int:
    from . import query
    if args.sparql_url is not None:
        from .remote import endpoint
        st = endpoint(args.sparql_url)
    elif args.store:
        from . import store
        st = store.open_for_query(store.store_dir(settings.root, args.store_dir))
    else:
        st = query.open_store(Path(args.dist) if args.dist else settings.dist_dir)
    sys.stdout.write(query.render(query.run(st, _read_query(args.sparql)), args.format))
    return 0


def _init_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", help="the folder to make the project in: a new or empty one")


def _init(args, settings: Settings | None) -> int:
    from .init import NEXT_STEPS, init_project
    if not args.dir.strip():
        raise KgError("give the folder to make the project in", field="DIR")
    path = init_project(Path(args.dir))
    print(NEXT_STEPS.format(path=path))
    return 0


# name → (help, description, add_arguments, run)
COMMANDS: dict[str, tuple[str, str, Callable | None, Callable]] = {
    "build": ("read, map, validate and publish dist/",
              "Read data/, map to RDF, validate with SHACL, and write dist/ (Turtle, JSON-LD, "
              "N-Triples, N-Quads, gzip copies, void.ttl, SHA256SUMS).", _build_args, _build),
    "validate": ("read, map and validate; write nothing",
                 "Check data/ against the SHACL shapes. Exit 0 if it conforms, 1 if not.", None, _validate),
    "init": ("make a new project in a new or empty folder",
             "Make a new kg project: kg.toml with the dataset's identity, data/ with one example "
             "record and its facts, data/types.ttl for the project's own types, queries/ and a "
             "README with the next steps. It builds at once.", _init_args, _init),
    "query": ("run SPARQL over the published dumps",
              "Run a SELECT or ASK query over dist/ on an embedded store. "
              "The default graph is the merge of all named graphs (each triple once).", _query_args, _query),
}


NO_PROJECT = {"init"}  # commands that do not read a project's settings
JSON_REPORTS = {"build", "validate", "link"}  # commands with a --json report (see kg.report)


def _register(commands: dict) -> None:
    """Commands of other parts of kg (serve, site, …), each from its own CLI adapter."""
    for name, entry in commands.items():
        if name in COMMANDS:
            raise RuntimeError(f"command {name!r} registered twice")
        COMMANDS[name] = entry


from .serve.cli import COMMANDS as _SERVE  # noqa: E402 - adapters import nothing heavy
from .wikidata import cli as _link  # noqa: E402
from . import load_cli as _load  # noqa: E402
from . import check_cli as _check  # noqa: E402

_register({"link": (_link.HELP, _link.DESCRIPTION, _link.add_arguments, _link.run)})
_register({"load": ("load dist/ into a SPARQL triplestore (default: the embedded store)",
                    _load.DESCRIPTION, _load.add_arguments, _load.run)})
_register(_SERVE)
_register({"check": (_check.HELP, _check.DESCRIPTION, _check.add_arguments, _check.run)})


def _global_options(p: argparse.ArgumentParser, *, top: bool) -> None:
    """--root and --base, accepted before and after the command (``kg build --root X``)."""
    default = {} if top else {"default": argparse.SUPPRESS}  # a subcommand sets them only when given
    p.add_argument("--root", **({"default": "."} | default),
                   help="project folder holding data/, dist/ and kg.toml (default: .)")
    p.add_argument("--base", **default, help="IRI base of published nodes (default: kg.toml's base)")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Publish archive records and curated facts as a "
                                "CIDOC-CRM / schema.org knowledge graph.", epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    _global_options(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_, description, add_arguments, _) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_, description=description, epilog=_epilog(name))
        if name not in NO_PROJECT:
            _global_options(sp, top=False)
        if name in JSON_REPORTS:
            sp.add_argument("--json", action="store_true",
                            help="print a machine-readable report (JSON) on stdout instead of the summary")
        if add_arguments:
            add_arguments(sp)
    return p


LISTED_DOCUMENTS = 20  # the summary lists each document's counts up to this many documents


def _summary(command: str, result) -> str:
    c = result.counts()
    lines = [f"kg {command}: " + ", ".join(f"{v} {k}" for k, v in c.items())]
    per_document = result.document_counts()
    if len(per_document) > LISTED_DOCUMENTS:  # an archive: a line per document would bury the summary
        triples = sorted(dc["triples"] for dc in per_document.values())
        lines.append(f"  {len(per_document)} documents, {triples[0]}–{triples[-1]} triples each"
                     f" (each document's counts: kg {command} --json)")
        return "\n".join(lines)
    for number, dc in per_document.items():
        lines.append(f"  document {number}: " + ", ".join(f"{v} {k}" for k, v in dc.items()))
    return "\n".join(lines)


def _warnings(result) -> None:
    for w in result.warnings:
        print(f"kg: warning: {w}", file=sys.stderr)


def _read_query(arg: str) -> str:
    if arg == "-":
        return sys.stdin.read()
    if arg.startswith("@"):
        path = Path(arg[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as e:
            raise KgError(f"cannot read the query: {e.strerror}", path=path) from None
    return arg


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    as_json = getattr(args, "json", False)
    try:
        settings = None if args.command in NO_PROJECT else load_settings(args.root, base=args.base)
        with progress.off() if as_json else nullcontext():
            return COMMANDS[args.command][3](args, settings)
    except KgError as e:
        print(f"kg {args.command}: error: {e}", file=sys.stderr)
        if as_json:
            sys.stdout.write(report.dumps(report.failure(args.command, e)))
        return e.exit_code
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the last line of defence: say it is a bug
        print(f"kg {args.command}: internal error: {type(e).__name__}: {e} (this is a bug in kg)", file=sys.stderr)
        if as_json:
            sys.stdout.write(report.dumps(report.internal(args.command, e)))
        return 3
