"""HTTP requests with a bounded cost: the one request loop of ``kg load`` and ``kg link``.

:func:`request` sends one request over an injected ``requests.Session`` and guarantees:

* **a total deadline**: ``timeout`` seconds for connecting, sending and reading the whole
  answer, headers and body. The body is streamed and the clock checked between reads; no
  read waits longer than the time left; and the attempt runs in a worker thread that the
  caller stops waiting for at the deadline, so a server that drips one byte a second (in
  the headers, a chunk header or the body) costs ``timeout`` seconds, not hours;
* **a size cap**: with ``max_bytes``, the body is read in small pieces and the request
  fails (:class:`Refused`, naming the URL and the cap) as soon as it passes the cap;
* **redirects** only to the same scheme, host and port, at most ``max_redirects``; a
  redirect elsewhere is refused without connecting there;
* **retries** with exponential backoff on connection errors, timeouts, HTTP 408, 429 and
  5xx, and on whatever the caller's ``check`` calls :class:`Transient`; ``Retry-After``
  (seconds or an HTTP date) is honoured up to ``max_wait`` seconds, and a server asking for
  more is an error (:class:`Refused`).

Every attempt failing ends in :class:`GaveUp`. Callers turn both into their own errors.
Text from a server is untrusted: :func:`clean_text` removes control characters and
terminal escape sequences, :func:`shown` quotes a short, clean excerpt for messages.
Nothing here is global: no patched session, no module state.
"""
from __future__ import annotations

import email.utils
import queue
import re
import socket
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

READ_PIECE = 16 * 1024          # bytes asked for per read (decoded: at most this many)
GRACE = 0.5                     # seconds the caller waits past the deadline for a worker to stop


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    timeout: float = 30.0            # seconds per attempt, in total (connect + send + all reads)
    max_bytes: int | None = None     # largest body accepted
    retries: int = 4                 # attempts after the first
    backoff: float = 0.5             # first wait between attempts; doubled each time
    max_backoff: float = 30.0
    max_wait: float = 120.0          # the longest Retry-After honoured
    max_redirects: int = 3           # same-origin redirects followed per attempt


@dataclass
class Counters:
    requests: int = 0        # HTTP requests sent, retries included
    retries: int = 0
    waited: float = 0.0      # seconds slept before retries


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class HttpFailure(Exception):
    """A request that failed for good; ``reason`` says why (clean text)."""

    def __init__(self, reason: str, url: str):
        self.reason, self.url = reason, url
        super().__init__(reason)


class Refused(HttpFailure):
    """Not worth retrying: too large, redirected elsewhere, asked to wait too long, bad URL."""


class GaveUp(HttpFailure):
    """Every attempt failed with a transient problem; ``reason`` is the last one."""

    def __init__(self, reason: str, url: str, attempts: int):
        super().__init__(reason, url)
        self.attempts = attempts


class Transient(Exception):
    """Raised by a ``check``: this answer is worth another try (after ``wait`` seconds if given)."""

    def __init__(self, problem: str, wait: float | None = None):
        super().__init__(problem)
        self.problem, self.wait = problem, wait


def retryable(status: int) -> bool:
    return status in (408, 429) or status >= 500


