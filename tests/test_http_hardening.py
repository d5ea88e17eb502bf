"""Hostile HTTP servers against kg's two clients (``kg load``, ``kg link``) and kg.http:
dripping answers, huge answers, redirects to another host, Retry-After, odd JSON shapes,
control characters, QIDs with a trailing newline, and ``--prune`` under a short prefix.

Every server is real and listens on 127.0.0.1 (or 127.0.0.2), started by the test. A call
that could hang runs in a thread joined with a generous guard, so a regression fails
instead of hanging the suite.
"""
from __future__ import annotations

import email.utils
import json
import socket
import socketserver
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
import requests

from kg import cli, http, load
from kg.errors import KgError
from kg.load import GspClient, StoreRejected, StoreUnreachable, Target
from kg.wikidata import items, review
from kg.wikidata.client import ClientConfig, WikidataClient, WikidataError

from .gsp_server import GspServer, Reply
from .test_wikidata_link import project  # noqa: F401 - the fixture: a copy of the corpus
from .wikibase_server import FakeWikibase, Fault, load_items

BASE = "https://kg.example.org/"
GUARD = 60          # seconds: far more than any deadline below; only a hang reaches it
CONTROL = ("\x1b", "\x9b", "\x07", "\r", "\x00", "\u202e", "\x85")


