"""What every part of the web application shares: the response, the limits, the headers.

Kept apart from :mod:`kg.serve.app` so that the SPARQL handler and the servers import it
without importing the application (no import cycle).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs

MAX_PATH = 1024
MAX_QUERY_STRING = 60_000
MAX_BODY = 64 * 1024
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Link, Content-Location"}
MAX_PARAMS = 20
# Every answer: no sniffing, no framing, no referrer leaks. Pages also get a policy that
# runs only kg's own script file and styles: no inline script (the one inline <script> is
# the JSON-LD data block, which browsers never execute), no plugins, no foreign forms.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "strict-origin-when-cross-origin"}
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def query_params(qs: str) -> dict[str, list[str]] | None:
    """The query string's parameters, or ``None`` if it has more than ``MAX_PARAMS``."""
    try:
        return parse_qs(qs, max_num_fields=MAX_PARAMS)
    except ValueError:
        return None


def with_security_headers(r: "Response") -> "Response":
    """``r`` with the headers every answer carries (and the page policy on HTML)."""
    for k, v in SECURITY_HEADERS.items():
        r.headers.setdefault(k, v)
    if r.headers.get("Content-Type", "").startswith("text/html"):
        r.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return r


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


def etag(body: bytes) -> str:
    """A strong validator of ``body``."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks for it)."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match[:4096].split(",")]
    return "*" in tags or etag in tags or ("W/" + etag) in tags
