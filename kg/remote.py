"""A SPARQL 1.1 endpoint as the source of answers: ``kg query --sparql URL``, ``kg check
--sparql URL`` and ``kg serve --sparql URL`` ask it instead of an embedded store.

For an archive whose graph outgrows one process: ``kg load`` fills a production
triplestore (Virtuoso, Oxigraph's server …) and the queries go there. Queries are sent by
the SPARQL 1.1 Protocol (``POST``, ``application/x-www-form-urlencoded``, with the
dataset's ``default-graph-uri`` / ``named-graph-uri`` when given), through kg's one HTTP
loop (:mod:`kg.http`: a total deadline, a size cap, retries on 5xx/429 and timeouts).
What the default graph is follows the store's own setting (kg's loads rely on a union
default graph: Virtuoso's default, ``oxigraph serve --union-default-graph``).
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass

import requests

from . import http
from .errors import KgError
from .iris import is_http_iri

MAX_ANSWER = 32 << 20
RESULTS_JSON = "application/sparql-results+json"


class EndpointError(KgError):
    """The endpoint is unreachable or failed (exit 4: a remote service failed)."""

    exit_code = 4


@dataclass
class Endpoint:
    url: str
    timeout: float = 60.0
    retries: int = 2
    max_bytes: int = MAX_ANSWER
    auth: tuple[str, str] | None = None

    def __post_init__(self):
        if not is_http_iri(self.url):
            raise KgError(f"expected the http(s) URL of a SPARQL endpoint, got {self.url[:60]!r}", field="--sparql")
        self._local = threading.local()

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
        return s

    def send(self, query: str, accept: str | None, *, default_graphs: list[str] | None = None,
             named_graphs: list[str] | None = None) -> http.Answer:
        """The endpoint's answer, whatever its status (the caller decides); EndpointError if none."""
        form = [("query", query)] + [("default-graph-uri", g) for g in default_graphs or ()] \
            + [("named-graph-uri", g) for g in named_graphs or ()]
        limits = http.Limits(timeout=self.timeout, max_bytes=self.max_bytes, retries=self.retries)
        try:
            return http.request(self._session(), "POST", self.url, limits, data=form, auth=self.auth,
                                headers={"Accept": accept or RESULTS_JSON,
                                         "Content-Type": "application/x-www-form-urlencoded"})
        except http.HttpFailure as e:
            raise EndpointError(f"the SPARQL endpoint failed: {e.reason}", path=self.url) from None

    def select(self, query: str) -> tuple[list[str], list[list[str | None]]] | bool:
        """A SELECT (→ header, rows of plain strings) or ASK (→ bool), as :func:`kg.query.run` gives them."""
        answer = self.send(query, RESULTS_JSON)
        if answer.status == 400:
            raise KgError(f"the endpoint refused the query: {http.shown(answer.text)}", field="query")
        if answer.status != 200:
            raise EndpointError(f"the SPARQL endpoint answered HTTP {answer.status}: {http.shown(answer.text)}",
                                path=self.url)
        try:
            doc = json.loads(answer.body)
            if "boolean" in doc:
                return bool(doc["boolean"])
            header = list(doc["head"]["vars"])
            rows = [[b.get(v, {}).get("value") for v in header] for b in doc["results"]["bindings"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EndpointError("the SPARQL endpoint's answer is not SPARQL JSON results "
                                "(only SELECT and ASK print as tables)", path=self.url) from None
        return header, rows


def endpoint(url: str, *, timeout: float = 60.0) -> Endpoint:
    """The endpoint at ``url``; HTTP basic credentials from ``KG_SPARQL_USER`` / ``KG_SPARQL_PASSWORD``."""
    user, password = os.environ.get("KG_SPARQL_USER"), os.environ.get("KG_SPARQL_PASSWORD")
    return Endpoint(url.strip(), timeout=timeout, auth=(user, password or "") if user else None)
