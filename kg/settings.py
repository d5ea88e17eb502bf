"""The one frozen settings object a build runs with; nothing else holds configuration.

``kg.toml`` is read here and only here, once, and each of its values checked once, errors
naming the file and the field: ``[kg]`` (base, vocabulary, modified), ``[dataset]`` (the
dataset's identity) and ``[wikidata]`` (how ``kg link`` asks the API).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from .errors import KgError, quote
from .inputs import read_text
from .iris import is_http_iri
from .namespaces import CANONICAL, LAYOUT, Namespaces

DEFAULT_BASE = "https://kg.example.org/"
CONFIG_FILE = "kg.toml"
IDENTITY_TABLE = "dataset"
WIKIDATA_TABLE = "wikidata"
DEFAULT_MODIFIED = "2026-01-01"   # the build time without SOURCE_DATE_EPOCH or kg.toml's modified
DEFAULT_TITLE = "kg dataset"
DEFAULT_ARCHIVE = "archive"
MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z, the last second a build time can name
# Characters an IRI never holds (RFC 3987): controls, space, and <>"{}|\^`.


@dataclass(frozen=True)
class Identity:
    """The dataset's identity, from ``[dataset]`` in kg.toml: what ``void.ttl`` says it is."""

    title: str = DEFAULT_TITLE
    description: str | None = None
    license: str | None = None
    publisher: str | None = None
    publisher_iri: str | None = None
    archive: str = DEFAULT_ARCHIVE   # how the records' portal names its documents ("… document 121976")


@dataclass(frozen=True)
class WikidataSettings:
    """``[wikidata]`` in kg.toml, checked; None where it says nothing (then ``kg link``'s own
    defaults apply; its options win over both)."""

    contact: str | None = None        # e-mail or URL sent in the User-Agent
    user_agent: str | None = None     # a complete User-Agent instead of kg's own
    endpoint: str | None = None       # api.php of Wikidata, a mirror or a Wikibase
    cache: str | None = None          # the response cache, relative to the project folder
    maxlag: int | None = None
    timeout: float | None = None      # seconds per request, in total
    retries: int | None = None
    backoff: float | None = None      # seconds before the first retry, then doubled
    max_bytes: int | None = None      # the largest answer read


WIKIDATA_TEXTS = ("contact", "user_agent", "endpoint", "cache")
# The numbers of [wikidata]: name → (kind, the lowest value allowed).
WIKIDATA_NUMBERS: dict[str, tuple[type, float]] = {
    "maxlag": (int, 0), "timeout": (float, 0.001), "retries": (int, 0), "backoff": (float, 0), "max_bytes": (int, 1)}


@dataclass(frozen=True)
class Settings:
    """Where inputs and outputs live, the IRI base of every published node, the namespaces of
    kg's terms (kg.toml's ``vocabulary``), the dataset's identity, the build time without
    ``SOURCE_DATE_EPOCH`` (``modified``) and ``kg link``'s settings (``[wikidata]``)."""

    root: Path
    base: str = DEFAULT_BASE
    source_date_epoch: int | None = None
    identity: Identity = Identity()
    namespaces: Namespaces = CANONICAL
    modified: str = DEFAULT_MODIFIED
    wikidata: WikidataSettings = WikidataSettings()

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
    path = root / CONFIG_FILE
    tables = _read_config(root)
    conf = _table(tables, "kg", path)
    if base is None:
        base = _check_base(conf.get("base", DEFAULT_BASE), path, "base")
    else:
        base = _check_base(base, None, "--base")
    modified = DEFAULT_MODIFIED
    if conf.get("modified") is not None:
        _check_modified(conf["modified"], path)
        modified = str(conf["modified"])
    namespaces = _check_vocabulary(conf["vocabulary"], path) if "vocabulary" in conf else CANONICAL
    identity = read_identity(_table(tables, IDENTITY_TABLE, path), path)
    return Settings(root=root, base=base, source_date_epoch=_epoch(os.environ.get("SOURCE_DATE_EPOCH")),
                    identity=identity, namespaces=namespaces, modified=modified,
                    wikidata=read_wikidata(_table(tables, WIKIDATA_TABLE, path), path))


def _read_config(root: Path) -> dict:
    """``root/kg.toml`` parsed ({} without the file): the one reader of kg.toml.

    Read like every input (a regular file, at most 1 MiB, UTF-8 without control characters).
    """
    path = Path(root) / CONFIG_FILE
    if not os.path.lexists(path):
        return {}
    try:
        return tomllib.loads(read_text(path, within=root))
    except tomllib.TOMLDecodeError as e:
        raise KgError(f"not valid TOML: {e}", path=path) from None


def _table(tables: dict, table: str, path: Path) -> dict:
    """The ``[table]`` of kg.toml ({} without it)."""
    conf = tables.get(table, {})
    if not isinstance(conf, dict):
        raise KgError(f"expected a table [{table}], got {quote(conf)}", path=path, field=table)
    return conf


def _check_base(base, path: Path | None, field: str) -> str:
    """An absolute http(s) IRI with a host, ending in '/' or '#', with no character IRIs forbid."""
    if not (is_http_iri(base) and base.endswith(("/", "#"))):
        raise KgError(f"base IRI {quote(base)} must be an http(s) IRI with a host, ending in '/' or '#', "
                      "without spaces or control characters", path=path, field=field)
    return base


