"""A real HTTP server on 127.0.0.1 that answers like the Wikidata API, for the tests.

It serves ``GET <endpoint>?action=wbsearchentities|wbgetentities&format=json`` from the
item files in ``tests/fixtures/wikidata/items/`` (one item per file, as ``wbgetentities``
returns it), records every request (parameters and headers), and plays scripted faults:
an HTTP status with headers and body, a malformed body, a delay longer than the
client's timeout, a body dripped one byte at a time, or a huge body streamed in pieces.

Search works like Wikibase's: a case-insensitive prefix match on the labels and aliases
in the requested language and in English (the fallback), label matches first.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ITEMS = Path(__file__).parent / "fixtures" / "wikidata" / "items"
PATH = "/w/api.php"


@dataclass
class Fault:
    """One scripted answer, used once, for the next request of ``action`` (any if None)."""

    action: str | None = None
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes | None = None          # None: the normal answer (after ``delay``)
    delay: float = 0.0
    drip: float = 0.0                  # send the body one byte per ``drip`` seconds
    huge: int = 0                      # send this many bytes of JSON-ish padding as the body


@dataclass
class Seen:
    params: dict
    headers: dict
    fault: Fault | None


def load_items(folder: Path = ITEMS) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("Q*.json"))}


class FakeWikibase:
    def __init__(self, items: dict[str, dict] | None = None):
        self.items = load_items() if items is None else items
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self.streamed_all = False                   # a ``huge`` body was sent to the end
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ control

    def __enter__(self) -> FakeWikibase:
        handler = type("Handler", (_Handler,), {"wikibase": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{PATH}"

    def script(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def calls(self, action: str | None = None) -> list[Seen]:
        return [s for s in self.seen if action is None or s.params.get("action") == action]

    def _take_fault(self, action: str) -> Fault | None:
        with self._lock:
            for i, f in enumerate(self.faults):
                if f.action in (None, action):
                    return self.faults.pop(i)
        return None

    # ------------------------------------------------------------ the API

    def answer(self, params: dict) -> tuple[int, dict]:
        action = params.get("action")
        if params.get("format") != "json":
            return 200, {"error": {"code": "badformat", "info": "this test server speaks format=json only"}}
        if action == "wbsearchentities":
            return 200, self.search(params)
        if action == "wbgetentities":
            ids = [i for i in params.get("ids", "").split("|") if i]
            if len(ids) > 50:
                return 200, {"error": {"code": "toomanyvalues",
                                       "info": 'Too many values supplied for parameter "ids". The limit is 50.'}}
            langs = set(params["languages"].split("|")) if params.get("languages") else None
            props = set(params.get("props", "labels|aliases|descriptions|claims").split("|"))
            return 200, {"entities": {i: self.entity(i, langs, props) for i in ids}, "success": 1}
        return 200, {"error": {"code": "badvalue", "info": f"Unrecognized value for parameter \"action\": {action}"}}

    def entity(self, qid: str, langs: set | None, props: set) -> dict:
        item = self.items.get(qid)
        if item is None:
            return {"id": qid, "missing": ""}
        out = {"type": item["type"], "id": item["id"]}
        for part in ("labels", "descriptions", "aliases"):
            if part in props:
                out[part] = {lang: v for lang, v in item.get(part, {}).items() if langs is None or lang in langs}
        if "claims" in props:
            out["claims"] = item.get("claims", {})
        return out

    def search(self, params: dict) -> dict:
        text = params.get("search", "")
        lang = params.get("language", "en")
        limit = int(params.get("limit", "7"))
        needle = text.casefold()
        hits = []
        for qid, item in self.items.items():
            for kind, values in (("label", [item.get("labels", {})]), ("alias", [item.get("aliases", {})])):
                match = None
                for language in dict.fromkeys([lang, "en"]):
                    vs = values[0].get(language)
                    for v in (vs if isinstance(vs, list) else [vs] if vs else []):
                        if v["value"].casefold().startswith(needle):
                            match = {"type": kind, "language": language, "text": v["value"]}
                            break
                    if match:
                        break
                if match:
                    hits.append((kind != "label", int(qid[1:]), qid, match))
                    break
        results = []
        for _, _, qid, match in sorted(hits)[:limit]:
            item = self.items[qid]
            label = item.get("labels", {}).get(lang) or item.get("labels", {}).get("en") or {}
            desc = item.get("descriptions", {}).get(lang) or item.get("descriptions", {}).get("en") or {}
            results.append({"id": qid, "title": qid, "pageid": int(qid[1:]) % 100000000,
                            "concepturi": f"http://www.wikidata.org/entity/{qid}", "repository": "wikidata",
                            "url": f"//www.wikidata.org/wiki/{qid}",
                            "display": {"label": label, "description": desc},
                            "label": label.get("value", ""), "description": desc.get("value", ""),
                            "match": match})
        return {"searchinfo": {"search": text}, "search": results, "success": 1}


class _Handler(BaseHTTPRequestHandler):
    wikibase: FakeWikibase

    def log_message(self, *args) -> None:        # quiet
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        fault = self.wikibase._take_fault(params.get("action", ""))
        self.wikibase.seen.append(Seen(params, dict(self.headers), fault))
        if url.path != PATH:
            return self._send(404, {}, b"not found")
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.huge:
            return self._stream(fault.huge)
        if fault and (fault.status != 200 or fault.body is not None):
            return self._send(fault.status, fault.headers, fault.body or b"", fault.drip)
        status, data = self.wikibase.answer(params)
        headers = dict(fault.headers) if fault else {}
        self._send(status, {"Content-Type": "application/json; charset=utf-8", **headers},
                   json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def _send(self, status: int, headers: dict, body: bytes, drip: float = 0.0) -> None:
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not drip:
                self.wfile.write(body)
            for i in range(len(body) if drip else 0):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(drip)
        except (BrokenPipeError, ConnectionResetError):
            pass                                    # the client gave up (a timeout test)

    def _stream(self, size: int) -> None:
        """``size`` bytes without a Content-Length (the client cannot refuse it up front)."""
        piece = b"[" * 65536
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(size // len(piece)):
                self.wfile.write(piece)
            self.wikibase.streamed_all = True
        except (BrokenPipeError, ConnectionResetError):
            pass                                    # the client stopped reading: what the test wants
        self.close_connection = True
