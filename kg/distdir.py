"""Where a build may write its dumps: never into ``data/``, never over a folder kg did not write.

A build replaces its output folder as a whole, so the folder must be one kg wrote before
(recognised by its ``SHA256SUMS``: every file in the folder is listed there with the
checksum it still has, ``void.ttl`` among them, and nothing else is there), an empty
folder, or a new one. Anything else is refused with exit 2 and left as it was.

Checking the checksums reads the whole previous output (gigabytes for a large archive), so
the check before a build's work (``in_background``) does everything else at once and
checks the checksums in a thread while the build works; the check before the output is
replaced waits for that result if the folder's files are still the ones it read (names,
sizes, modification times), and checks them again otherwise.

A build that keeps a cache also notes there what the folder it wrote looks like on disk
(:func:`remember`: each file's name, inode, size, and modification and change times). The
next build trusts a folder that still looks exactly so without reading it: a file cannot be
written, replaced or touched without its change time moving (only the clock could set it
back). A folder that looks otherwise is checked by its checksums, as above.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import Future
from pathlib import Path

from .cachefiles import read_entry, write_entry
from .errors import PublishError, quote

SUMS = "SHA256SUMS"
MAX_SUMS_BYTES = 1 << 20

_pending: dict[Path, tuple[tuple, Future]] = {}  # a folder → what its files were, and their checksums' verdict


def check_target(dist: Path, keep: tuple[Path, ...] = (), *, in_background: bool = False,
                 written: Path | None = None) -> None:
    """Raise :class:`PublishError` unless a build may replace ``dist``.

    ``keep`` are folders the output must neither be, sit inside, nor contain (the
    project's ``data/``: so neither ``data/`` nor the project root can be the output).
    With ``in_background``, the files' checksums are checked in a thread, and the next
    check of the same folder waits for that verdict. ``written`` is the file where the last
    build noted the folder it wrote (:func:`remember`); a folder that is still so is not read.
    """
    dist = Path(dist)
    try:
        real = dist.resolve()
        for folder in keep:
            folder = Path(folder).resolve()
            if real == folder or folder in real.parents or real in folder.parents:
                raise PublishError(f"the output folder must not be, contain or sit inside {folder}", path=dist,
                                   hint="give a folder of its own for the dumps, such as dist/")
        if dist.is_symlink():
            raise PublishError("the output folder is a symbolic link", path=dist, hint="give the folder it points to")
        if not dist.exists():
            return
        if not dist.is_dir():
            raise PublishError("the output exists and is not a folder", path=dist)
        reason = _not_ours(dist, real, in_background, written)
    except (OSError, RuntimeError) as e:  # unreadable, or a symlink loop
        raise PublishError(f"cannot inspect the output folder: {getattr(e, 'strerror', None) or e}",
                           path=dist) from None
    if reason:
        raise PublishError(f"the output folder is not empty and not a dist/ kg wrote ({reason}); "
                           "kg replaces only its own output", path=dist,
                           hint="give a new or empty folder, or move this one away")


def _not_ours(folder: Path, real: Path, in_background: bool, written: Path | None) -> str | None:
    """Why ``folder`` is not empty and not a previous build's output, or None."""
    names = {p.name for p in folder.iterdir()}
    if not names:
        return None
    sums = folder / SUMS
    if SUMS not in names or sums.is_symlink() or not sums.is_file():
        return f"no {SUMS}"
    if sums.stat().st_size > MAX_SUMS_BYTES:
        return f"{SUMS} is too large"
    listed = _parse_sums(sums.read_bytes())
    if listed is None:
        return f"{SUMS} is not one kg wrote"
    if "void.ttl" not in listed:
        return f"{SUMS} lists no void.ttl"
    extra = sorted(names - set(listed) - {SUMS})
    if extra:
        return f"{quote(extra[0])} is not listed in {SUMS}"
    for name in sorted(listed):
        path = folder / name
        if path.is_symlink() or not path.is_file():
            return f"{quote(name)} is listed in {SUMS} but is not a file there"
    if as_written(real, written):
        return None
    seen = _snapshot(folder, names)
    pending = _pending.pop(real, None)
    if pending is not None and pending[0] == seen:
        return pending[1].result()
    if in_background:
        verdict: Future = Future()

        def check() -> None:
            try:
                verdict.set_result(_changed(folder, listed))
            except BaseException as e:  # handed to whoever waits for the verdict
                verdict.set_exception(e)

        _pending[real] = (seen, verdict)
        threading.Thread(target=check, name="kg-dist-check", daemon=True).start()
        return None
    return _changed(folder, listed)


def _snapshot(folder: Path, names: set[str]) -> tuple:
    """What identifies the folder's files without reading them."""
    out = []
    for name in sorted(names):
        st = os.stat(folder / name, follow_symlinks=False)
        out.append((name, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(out)


def _record(real: Path, seen: tuple) -> dict:
    return {"folder": str(real), "files": [list(f) for f in seen]}


def _recorded(written: Path) -> dict | None:
    data = read_entry(written, MAX_SUMS_BYTES)
    try:
        return json.loads(data) if data is not None else None
    except ValueError:
        return None


def remember(dist: Path, written: Path) -> None:
    """Note in ``written`` how the folder ``dist`` a build has just written looks on disk
    (a failure to note it only costs the next build a reading of the folder)."""
    try:
        real = Path(dist).resolve()
        seen = _snapshot(real, {p.name for p in real.iterdir()})
    except OSError:
        return
    write_entry(written, json.dumps(_record(real, seen), sort_keys=True).encode("utf-8"))


def as_written(dist: Path, written: Path | None) -> bool:
    """Whether ``dist`` looks exactly as the build that noted it in ``written`` wrote it
    (:func:`remember`): then its files are what its ``SHA256SUMS`` lists, without reading them."""
    if written is None:
        return False
    try:
        real = Path(dist).resolve()
        seen = _snapshot(real, {p.name for p in real.iterdir()})
    except OSError:
        return False
    return _recorded(written) == _record(real, seen)


def _changed(folder: Path, listed: dict[str, str]) -> str | None:
    """The first file whose bytes differ from its ``SHA256SUMS`` line (why), or None."""
    for name, digest in sorted(listed.items()):
        try:
            with (folder / name).open("rb") as f:
                if hashlib.file_digest(f, "sha256").hexdigest() != digest:
                    return f"{quote(name)} differs from its {SUMS} line"
        except OSError as e:
            return f"{quote(name)} cannot be read ({e.strerror})"
    return None


def _parse_sums(data: bytes) -> dict[str, str] | None:
    """``name → sha256`` of a ``SHA256SUMS`` as kg writes it, or None if it is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out = {}
    for line in text.splitlines():
        digest, sep, name = line.partition("  ")
        if (not sep or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest)
                or not name or "/" in name or name in (".", "..", SUMS) or name in out):
            return None
        out[name] = digest
    return out or None