class Http:
    """Requests within :class:`Limits` over an injected session.

    Attempts run one after another on a worker thread of this object (so per-thread state
    such as a digest-auth nonce carries over from one request to the next); a worker still
    busy at an attempt's deadline is abandoned, its socket shut, and a new one started.
    """

    def __init__(self, session: requests.Session, limits: Limits, *,
                 sleep: Callable[[float], None] = time.sleep, counters: Counters | None = None):
        self.session, self.limits, self.sleep = session, limits, sleep
        self.counters = counters if counters is not None else Counters()
        self._worker: _Worker | None = None

    def request(self, method: str, url: str, *, check: Callable[[Answer], Any] | None = None,
                read_body: bool = True, **kw) -> Any:
        """Send ``method url`` (``kw`` as for ``session.request``); return ``check(answer)``
        (the :class:`Answer` itself without a check).

        A non-retryable HTTP error status is returned like any answer: the caller decides.
        With ``read_body=False`` only the status and headers are read.
        """
        limits, counters = self.limits, self.counters
        problem = ""
        for attempt in range(limits.retries + 1):
            if attempt:
                counters.retries += 1
            counters.requests += 1
            wait = None
            try:
                answer = self._attempt(method, url, read_body, kw)
                if retryable(answer.status):
                    raise Transient(f"HTTP {answer.status}", retry_after(answer.headers.get("Retry-After")))
                return check(answer) if check else answer
            except Transient as t:
                problem, wait = t.problem, t.wait
            except _Timeout:
                problem = f"no answer within {limits.timeout:g} s"
            except _Broken as e:
                problem = e.args[0]
            if attempt == limits.retries:
                break
            if wait is None:
                wait = min(limits.backoff * 2 ** attempt, limits.max_backoff)
            elif wait > limits.max_wait:
                raise Refused(f"{problem}; the server asks to wait {wait:g} s "
                              f"(more than {limits.max_wait:g} s)", url)
            counters.waited += wait
            self.sleep(wait)
        raise GaveUp(problem, url, limits.retries + 1)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def _attempt(self, method: str, url: str, read_body: bool, kw: dict) -> Answer:
        deadline = time.monotonic() + self.limits.timeout
        state: dict[str, Any] = {"abandoned": False}
        if self._worker is None:
            self._worker = _Worker()
            weakref.finalize(self, self._worker.stop)
        box = self._worker.run(
            lambda: _follow(self.session, method, url, self.limits, read_body, dict(kw), deadline, state),
            max(0.0, deadline - time.monotonic()) + GRACE)
        if box is None:                           # still busy: abandon it, wake it up
            state["abandoned"] = True
            _shut(state.get("sock"))
            self.close()
            raise _Timeout()
        if "error" in box:
            raise box["error"]
        return box["value"]


def request(session: requests.Session, method: str, url: str, limits: Limits, **kw) -> Any:
    """One :meth:`Http.request` with a throwaway :class:`Http`."""
    http = Http(session, limits)
    try:
        return http.request(method, url, **kw)
    finally:
        http.close()


class _Worker:
    """A daemon thread running jobs in turn."""

    def __init__(self):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._loop, args=(self._jobs,), name="kg-http", daemon=True).start()

    @staticmethod
    def _loop(jobs: queue.SimpleQueue) -> None:
        while (job := jobs.get()) is not None:
            fn, box, done = job
            job = None                    # hold nothing of a finished job while waiting
            try:
                box["value"] = fn()
            except BaseException as e:  # noqa: BLE001 - handed over to the waiting thread
                box["error"] = e
            fn = box = None
            done.set()

    def run(self, fn: Callable[[], Any], wait: float) -> dict | None:
        """``{"value": …}`` or ``{"error": …}``; None if ``fn`` is still running after ``wait`` s."""
        box: dict[str, Any] = {}
        done = threading.Event()
        self._jobs.put((fn, box, done))
        return box if done.wait(wait) else None

    def stop(self) -> None:
        self._jobs.put(None)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds, or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value[:100])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        return max(0.0, when.timestamp() - time.time())
    except (OverflowError, OSError, ValueError):
        return None


# ---------------------------------------------------------------- one attempt

class _Timeout(Exception):
    """The attempt's deadline passed."""


class _Broken(Exception):
    """The connection failed (args[0]: a short reason)."""


