"""``kg init DIR``: a new project that builds at once, from the template kg installs.

The template (``kg/templates/project/``) holds kg.toml with the dataset's identity and
namespaces, a ``data/`` folder with one example record and its facts, an empty Wikidata
review table, a commented ``data/types.ttl`` (its ``kgt:`` prefix the type namespace of the
template's ``vocabulary``), a ``queries/`` folder and a README with the next steps.
The project is written to a temporary folder beside DIR and renamed into place, so a
failure leaves nothing half-made; DIR may be missing or empty, never anything else.
"""
from __future__ import annotations

import os
import shutil
import secrets
import tomllib
from datetime import datetime, timezone
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from .errors import KgError
from .namespaces import Namespaces

TEMPLATE = "templates/project"
TODAY = "@TODAY@"  # replaced in kg.toml by the date the project is made
TYPES = "@TYPES@"  # replaced in data/types.ttl by the type namespace of kg.toml's vocabulary


def init_project(target: Path | str) -> Path:
    """Make a new project in ``target`` (missing or empty); return its path."""
    target = Path(target)
    _check_target(target)
    parent = target.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = parent / f".{target.name}.kg-init-{secrets.token_hex(6)}"
        tmp.mkdir()  # with the user's umask, unlike mkdtemp's 0700
    except OSError as e:
        raise KgError(f"cannot create the project folder: {e.strerror}", path=target) from None
    try:
        template = resources.files("kg").joinpath(TEMPLATE)
        _copy(template, tmp, _placeholders(template))
        if target.is_dir():
            target.rmdir()  # empty: checked above
        tmp.rename(target)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise KgError(f"cannot write the project: {e.strerror}", path=target) from None
    return target


def _check_target(target: Path) -> None:
    if not os.path.lexists(target):
        return
    if target.is_symlink() or not target.is_dir():
        raise KgError("exists and is not a folder", path=target, hint="give a new or empty folder")
    try:
        empty = next(os.scandir(target), None) is None
    except OSError as e:
        raise KgError(f"cannot read the folder: {e.strerror}", path=target) from None
    if not empty:
        raise KgError("the folder is not empty; kg init makes a project only in a new or empty folder",
                      path=target, hint="choose another folder, or run kg commands with --root here")


def _placeholders(template: Traversable) -> dict[str, tuple[str, str]]:
    """File name → (placeholder, value): today's date in kg.toml, and in data/types.ttl the type
    namespace that follows from the template kg.toml's ``vocabulary``."""
    conf = tomllib.loads(template.joinpath("kg.toml").read_text(encoding="utf-8"))
    today = datetime.now(timezone.utc).date().isoformat()
    return {"kg.toml": (TODAY, today), "types.ttl": (TYPES, Namespaces(conf["kg"]["vocabulary"]).types)}


def _copy(source: Traversable, dest: Path, placeholders: dict[str, tuple[str, str]]) -> None:
    for item in sorted(source.iterdir(), key=lambda t: t.name):
        if item.name == "__pycache__":
            continue
        if item.is_dir():
            (dest / item.name).mkdir()
            _copy(item, dest / item.name, placeholders)
            continue
        data = item.read_bytes()
        if item.name in placeholders:
            mark, value = placeholders[item.name]
            data = data.replace(mark.encode(), value.encode())
        (dest / item.name).write_bytes(data)


NEXT_STEPS = """\
made a new kg project in {path}
  next: edit kg.toml (base IRI, vocabulary namespace, title, licence, publisher), then
        kg --root {path} build
  and see {path}/README.md for adding your records."""