def _check_vocabulary(root, path: Path) -> Namespaces:
    """``vocabulary``: the root of kg's namespaces in this project, an http(s) IRI ending in '/'
    (kg adds ``ontology#``, ``type/`` and ``shapes#`` to it), without a query or fragment."""
    if not (is_http_iri(root) and root.endswith("/") and "#" not in root and "?" not in root):
        below = ", ".join(LAYOUT.values())
        raise KgError(f"vocabulary {quote(root)} must be an http(s) IRI with a host, ending in '/', without '?', "
                      f"'#', spaces or control characters", path=path, field="vocabulary",
                      hint=f'kg names its terms below it ({below}), e.g. vocabulary = '
                           '"https://archive.example.edu/kg/vocab/"')
    return Namespaces(root)


def read_identity(conf: dict, path: Path) -> Identity:
    """``[dataset]``: title, description, license (an IRI), publisher = {name, iri}, archive (the
    portal the records come from, naming their document numbers); all optional."""
    known = {"title", "description", "license", "publisher", "archive"}
    unknown = sorted(set(conf) - known)
    if unknown:
        raise KgError(f"unknown key {quote(unknown[0])} in [{IDENTITY_TABLE}]", path=path,
                      field=f"{IDENTITY_TABLE}.{unknown[0]}",
                      hint="expected " + ", ".join(sorted(known)) + " (license, in the SPDX and DCTERMS spelling)")
    publisher = conf.get("publisher", {})
    if not isinstance(publisher, dict) or not set(publisher) <= {"name", "iri"} or (publisher and "name" not in publisher):
        raise KgError(f"expected a table with 'name' and optionally 'iri', got {quote(publisher)}", path=path,
                      field=f"{IDENTITY_TABLE}.publisher",
                      hint='e.g. publisher = { name = "…", iri = "https://…" }')
    return Identity(title=_text(conf, "title", path, one_line=True) or DEFAULT_TITLE,
                    description=_text(conf, "description", path),
                    license=_iri(conf, "license", path),
                    publisher=_text(publisher, "name", path, one_line=True, table="dataset.publisher"),
                    publisher_iri=_iri(publisher, "iri", path, table="dataset.publisher"),
                    archive=_text(conf, "archive", path, one_line=True) or DEFAULT_ARCHIVE)


def read_wikidata(conf: dict, path: Path) -> WikidataSettings:
    """``[wikidata]``: contact, user_agent, endpoint, cache (one line of text each) and the
    numbers maxlag, timeout, retries, backoff, max_bytes; all optional."""
    known = set(WIKIDATA_TEXTS) | set(WIKIDATA_NUMBERS)
    unknown = sorted(set(conf) - known)
    if unknown:
        raise KgError(f"unknown key {quote(unknown[0])} in [{WIKIDATA_TABLE}]", path=path,
                      field=f"{WIKIDATA_TABLE}.{unknown[0]}", hint="expected " + ", ".join(sorted(known)))
    values = {k: _text(conf, k, path, one_line=True, table=WIKIDATA_TABLE) for k in WIKIDATA_TEXTS}
    for name in WIKIDATA_NUMBERS:
        if name in conf:
            values[name] = wikidata_number(name, conf[name], path=path)
    return WikidataSettings(**values)


def wikidata_number(name: str, value, *, path: Path | None = None, option: bool = False) -> int | float:
    """A number of ``[wikidata]`` (or the ``kg link`` option of that name) checked: of the
    right kind, finite and at least its lowest value."""
    kind, low = WIKIDATA_NUMBERS[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value < float("inf") \
            or kind is int and value != int(value):
        flag = "--" + name.replace("_", "-")
        raise KgError(f"{quote(value)} is not a usable value", path=path,
                      field=flag if option else f"{WIKIDATA_TABLE}.{name}",
                      hint=f"expected {'a whole number' if kind is int else 'a number'} of at least {low:g} "
                           f"({'' if name == 'max_bytes' else f'option {flag} or '}kg.toml [{WIKIDATA_TABLE}] {name})")
    return kind(value)


def _text(conf: dict, key: str, path: Path, *, one_line: bool = False, table: str = IDENTITY_TABLE) -> str | None:
    value = conf.get(key)
    if value is None:
        return None
    limit = 500 if one_line else 10000
    if not isinstance(value, str) or not value.strip() or len(value) > limit or (one_line and value.splitlines() != [value]):
        kind = "one line of text" if one_line else "text"
        raise KgError(f"expected {kind} of at most {limit} characters, got {quote(value)}", path=path,
                      field=f"{table}.{key}")
    return value.strip()


def _iri(conf: dict, key: str, path: Path, table: str = IDENTITY_TABLE) -> str | None:
    value = conf.get(key)
    if value is None or is_http_iri(value):
        return value
    raise KgError(f"expected an http(s) IRI such as https://creativecommons.org/licenses/by/4.0/, got {quote(value)}",
                  path=path, field=f"{table}.{key}")


def _check_modified(value, path: Path) -> None:
    """``modified`` (the build time without ``SOURCE_DATE_EPOCH``): a date, or a date and time."""
    if isinstance(value, (str, date)):  # datetime is a date
        try:
            datetime.fromisoformat(str(value))
            return
        except ValueError:
            pass
    raise KgError(f"expected a date such as 2026-11-24, got {quote(value)}", path=path, field="modified")


def _epoch(value: str | None) -> int | None:
    """``SOURCE_DATE_EPOCH``: whole seconds since 1970 (ASCII digits), at most year 9999."""
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 20 and int(value) <= MAX_EPOCH):
        raise KgError(f"SOURCE_DATE_EPOCH={quote(value)} is not a whole number of seconds from 0 to {MAX_EPOCH} "
                      "(9999-12-31)", field="SOURCE_DATE_EPOCH")
    return int(value)
