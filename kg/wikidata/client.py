"""The Wikidata API over HTTP: the one place in kg that talks to Wikidata.

A good API citizen (https://www.mediawiki.org/wiki/API:Etiquette):

* a descriptive User-Agent with a contact (``kg/<version> (<contact>) requests/<version>``;
  Wikimedia blocks clients without one), and ``maxlag`` on every request;
* every request through :mod:`kg.http`: a total deadline (``timeout`` seconds for
  connecting and reading the whole answer), a size cap (``max_bytes``), no redirect to
  another host, and retries with exponential backoff on timeouts, connection errors, HTTP
  408, 429 and 5xx, malformed JSON, and the API's ``maxlag`` error — honouring the
  server's ``Retry-After`` (seconds or an HTTP date), and giving up with a clear error when
  it asks for more than ``max_wait`` seconds or after ``retries`` retries;
* every answer checked (:mod:`kg.wikidata.answers`): its strings cleaned of control
  characters and terminal escapes, its shape what kg reads, item ids exactly ``Q`` and
  digits — anything else is a :class:`WikidataError` (exit 4), never a crash;
* a response cache on disk (one JSON file per request under the cache folder, keyed by
  the endpoint and the parameters), holding only answers that passed the checks, so reruns
  do not refetch; ``offline`` answers from the cache only, ``refresh`` ignores what is
  cached;
* ``endpoint``: any MediaWiki ``api.php`` serving the Wikibase API — Wikidata, a mirror,
  or a test server.

The HTTP session is injected (a ``requests.Session``), so callers decide about pooling
and proxies; nothing here is global.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .. import __version__, http
from ..errors import KgError
from ..http import retry_after, shown
from . import answers

WIKIDATA_API = "https://www.wikidata.org/w/api.php"
MAX_IDS = 50            # wbgetentities takes at most 50 ids per call


class WikidataError(KgError):
    """Wikidata could not be asked, or answered with something kg cannot use. Nothing was
    written; what was fetched is cached, so a rerun continues where this one stopped."""

    exit_code = 4


@dataclass(frozen=True)
class ClientConfig:
    endpoint: str = WIKIDATA_API
    contact: str | None = None          # e-mail or URL: goes into the User-Agent
    user_agent: str | None = None       # a full User-Agent, replacing kg's own
    maxlag: int = 5
    timeout: float = 20.0               # seconds per request, in total (connecting, reading the answer)
    retries: int = 4
    backoff: float = 1.0                # first wait; doubled on each retry
    max_wait: float = 120.0             # the longest Retry-After kg honours
    max_bytes: int = 16 * 1024 * 1024   # the largest answer read
    cache_dir: Path | None = None
    offline: bool = False
    refresh: bool = False

    def agent(self) -> str:
        if self.user_agent:
            return self.user_agent
        if not self.contact:
            raise KgError("no contact for the User-Agent: Wikimedia asks every API client to name one",
                          field="wikidata.contact",
                          hint="add [wikidata] contact = \"you@example.org\" to kg.toml, or pass --contact")
        return f"kg/{__version__} ({self.contact}) requests/{requests.__version__}"


@dataclass
class Stats(http.Counters):
    cache_hits: int = 0


@dataclass
class WikidataClient:
    """``search`` (wbsearchentities) and ``entities`` (wbgetentities) with caching and retries."""

    config: ClientConfig
    session: requests.Session
    sleep: Callable[[float], None] = time.sleep
    stats: Stats = field(default_factory=Stats)
    _http: http.Http = field(init=False, repr=False)

    def __post_init__(self) -> None:
        c = self.config
        limits = http.Limits(timeout=c.timeout, max_bytes=c.max_bytes, retries=c.retries, backoff=c.backoff,
                             max_backoff=c.max_wait, max_wait=c.max_wait)
        self._http = http.Http(self.session, limits, sleep=self.sleep, counters=self.stats)

    # ------------------------------------------------------------ API

    def search(self, text: str, language: str, limit: int = 7) -> list[dict]:
        """Items whose label or alias matches ``text`` in ``language`` (``search`` list)."""
        data = self.get({"action": "wbsearchentities", "search": text, "language": language,
                         "uselang": language, "type": "item", "limit": str(limit)}, answers.search)
        return data["search"]

    def entities(self, ids: Iterable[str], props: str = "labels|aliases|descriptions|claims",
                 languages: Iterable[str] = ()) -> dict[str, dict]:
        """Items by id, in calls of at most 50 ids; a redirected id maps to its target item;
        missing items are left out."""
        ids = sorted(set(ids), key=lambda q: (len(q), q))
        langs = "|".join(sorted(set(languages)))
        out: dict[str, dict] = {}
        for i in range(0, len(ids), MAX_IDS):
            batch = ids[i:i + MAX_IDS]
            params = {"action": "wbgetentities", "ids": "|".join(batch), "props": props}
            if langs:
                params["languages"] = langs
            data = self.get(params, answers.entities)
            out.update((requested, item) for requested, item in data["entities"].items() if "missing" not in item)
        return out

    # ------------------------------------------------------------ transport

    def get(self, params: dict[str, str], shape: Callable[[dict], dict] | None = None) -> dict:
        """One API call: from the cache, or over HTTP with retries (then cached). ``shape``
        checks the answer (:mod:`kg.wikidata.answers`); only an answer that passed is cached."""
        shape = shape or _any
        params = {**params, "format": "json"}
        path = self._cache_path(params)
        if path and path.exists() and not self.config.refresh:
            try:
                data = shape(answers.cleaned(json.loads(path.read_text(encoding="utf-8"))["response"]))
                self.stats.cache_hits += 1
                return data
            except (ValueError, KeyError, TypeError, OSError, RecursionError):
                pass                            # a damaged or malformed cache file: fetch again
        if self.config.offline:
            raise WikidataError(f"{params['action']} {_describe(params)} is not in the cache and --offline is set",
                                hint="run once without --offline to fetch it")
        data = self._fetch({**params, "maxlag": str(self.config.maxlag)}, shape)
        if path:
            _write_json(path, {"endpoint": self.config.endpoint, "params": params, "response": data})
        return data

    def _fetch(self, params: dict[str, str], shape: Callable[[dict], dict]) -> dict:
        headers = {"User-Agent": self.config.agent(), "Accept": "application/json"}
        what = f"{params['action']} {_describe(params)}"
        endpoint = self.config.endpoint

        def judge(answer: http.Answer) -> dict:
            if answer.status != 200:
                raise WikidataError(f"{what}: HTTP {answer.status} from {endpoint}", hint=_hint(answer.status))
            try:
                data = answers.cleaned(json.loads(answer.body))
            except (ValueError, RecursionError):   # not JSON, or nested beyond reason
                data = None
            if not isinstance(data, dict):
                raise http.Transient("the answer is not a JSON object")
            err = data.get("error")
            if err is not None:
                code = err.get("code") if isinstance(err, dict) else err
                if code == "maxlag":
                    wait = retry_after(answer.headers.get("Retry-After"))
                    raise http.Transient("the servers are lagged (maxlag)", 5.0 if wait is None else wait)
                info = err.get("info") if isinstance(err, dict) else None
                detail = f": {shown(info, 200)}" if info else ""
                raise WikidataError(f"{what}: the API refused: {shown(code)}{detail}")
            try:
                return shape(data)
            except answers.ShapeError as e:
                raise WikidataError(f"{what}: unexpected answer: {e}",
                                    hint=f"is {endpoint} a Wikibase API? the answer was not cached") from None

        try:
            return self._http.request("GET", endpoint, params=params, headers=headers, check=judge)
        except http.GaveUp as e:
            raise WikidataError(f"{what}: {e.reason}, {e.attempts} times; giving up",
                                hint=f"is {endpoint} reachable? try again later; "
                                     "answers fetched so far are cached") from None
        except http.Refused as e:
            raise WikidataError(f"{what}: {e.reason}", hint="try again later, or check --endpoint") from None

    def _cache_path(self, params: dict[str, str]) -> Path | None:
        if self.config.cache_dir is None:
            return None
        key = json.dumps([self.config.endpoint, sorted(params.items())], ensure_ascii=False)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return Path(self.config.cache_dir) / params["action"] / digest[:2] / f"{digest}.json"


def _any(data: dict) -> dict:
    return data


def _describe(params: dict[str, str]) -> str:
    if "search" in params:
        return f"{shown(params['search'])}@{params.get('language', '')}"
    ids = params.get("ids", "").split("|")
    return ids[0] if len(ids) == 1 else f"{ids[0]}…{ids[-1]} ({len(ids)} ids)"


def _hint(status: int) -> str:
    if status == 403:
        return "the server refuses kg: check the User-Agent's contact (--contact)"
    if status == 404:
        return "check --endpoint: it should be the URL of api.php"
    return "see the server's answer"


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
