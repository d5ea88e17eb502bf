"""kg's default archives (``ontology/archives.yaml``, package data), read once per process.

A record that cites one of them by any of its names needs no registry entry; the project's
registry overrides a default that has the same key or one of the same names
(:mod:`kg.names` decides which is used).
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from .facts import Entity, Name, Origin

FILE = "archives.yaml"


@lru_cache(maxsize=1)
def default_archives() -> dict[str, Entity]:
    """Key → archive (a group of type archive, ``source='default'``), in the file's order."""
    text = resources.files("kg._ontology").joinpath(FILE).read_text(encoding="utf-8")
    path = Path("kg") / "ontology" / FILE   # where an origin points: kg's own file
    lines = text.split("\n")
    out = {}
    for key, entry in yaml.safe_load(text)["groups"].items():
        line = next(n for n, s in enumerate(lines, 1) if s.strip() == f"{key}:")
        names = tuple(Name(n["text"], n["lang"]) for n in entry.get("names", ()))
        out[key] = Entity(kind="group", key=key, label=entry["label"], type="archive", wikidata=entry.get("wikidata"),
                          description=entry.get("description"), names=names, part_of=None, planned=False,
                          origin=Origin(path, line), source="default")
    return out
