"""Who a record's header names — its translators and its archive — as entities of the build.

A name is looked up in the project's registry first (by key, label or any of its names),
then, for an archive, in kg's default archives (:mod:`kg.archives`); a name found in
neither is published from the record itself: a person, or a group of type archive, keyed
by the slug the curation snippet proposes (so curating it later under that key keeps its
IRI), labelled with the name as written, with that spelling as a name the documents' headers
use. The build then prints one warning listing every such name with the YAML to curate it.

Keys are deterministic: one slug is one entity (two spellings with the same slug, e.g.
with and without accents, are one entity labelled with the spelling of the first record
in file order, and keep both spellings as names — one name node where they differ only in
accents, since name IRIs drop accents); a slug already taken by a registry or
default entry of another kind gets the kind as suffix (``moscow-person``).
The index is built once per build (not scanned per record).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from .iris import slug
from .records import Record

MAX_LISTED = 30
SOURCE_ORDER = {"registry": 0, "default": 1, "header": 2}   # who wins a name claimed twice


class NameIndex:
    """Persons by key or any of their names; archives (groups typed archive) by key, label or name.
    Registry entries win over kg's defaults, and these over names minted from headers."""

    def __init__(self, entities: Mapping):
        self.persons: dict[str, str] = {}
        self.archives: dict[str, str] = {}
        self.keys: dict[str, tuple[str, str | None]] = {}   # key → (kind, type)
        for key in sorted(entities, key=lambda k: (SOURCE_ORDER.get(getattr(entities[k], "source", "registry"), 0), k)):
            e = entities[key]
            self.keys[key] = (e.kind, e.type)
            names = {e.label.casefold(), *(n.text.casefold() for n in e.names)}
            target = self.persons if e.kind == "person" else (
                self.archives if e.kind == "group" and e.type == "archive" else None)
            if target is not None:
                for n in names:
                    target.setdefault(n, key)

    def person(self, name: str) -> str | None:
        found = self.persons.get(name.casefold())
        key = slug_key(name)
        return found or (key if self.keys.get(key, ("",))[0] == "person" else None)

    def archive(self, record: Record) -> str | None:
        """The archive the citation names (by name, else by key), else one whose label or name
        is a part of the citation."""
        sm = record.shelfmark
        if sm and sm.archive:
            found = self.archives.get(sm.archive.casefold())
            if found or self.keys.get(slug_key(sm.archive)) == ("group", "archive"):
                return found or slug_key(sm.archive)
        parts = sorted({p.strip().casefold() for p in re.split(r"[,;:]", record.citation or "")})
        return next((self.archives[p] for p in parts if p in self.archives), None)


def names_archive(record: Record) -> bool:
    """Whether the citation names an archive kg read (else the holder stays unknown, with a warning)."""
    return bool(record.shelfmark and record.shelfmark.archive)


@dataclass(frozen=True)
class _Use:
    path: object     # the record file
    line: int
    kind: str        # 'person' | 'archive'
    name: str        # as written

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def header_entities(entities: Mapping, records: Iterable[Record]) -> tuple[dict, str | None]:
    """The build's entities: the registry's, the default archives the records cite, and one
    entity minted for each other header name; and the one warning naming the minted ones
    (None when there are none)."""
    from .archives import default_archives
    out = dict(entities)
    registry = NameIndex(entities)
    defaults = {k: e for k, e in default_archives().items() if k not in entities}
    default_index = NameIndex(defaults)
    uses: list[_Use] = []
    for r in records:
        if registry.archive(r) is None and names_archive(r):
            key = default_index.archive(r)
            if key is not None:
                out[key] = defaults[key]
            else:
                uses.append(_Use(r.path, r.lines.get("citation", 1), "archive", r.shelfmark.archive))
        for name in r.translators:
            if registry.person(name) is None:
                uses.append(_Use(r.path, r.lines.get("translators", 1), "person", name))
    if not uses:
        return out, None
    minted, keys = _mint(uses, {**defaults, **out})
    out.update(minted)
    return out, _warning(uses, minted, keys)


def _mint(uses: list[_Use], taken: Mapping) -> tuple[dict, list[str]]:
    """One entity per key of the unknown names, in the order first used, and the key of each
    use. A key that a registry or default entry has, or that a minted entity of another kind
    has, takes the kind as suffix (then a number). Spellings that differ only in accents
    share one name node (its IRI drops accents): the first is kept."""
    from .facts import Entity, Name, Origin
    kinds = {"person": ("person", None), "archive": ("group", "archive")}
    minted: dict = {}
    keys = []
    for use in uses:
        kind, typ = kinds[use.kind]
        base = key = slug_key(use.name)
        n = 1
        while key in taken or (key in minted and (minted[key].kind, minted[key].type) != (kind, typ)):
            key = f"{base}-{use.kind}" + (f"-{n}" if n > 1 else "")
            n += 1
        keys.append(key)
        e = minted.get(key)
        if e is None:
            minted[key] = Entity(kind=kind, key=key, label=use.name, type=typ, wikidata=None, description=None,
                                 names=(Name(use.name, "en"),), part_of=None, planned=False,
                                 origin=Origin(use.path, use.line), source="header")
        elif slug(use.name) not in (slug(x.text) for x in e.names):
            minted[key] = replace(e, names=e.names + (Name(use.name, "en"),))
    return minted, keys


def _warning(uses: list[_Use], minted: Mapping, keys: list[str]) -> str:
    lines = [f"  {u.where}: {u.kind} {_q(_cut(u.name))} → {_cut(k)}" for u, k in zip(uses[:MAX_LISTED], keys)]
    if len(uses) > MAX_LISTED:
        lines.append(f"  … and {len(uses) - MAX_LISTED} more")
    spellings: dict[str, list[str]] = {}
    for u, k in zip(uses, keys):
        if u.name not in spellings.setdefault(k, []):
            spellings[k].append(u.name)
    for key, written in spellings.items():
        if len(written) > 1:
            lines.append(f"  {_cut(key)}: spelled " + " and ".join(_q(_cut(n)) for n in written)
                         + "; published as one (curate them apart if they are not)")
    persons = [f"    {k}: {{label: {_q(e.label)}}}" for k, e in sorted(minted.items()) if e.kind == "person"]
    groups = [f"    {k}: {{label: {_q(e.label)}, type: archive, names: [{{text: {_q(e.label)}, lang: en}}]}}"
              for k, e in sorted(minted.items()) if e.kind == "group"]
    snippet = "\n".join((["  persons:", *persons] if persons else []) + (["  groups:", *groups] if groups else []))
    return (f"{len(minted)} name(s) in the records' headers are not in the registry; each is published "
            "from the records that name it:\n" + "\n".join(lines)
            + "\n  to curate them, add them to data/registry.yaml under these keys (their IRIs stay; give "
              "archives their full name as label and the cited form as a name), e.g.:\n" + snippet)


def _cut(text: str, limit: int = 60) -> str:
    """``text`` for a listing line: at most ``limit`` characters (the snippet keeps it whole)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _q(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's quoting is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def slug_key(name: str) -> str:
    """The registry key proposed for a name: lower-case ASCII words joined by '-' (letters
    lose their accents; a name without Latin letters is transliterated or percent-encoded
    as in IRIs, so distinct names keep distinct keys)."""
    ascii_ = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")
    if not re.search(r"[a-z]", key):
        key = re.sub(r"[^a-z0-9]+", "-", slug(name).lower()).strip("-")
    return key or "name"
