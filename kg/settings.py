"""The one frozen settings object a build runs with; nothing else holds configuration."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import KgError

DEFAULT_BASE = "https://kg.example.org/"
CONFIG_FILE = "kg.toml"


@dataclass(frozen=True)
class Settings:
    """Where inputs and outputs live, and the IRI base of every published node."""

    root: Path
    base: str = DEFAULT_BASE
    source_date_epoch: int | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def load_settings(root: Path | str = ".", base: str | None = None) -> Settings:
    """Read ``kg.toml`` in ``root`` (if any), then apply overrides and ``SOURCE_DATE_EPOCH``."""
    root = Path(root).resolve()
    conf: dict = {}
    path = root / CONFIG_FILE
    if path.exists():
        try:
            conf = tomllib.loads(path.read_text(encoding="utf-8")).get("kg", {})
        except tomllib.TOMLDecodeError as e:
            raise KgError(f"not valid TOML: {e}", path=path) from None
    base = base or conf.get("base", DEFAULT_BASE)
    if not (base.startswith("http://") or base.startswith("https://")) or not base.endswith(("/", "#")):
        raise KgError(f"base IRI {base!r} must be an http(s) IRI ending in '/'", path=path, field="base")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not epoch.isdigit():
        raise KgError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds", field="SOURCE_DATE_EPOCH")
    return Settings(root=root, base=base, source_date_epoch=int(epoch) if epoch else None)
