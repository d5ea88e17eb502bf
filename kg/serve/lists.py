"""An entity page's long lists: in their order, one page at a time, the order kept on disk for hubs.

A person of a large archive took part in thousands of events and carried out tens of
thousands of acts; a page lists at most :data:`PAGE` items of each list, and ``?page=2``
the next ones, in the same order as one long page would (a page of an entity whose lists
are all shorter is what it always was). The incoming statements are bounded as before
(the first :data:`BACK` and their number).

Ordering a list by time needs each item's date and label, which costs a lookup or three
per item: for an entity that many triples point at (a hub, :data:`HUB` or more), the
ordered lists are worked out once, when the stores are built (:func:`precompute`), and
kept as one JSON file per hub in the cache's ``lists/`` folder; other entities' lists
are ordered as the page is made.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

PAGE = 100      # items of each list on one page
BACK = 300      # incoming statements listed (their number is given in full)
HUB = 200       # triples pointing at an entity from which its lists are worked out in advance


def pages(*lengths: int) -> int:
    """How many pages lists of ``lengths`` take (at least one)."""
    return max([1] + [-(-n // PAGE) for n in lengths])


def window(items: list, page: int) -> list:
    """The items on page ``page`` (1-based)."""
    return items[(page - 1) * PAGE:page * PAGE]


def _file(folder: Path, iri: str) -> Path:
    return folder / (hashlib.sha256(iri.encode("utf-8")).hexdigest()[:32] + ".json")


class Kept:
    """The ordered lists of the hubs, read from ``folder`` (``None``: nothing kept, all worked out live)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.get = lru_cache(maxsize=256)(self._read)

    def _read(self, iri: str) -> dict | None:
        if self.folder is None:
            return None
        try:
            data = json.loads(_file(self.folder, iri).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("iri") == iri else None


def precompute(g, folder: Path, ordered) -> int:
    """Work out the lists of every hub into ``folder`` (a new one, renamed into place when
    complete); ``ordered(g, iri)`` gives an entity's lists by name. Returns the hubs' number."""
    found = g.store.query(
        "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?o)) } GROUP BY ?o HAVING (COUNT(*) >= %d)" % HUB)
    hubs = sorted(o.value for o, _ in found if o.value.startswith(g.base))
    work = folder.with_name(folder.name + f".build-{os.getpid()}")
    work.mkdir(parents=True, exist_ok=True)
    for iri in hubs:
        _file(work, iri).write_text(json.dumps({"iri": iri, **ordered(g, iri)}, ensure_ascii=False), encoding="utf-8")
    try:
        os.replace(work, folder)
    except OSError:  # another server worked them out first
        for f in work.iterdir():
            f.unlink()
        work.rmdir()
    return len(hubs)
