"""End to end in headless Chromium (Debian's ``chromium``, driven by Playwright through its
executable path; no browser download): search a Russian spelling, reach Peng Dehuai, follow
to the conversation of 18 September 1956, see its attendees and the highlighted passage.

Screenshots go to ``test-artifacts/``. With ``CI=true`` a missing browser fails the run;
elsewhere the tests are skipped with the reason.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from kg.serve.app import App
from kg.serve.server import make_server

from .conftest import CORPUS, ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ATTENDEES = ("Mao Zedong", "Liu Shaoqi", "Zhou Enlai", "Peng Dehuai", "Deng Xiaoping", "Wang Jiaxiang",
             "Anastas Mikoyan")


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def base_url(corpus_dist):
    app = App(corpus_dist, "https://kg.example.org/", queries_dir=CORPUS / "queries")
    srv = make_server(app, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _page(browser, base_url, **kw):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **kw)
    page = context.new_page()
    foreign = []
    page.on("request", lambda r: None if r.url.startswith(base_url) else foreign.append(r.url))
    return context, page, foreign


def test_search_to_conversation_to_passage(browser, base_url):
    context, page, foreign = _page(browser, base_url)
    page.goto(base_url + "/")
    assert "Sino-Soviet" in page.locator("h1").inner_text()
    assert page.locator("svg.network circle").count() >= 5
    page.screenshot(path=str(ARTIFACTS / "1-home.png"))

    page.fill('form.search input[name="q"]', "Пин Дэ-хуэй")
    page.press('form.search input[name="q"]', "Enter")
    page.wait_for_url("**/search?q=*")
    page.screenshot(path=str(ARTIFACTS / "2-search.png"))
    page.click('ul.hits a:has-text("Peng Dehuai")')

    page.wait_for_url("**/person/peng-dehuai")
    assert page.locator("h1").inner_text() == "Peng Dehuai"
    assert page.locator("td[lang=ru]", has_text="Пин Дэ-хуэй").count() == 1
    page.screenshot(path=str(ARTIFACTS / "3-person.png"), full_page=True)
    page.click('section.attended a:has-text("18 September 1956")')

    page.wait_for_url("**/event/conversation-1956-09-18")
    attendees = page.locator("section.attendees li").all_inner_texts()
    for name in ATTENDEES:
        assert any(name in a for a in attendees), name
    assert "18 September 1956, 18:00–22:00" in page.locator("section.event-facts").inner_text()
    page.screenshot(path=str(ARTIFACTS / "4-event.png"), full_page=True)

    link = page.locator("section.evidence a.passage-link", has_text="Peng Dehuai").first
    link.click()
    page.wait_for_url("**/document/121799#translation-en-passage-*")
    current = page.locator("mark.passage.current")
    current.first.wait_for(state="visible")
    text = " ".join(current.all_inner_texts())
    assert "Peng Dehuai" in text and "were present" in text
    assert current.first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.locator(".text.original a.mention", has_text="Пин Дэ-хуэй").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "5-document-passage.png"))
    assert foreign == [], f"pages requested outside kg: {foreign}"
    context.close()


def test_pages_work_without_javascript(browser, base_url):
    context, page, foreign = _page(browser, base_url, java_script_enabled=False)
    page.goto(base_url + "/search?q=%D0%9F%D0%B8%D0%BD+%D0%94%D1%8D-%D1%85%D1%83%D1%8D%D0%B9")
    page.click('ul.hits a:has-text("Peng Dehuai")')
    page.wait_for_url("**/person/peng-dehuai")
    page.goto(base_url + "/document/121799")
    assert page.locator(".text.translation mark.passage").count() > 20
    assert page.locator(".text.original").get_attribute("lang") == "ru"
    assert foreign == []
    context.close()


def test_static_copy_searches_in_the_browser(browser, tmp_path, corpus_dist):
    """`kg site` output, served by a plain file server: search.html finds any spelling."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from kg.serve.site import export
    out = tmp_path / "site"
    export(corpus_dist, "https://kg.example.org/", out)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{srv.server_address[1]}"
        context, page, foreign = _page(browser, url)
        page.goto(url + "/search.html?q=%D0%9F%D0%B8%D0%BD+%D0%94%D1%8D-%D1%85%D1%83%D1%8D%D0%B9")
        page.locator('#static-search a[href="/person/peng-dehuai"]').wait_for()
        assert foreign == []
        context.close()
    finally:
        srv.shutdown()
        srv.server_close()
