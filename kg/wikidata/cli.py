"""``kg link``: a thin layer over :mod:`kg.wikidata.link` (wired into ``kg.cli.COMMANDS``).

Settings come from the options, then from ``kg.toml``'s ``[wikidata]`` table (read and
checked by :mod:`kg.settings`; the README lists its keys), then from the defaults.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from ..errors import KgError
from ..facts import load_facts
from .. import report
from ..settings import Settings, wikidata_number
from . import link, review
from .client import WIKIDATA_API, ClientConfig

HELP = "find, review and report Wikidata links"
DESCRIPTION = (
    "Without a mode: ask the Wikidata API for candidates for every person, group, place and "
    "event without an accepted link (or only the KEYs given), score them, and add the best as "
    "'proposed' rows to data/wikidata/review.tsv. Nothing is published until a person accepts "
    "it with --accept.")
DEFAULT_CACHE = ".kg-cache/wikidata"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("keys", nargs="*", metavar="KEY", help="only these registry keys (default: all without a link)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--accept", nargs=2, metavar=("KEY", "QID"), help="KEY is the item QID: publish the link")
    mode.add_argument("--reject", nargs=2, metavar=("KEY", "QID"), help="KEY is not QID: never propose it again")
    mode.add_argument("--report", action="store_true", help="print linked / proposed / unlinked counts and open proposals")
    mode.add_argument("--seed", metavar="FILE", help="merge a list (entity, kind, qid, status, note): "
                      "verified rows are accepted, probable rows proposed")
    p.add_argument("--by", metavar="NAME", help="who decides (default: $KG_REVIEWER, else your login name)")
    p.add_argument("--evidence", metavar="TEXT", help="why: what was checked (stored with the decision)")
    p.add_argument("--review", metavar="FILE", help="the review file (default: data/wikidata/review.tsv)")
    net = p.add_argument_group("the API")
    net.add_argument("--endpoint", metavar="URL", help=f"api.php of Wikidata, a mirror or a Wikibase (default: {WIKIDATA_API})")
    net.add_argument("--contact", metavar="EMAIL_OR_URL", help="your e-mail or URL, sent in the User-Agent (kg.toml: [wikidata] contact)")
    net.add_argument("--user-agent", metavar="TEXT", help="a complete User-Agent instead of kg's own (must name a contact)")
    net.add_argument("--maxlag", type=int, metavar="SECONDS", help="maxlag sent with every request (default: 5)")
    net.add_argument("--timeout", type=float, metavar="SECONDS",
                     help="seconds allowed for one request, in total: connecting and reading the whole answer "
                          "(default: 20)")
    net.add_argument("--retries", type=int, metavar="N", help="retries after a timeout, 429, 5xx or bad answer (default: 4)")
    net.add_argument("--backoff", type=float, metavar="SECONDS", help="seconds before the first retry, doubled for each next one "
                     "(default: 1; a Retry-After from the server wins)")
    cache = p.add_argument_group("the response cache")
    cache.add_argument("--cache", metavar="DIR", help=f"cache folder (default: <root>/{DEFAULT_CACHE})")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    cache.add_argument("--offline", action="store_true", help="answer from the cache only; never use the network")
    cache.add_argument("--refresh", action="store_true", help="fetch again even what is cached")
    score = p.add_argument_group("proposals")
    score.add_argument("--min-score", type=float, default=0.5, metavar="X", help="propose candidates scoring at least this (default: 0.5)")
    score.add_argument("--max-new", type=int, default=3, metavar="N", help="new proposals per entity at most (default: 3)")
    score.add_argument("--verbose", "-v", action="store_true", help="print every candidate with its features")


def client_config(args, settings: Settings) -> ClientConfig:
    """The client's settings: options, then kg.toml's [wikidata] (checked in kg.settings), then defaults."""
    conf = settings.wikidata

    def pick(name: str, default):
        value = getattr(args, name, None)
        return value if value is not None else getattr(conf, name) if getattr(conf, name) is not None else default

    for name in ("maxlag", "timeout", "retries", "backoff"):
        if getattr(args, name, None) is not None:
            wikidata_number(name, getattr(args, name), option=True)
    cache = None
    if not args.no_cache:
        cache = Path(pick("cache", DEFAULT_CACHE))
        cache = cache if cache.is_absolute() else settings.root / cache
    if args.offline and args.refresh:
        raise KgError("--offline and --refresh contradict each other", field="--refresh")
    if args.offline and cache is None:
        raise KgError("--offline needs the cache", field="--no-cache")
    d = ClientConfig
    return ClientConfig(endpoint=pick("endpoint", d.endpoint), contact=pick("contact", None),
                        user_agent=pick("user_agent", None), maxlag=int(pick("maxlag", d.maxlag)),
                        timeout=float(pick("timeout", d.timeout)), retries=int(pick("retries", d.retries)),
                        backoff=float(pick("backoff", d.backoff)), max_bytes=pick("max_bytes", d.max_bytes),
                        cache_dir=cache, offline=args.offline, refresh=args.refresh)


def _reviewer(args) -> str:
    if args.by:
        return args.by
    try:
        return os.environ.get("KG_REVIEWER") or getpass.getuser()
    except (KeyError, OSError):
        raise KgError("cannot tell who you are", field="--by", hint="pass --by NAME") from None


def _save(path: Path, rows: list) -> bool:
    text = review.render(rows)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    review.write(path, rows)
    return True


def run(args, settings: Settings) -> int:
    path = Path(args.review) if args.review else settings.data_dir / review.PATH
    facts = load_facts(settings.data_dir, settings.namespaces)  # also checks the review file
    rows = review.read(path)
    review.check(path, rows, facts.entities)
    shown = _shown(path, settings)
    as_json = getattr(args, "json", False)
    if args.keys and (args.report or args.accept or args.reject or args.seed):
        raise KgError("KEY arguments only choose what to look up; --accept and --reject take their own KEY",
                      field="KEY", hint="kg link KEY … finds candidates; kg link --accept KEY QID decides")
    if args.report:
        if as_json:
            return _json("report", link.summary(rows, facts.entities))
        sys.stdout.write(link.report(rows, facts.entities))
        return 0
    if args.accept or args.reject:
        key, qid = args.accept or args.reject
        decide = link.accept if args.accept else link.reject
        rows = decide(rows, facts.entities, key, qid, by=_reviewer(args), evidence=args.evidence)
        changed = _save(path, rows)
        decision = "accepted" if args.accept else "rejected"
        if as_json:
            row = next(r for r in rows if (r.key, r.qid) == (key, qid))
            return _json("accept" if args.accept else "reject",
                         {"decision": link.row_fields(row), "review": shown, "written": changed})
        print(f"kg link: {key} {qid} {decision}; wrote {shown}")
        if args.accept:
            print("  run kg build to publish the link")
        return 0
    if args.seed:
        from .seed import seed
        rows, messages = seed(rows, Path(args.seed), facts.entities)
        changed = _save(path, rows)
        if as_json:
            return _json("seed", {"list": args.seed, "messages": messages, "review": shown, "written": changed})
        for m in messages:
            print(f"  {m}")
        print(f"kg link: seeded from {args.seed}; wrote {shown}")
        return 0
    return _propose(args, settings, facts, rows, path, shown, as_json)


def _json(mode: str, fields: dict) -> int:
    rep = report.link(mode, fields)
    sys.stdout.write(report.dumps(rep))
    return rep["exit_code"]


def _propose(args, settings: Settings, facts, rows, path: Path, shown: str, as_json: bool) -> int:
    import requests

    from .client import WikidataClient
    linked = {r.key: r.qid for r in rows if r.status == "accepted"}
    skipped = [{"key": key, "qid": linked[key]} for key in args.keys if key in linked]
    if not as_json:
        for s in skipped:
            print(f"  {s['key']}: already linked to {s['qid']}; skipped "
                  f"(kg link --reject {s['key']} {s['qid']} to undo)")
    config = client_config(args, settings)
    if not config.offline:
        config.agent()                           # fail now, not after the first search
    with requests.Session() as session:
        client = WikidataClient(config, session)
        merged, outcomes = link.propose(client, facts, rows, keys=args.keys or None,
                                        min_score=args.min_score, max_new=args.max_new)
    before = {(r.key, r.qid): r.status for r in rows}
    new = [r for r in merged if (r.key, r.qid) not in before]
    changed = _save(path, merged)
    st = client.stats
    if as_json:
        return _json("propose", {
            "searched": len(outcomes), "skipped": skipped,
            "entities": [_outcome_fields(o, args.min_score) for o in outcomes],
            "new": [link.row_fields(r) for r in new],
            "http": {"requests": st.requests, "retries": st.retries, "cache_hits": st.cache_hits,
                     "waited": round(st.waited, 3)},
            "review": shown, "written": changed})
    for o in outcomes:
        _print_outcome(o, args.verbose, args.min_score)
    print(f"kg link: {len(outcomes)} entities without a link; {len(new)} new proposal{'' if len(new) == 1 else 's'}; "
          f"{st.requests} HTTP requests ({st.retries} retries), {st.cache_hits} answers from the cache")
    print(f"  {'wrote' if changed else 'unchanged:'} {shown}; review with: kg link --report")
    return 0


def _outcome_fields(o: link.Outcome, min_score: float) -> dict:
    """One entity searched, as the --json report shows it: its searches and every candidate."""
    return {"key": o.key, "searches": [{"text": t, "language": lang} for t, lang in o.searched],
            "candidates": [{"qid": s.candidate.qid, "score": s.score, "label": s.candidate.label,
                            "description": s.candidate.description, "proposed": s.candidate.qid in o.proposed,
                            "below_min_score": s.score < min_score,
                            "features": {n: f.value for n, f in s.features.items()}, "explain": s.explain()}
                           for s in o.ranked]}


def _print_outcome(o: link.Outcome, verbose: bool, min_score: float) -> None:
    if not o.ranked:
        if verbose:
            print(f"  {o.key}: no candidates ({len(o.searched)} searches)")
        return
    for i, s in enumerate(o.ranked):
        c = s.candidate
        mark = "proposed" if c.qid in o.proposed else f"below {min_score:.2f}" if s.score < min_score else "not kept"
        if i == 0 or verbose:
            print(f"  {o.key}: {c.qid} {s.score:.2f} {mark}: {c.label} — {c.description}")
            if verbose or c.qid not in o.proposed:
                print(f"      {s.explain()}")


def _shown(path: Path, settings: Settings) -> str:
    try:
        return str(path.resolve().relative_to(settings.root))
    except ValueError:
        return str(path)
