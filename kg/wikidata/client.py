"""The Wikidata API over HTTP: the one place in kg that talks to Wikidata.

A good API citizen (https://www.mediawiki.org/wiki/API:Etiquette):

* a descriptive User-Agent with a contact (``kg/<version> (<contact>) requests/<version>``;
  Wikimedia blocks clients without one), and ``maxlag`` on every request;
* a timeout on every request; retries with exponential backoff on timeouts, connection
  errors, HTTP 429 and 5xx, malformed JSON, and the API's ``maxlag`` error — honouring the
  server's ``Retry-After`` (seconds or an HTTP date), and giving up with a clear error when
  it asks for more than ``max_wait`` seconds or after ``retries`` retries;
* a response cache on disk (one JSON file per request under the cache folder, keyed by
  the endpoint and the parameters), so reruns do not refetch; ``offline`` answers from
  the cache only, ``refresh`` ignores what is cached;
* ``endpoint``: any MediaWiki ``api.php`` serving the Wikibase API — Wikidata, a mirror,
  or a test server.

The HTTP session is injected (a ``requests.Session``), so callers decide about pooling
and proxies; nothing here is global.
"""
from __future__ import annotations

import email.utils
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .. import __version__
from ..errors import KgError

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
    timeout: float = 20.0               # seconds, for connecting and for each read
    retries: int = 4
    backoff: float = 1.0                # first wait; doubled on each retry
    max_wait: float = 120.0             # the longest Retry-After kg honours
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
class Stats:
    requests: int = 0        # HTTP requests sent, retries included
    retries: int = 0
    cache_hits: int = 0
    waited: float = 0.0      # seconds slept before retries


@dataclass
class WikidataClient:
    """``search`` (wbsearchentities) and ``entities`` (wbgetentities) with caching and retries."""

    config: ClientConfig
    session: requests.Session
    sleep: Callable[[float], None] = time.sleep
    stats: Stats = field(default_factory=Stats)

    # ------------------------------------------------------------ API

    def search(self, text: str, language: str, limit: int = 7) -> list[dict]:
        """Items whose label or alias matches ``text`` in ``language`` (``search`` list)."""
        data = self.get({"action": "wbsearchentities", "search": text, "language": language,
                         "uselang": language, "type": "item", "limit": str(limit)})
        results = data.get("search")
        if not isinstance(results, list):
            raise WikidataError(f"wbsearchentities for {text!r}@{language}: the answer has no 'search' list",
                                hint=f"is {self.config.endpoint} a Wikibase API?")
        return [r for r in results if isinstance(r, dict) and isinstance(r.get("id"), str)]

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
            data = self.get(params)
            found = data.get("entities")
            if not isinstance(found, dict):
                raise WikidataError(f"wbgetentities {batch[0]}…: the answer has no 'entities'",
                                    hint=f"is {self.config.endpoint} a Wikibase API?")
            for requested, item in found.items():
                if isinstance(item, dict) and "missing" not in item and isinstance(item.get("id"), str):
                    out[requested] = item
        return out

    # ------------------------------------------------------------ transport

    def get(self, params: dict[str, str]) -> dict:
        """One API call: from the cache, or over HTTP with retries (then cached)."""
        params = {**params, "format": "json"}
        path = self._cache_path(params)
        if path and path.exists() and not self.config.refresh:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))["response"]
                self.stats.cache_hits += 1
                return data
            except (ValueError, KeyError, OSError):
                pass                            # a damaged cache file: fetch again
        if self.config.offline:
            raise WikidataError(f"{params['action']} {_describe(params)} is not in the cache and --offline is set",
                                hint="run once without --offline to fetch it")
        data = self._fetch({**params, "maxlag": str(self.config.maxlag)})
        if path:
            _write_json(path, {"endpoint": self.config.endpoint, "params": params, "response": data})
        return data

    def _fetch(self, params: dict[str, str]) -> dict:
        headers = {"User-Agent": self.config.agent(), "Accept": "application/json"}
        what = f"{params['action']} {_describe(params)}"
        problem = ""
        for attempt in range(self.config.retries + 1):
            if attempt:
                self.stats.retries += 1
            self.stats.requests += 1
            wait = None
            try:
                resp = self.session.get(self.config.endpoint, params=params, headers=headers,
                                        timeout=self.config.timeout)
            except requests.Timeout:
                problem = f"no answer within {self.config.timeout:g} s"
            except requests.ConnectionError as e:
                problem = f"cannot connect ({type(e).__name__})"
            else:
                if resp.status_code == 429 or resp.status_code >= 500:
                    problem = f"HTTP {resp.status_code}"
                    wait = retry_after(resp.headers.get("Retry-After"))
                elif resp.status_code != 200:
                    raise WikidataError(f"{what}: HTTP {resp.status_code} from {self.config.endpoint}",
                                        hint=_hint(resp.status_code))
                else:
                    try:
                        data = json.loads(resp.content)
                    except ValueError:
                        data = None
                    if not isinstance(data, dict):
                        problem = "the answer is not a JSON object"
                    elif isinstance(data.get("error"), dict):
                        err = data["error"]
                        if err.get("code") != "maxlag":
                            raise WikidataError(f"{what}: the API refused: {err.get('code')}: {err.get('info', '')}")
                        problem = "the servers are lagged (maxlag)"
                        wait = retry_after(resp.headers.get("Retry-After"))
                        wait = 5.0 if wait is None else wait
                    else:
                        return data
            if attempt == self.config.retries:
                break
            if wait is None:
                wait = self.config.backoff * 2 ** attempt
            elif wait > self.config.max_wait:
                raise WikidataError(f"{what}: {problem}; the server asks to wait {wait:g} s "
                                    f"(more than {self.config.max_wait:g} s)", hint="try again later")
            self.stats.waited += wait
            self.sleep(wait)
        raise WikidataError(f"{what}: {problem}, {self.config.retries + 1} times; giving up",
                            hint=f"is {self.config.endpoint} reachable? try again later; "
                                 "answers fetched so far are cached")

    def _cache_path(self, params: dict[str, str]) -> Path | None:
        if self.config.cache_dir is None:
            return None
        key = json.dumps([self.config.endpoint, sorted(params.items())], ensure_ascii=False)
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return Path(self.config.cache_dir) / params["action"] / digest[:2] / f"{digest}.json"


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe(params: dict[str, str]) -> str:
    if "search" in params:
        return f"{params['search']!r}@{params.get('language', '')}"
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
