"""Entity pages rendered once per build of dist/ and kept on disk beside the stores.

A page of a large archive costs tens of milliseconds of Python to make (a document's
texts, facts and evidence; a hub's hundred events per list), and all request threads share
one interpreter: eight clients asking for pages never asked before waited for each other.
So the HTML of every entity page is kept in the cache folder of the stores
(:mod:`kg.serve.storecache`), in ``html-<code>/``, where ``<code>`` is a digest of the
kg.serve code and templates that make pages (another kg gets another folder): a page is
rendered on its first request and kept, and answered from here afterwards, by this
server and the next ones over the same build (pages are not rendered in advance: for a
large archive that took longer than all the rest of the first start). The stores' key
already changes with the data, so a kept page is what rendering it now would give.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from .. import __version__


def code_key() -> str:
    """A digest of kg's version and the kg.serve modules and templates (what a page is made by)."""
    h = hashlib.sha256(__version__.encode("utf-8"))
    package = resources.files("kg.serve")
    for folder in (package, package.joinpath("templates")):
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if entry.is_file() and entry.name.endswith((".py", ".html")):
                h.update(entry.name.encode("utf-8") + b"\0" + entry.read_bytes())
    return h.hexdigest()[:16]


class Pages:
    """The kept HTML of the entity pages in ``folder`` (by path and page number)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.parent.glob("html-*"):  # other kg versions' pages
            if old != folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    def _file(self, path: str, page: int) -> Path:
        return self.folder / (hashlib.sha256(f"{path}\n{page}".encode("utf-8")).hexdigest()[:32] + ".html")

    def get(self, path: str, page: int) -> bytes | None:
        try:
            return self._file(path, page).read_bytes()
        except OSError:
            return None

    def put(self, path: str, page: int, body: bytes) -> None:
        """Keep ``body`` (written whole, then renamed: a reader never sees part of a page)."""
        write_whole(self._file(path, page), body)


def write_whole(path: Path, body: bytes) -> None:
    """``body`` into ``path`` by a temporary file renamed, or nowhere if the disk refuses."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        os.replace(tmp, path)
    except OSError:
        pass  # a full disk costs speed, not answers