def _follow(session, method: str, url: str, limits: Limits, read_body: bool, kw: dict,
            deadline: float, state: dict) -> Answer:
    """Send, following same-origin redirects, and read the answer before ``deadline``."""
    for _ in range(limits.max_redirects + 1):
        left = _left(deadline)
        try:
            r = session.request(method, url, timeout=(left, left), stream=True, allow_redirects=False, **kw)
        except requests.Timeout:
            raise _Timeout() from None
        except requests.ConnectionError as e:
            raise _Broken(reason(e)) from None
        except requests.RequestException as e:
            raise Refused(f"cannot send the request ({type(e).__name__}: {shown(str(e))})", url) from None
        try:
            state["sock"] = _socket(r)
            if state["abandoned"]:
                raise _Timeout()
            target = session.get_redirect_target(r)
            if target is None:
                body = _read(r, deadline, limits.max_bytes, url) if read_body else b""
                return Answer(r.status_code, r.headers, body, r.url)
            nxt = urljoin(r.url, target)
            if _origin(nxt) != _origin(url):
                raise Refused(f"HTTP {r.status_code} redirect to another host refused: {shown(nxt)}", url)
            url, method, kw = nxt, *_redirected(method, r.status_code, kw)
        finally:
            r.close()
    raise Refused(f"more than {limits.max_redirects} redirects", url)


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Timeout()
    return left


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _redirected(method: str, status: int, kw: dict) -> tuple[str, dict]:
    """The method and arguments after a redirect: 303 (and 301/302 of a POST) become a GET."""
    kw = {k: v for k, v in kw.items() if k != "params"}    # the Location is the whole URL
    if status == 303 and method != "HEAD" or status in (301, 302) and method == "POST":
        kw.pop("data", None)
        kw["headers"] = {k: v for k, v in (kw.get("headers") or {}).items() if k.lower() != "content-type"}
        method = "GET"
    return method, kw


def _socket(r: requests.Response):
    conn = getattr(r.raw, "connection", None) or getattr(r.raw, "_connection", None)
    return getattr(conn, "sock", None)


def _shut(sock) -> None:
    """Wake a worker blocked on ``sock`` (shutting the socket makes its read return)."""
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _read(r: requests.Response, deadline: float, max_bytes: int | None, url: str) -> bytes:
    """The body, piece by piece, each read waiting at most the time left."""
    length = r.headers.get("Content-Length", "")
    if max_bytes is not None and length.isascii() and length.isdigit() and int(length) > max_bytes:
        raise Refused(f"the answer is larger than the cap of {max_bytes} bytes ({length} bytes announced)", url)
    raw, sock = r.raw, _socket(r)
    read = getattr(raw, "read1", None) or raw.read
    body = bytearray()
    while True:
        left = _left(deadline)
        if sock is not None:
            try:
                sock.settimeout(left)
            except OSError:
                pass
        try:
            piece = read(READ_PIECE)
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise _Timeout() from None
        except urllib3.exceptions.DecodeError:
            raise _Broken("the answer's content encoding is broken") from None
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as e:
            raise _Broken(reason(e)) from None
        if not piece:
            return bytes(body)
        body += piece
        if max_bytes is not None and len(body) > max_bytes:
            raise Refused(f"the answer is larger than the cap of {max_bytes} bytes", url)


def reason(e: BaseException) -> str:
    """A short, stable reason for a connection failure."""
    text = str(e)
    for marker in ("Connection refused", "Connection reset", "Connection aborted", "timed out",
                   "RemoteDisconnected", "Name or service not known", "IncompleteRead"):
        if marker in text:
            return marker.lower()
    return f"cannot connect ({type(e).__name__})"


# ---------------------------------------------------------------- text from a server

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI: ESC [ parameters intermediates final
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] text, ended by BEL or ESC \
    r"|\x1b[@-Z\\-_]"                    # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]")           # 8-bit CSI
_SPACE = dict.fromkeys(map(ord, "\t\n\r\x0b\x0c\x85\u2028\u2029"), " ")
_DROP = dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F),
                       *range(0x2066, 0x206A), *range(0xD800, 0xE000)])
_TABLE = {**_DROP, **_SPACE}


def clean_text(text: str) -> str:
    """``text`` without terminal escape sequences, control characters (C0, DEL, C1), bidi
    overrides or lone surrogates; tabs and line breaks become spaces."""
    if text.isprintable() and text.isascii():
        return text
    return _ESCAPES.sub("", text).translate(_TABLE)


def shown(value: object, limit: int = 60) -> str:
    """A short, clean, quoted excerpt of ``value`` for a message."""
    if isinstance(value, str):
        text = value
    elif value is None or isinstance(value, bool | float) or isinstance(value, int) and value.bit_length() < 64:
        text = repr(value)
    else:
        text = f"a {type(value).__name__}"
    text = clean_text(text[: limit * 4])
    return repr(text[:limit] + "…") if len(text) > limit else repr(text)
