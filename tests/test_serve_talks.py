"""``kg serve``: the document and event pages list what was said in a conversation (the acts
of ``propositions:``), over real HTTP on 127.0.0.1 (the server of tests/test_serve_http.py)."""
from __future__ import annotations

import html as htmllib
import re

from .test_serve_http import request, server  # noqa: F401  (the module's server fixture)


def _talks(page: str) -> str:
    sections = re.findall(r'<section class="talks">.*?</section>', page, re.S)
    assert sections, "no talks section"
    return htmllib.unescape("\n".join(sections))


def test_document_page_lists_the_acts_of_the_conversation(server):
    status, _, body = request(server, "GET", "/document/121799", {"Accept": "text/html"})
    assert status == 200
    page = body.decode()
    talks = _talks(page)
    assert "What was said" in talks and "/event/conversation-1956-09-18" in talks
    # Mao's proposal of a published resolution, by him, with the telegram's words.
    assert "Cde. Mao Zedong suggested that the KWP CC adopt at least a brief resolution" in talks
    # The objection answers Mao's first suggestion about the members who fled.
    row = re.search(r'<tr id="return-of-fled-members-objection">.*?</tr>', talks, re.S).group(0)
    assert "objection" in row and "CPSU delegation" in row and "answers:" in row and "fled Korea" in row
    # An impersonal decision names no one.
    row = re.search(r'<tr id="no-deadline">.*?</tr>', talks, re.S).group(0)
    assert "(not named)" in row and "It was arranged not to set a deadline today" in row
    # The acts are in the text's order, and not listed again among the events the document records.
    assert talks.index("We proposed sending a joint delegation") < talks.index("We agreed with him.")
    records = re.search(r"<dt>records</dt><dd>(.*?)</dd>", page, re.S).group(1)
    assert "/proposition/" not in records


def test_event_page_lists_what_was_said(server):
    _, _, body = request(server, "GET", "/event/conversation-1956-09-18", {"Accept": "text/html"})
    talks = _talks(body.decode())
    assert "Liu Shaoqi, Zhou Enlai, and Peng Dehuai more than once made comments" in talks
    assert 'href="/person/liu-shaoqi"' in talks
