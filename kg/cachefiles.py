"""The files of a build cache's folder (``.kg-cache/<name>/``): each entry written whole or not
at all, read only when it is a regular file of a sane size, and removed once no build uses it.

A cache is only a cache: a failure to read or write an entry is never an error (it costs
time, not answers), so these functions report nothing.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Collection
from pathlib import Path


def read_entry(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of the entry ``path``, or None (missing, a link, not a regular file, too large)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > max_bytes:
            return None
        return path.read_bytes()
    except OSError:
        return None


def write_entry(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed over it; any error leaves the
    folder as it was."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:
            os.unlink(tmp)
            raise
    except OSError:
        return


def prune(folder: Path, suffix: str, used: Collection[str]) -> None:
    """Remove the entries (``<key><suffix>``) of ``folder`` whose key is not in ``used``."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for p in folder.iterdir():
        if p.suffix == suffix and p.stem not in used:
            try:
                p.unlink()
            except OSError:
                pass
