"""The one place that lists and reads the project's input files (``data/``).

Every file ``kg build`` reads goes through here, so every file gets the same checks:
it is a regular file (a named pipe, socket, device or folder is refused before it can
block or be read), it lies inside ``data/`` (a symbolic link is followed only when it
resolves inside ``data/``), it is no larger than its kind's limit, and text is UTF-8
without control characters. Each refusal is an :class:`InputError` naming the file.

The size limits keep every published literal (a record's text, a note, a passage) well
under the 16 MiB per N-Quads line that RDF stores such as pyoxigraph accept, even when
escaping doubles it.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import KgError, quote

MIB = 1024 * 1024
# Largest size of an input file, by suffix: records, curated YAML, the review table, kg.toml.
LIMITS = {".txt": 4 * MIB, ".yaml": 4 * MIB, ".tsv": 16 * MIB, ".toml": 1 * MIB}
STORE_LIMIT = "16 MiB per N-Quads line that pyoxigraph accepts"
DATA = "data"

# C0 controls other than tab, line feed, form feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


class InputError(KgError):
    """An input file is missing, not a regular file inside data/, too large or not text."""


def data_folder(path) -> Path:
    """The ``data`` folder holding ``path`` (its nearest ancestor of that name), else its folder."""
    return Path(_data_folder(os.path.abspath(path)))


def _data_folder(path: str) -> str:
    folder = parent = os.path.dirname(path)
    while True:
        if os.path.basename(folder) == DATA:
            return folder
        up = os.path.dirname(folder)
        if up == folder:
            return parent
        folder = up


def _what(mode: int) -> str | None:
    return next((name for test, name in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def _inside(path: Path, within: Path | None, root: str | None = None) -> Path:
    """The real path of ``path``, refused unless it resolves inside ``within`` (whose real
    path is ``root``, if the caller knows it)."""
    # os.path, not pathlib: this runs for every input file of every build
    name = os.fspath(path)
    folder = _data_folder(os.path.abspath(name)) if within is None else os.fspath(within)
    try:
        real = os.path.realpath(name, strict=True)
        root = os.path.realpath(folder) if root is None else root
    except FileNotFoundError:
        what = "it is a link to a missing file" if path.is_symlink() else "no such file"
        raise InputError(f"cannot read: {what}", path=path) from None
    except (OSError, RuntimeError) as e:
        raise InputError(f"cannot read: {getattr(e, 'strerror', None) or e}", path=path) from None
    if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
        raise InputError(f"leads (through a link) to {quote(real)}, outside {root}", path=path,
                         hint=f"kg reads only files inside {os.path.basename(os.path.normpath(folder))}/; "
                              "copy the file in instead of linking it")
    return Path(real)


def check_file(path, *, within=None, root: str | None = None) -> Path:
    """The real path of the regular file ``path`` inside ``within`` (default: its data folder;
    ``root``: its real path, if known)."""
    path = Path(path)
    real = _inside(path, within, root)
    try:
        what = _what(os.stat(real).st_mode)   # before opening: opening a device may act on it
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    if what:
        raise InputError(f"is {what}; expected a regular file", path=path)
    return real


_ledgers: list[dict[str, str]] = []


@contextmanager
def ledger() -> Iterator[dict[str, str]]:
    """Notes, for the block, the SHA-256 of every input file :func:`read_bytes` reads, by its
    absolute path: what a build read, for its provenance, without reading the files again."""
    read: dict[str, str] = {}
    _ledgers.append(read)
    try:
        yield read
    finally:
        _ledgers.remove(read)


def read_bytes(path, *, within=None) -> bytes:
    """The bytes of input file ``path``, checked; its suffix sets its size limit (:data:`LIMITS`)."""
    path = Path(path)
    limit = LIMITS.get(path.suffix, min(LIMITS.values()))
    real = check_file(path, within=within)
    try:
        fd = os.open(real, _OPEN_FLAGS)   # non-blocking: a FIFO swapped in cannot hang us
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    try:
        info = os.fstat(fd)
        what = _what(info.st_mode)
        if what:
            raise InputError(f"is {what}; expected a regular file", path=path)
        if info.st_size > limit:
            raise _too_large(path, info.st_size, limit)
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=path) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_large(path, len(data), limit)
    if _ledgers:
        digest = hashlib.sha256(data).hexdigest()
        for read in _ledgers:
            read[os.path.abspath(path)] = digest
    return data


def _too_large(path: Path, size: int, limit: int) -> InputError:
    return InputError(f"the file has {size} bytes, more than the {limit // MIB} MiB allowed for a "
                      f"'*{path.suffix}' input",
                      path=path, hint=f"the limit keeps every published text well under the {STORE_LIMIT}; "
                                      "split the file or shorten it")


def _line(text, end: int) -> int:
    """1-based line of position ``end``: CR LF, CR and LF each end a line."""
    head = text[:end]
    nl, cr, crlf = (b"\n", b"\r", b"\r\n") if isinstance(text, bytes) else ("\n", "\r", "\r\n")
    return head.count(nl) + head.count(cr) - head.count(crlf) + 1


def decode(data: bytes, path) -> str:
    """UTF-8 text of ``data`` (one leading BOM dropped), refused with control characters."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"the file is not UTF-8 text ({e.reason} at byte {e.start})", path=path,
                         line=_line(data, e.start), hint="save it as UTF-8") from None
    m = _CONTROL.search(text)
    if m:
        raise InputError(f"control character U+{ord(m[0]):04X}; expected text (tab, line breaks and "
                         "form feed are the only control characters allowed)",
                         path=path, line=_line(text, m.start()))
    return text[1:] if text.startswith("\ufeff") else text


def read_text(path, *, within=None) -> str:
    """The text of input file ``path``: checked like :func:`read_bytes`, then decoded."""
    return decode(read_bytes(path, within=within), Path(path))


def list_files(folder, suffix: str, *, within=None) -> list[Path]:
    """The files named ``*<suffix>`` in ``folder`` (none if it is missing), sorted, each checked."""
    folder = Path(folder)
    if not os.path.lexists(folder):
        return []
    within = data_folder(folder / "_") if within is None else within
    real = _inside(folder, within)
    if not real.is_dir():
        raise InputError("is not a folder; expected a folder of input files", path=folder)
    try:
        names = sorted(e.name for e in os.scandir(real) if e.name.endswith(suffix))
    except OSError as e:
        raise InputError(f"cannot list: {e.strerror}", path=folder) from None
    paths = [folder / n for n in names]
    try:
        root = os.path.realpath(within)
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=folder) from None
    for p in paths:
        check_file(p, within=within, root=root)
    return paths
