"""Where a build may write its dumps: never into ``data/``, never over a folder kg did not write.

A build replaces its output folder as a whole, so the folder must be one kg wrote before
(recognised by its ``SHA256SUMS``: every file in the folder is listed there with the
checksum it still has, ``void.ttl`` among them, and nothing else is there), an empty
folder, or a new one. Anything else is refused with exit 2 and left as it was.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import PublishError, quote

SUMS = "SHA256SUMS"
MAX_SUMS_BYTES = 1 << 20


def check_target(dist: Path, keep: tuple[Path, ...] = ()) -> None:
    """Raise :class:`PublishError` unless a build may replace ``dist``.

    ``keep`` are folders the output must neither be, sit inside, nor contain (the
    project's ``data/``: so neither ``data/`` nor the project root can be the output).
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
        reason = _not_ours(dist)
    except (OSError, RuntimeError) as e:  # unreadable, or a symlink loop
        raise PublishError(f"cannot inspect the output folder: {getattr(e, 'strerror', None) or e}",
                           path=dist) from None
    if reason:
        raise PublishError(f"the output folder is not empty and not a dist/ kg wrote ({reason}); "
                           "kg replaces only its own output", path=dist,
                           hint="give a new or empty folder, or move this one away")


def _not_ours(folder: Path) -> str | None:
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
    for name, digest in sorted(listed.items()):
        path = folder / name
        if path.is_symlink() or not path.is_file():
            return f"{quote(name)} is listed in {SUMS} but is not a file there"
        with path.open("rb") as f:
            if hashlib.file_digest(f, "sha256").hexdigest() != digest:
                return f"{quote(name)} differs from its {SUMS} line"
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