def guarded(fn, *args, **kw):
    """``fn(*args, **kw)`` in a thread: its value, or its exception re-raised; fails if it hangs."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn(*args, **kw)
        except BaseException as e:  # noqa: BLE001 - re-raised below
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(GUARD)
    assert not t.is_alive(), f"{getattr(fn, '__name__', fn)} still running after {GUARD} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


def gsp_target(s: GspServer) -> Target:
    return Target("generic", s.url + "/gsp", s.url + "/query")


def wd_client(wb: FakeWikibase, cache: Path | None = None, **kw) -> WikidataClient:
    kw.setdefault("backoff", 0.01)
    return WikidataClient(ClientConfig(endpoint=wb.endpoint, contact="tests@example.org", cache_dir=cache, **kw),
                          requests.Session())


def kg(*argv: str) -> int:
    return cli.main([str(a) for a in argv])


def kg_link(root: Path, wb: FakeWikibase, *argv: str) -> int:
    return kg("--root", root, "link", "--endpoint", wb.endpoint, "--contact", "tests@example.org",
              "--backoff", "0.01", *argv)


class Listener:
    """A TCP listener that never answers; ``connections()`` counts what reached it."""

    def __init__(self, host: str = "127.0.0.2"):
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.url = f"http://{host}:{self.sock.getsockname()[1]}"

    def connections(self) -> int:
        self.sock.settimeout(0.5)
        n = 0
        try:
            while True:
                conn, _ = self.sock.accept()
                conn.close()
                n += 1
        except TimeoutError:
            return n

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def listener():
    lst = Listener()
    yield lst
    lst.close()


class DripServer:
    """Sends ``head`` at once, then ``drip`` one byte a second (until the client leaves)."""

    def __init__(self, head: bytes, drip: bytes):
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.recv(65536)
                try:
                    self.request.sendall(head)
                    for i in range(len(drip)):
                        self.request.sendall(drip[i:i + 1])
                        outer.sent += 1
                        time.sleep(1.0)
                except OSError:
                    pass

        self.sent = 0
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- a total deadline, not per read

@pytest.mark.parametrize("head, drip", [
    (b"", b"HTTP/1.1 200 OK\r\n" * 100),                                           # the status line
    (b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 1000),                          # a header
    (b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"x" * 1000),            # the body
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"1" * 1000),      # a chunk size
], ids=["status-line", "header", "body", "chunk-size"])
def test_a_dripping_server_fails_at_the_deadline(head, drip):
    with DripServer(head, drip) as s:
        with pytest.raises(http.GaveUp, match=r"no answer within 2 s") as e:
            guarded(http.request, requests.Session(), "GET", s.url, http.Limits(timeout=2, retries=1, backoff=0))
        assert e.value.attempts == 2
        assert s.sent < 20            # two attempts of ~2 s, not the 1000 s the drip would take


def test_kg_load_against_a_dripping_store_gives_up_at_the_deadline(corpus_dist):
    with GspServer() as s:
        s.fail = [None, Reply(201, body=b"x" * 600, drip=1.0)]     # the access check passes; the PUT drips
        c = GspClient(gsp_target(s), retries=0, timeout=2)
        with pytest.raises(StoreUnreachable, match=r"after 1 attempts \(no answer within 2 s\)") as e:
            guarded(load.load, corpus_dist, gsp_target(s), base=BASE, client=c)
        assert e.value.exit_code == 4


def test_kg_link_against_a_dripping_api_gives_up_at_the_deadline(tmp_path):
    with FakeWikibase() as wb:
        wb.script(*[Fault("wbsearchentities", body=b'{"search": []}' + b" " * 600, drip=1.0)] * 2)
        c = wd_client(wb, tmp_path, timeout=2, retries=1)
        with pytest.raises(WikidataError, match=r"no answer within 2 s, 2 times; giving up"):
            guarded(c.search, "Mao", "en")
        assert not list(tmp_path.rglob("*.json"))


# ---------------------------------------------------------------- Retry-After

def test_kg_load_waits_as_long_as_retry_after_says(corpus_dist):
    when = int(time.time()) + 6                        # an HTTP date: whole seconds
    with GspServer() as s:
        s.fail = [None, Reply(429, {"Retry-After": "2"}, b"slow down"),
                  Reply(503, {"Retry-After": email.utils.formatdate(when, usegmt=True)}, b"busy")]
        guarded(load.load, corpus_dist, gsp_target(s), base=BASE, client=GspClient(gsp_target(s), backoff=0.01))
        first_put, second, third = s.arrivals[1:4]
        assert [m for m, _, _ in s.requests[1:4]] == ["PUT", "PUT", "PUT"]
        assert second - first_put >= 2.0               # "2": two seconds at least
        assert third + (time.time() - time.monotonic()) >= when - 0.01   # not before the date
        dumped = {line.rsplit(" ", 2)[-2].strip("<>") for line in (corpus_dist / "kg.nq").read_text().splitlines()}
        assert set(s.graphs) == dumped | {BASE + "ontology#"}   # and then the load went on and succeeded


def test_kg_load_refuses_to_wait_longer_than_max_wait(corpus_dist):
    with GspServer() as s:
        s.fail = [None, Reply(503, {"Retry-After": "3600"}, b"")]
        with pytest.raises(StoreRejected, match=r"asks to wait 3600 s \(more than 120 s\)"):
            guarded(load.load, corpus_dist, gsp_target(s), base=BASE, client=GspClient(gsp_target(s), backoff=0))
        assert len(s.requests) == 2                     # no second PUT


# ---------------------------------------------------------------- a size cap

def test_a_huge_wikidata_answer_is_refused_in_bounded_memory(tmp_path):
    with FakeWikibase() as wb:
        wb.script(Fault("wbsearchentities", huge=50 * 1024 * 1024))
        c = wd_client(wb, tmp_path, max_bytes=1024 * 1024)
        tracemalloc.start()
        try:
            with pytest.raises(WikidataError, match=r"larger than the cap of 1048576 bytes") as e:
                guarded(c.search, "Mao", "en")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert e.value.exit_code == 4 and not wb.streamed_all
        assert peak < 8 * 1024 * 1024                   # the cap plus small change, not 50 MB
        assert len(wb.calls("wbsearchentities")) == 1   # too large is not retried
        assert not list(tmp_path.rglob("*.json"))


def test_an_announced_oversize_answer_is_refused_before_reading():
    with GspServer() as s:
        s.fail = [Reply(200, {"Content-Length": str(10 ** 12)}, b"")]
        with pytest.raises(http.Refused, match=r"larger than the cap of 1000 bytes \(1000000000000 bytes announced\)"):
            guarded(http.request, requests.Session(), "GET", s.url + "/", http.Limits(timeout=5, max_bytes=1000))


# ---------------------------------------------------------------- redirects

def test_kg_link_refuses_a_redirect_to_another_host(project, listener, capsys):  # noqa: F811
    before = (project / "data" / review.PATH).read_bytes()
    with FakeWikibase() as wb:
        wb.script(Fault(None, 302, {"Location": listener.url + "/w/api.php?action=wbsearchentities"}, b""))
        assert guarded(kg_link, project, wb, "--no-cache") == 4
    err = capsys.readouterr().err
    assert "redirect to another host refused" in err and listener.url in err and "internal error" not in err
    assert listener.connections() == 0
    assert (project / "data" / review.PATH).read_bytes() == before


def test_kg_load_refuses_a_redirect_to_another_port(corpus_dist):
    other = Listener("127.0.0.1")
    try:
        with GspServer() as s:
            s.fail = [None, Reply(307, {"Location": other.url + "/gsp?graph=x"})]
            with pytest.raises(StoreRejected, match="redirect to another host refused"):
                guarded(load.load, corpus_dist, gsp_target(s), base=BASE, client=GspClient(gsp_target(s), backoff=0))
        assert other.connections() == 0
    finally:
        other.close()


def test_same_host_redirects_are_followed_a_few_times_only():
    with GspServer() as s:
        s.fail = [Reply(302, {"Location": "/"})]
        assert http.request(requests.Session(), "GET", s.url + "/x", http.Limits(timeout=5)).status == 200
        s.fail = [Reply(302, {"Location": "/"})] * 5
        with pytest.raises(http.Refused, match="more than 3 redirects"):
            http.request(requests.Session(), "GET", s.url + "/x", http.Limits(timeout=5))


# ---------------------------------------------------------------- odd JSON shapes: exit 4, never cached

SEARCH_SHAPES = {
    "a-list": b"[]",
    "search-a-string": b'{"search": "Q5"}',
    "hit-a-number": b'{"search": [5]}',
    "id-a-number": b'{"search": [{"id": 5}]}',
    "id-with-newline": b'{"search": [{"id": "Q5\\n"}]}',
    "id-a-property": b'{"search": [{"id": "P31"}]}',
    "label-a-number": b'{"search": [{"id": "Q5", "label": 7}]}',
    "error-a-string": b'{"error": "boom\\u001b[2J"}',
    "deep-nesting": b"[" * 100_000 + b"]" * 100_000,
}
ENTITY_SHAPES = {
    "entities-a-string": b'{"entities": "nope"}',
    "item-a-list": b'{"entities": {"Q381823": []}}',
    "id-missing": b'{"entities": {"Q381823": {"labels": {}}}}',
    "key-not-a-qid": b'{"entities": {"Q381823\\n": {"id": "Q381823"}}}',
    "labels-a-string": b'{"entities": {"Q381823": {"id": "Q381823", "labels": "Peng"}}}',
    "label-value-a-number": b'{"entities": {"Q381823": {"id": "Q381823", "labels": {"en": {"value": 1}}}}}',
    "aliases-a-string": b'{"entities": {"Q381823": {"id": "Q381823", "aliases": {"en": "Peng"}}}}',
    "claims-a-list": b'{"entities": {"Q381823": {"id": "Q381823", "claims": []}}}',
    "statement-a-string": b'{"entities": {"Q381823": {"id": "Q381823", "claims": {"P31": ["x"]}}}}',
    "datavalue-a-list": b'{"entities": {"Q381823": {"id": "Q381823", "claims": {"P31": '
                        b'[{"mainsnak": {"snaktype": "value", "datavalue": []}}]}}}}',
}


@pytest.mark.parametrize("action, body", [("wbsearchentities", b) for b in SEARCH_SHAPES.values()]
                         + [("wbgetentities", b) for b in ENTITY_SHAPES.values()],
                         ids=[*SEARCH_SHAPES, *ENTITY_SHAPES])
def test_an_odd_answer_exits_4_names_the_request_and_is_not_cached(project, tmp_path, capsys, action, body):  # noqa: F811
    cache = tmp_path / "cache"
    before = (project / "data" / review.PATH).read_bytes()
    with FakeWikibase() as wb:
        wb.script(*[Fault(action, body=body)] * 3)
        code = guarded(kg_link, project, wb, "peng-dehuai", "--retries", "2", "--cache", cache)
        err = capsys.readouterr().err
        assert code == 4, err
        assert f"kg link: error: {action}" in err and "internal error" not in err and "Traceback" not in err
        assert not any(c in err for c in CONTROL)
        assert (project / "data" / review.PATH).read_bytes() == before
        assert not list((cache / action).rglob("*.json"))      # the odd answer was not cached
        # The server is fixed (its faults are used up): the rerun succeeds from scratch.
        wb.faults.clear()
        assert guarded(kg_link, project, wb, "peng-dehuai", "--cache", cache) == 0
    assert ("peng-dehuai", "Q381823") in {(r.key, r.qid) for r in review.read(project / "data" / review.PATH)}


def test_a_malformed_answer_cached_by_an_older_kg_is_fetched_again(tmp_path):
    with FakeWikibase() as wb:
        wd_client(wb, tmp_path).search("Peng Dehuai", "en")
        [cached] = tmp_path.rglob("*.json")
        entry = json.loads(cached.read_text())
        cached.write_text(json.dumps({**entry, "response": {"search": "garbage"}}))
        c = wd_client(wb, tmp_path)
        assert [h["id"] for h in c.search("Peng Dehuai", "en")] == ["Q381823"]
        assert c.stats.cache_hits == 0 and len(wb.seen) == 2


# ---------------------------------------------------------------- control characters from the API

def test_control_characters_from_the_api_reach_neither_the_file_nor_the_terminal(project, capsys):  # noqa: F811
    hostile = load_items()
    peng = hostile["Q381823"]
    peng["labels"]["en"]["value"] = "Peng Dehuai\x1b]0;owned\x07\x1b[2J\x1b[31m"
    peng["descriptions"]["en"]["value"] = "Chinese\tgeneral\r\nand\x85marshal\x9b31m\u202eevil\x00"
    peng["aliases"].setdefault("en", []).append({"language": "en", "value": "Peng\u2028Te-huai\x7f"})
    with FakeWikibase(hostile) as wb:
        assert guarded(kg_link, project, wb, "peng-dehuai", "--no-cache", "--verbose") == 0
    out, err = capsys.readouterr()
    text = (project / "data" / review.PATH).read_text(encoding="utf-8")
    for c in CONTROL:
        assert c not in text and c not in out and c not in err
    assert all(line.count("\t") == len(review.COLUMNS) - 1 for line in text.splitlines() if not line.startswith("#"))
    row = {(r.key, r.qid): r for r in review.read(project / "data" / review.PATH)}["peng-dehuai", "Q381823"]
    assert row.label == "Peng Dehuai"
    assert row.description == "Chinese general and marshalevil"
    assert "Peng Dehuai" in out


def test_clean_text_and_shown():
    assert http.clean_text("a\x1b[1;31mb\x1b[0m c\x1b]8;;http://x\x07d\x1b\\e") == "ab cde"
    assert http.clean_text("tab\there\nnew\rline") == "tab here new line"
    assert http.clean_text("\ud800lone\u202eright\u2066") == "loneright"
    assert http.clean_text("Mao Zedong 毛泽东") == "Mao Zedong 毛泽东"
    assert http.shown("x" * 1000) == repr("x" * 60 + "…") and http.shown("Q5\n") == "'Q5 '"
    assert http.shown({"a": 1}) == "'a dict'" and http.shown(7) == "'7'"
    # Long runs of would-be escapes take linear time.
    for s in ("\x1b[" + "0" * 1_000_000, "\x1b]" * 300_000, "\x1b[" * 300_000):
        assert guarded(http.clean_text, s).isprintable()


# ---------------------------------------------------------------- whole QIDs and keys only

@pytest.mark.parametrize("mode", ["--reject", "--accept"])
@pytest.mark.parametrize("key, qid", [("peng-dehuai", "Q381823\n"), ("peng-dehuai", "Q381823 "),
                                      ("peng-dehuai\n", "Q381823"), ("peng-dehuai", "Q0381823")])
def test_a_qid_or_key_with_anything_more_is_refused(project, capsys, mode, key, qid):  # noqa: F811
    before = (project / "data" / review.PATH).read_bytes()
    assert kg("--root", project, "link", mode, key, qid, "--by", "tester", "--evidence", "checked") == 2
    err = capsys.readouterr().err
    assert "is not a" in err and "\n" not in err.rstrip("\n")
    assert (project / "data" / review.PATH).read_bytes() == before


def test_item_ids_inside_claims_are_matched_whole():
    def ref(value):
        return {"mainsnak": {"snaktype": "value", "datavalue": {"value": value}}}
    item = {"id": "Q1", "claims": {"P31": [ref({"id": "Q5\n"}), ref({"id": "Q5"}), ref({"numeric-id": True}),
                                           ref({"numeric-id": 43229}), ref({"id": "P31"})]}}
    assert items.item_ids(item, "P31") == {"Q5", "Q43229"}
    assert items.year({"time": "+" + "0" * 100_000}) is None
    assert items.year({"time": "-0000000000000044-03-15T00:00:00Z"}) == -44


# ---------------------------------------------------------------- --prune under a full IRI only

@pytest.mark.parametrize("prefix", ["http:", "http://", "urn:x-kg:", "https://kg.example.org/graph",
                                    "https://kg.example.org/graph/\n", "kg.example.org/graph/",
                                    "https:///graph/"])
def test_prune_under_a_short_or_odd_prefix_is_refused_before_anything_is_sent(prefix, tmp_path, capsys):
    with GspServer() as s:
        s.graphs["http://elsewhere.example/g"] = {"<a:s> <a:p> <a:o> ."}
        code = kg("load", "--endpoint", s.url + "/gsp", "--store-type", "generic", "--query-url",
                  s.url + "/query", "--prune", "--graph-prefix", prefix)
        assert code == 2 and s.requests == []
        assert set(s.graphs) == {"http://elsewhere.example/g"}
    assert "graph prefix" in capsys.readouterr().err
    assert kg("load", "--store-dir", tmp_path / "st", "--prune", "--graph-prefix", prefix) == 2
    assert not (tmp_path / "st").exists()


def test_prune_drops_only_kgs_graphs_and_foreign_graphs_survive(corpus_dist):
    foreign = {"http://elsewhere.example/g", "https://kg.example.org/other/g", "https://kg.example.org/graphs/x",
               "https://kg.example.org/graph"}
    stale = "https://kg.example.org/graph/document/999"
    with GspServer() as s:
        for g in (*foreign, stale):
            s.graphs[g] = {"<a:s> <a:p> <a:o> ."}
        report = guarded(load.load, corpus_dist, gsp_target(s), base=BASE, prune=True,
                         client=GspClient(gsp_target(s), backoff=0))
        assert report.pruned == (stale,)
        assert foreign <= set(s.graphs) and stale not in s.graphs


def test_check_iri_matches_whole_iris():
    assert load.check_iri("https://kg.example.org/graph/") == "https://kg.example.org/graph/"
    for bad in ("https://kg.example.org/\u202egraph/", "1http://x/", "no-colon", "http://x/\n", "ht tp://x/"):
        with pytest.raises(KgError, match="is not an absolute IRI"):
            load.check_iri(bad)
    assert load.prune_prefix("https://h.example/kg#") == "https://h.example/kg#"


@pytest.mark.parametrize("line, field", [('timeout = "soon"', "wikidata.timeout"), ("retries = -1", "wikidata.retries"),
                                         ("max_bytes = 1.5", "wikidata.max_bytes"), ("endpoint = 5", "wikidata.endpoint"),
                                         ("timeout = nan", "wikidata.timeout")])
def test_bad_client_settings_in_kg_toml_exit_2_naming_the_field(project, capsys, line, field):  # noqa: F811
    toml = project / "kg.toml"
    with FakeWikibase() as wb:                         # never the real API, even if the check failed
        endpoint = "" if line.startswith("endpoint") else f'endpoint = "{wb.endpoint}"\n'
        toml.write_text(toml.read_text(encoding="utf-8") + f"\n[wikidata]\n{endpoint}{line}\n", encoding="utf-8")
        assert kg("--root", project, "link", "--contact", "tests@example.org") == 2
        assert wb.seen == []
    err = capsys.readouterr().err
    assert f"field '{field}'" in err and "internal error" not in err
