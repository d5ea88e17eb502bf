"""Who a record's header names, found in the registry: its translators and its archive.

The index is built once per build from the registry (not scanned per record), and the
build asks it about every record before mapping, so a new archive with many records and
new translators is told every missing registry entry in one message.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from .errors import FactsError
from .records import Record

MAX_LISTED = 30


class NameIndex:
    """Persons by any of their names; archives (groups typed archive) by label or name."""

    def __init__(self, entities: Mapping):
        self.persons: dict[str, str] = {}
        self.archives: dict[str, str] = {}
        for key in sorted(entities):
            e = entities[key]
            names = {e.label.casefold(), *(n.text.casefold() for n in e.names)}
            target = self.persons if e.kind == "person" else (
                self.archives if e.kind == "group" and e.type == "archive" else None)
            if target is not None:
                for n in names:
                    target.setdefault(n, key)

    def person(self, name: str) -> str | None:
        return self.persons.get(name.casefold())

    def archive(self, record: Record) -> str | None:
        """The archive the citation names, else one whose label or name is a part of the citation."""
        sm = record.shelfmark
        if sm and sm.archive.casefold() in self.archives:
            return self.archives[sm.archive.casefold()]
        parts = sorted({p.strip().casefold() for p in re.split(r"[,;:]", record.citation or "")})
        return next((self.archives[p] for p in parts if p in self.archives), None)


def names_archive(record: Record) -> bool:
    """Whether the citation names an archive kg read (else the holder stays unknown, with a warning)."""
    return bool(record.shelfmark and record.shelfmark.archive)


def check_records(index: NameIndex, records: Iterable[Record]) -> None:
    """Every translator and archive the records name is in the registry; else one error listing them all."""
    missing: list[tuple[str, str, str]] = []   # (where, kind, name as written)
    first = None
    for r in records:
        if index.archive(r) is None and names_archive(r):
            first = first or (r.path, r.lines.get("citation"), "citation")
            where = f"{r.path}:{r.lines.get('citation', 1)}"
            missing.append((where, "archive", r.shelfmark.archive if r.shelfmark else (r.citation or "")[:60]))
        for name in r.translators:
            if index.person(name) is None:
                first = first or (r.path, r.lines.get("translators"), "translators")
                missing.append((f"{r.path}:{r.lines.get('translators', 1)}", "person", name))
    if not missing:
        return
    names = sorted({(kind, name) for _, kind, name in missing})
    lines = [f"  {where}: {kind} {name!r}" for where, kind, name in missing[:MAX_LISTED]]
    if len(missing) > MAX_LISTED:
        lines.append(f"  … and {len(missing) - MAX_LISTED} more")
    persons = [f"    {_key(n)}: {{label: {_q(n)}}}" for k, n in names if k == "person"]
    groups = [f"    {_key(n)}: {{label: {_q(n)}, type: archive, names: [{{text: {_q(n)}, lang: en}}]}}"
              for k, n in names if k == "archive"]
    snippet = "\n".join((["  persons:", *persons] if persons else []) + (["  groups:", *groups] if groups else []))
    path, line, field = first
    raise FactsError(f"{len(names)} name(s) in the records' headers are not in the registry:\n" + "\n".join(lines)
                     + "\n  add them to data/registry.yaml (a key each; give archives their full name as label "
                       "and the cited form as a name), e.g.:\n" + snippet, path=path, line=line, field=field)


def _q(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's quoting is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold().encode("ascii", "ignore").decode()).strip("-") or "name"
