"""An entity page's long lists: in their order, one page at a time, the order kept on disk for hubs.

A person of a large archive took part in thousands of events and carried out tens of
thousands of acts; a page lists at most :data:`PAGE` items of each list, and ``?page=2``
the next ones, in the same order as one long page would (a page of an entity whose lists
are all shorter is what it always was). The incoming statements are bounded as before
(the first :data:`BACK` and their number).

Ordering a list by time needs each item's date and label, which costs a lookup or three
per item: for an entity that many triples point at (a hub, :data:`HUB` or more), the
ordered lists are worked out once, on the first request for one of its pages
(:class:`Kept`), and kept as one JSON file per hub in the cache's ``lists/`` folder;
other entities' lists are ordered as the page is made.
"""
from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .pagecache import write_whole

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
    """The ordered lists of the hubs, kept in ``folder`` (``None``: nothing kept, all worked out live).

    ``get(iri)`` gives a hub's lists — read from its file, or worked out now by ``ordered(g, iri)``
    (a function giving an entity's lists by name) and written there — and ``None`` for an
    entity that is no hub (its lists are worked out as its page is made)."""

    def __init__(self, folder: Path | None, g=None, ordered=None):
        self.folder, self.g, self.ordered = folder, g, ordered
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.get = lru_cache(maxsize=256)(self._get)

    def _get(self, iri: str) -> dict | None:
        if self.folder is None:
            return None
        found = self._read(iri)
        if found is not None or self.ordered is None or not is_hub(self.g, iri):
            return found
        with self._guard:
            lock = self._locks.setdefault(iri, threading.Lock())
        with lock:  # eight clients asking for a new hub's pages: it is worked out once
            found = self._read(iri)
            if found is None:
                text = json.dumps({"iri": iri, **self.ordered(self.g, iri)}, ensure_ascii=False)
                write_whole(_file(self.folder, iri), text.encode("utf-8"))
                found = json.loads(text)  # as it reads back: the same lists whether kept or not
        with self._guard:
            self._locks.pop(iri, None)
        return found

    def _read(self, iri: str) -> dict | None:
        try:
            data = json.loads(_file(self.folder, iri).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("iri") == iri else None


def is_hub(g, iri: str) -> bool:
    """Whether :data:`HUB` or more triples of the pages' graph point at the IRI ``iri`` below the base."""
    if not iri.startswith(g.base):
        return False
    try:
        obj = ox.NamedNode(iri)
    except ValueError:
        return False
    n = 0
    for _ in g.store.quads_for_pattern(None, None, obj, ox.DefaultGraph()):
        n += 1
        if n >= HUB:
            return True
    return False
