"""The Wikidata client against a real HTTP server on 127.0.0.1 answering like the API,
with scripted faults: 429 with Retry-After, 500, a timeout, malformed JSON, maxlag."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from kg.errors import KgError
from kg.wikidata.client import ClientConfig, WikidataClient, WikidataError, retry_after

from .wikibase_server import FakeWikibase, Fault

CONTACT = "tests@example.org"


@pytest.fixture()
def wikibase():
    with FakeWikibase() as wb:
        yield wb


def client(wb: FakeWikibase, cache: Path | None = None, **kw) -> WikidataClient:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("timeout", 5.0)
    config = ClientConfig(endpoint=wb.endpoint, contact=CONTACT, cache_dir=cache, **kw)
    return WikidataClient(config, requests.Session())


def test_search_sends_maxlag_and_a_user_agent_with_the_contact(wikibase):
    hits = client(wikibase).search("Peng Dehuai", "en")
    assert [h["id"] for h in hits] == ["Q381823"]
    [seen] = wikibase.calls("wbsearchentities")
    assert seen.params["maxlag"] == "5" and seen.params["format"] == "json"
    assert seen.params["search"] == "Peng Dehuai" and seen.params["language"] == "en"
    ua = seen.headers["User-Agent"]
    assert ua.startswith("kg/") and f"({CONTACT})" in ua and "requests/" in ua


def test_a_name_found_only_through_an_alias(wikibase):
    [hit] = client(wikibase).search("Presidium of the CPSU Central", "en")
    assert hit["id"] == "Q842008" and hit["match"]["type"] == "alias"
    assert hit["label"] == "Politburo of the Communist Party of the Soviet Union"


def test_no_contact_no_request(wikibase):
    c = WikidataClient(ClientConfig(endpoint=wikibase.endpoint), requests.Session())
    with pytest.raises(KgError) as info:
        c.search("Mao Zedong", "en")
    assert info.value.field == "wikidata.contact" and "--contact" in str(info.value)
    assert wikibase.seen == []


def test_a_full_user_agent_replaces_kgs_own(wikibase):
    c = WikidataClient(ClientConfig(endpoint=wikibase.endpoint, user_agent="MyBot/1.0 (me@example.org)"),
                       requests.Session())
    c.search("Mao", "en")
    assert wikibase.seen[0].headers["User-Agent"] == "MyBot/1.0 (me@example.org)"


def test_429_with_retry_after_is_honoured(wikibase):
    wikibase.script(Fault("wbsearchentities", 429, {"Retry-After": "1"}, b"slow down"))
    c = client(wikibase)
    t0 = time.monotonic()
    hits = c.search("Mao Zedong", "en")
    elapsed = time.monotonic() - t0
    assert {h["id"] for h in hits} >= {"Q5816"}
    assert len(wikibase.calls("wbsearchentities")) == 2 and c.stats.retries == 1
    assert elapsed >= 1.0 and c.stats.waited == 1.0


def test_500_is_retried_then_succeeds(wikibase):
    wikibase.script(Fault(None, 500, body=b"oops"), Fault(None, 503, body=b"busy"))
    c = client(wikibase)
    assert c.search("Beijing", "en")[0]["id"] == "Q956"
    assert len(wikibase.seen) == 3 and c.stats.retries == 2


def test_500_every_time_gives_a_clear_error_after_n_tries(wikibase):
    wikibase.script(*[Fault(None, 500, body=b"oops")] * 10)
    c = client(wikibase, retries=2)
    with pytest.raises(WikidataError) as info:
        c.search("Beijing", "en")
    assert len(wikibase.seen) == 3
    msg = str(info.value)
    assert "wbsearchentities 'Beijing'@en: HTTP 500, 3 times; giving up" in msg
    assert info.value.exit_code == 4


def test_a_timeout_is_retried(wikibase):
    wikibase.script(Fault("wbsearchentities", delay=1.5))
    c = client(wikibase, timeout=0.3)
    assert c.search("Pyongyang", "en")[0]["id"] == "Q18808"
    assert len(wikibase.calls("wbsearchentities")) == 2 and c.stats.retries == 1


def test_timeouts_every_time_give_a_clear_error(wikibase):
    wikibase.script(*[Fault("wbsearchentities", delay=1.0)] * 3)
    c = client(wikibase, timeout=0.2, retries=1)
    with pytest.raises(WikidataError, match=r"no answer within 0.2 s, 2 times"):
        c.search("Pyongyang", "en")


def test_malformed_json_is_retried_then_reported(wikibase):
    wikibase.script(Fault("wbgetentities", body=b'{"entities": {"Q5816": '))
    c = client(wikibase)
    assert set(c.entities(["Q5816"])) == {"Q5816"}
    assert c.stats.retries == 1
    wikibase.script(*[Fault("wbgetentities", body=b"<html>proxy error</html>")] * 5)
    with pytest.raises(WikidataError, match="not a JSON object"):
        client(wikibase, retries=2).entities(["Q956"])


def test_maxlag_error_waits_as_told(wikibase):
    lagged = b'{"error": {"code": "maxlag", "info": "Waiting for a database server: 6 seconds lagged"}}'
    wikibase.script(Fault("wbsearchentities", 200, {"Retry-After": "0"}, lagged))
    c = client(wikibase)
    assert c.search("Moscow", "en") == []              # no Moscow item in the fixtures
    assert c.stats.retries == 1


def test_a_server_asking_for_too_long_a_wait_is_not_waited_for(wikibase):
    wikibase.script(Fault(None, 429, {"Retry-After": "3600"}, b""))
    with pytest.raises(WikidataError, match="asks to wait 3600 s"):
        client(wikibase).search("Mao", "en")
    assert len(wikibase.seen) == 1


def test_client_errors_and_api_errors_are_not_retried(wikibase):
    wikibase.script(Fault(None, 403, body=b"forbidden"))
    with pytest.raises(WikidataError, match="HTTP 403") as info:
        client(wikibase).search("Mao", "en")
    assert "User-Agent" in info.value.hint and len(wikibase.seen) == 1
    with pytest.raises(WikidataError, match="toomanyvalues"):
        client(wikibase).get({"action": "wbgetentities", "ids": "|".join(f"Q{i}" for i in range(1, 60))})


def test_entities_are_fetched_in_batches_of_at_most_50(wikibase):
    ids = [f"Q{i}" for i in range(1, 121)] + ["Q5816", "Q932508"]
    found = client(wikibase).entities(ids, languages=["en"])
    calls = wikibase.calls("wbgetentities")
    sizes = [len(c.params["ids"].split("|")) for c in calls]
    assert sizes == [50, 50, 22] and all(c.params["maxlag"] == "5" for c in calls)
    assert {"Q5", "Q5816", "Q932508"} <= set(found) and "Q1" not in found    # missing items left out
    assert set(found["Q5816"]["labels"]) == {"en"}


def test_the_cache_prevents_a_second_request(wikibase, tmp_path):
    c = client(wikibase, cache=tmp_path)
    first = c.search("Kim Il", "en")
    again = c.search("Kim Il", "en")
    assert first == again and len(wikibase.seen) == 1 and c.stats.cache_hits == 1
    # A new client (a rerun) reads the same cache, and --offline needs nothing else.
    offline = client(wikibase, cache=tmp_path, offline=True)
    assert offline.search("Kim Il", "en") == first and len(wikibase.seen) == 1
    with pytest.raises(WikidataError, match="not in the cache and --offline is set"):
        offline.search("Beijing", "en")
    # --refresh fetches again.
    client(wikibase, cache=tmp_path, refresh=True).search("Kim Il", "en")
    assert len(wikibase.seen) == 2


def test_faults_are_never_cached(wikibase, tmp_path):
    wikibase.script(*[Fault(None, 500, body=b"oops")] * 2)
    with pytest.raises(WikidataError):
        client(wikibase, cache=tmp_path, retries=1).search("Beijing", "en")
    assert not list(tmp_path.rglob("*.json"))
    assert client(wikibase, cache=tmp_path).search("Beijing", "en")[0]["id"] == "Q956"


def test_retry_after_forms():
    assert retry_after("7") == 7.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0     # a date in the past
