"""Read Wilson Center Digital Archive record exports (``data/records/<number>.txt``).

A record is a header (date, title, ``Citation:`` with shelfmark, translator and web
address, ``Summary:``, ``Credits:``, ``Original Language:``, ``Contents:``; headings plain
or bold, with or without colons, or all inline in one paragraph as the PDF exports print
them), then the texts: the original-language transcript, the English translation, or
both. Nothing separates the two: the translation is the trailing run of English
paragraphs, told apart by script (for a Latin-script original, by English function
words). Most records have the translation only; an English original has no translation.
Several originals or translations are split where the header names each text's language
and each has a script of its own (:func:`_several`); never by guess.
Shelfmarks in the citation are read by :mod:`kg.citations`.
"""
from __future__ import annotations

import datetime
import pathlib
import re
import types
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Mapping

from kg.citations import Shelfmark, parse as parse_citation
from kg.errors import KgError, quote
from kg.inputs import read_text
from kg.iris import NOT_IN_IRI
from kg.languages import code_of, script_of


class RecordError(KgError):
    """An archive record file is malformed or lacks a required field."""


@dataclass(frozen=True)
class Annotation:
    """An editorial mark or recognised line inside a text; ``content[start:end] == text``."""
    kind: str                   # 'page', 'sic', 'handwritten', 'signature', 'date-line' …
    text: str
    start: int
    end: int
    value: str | None = None    # page number, authenticator, registration, ISO date …


@dataclass(frozen=True)
class Text:
    """One text of a record, verbatim, with the file line where it starts."""
    language: str | None        # ISO 639 code; None: the record does not say (or names no known language)
    content: str
    line: int
    annotations: tuple[Annotation, ...]
    role: str = "original"      # 'original' (as written) or 'translation'

    def line_of(self, offset: int) -> int:
        """The 1-based file line holding character ``offset`` of ``content``."""
        if not 0 <= offset <= len(self.content):
            raise ValueError(f"offset {offset} outside the text (0..{len(self.content)})")
        return self.line + self.content.count("\n", 0, offset)


@dataclass(frozen=True)
class Record:
    """One archive record: its header fields, its texts and where each was found."""
    path: pathlib.Path
    number: str
    title: str
    date: str
    citation: str               # without the translator statement and the web address
    shelfmarks: tuple[Shelfmark, ...]   # one per archive cited; the first is the document's
    translators: tuple[str, ...]
    url: str | None             # None: a web page's text that names no address
    summary: str | None
    original_languages: tuple[str, ...]   # ISO 639 codes (639-1 where there is one); () when none is known
    contents: tuple[str, ...]
    texts: tuple[Text, ...]     # in file order; role 'original' or 'translation'
    lines: Mapping[str, int] = field(hash=False, compare=False)
    credits: str | None = None
    warnings: tuple[str, ...] = ()   # what was read but not understood (e.g. a shelfmark)

    @property
    def original(self) -> Text | None:
        """The first text as written."""
        return next((t for t in self.texts if t.role == "original"), None)

    @property
    def translation(self) -> Text | None:
        """The English translation, else the first translation."""
        tr = [t for t in self.texts if t.role == "translation"]
        return next((t for t in tr if t.language == "en"), tr[0] if tr else None)

    @property
    def original_language(self) -> str | None:
        return self.original_languages[0] if self.original_languages else None

    @property
    def shelfmark(self) -> Shelfmark | None:
        return self.shelfmarks[0] if self.shelfmarks else None

    def text_ids(self) -> tuple[tuple[str, Text], ...]:
        """Every text with its id: 'original' and 'translation' for :attr:`original` and
        :attr:`translation`, '<role> <language>' for any other (e.g. 'translation ru')."""
        primary = {id(self.original): "original", id(self.translation): "translation"}
        return tuple((primary.get(id(t)) or f"{t.role} {t.language}", t) for t in self.texts)

    def text(self, which: str) -> Text | None:
        """The text with id ``which`` (see :meth:`text_ids`)."""
        return next((t for i, t in self.text_ids() if i == which), None)

    def resolve_text(self, spec: str) -> str:
        """The id of the text ``spec`` names: 'original' or 'translation' when the record has
        one text of that role, '<role> <language>' ('translation ru'), or a language code
        alone ('zh') when one text is in it. ValueError says what the record has instead."""
        ids = self.text_ids()
        words = spec.split() if isinstance(spec, str) else []
        if len(words) == 1 and words[0] in ("original", "translation"):
            found = [(i, t) for i, t in ids if t.role == words[0]]
        elif len(words) == 2 and words[0] in ("original", "translation"):
            found = [(i, t) for i, t in ids if t.role == words[0] and t.language == words[1]]
        elif len(words) == 1:
            found = [(i, t) for i, t in ids if t.language == words[0]]
        else:
            found = []
        if len(found) == 1:
            return found[0][0]
        have = " and ".join(i for i, _ in ids)
        if not ids:
            raise ValueError(f"record {self.number} has no text, only its header")
        if found:
            raise ValueError(f"{quote(spec)} names {len(found)} texts of record {self.number} ({have}); "
                             "say which, e.g. " + " or ".join(quote(f"{t.role} {t.language}") for _, t in found))
        raise ValueError(f"record {self.number} has no {spec if isinstance(spec, str) else 'such'} text; "
                         f"it has {have}")

    def roles(self) -> tuple[str, ...]:
        """The roles of the texts this record has ('original', 'translation')."""
        return tuple(dict.fromkeys(t.role for t in self.texts))


LATIN_SCRIPT = {"cs", "da", "de", "en", "es", "et", "fi", "fr", "hr", "hu", "id", "it", "lt",
                "lv", "nl", "no", "pl", "pt", "ro", "sh", "sk", "sl", "sq", "sv", "tr", "vi"}
_EN_WORDS = set("the of and to that is was were with for he it we they on by this which be "
                "have had has are from not at his their our would will".split())
_EN_SHORT = _EN_WORDS | {"secret", "confidential", "copy", "telegram", "cable", "memorandum",
                         "record", "note", "minutes", "translation"}

# Regular expressions here run on lines and texts of any length, so none may backtrack
# more than a bounded amount: runs of spaces are matched possessively (*+), and open-ended
# parts are either bounded ({0,300}) or left to str methods (see _urls).
_HEADING = re.compile(r"\s*+(?:#{1,6}+\s*+)?([*_]{0,2}+)\s*+(citation|summary|credits|original\s++languages?|"
                      r"contents?)\s*+(:?)\s*+\1?\s*+(:?)(.*)", re.I)
# The PDF export prints the header as one paragraph: "… Citation: … Summary: … Contents: …"
_INLINE = re.compile(r"(?<!\S)(?=(?:Citation|Summary|Credits|Original\s{1,3}Languages?|Contents?):\s)")
# Contents items the PDF export runs into the first line of the text
_ITEMS = re.compile(r"(?:(?:English\s|Russian\s|Chinese\s|Original\s)?(?:Translation|Transcript(?:ion)?)"
                    r"(?:\s-\s\w{1,20})?|Scan\sof\sOriginal\sDocument|Original\sScan|Original\sDocument)"
                    r"(?=\s|$)\s?", re.I)
_GENERIC = re.compile(r"[*_]{0,2}+\s*+([A-Z][A-Za-z&/ ,'-]{1,40}?)\s*:\s*+[*_]{0,2}+")
_URL_START = re.compile(r"https?://")
_URL_END = ".,;)"
_BRACKETS = re.compile(r"[<>]")
_IRI = re.compile(r"https?://[^/?#@:]+(?::[0-9]{1,5})?(?:[/?#].*)?", re.S)
_ITEM = re.compile(r"^\s*(?:[-*•]\s+)?(?:[a-z]{1,12}\s)?(?:original|transcript|transcription|translation|scan)\b"
                   r".{0,60}$", re.I)
_TRANSLATED = re.compile(r"(?:\b(?:obtained|edited),?\s{1,20}(?:and\s{1,20})?)?\btranslated\b[^.]{0,300}?"
                         r"\bby\s+", re.I)
_CREDIT = re.compile(r"(?<![^\s.])(?:Obtained|Edited|Provided)\b")   # a credit sentence's opening
_EN_MONTHS = "january february march april may june july august september october november " \
             "december".split()
_RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября " \
             "декабря".split()
_MONTH = (r"(?:" + "|".join(_EN_MONTHS + _RU_MONTHS) + r"|(?:jan|feb|mar|apr|jun|jul|aug|sept?"
          r"|oct|nov|dec)\.?)(?!\w)")
_ROMAN = "I II III IV V VI VII VIII IX X XI XII".split()
_DATE = re.compile(
    rf"(?P<d1>\d{{1,2}})[ \t]*\.[ \t]*(?P<m1>\d{{1,2}}(?![IVXl])|[IVXl1]{{1,4}})(?:[ \t]*[./-]"
    rf"[ \t]*(?P<y1>\d{{4}}|\d{{2}})(?!\d))?(?:[ \t]*г\.?)?"
    rf"|(?P<d2>\d{{1,2}})[ \t]+(?P<m2>{_MONTH})(?:,?[ \t]+(?P<y2>\d{{4}})(?:[ \t]*г\.?)?)?"
    rf"|(?P<m3>{_MONTH})[ \t]+(?P<d3>\d{{1,2}})(?:,?[ \t]+(?P<y3>\d{{4}}))?", re.I)
_BRACKET = re.compile(r"\[[^\[\]]{1,2000}\]")
_BRACKET_KINDS = (   # tried in order on the words before the note's first colon
    ("translator-note", r"translator[’']?s?[’']?\s+note|trans\.\s+note|прим(?:ечание)?\.?\s+пер"),
    ("sic", r"\bsic\b"),
    ("deleted", r"deleted|crossed\s+out|struck|зачеркнуто|вычеркнуто"),
    ("inserted", r"inserted|вписано|вставлено"),
    ("handwritten", r"handwrit|by\s+hand|in\s+hand|от\s+руки|рукой|рукописн"))
_PAGE = re.compile(r"^[ \t]*((?:лист|л\.|page|p\.|sheet)[ \t]*(\d+[a-zа-я]?)(?:[ \t]*(об|ob|verso)"
                   r"\.?)?)[ \t]*$", re.I | re.M)
_CLASSIF = {"secret": "Secret", "top secret": "Top Secret", "strictly secret": "Strictly Secret",
            "completely secret": "Top Secret", "confidential": "Confidential",
            "секретно": "Secret", "совершенно секретно": "Top Secret",
            "строго секретно": "Strictly Secret", "особой важности": "Of Special Importance"}
_CLASSIF_RE = re.compile(r"^[ \t]*[*_]*((?:top|strictly|completely|совершенно|строго)[ \t]+"
                         r"(?:secret|секретно)|secret|confidential|секретно|особой[ \t]+важности)"
                         r"\.?[*_]*[ \t]*$", re.I | re.M)
_AUTH = re.compile(r"(?:^[ \t]*|(?<=\[)|(?<=: ))((?:authenticated|certified(?:[ \t]+true)?|true"
                   r"[ \t]+copy|correct|с[ \t]+подлинным[ \t]+верно|верно)[ \t]*:[ \t]*"
                   r"(?P<who>[^\]\n]*[^\]\s.]))", re.I | re.M)
_REG = re.compile(r"(?<!\w)((?:spets|spec|sluzh|спец|служ|исх|вх)\.?[ \t]*+(?:N|No\.?|№)?[ \t]*+/?"
                  r"[ \t]*+(?P<num>\d+(?:[ \t]*[-–][ \t]*\d+)?))", re.I)
_SIG = re.compile(r"((?:[A-ZА-ЯЁ]\.[ \t]?){1,2}[A-ZА-ЯЁ](?:[A-ZА-ЯЁ'-]+|[a-zа-яё'-]+))[ \t]*+\W?"
                  r"[ \t]*+\Z")


def read_record(path) -> Record:
    """Read (see :mod:`kg.inputs` for the checks) and parse the record file at ``path``."""
    return parse_record(read_text(path), path)


def parse_record(text: str, path) -> Record:
    """Parse a record from ``text``; ``path`` names it in errors and gives the number."""
    path = pathlib.Path(path)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def err(message, line, field, hint=None):   # line: 1-based, of the unflattened lines
        return RecordError(message, path=path, line=at(line), field=field, hint=hint)

    if not any(s.strip() for s in lines):
        raise RecordError("the file is empty; expected an archive record (date, title, "
                          "'Citation:' …, then the original text and its translation)", path=path)
    lines, at = _unflatten(lines)
    page = _page(lines, err)
    if page:
        pre, secs, (end, stop), first = page
    else:
        first = next((i for i, s in enumerate(lines) if _heading(s, False)), len(lines))
        pre = _group([(i, lines[i]) for i in range(first) if lines[i].strip()])
        secs, end = _sections(lines, first, err) if first < len(lines) else ({}, first)
        stop = len(lines)
    header = None if "citation" not in secs else _cited_title_date(_join(secs["citation"]))
    if header and len(pre) != 2:   # no date and title above, or a web page's text there
        line = secs["citation"][0][0] + 1
        (date, dline), (title, tline) = (header[1], line), (header[0], line)
    else:
        (date, dline), (title, tline) = _date_title(pre, first, err)
        if "citation" not in secs:
            at_ = pre[2][0][0] + 1 if len(pre) > 2 else tline + 1
            raise err("no 'Citation:' section; expected a 'Citation:' heading above the citation "
                      f"text (after the title, at line {at_})", at_, "citation")
        if len(pre) > 2:
            raise err("unexpected text between the title and the first heading; expected a "
                      "heading such as 'Citation:'", pre[2][0][0] + 1, "title")
    hl = {"date": dline, "title": tline}
    url, number = _url(secs, path, err, hl, page is not None)
    citation, translators, obtained = _citation(secs["citation"], err, hl)
    shelfmarks, warnings = parse_citation(citation)
    summary = _paragraphs(secs.get("summary", ()))
    credits = "\n\n".join(c for c in (obtained, _paragraphs(secs.get("credits", ()))) if c) or None
    notes: list[tuple[int, str]] = []   # (line of the unflattened lines, warning)
    langs = _languages(secs, hl, notes)
    contents = tuple(re.sub(r"^[-*•]\s+", "", t.strip(" *_")) for _, t in secs.get("contents", ())
                     if t.strip(" *_"))
    for key, present in (("summary", summary), ("credits", credits and "credits" in secs),
                         ("contents", contents)):
        if present:
            hl[key] = next(k for k, t in secs[key] if t.strip()) + 1
    texts = _texts(lines, end, stop, langs, contents, notes)
    pages = tuple(dict.fromkeys(a.value for t in texts for a in t.annotations if a.kind == "page"))
    if shelfmarks:
        shelfmarks = (replace(shelfmarks[0], pages_marked=pages),) + shelfmarks[1:]
    hl = {k: at(v) for k, v in hl.items()}
    texts = tuple(replace(t, line=at(t.line)) for t in texts)
    return Record(path, number, title, date, citation, shelfmarks, translators, url, summary,
                  langs, contents, texts, types.MappingProxyType(hl), credits,
                  tuple(f"{path}: {w}" for w in warnings) + tuple(f"{path}:{at(n)}: {w}" for n, w in notes))


_CREDITS_LINE = "this document was made possible with support from"
_PAGE_LABELS = {"associated people & organizations", "associated places", "associated topics",
                "associated documents", "related documents", "author(s):", "document information",
                "source", "original archive", "subjects discussed", "rights", "original uploaded date",
                "record id", "type", "language", "original classification", "to enquire about this document"}


def _page(lines, err):
    """A Digital Archive web page's text (old site: '… get citation …'; new site: '…
    Document Information …'): (paragraphs above, sections, (start, stop) of the text, index
    of the first header line), or None for the export forms with 'Citation:' headings."""
    low = [s.strip().lower() for s in lines]
    if "get citation" in low:
        return _old_page(lines, low, low.index("get citation"), err)
    if any(_heading(s, False) for s in lines):
        return None
    return _new_page(lines, low, err)


def _old_page(lines, low, get, err):
    """The old site: date above, then 'Citation / get citation / <summary> / <citation>'."""
    pre = [p for p in _group([(i, lines[i]) for i in range(get) if lines[i].strip()])
           if _iso_date(_join(p))][:1]
    secs = {}
    credit = [(i, lines[i].strip()) for i in range(get) if low[i].startswith(_CREDITS_LINE)]
    if credit:
        secs["credits"] = credit
    cite = None
    for i in range(get + 1, len(lines)):
        for q in re.finditer(r'["“]', lines[i]):
            if _cited_title_date(lines[i][q.start():]):
                cite = (i, q.start())
                break
        if cite or low[i].endswith("share document"):
            break
    if cite is None:
        raise err("no citation after 'get citation'; expected '\"<title>,\" <date>, … Digital Archive, "
                  "<archive reference>'", get + 1, "citation")
    i, at = cite
    summary = [(k, lines[k].strip()) for k in range(get + 1, i) if lines[k].strip()]
    if lines[i][:at].strip():
        summary.append((i, lines[i][:at].strip()))
    text = lines[i][at:].strip()
    if text.endswith("- Share"):
        text = text[:-len("- Share")].strip()
    secs["citation"] = [(i, text)]
    if summary:
        secs["summary"] = summary
    start = next((k + 1 for k in range(i + 1, len(lines)) if low[k] == "english html"), None)
    if start is None:
        start = next((k + 1 for k in range(i + 1, len(lines)) if low[k].endswith("share document")), i + 1)
        while start < len(lines) and (not lines[start].strip() or _url_at_start(lines[start].strip())):
            start += 1
    share = [(k, lines[k].strip()) for k in range(i + 1, start) if _url_at_start(lines[k].strip())]
    if share:
        secs["other:share"] = share
    return pre, secs, (start, len(lines)), get


def _new_page(lines, low, err):
    """The new site: date, title, [credits], the text, the summary, labels such as
    'Document Information', then the citation (an archive reference and credit)."""
    keep = [(i, lines[i]) for i in range(len(lines)) if low[i] and low[i] != "skip to content"]
    paras = _group(keep)
    if len(paras) == 1:   # a page copied without blank lines: each line is a paragraph
        paras = [[pair] for pair in keep]
    if len(paras) < 2:
        return None
    pre, rest, secs = paras[:2], paras[2:], {}
    if rest and _join(rest[0]).lower().startswith(_CREDITS_LINE):
        secs["credits"] = [(k, t.strip()) for k, t in rest[0]]
        rest = rest[1:]
    labels = [n for n, p in enumerate(rest) if _join(p).lower() in _PAGE_LABELS]
    if "document information" in low:
        info = next(n for n, p in enumerate(rest) if _join(p).lower() == "document information")
        after = rest[info + 1:]
        if after and _join(after[0]).lower() == "source":
            after = after[1:]
        if after and _join(after[0]).lower() not in _PAGE_LABELS:
            secs["citation"] = after[0]
        _label_values(rest, secs)
        end = labels[0] if labels else info
    elif rest and parse_citation(_join(rest[-1]))[0] and parse_citation(_join(rest[-1]))[0][0].levels:
        secs["citation"], end = rest[-1], len(rest) - 1   # date, title, summary, shelfmark only
    else:
        end = len(rest)
    if "citation" not in secs:
        at = rest[end][0][0] + 1 if end < len(rest) else len(lines)
        raise err("no 'Citation:' section, and no citation where a web page's text has it; expected "
                  "a 'Citation:' heading above the citation, or the archive reference (e.g. 'GARF, "
                  "Fond 5446, Opis 98c, Delo 718') after 'Document Information'", at, "citation")
    body = rest[:end]
    if body:
        secs["summary"] = body[-1]
        body = body[:-1]
    start = body[0][0][0] if body else len(lines)
    stop = body[-1][-1][0] + 1 if body else len(lines)
    first = (secs.get("credits") or secs.get("summary") or secs["citation"])[0][0]
    return pre, secs, (start, stop), first


def _label_values(paras, secs) -> None:
    """'Language' and 'Record ID' labels of the new site, each followed by its value."""
    for n, p in enumerate(paras[:-1]):
        label, value = _join(p).lower(), paras[n + 1]
        if _join(value).lower() in _PAGE_LABELS:
            continue
        if label == "language" and code_of(_join(value)):
            secs["original_language"] = value
        elif label == "record id" and _join(value).isdigit():
            secs["record_id"] = value


def _paragraphs(pairs) -> str | None:
    return "\n\n".join(_join(p) for p in _group(pairs) if _join(p)) or None


def _unflatten(lines):
    """Split the PDF export's one-paragraph header ("Citation: … Summary: … Contents: …")
    into one heading per paragraph, and the contents list from the text that runs on after
    it. Returns the lines and a function from a 1-based line of the result to the file's."""
    out, origin, contents_next = [], [], False
    for n, line in enumerate(lines, 1):
        cuts = [m.start() for m in _INLINE.finditer(line)] if ":" in line else []
        pieces = [line]
        if len(cuts) >= 2:
            pieces = []
            for a, b in zip([0] + cuts, cuts + [len(line)]):
                if line[a:b].strip():
                    pieces += [line[a:b].strip(), ""]
            pieces.pop()
        if contents_next and line.strip():
            items, rest = _peel(line)
            pieces = items + ["", rest] if items and rest else pieces
            contents_next = False
        else:
            h = _heading(pieces[-1], False)
            if h and h[0] == "contents":
                items, rest = _peel(h[1])
                contents_next = not h[1]
                if items and rest:
                    pieces[-1:] = ["Contents:", *items, "", rest]
        out += pieces
        origin += [n] * len(pieces)
    return out, lambda i: origin[i - 1] if 0 < i <= len(origin) else i


def _peel(s: str) -> tuple[list[str], str]:
    """The contents items at the start of ``s`` and the text after them."""
    items, pos = [], len(s) - len(s.lstrip())
    while (m := _ITEMS.match(s, pos)) and m.end() > pos:
        items.append(m[0].strip())
        pos = m.end()
    return items, s[pos:].strip()


def _cited_title_date(citation: str) -> tuple[str, str] | None:
    """(title, ISO date) from a citation that opens '"Title," Month D, YYYY, …'."""
    m = re.match(r'\s*["“]([^"“”]{1,500})["”]', citation)
    if not m:
        return None
    title = m[1].strip().rstrip(",").strip()
    parts = [p.strip() for p in citation[m.end():m.end() + 80].lstrip(" ,").split(",", 2)]
    for cand in (", ".join(parts[:2]), parts[0]):
        if title and _iso_date(cand):
            return title, _iso_date(cand)
    return None


def _heading(s: str, generic: bool = True):
    """(section name, inline value) of a heading line, or None; other headings if ``generic``."""
    m = _HEADING.match(s)
    if m and (not m[5].strip() or m[3] or m[4]):
        name = re.sub(r"\s+", "_", m[2].lower())
        name = {"content": "contents", "original_languages": "original_language"}.get(name, name)
        return name, m[5].strip().strip("*_ ")
    m = generic and _GENERIC.fullmatch(s.strip())
    return ("other:" + m[1].lower(), "") if m else None


def _group(pairs):
    """Group (index, line) pairs into paragraphs of consecutive lines."""
    paras = []
    for p in pairs:
        if paras and paras[-1][-1][0] == p[0] - 1:
            paras[-1].append(p)
        else:
            paras.append([p])
    return paras


def _join(pairs) -> str:
    return re.sub(r"\s+", " ", " ".join(t for _, t in pairs)).strip().strip("*_").strip()


def _date_title(pre, first, err):
    """((ISO date, line), (title, line)) from the first two paragraphs, in either order."""
    cands = [(_join(p), p[0][0] + 1) for p in pre[:2]]
    dates = [c for c in cands if _iso_date(c[0])]
    if not cands:
        raise err("no date; expected the date (e.g. 'September 19, 1956') on the first line",
                  first + 1, "date")
    if not dates:
        s, line = cands[0]
        if len(cands) == 2 or (re.search(r"\b1\d{3}\b|\b20\d\d\b", s) and len(s.split()) <= 6):
            raise err(f"cannot read the date {quote(s)}; expected e.g. 'September 19, 1956' or "
                      "'1956-09-19'", line, "date")
        raise err("no date before the title; expected a date line such as 'September 19, 1956'",
                  line, "date")
    title = [c for c in cands if c is not dates[0]]
    if not title:
        raise err("no title after the date; expected the record's title as the next paragraph",
                  dates[0][1] + 1, "title")
    return (_iso_date(dates[0][0]), dates[0][1]), title[0]


def _iso_date(s: str) -> str | None:
    """ISO form of a header date ('September 19, 1956', '19 September 1956', '1956-09-19')."""
    s = s.strip(" .*_")
    if re.fullmatch(r"\d{4}(-\d\d){0,2}", s):
        return s if len(s) < 10 or _iso(s[:4], s[5:7], s[8:]) else None
    m = _DATE.fullmatch(s)
    if m and (m["y2"] or m["y3"] or len(m["y1"] or "") == 4):
        return _date_value(m)
    m = re.fullmatch(rf"({_MONTH}|[a-z]+),?\s+(\d{{4}})", s, re.I)
    return f"{m[2]}-{_month(m[1]):02d}" if m and _month(m[1]) else None


def _month(word: str) -> int:
    """Number of an English or Russian (genitive) month name or English abbreviation, or 0."""
    w = word.lower().rstrip(".")
    return next((n % 12 + 1 for n, name in enumerate(_EN_MONTHS + _RU_MONTHS)
                 if w == name or (n < 12 and len(w) >= 3 and name.startswith(w))), 0)


def _iso(y, m, d) -> str | None:
    try:
        return datetime.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _date_value(m) -> str | None:
    """ISO date of a _DATE match; None without a year. Two-digit years are read as 19xx."""
    y, d, mo = m["y1"] or m["y2"] or m["y3"], m["d1"] or m["d2"] or m["d3"], m["m1"]
    if mo and not mo.isdigit():   # a Roman month, maybe OCR'd with '1' or 'l' for 'I'
        mo = mo.upper().replace("1", "I").replace("L", "I")
        mo = _ROMAN.index(mo) + 1 if mo in _ROMAN else 0
    mo = mo or _month(m["m2"] or m["m3"])
    return _iso(("19" + y) if len(y) == 2 else y, mo, d) if y else None


def _sections(lines, first, err):
    """Split the header into {name: [(index, text)]}; return it and the index after the header."""
    secs, i = {}, first
    while True:
        name, inline = _heading(lines[i])
        j = _next_heading(lines, i + 1)
        body = ([(i, inline)] if inline else []) + [
            (k, lines[k]) for k in range(i + 1, len(lines) if j is None else j) if lines[k].strip()]
        if j is None:
            body = _trim_last(name, body)
        if name in secs:
            raise err(f"a second '{name.replace('_', ' ').title()}:' section; expected one",
                      i + 1, name)
        secs[name] = body or [(i, "")]
        if j is None:
            return secs, (body[-1][0] if body else i) + 1
        i = j


def _next_heading(lines, k):
    """Index of the next heading line, or None once the original text (non-Latin) starts."""
    for idx in range(k, len(lines)):
        if _heading(lines[idx]):
            return idx
        if _latin(lines[idx]) is False:
            return None
    return None


def _trim_last(name, body):
    """The part of the last header section's body that belongs to it; the texts follow."""
    body = body[:next((n for n, (_, t) in enumerate(body) if _latin(t) is False), len(body))]
    if name == "contents":
        return body[:next((n for n, (_, t) in enumerate(body) if not _ITEM.match(t)), len(body))]
    if name == "original_language":
        return body[:1]
    paras = _group(body)
    n = 1
    while name == "citation" and n < len(paras) and (
            _url_at_start(paras[n][0][1].strip()) or _TRANSLATED.match(paras[n][0][1].strip())):
        n += 1
    return [pair for p in paras[:n] for pair in p]


def _url(secs, path, err, hl, page=False):
    """The web address (first in Citation, else anywhere in the header) and record number.
    A web page's text may have no address: then (None, its Record ID or file name)."""
    order = ["citation"] + [n for n in secs if n != "citation"]
    found = next(((k, u[2]) for n in order for k, t in secs[n] if (u := next(_urls(t), None))), None)
    if not found and page:
        number = _join(secs.get("record_id", ())) or path.stem
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z-]{0,200}", number):
            raise err(f"no web address and no record number; expected the page's address "
                      f"'…/document/<number>' or a file named <number>.txt, not {quote(path.name)}",
                      secs["citation"][0][0] + 1, "url")
        return None, number
    if not found:
        raise err("no web address; expected '<https://…/document/<number>>' in the Citation "
                  "section", secs["citation"][0][0] + 1, "url")
    line, url = found[0] + 1, found[1]
    hl["url"] = line
    for n in secs:   # the address is not part of the section it sits in
        secs[n] = [(k, _without_urls(t) if k == found[0] else t) for k, t in secs[n]]
    m = re.search(r"/document/([0-9]+)(?:[/?#.-]|$)", url)
    if not m:
        raise err(f"web address {quote(url)} names no record number; expected '…/document/<number>'",
                  line, "url")
    bad = NOT_IN_IRI.search(url)
    if bad or not _IRI.fullmatch(url):
        what = (f"{bad[0]!r} may not appear in one" + (" other than as %XX" if bad[0] == "%" else "")
                if bad else "expected http(s)://host/…")
        raise err(f"web address {quote(url)} is not an http(s) IRI: {what}", line, "url",
                  hint="percent-encode it: %22 for a double quote, %25 for a percent sign" if bad else None)
    if path.stem.isdigit() and path.stem != m[1]:
        raise err(f"the web address names record {m[1]} but the file is {path.name}", line,
                  "url", hint="rename the file or fix the address")
    return url, m[1]


def _urls(line: str):
    """(start, end, address) of each web address in ``line``, at most one per word.

    An address starts with ``http://`` or ``https://``, may be wrapped in ``<…>`` and be
    followed by ``.,;)``, and runs to the end of its word; ``<`` or ``>`` inside a word end
    it. Each word is scanned once.
    """
    for word in re.finditer(r"\S+", line):
        w, bracket, fits = word[0], -1, False
        for start in _URL_START.finditer(w):
            if bracket < start.end():   # the next < or >, and whether what follows may end an address
                b = _BRACKETS.search(w, start.end())
                bracket = b.start() if b else len(w)
                fits = bracket == len(w) or (w[bracket] == ">" and not w[bracket + 1:].strip(_URL_END))
            if not fits or bracket == start.end():
                continue
            body = w[start.end():bracket]
            if bracket == len(w):
                body = body.rstrip(_URL_END) or body[:1]
            begin = start.start() - (start.start() > 0 and w[start.start() - 1] == "<")
            yield word.start() + begin, word.end(), start[0] + body
            break


def _url_at_start(s: str) -> bool:
    u = next(_urls(s), None)
    return u is not None and u[0] == 0


def _without_urls(line: str) -> str:
    """``line`` without its web addresses (each with its brackets and trailing punctuation)."""
    out, pos = [], 0
    for start, end, _ in _urls(line):
        out.append(line[pos:start])
        pos = end
    return "".join(out) + line[pos:]


def _citation(pairs, err, hl):
    """Citation text (without the credit sentence and web address), translators, and the
    credit sentence when it says more than who translated ("Obtained by X and …")."""
    text = _join([p for p in pairs if p[1].strip()])
    if not text:
        raise err("empty 'Citation:' section; expected the citation text", pairs[0][0] + 1,
                  "citation")
    hl["citation"] = next(k for k, t in pairs if t.strip()) + 1
    translators, obtained, m = (), None, _TRANSLATED.search(text)
    if m:   # "Translated by A. Name and B. Name." ends at a full stop not after an initial
        rest = text[m.end():]
        cut = next((c.start() for c in re.finditer(r"\.(?=\s|$)", rest)
                    if not _after_initial(rest, c.start())), len(rest))
        who = re.sub(r"\s+for\s+.*$", "", re.sub(r"^for\s+\S+\s+by\s+", "", rest[:cut].strip()))
        translators = tuple(n for n in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", who) if n)
        start = m.start()
        if not text.startswith(("Translated", "Obtained", "Edited"), start):   # "Obtained by X and translated by Y"
            opening = [c.start() for c in _CREDIT.finditer(text, 0, start)]
            if opening:
                start = opening[-1]
                obtained = text[start:m.end() + cut + 1].strip()
        text = (text[:start] + " " + rest[cut + 1:]).strip()
        hl["translators"] = next(k for k, t in pairs if re.search(r"(?i)\btranslated\b", t)) + 1
    elif (c := _CREDIT.search(text)) and text[:c.start()].rstrip().endswith("."):   # "… Obtained by X."
        end = next((e.end() for e in re.compile(r"\.(?=\s|$)").finditer(text, c.end())
                    if not _after_initial(text, e.start())), len(text))
        obtained, text = text[c.start():end].strip(), (text[:c.start()] + text[end:]).strip()
    hl["shelfmark"] = next((k + 1 for k, t in pairs
                            if re.search(r"(?i)(?:fond|\bf\.|ф\.)\s*\w", t)), hl["citation"])
    return text, translators, obtained


def _after_initial(s: str, i: int) -> bool:
    """Whether ``s[:i]`` ends in a one-letter word (an initial such as the 'A' of 'A. Name')."""
    return i > 0 and (s[i - 1].isalnum() or s[i - 1] == "_") and (i == 1 or s[i - 2].isspace())


def _languages(secs, hl, notes) -> tuple[str, ...]:
    """ISO 639 codes of the 'Original Language:' section ('Russian', 'Russian, Chinese');
    () when there is none or it is empty. A name kg does not know is left unstated, with a
    warning in ``notes``: never guessed."""
    body = [p for p in secs.get("original_language", ()) if p[1].strip()]
    if not body:
        return ()
    codes = []
    for part in re.split(r"[,;/&(]|\band\b", _join(body[:1])):
        name = part.strip(" )")
        if not name:
            continue
        code = code_of(name)
        if code is None:
            notes.append((body[0][0] + 1, f"unknown original language {quote(name)}: no ISO 639 language has "
                          "this English name; the language is left unstated"))
        else:
            codes.append(code)
    hl["original_language"] = body[0][0] + 1
    return tuple(dict.fromkeys(codes))


def _latin(s: str) -> bool | None:
    """Whether most letters of ``s`` are Latin; None when it has no letters."""
    letters = [c for c in s if c.isalpha()]
    latin = sum(1 for c in letters if ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF)
    return latin * 2 > len(letters) if letters else None


def _english(par: str, latin_original: bool) -> bool | None:
    """True for an English paragraph, False for the original's, None when it cannot tell."""
    latin = _latin(par)
    if not latin or not latin_original:
        return latin
    words = re.findall(r"[a-z']+", par.lower())
    if len(words) < 4:
        return True if _EN_SHORT.intersection(words) else None
    return sum(w in _EN_WORDS for w in words) >= 0.12 * len(words)


def _texts(lines, end, stop, langs, contents, notes) -> tuple[Text, ...]:
    """The texts after the header: the original (non-English paragraphs, or all of them for
    an English original), then the English translation (the trailing English run). For a
    Latin-script original, whose paragraphs English words tell apart less surely, a
    'Contents:' list naming a translation and no transcript means the text is all translation."""
    paras = _group([(k, lines[k]) for k in range(end, stop) if lines[k].strip()])
    if not paras:
        return ()
    several = _several(lines, paras, langs, contents, notes)
    if several:
        return several
    lang = langs[0] if langs else None
    if lang == "en":
        return (_text(lines, paras[0][0][0], paras[-1][-1][0], "en"),)
    listed = " ".join(contents).lower()
    if lang in LATIN_SCRIPT and "translation" in listed and "transcri" not in listed:
        return (_text(lines, paras[0][0][0], paras[-1][-1][0], "en", "translation"),)
    kinds = [_english("\n".join(t for _, t in p), lang in LATIN_SCRIPT) for p in paras]
    t = len(paras) if False in kinds else 0
    while t and kinds[t - 1] is not False:
        t -= 1
    while 0 < t < len(paras) and kinds[t] is None:
        t += 1
    texts = []
    if t:
        if lang is None:
            notes.append((paras[0][0][0] + 1, "a text in a language other than English, and no known "
                          "'Original Language:' in the header; its language is left unstated"))
        texts.append(_text(lines, paras[0][0][0], paras[t - 1][-1][0], lang))
    if t < len(paras):
        texts.append(_text(lines, paras[t][0][0], paras[-1][-1][0], "en", "translation"))
    return tuple(texts)


_CONTENTS_TEXT = re.compile(r"(?:([A-Za-z][A-Za-z -]{0,30}?)\s+)?(transcript(?:ion)?|translation)"
                            r"(?:\s*[-–:]\s*([A-Za-z][A-Za-z -]{0,30}))?", re.I)


def _declared(langs, contents) -> list[tuple[str, str]]:
    """The texts the header says the record has, as (role, language): transcripts of the
    'Contents:' list and the 'Original Language:' are originals, its translations translations
    ("English Translation, Chinese Transcription, Russian Translation", "Translation - English")."""
    found = []
    for item in (i.strip() for c in contents for i in c.split(",")):
        m = _CONTENTS_TEXT.fullmatch(item)
        code = m and code_of(m[1] or m[3] or "")
        if code:
            found.append(("translation" if m[2].lower() == "translation" else "original", code))
    originals = [("original", c) for c in langs] + [t for t in found if t[0] == "original"]
    return list(dict.fromkeys(originals + [t for t in found if t[0] == "translation"]))


def _script(par: str) -> str | None:
    """The script most letters of ``par`` are written in (kana and Han: CJK), None without letters."""
    counts: dict[str, int] = {}
    for c in par:
        if c.isalpha():
            name = unicodedata.name(c, "").split(" ", 1)[0]
            name = "CJK" if name in ("HIRAGANA", "KATAKANA") else name
            counts[name] = counts.get(name, 0) + 1
    return max(sorted(counts), key=counts.get) if counts else None


def _several(lines, paras, langs, contents, notes) -> tuple[Text, ...] | None:
    """Several originals or translations, split where the record marks them: the header names
    each text's language, and each is written in a script of its own (an English and one
    other Latin-script text are told apart by English words, as for two texts). None when
    the header declares at most one original and an English translation, or when the texts
    cannot be told apart that way (then with a warning: the reader keeps one original and
    one translation, and never guesses a split)."""
    declared = _declared(langs, contents)
    originals = [c for r, c in declared if r == "original"]
    translations = [c for r, c in declared if r == "translation"]
    if len(originals) < 2 and len(translations) < 2 and set(translations) <= {"en"}:
        return None
    if "en" in originals:
        return None
    if "en" not in translations:   # the archive's English translation, even when Contents does not list it
        declared.append(("translation", "en"))
    cls = {}
    for role, code in declared:   # the class each text's paragraphs are told by
        cls.setdefault("ENGLISH" if code == "en" else script_of(code), []).append((role, code))
    kept = "one original and one translation are kept, not split"
    if any(len(v) > 1 for v in cls.values()):
        shared = next(v for v in cls.values() if len(v) > 1)
        notes.append((paras[0][0][0] + 1, f"the header names {len(declared)} texts, and "
                      + " and ".join(f"{r} {c}" for r, c in shared) + f" share a script; {kept}"))
        return None
    runs: list[list] = []   # [class, first paragraph, last paragraph]
    for n, p in enumerate(paras):
        par = "\n".join(t for _, t in p)
        c = _script(par)
        if c == "LATIN":
            c = "ENGLISH" if "ENGLISH" in cls and (
                "LATIN" not in cls or _english(par, True) is not False) else "LATIN"
        if c is None or (runs and runs[-1][0] == c):
            if runs:
                runs[-1][2] = n
            continue
        runs.append([c, n, n])
    classes = [r[0] for r in runs]
    if not runs or len(set(classes)) != len(classes) or not set(classes) <= set(cls):
        notes.append((paras[0][0][0] + 1, f"the header names {len(declared)} texts, but the texts do not fall "
                      f"into one run of paragraphs per language and script; {kept}"))
        return None
    runs[0][1] = 0   # paragraphs without letters before the first run belong to it
    return tuple(_text(lines, paras[a][0][0], paras[b][-1][0], cls[c][0][1], cls[c][0][0]) for c, a, b in runs)


def _text(lines, a, b, lang, role="original") -> Text:
    content = "\n".join(lines[a:b + 1]).rstrip()
    return Text(lang, content, a + 1, _annotate(content), role)


def _annotate(s: str) -> tuple[Annotation, ...]:
    """Find editorial notes, page markers and recognised lines in a text."""
    def mark(kind, m, value=None):
        return Annotation(kind, m[1], m.start(1), m.end(1), value)
    out = [_bracket(m) for m in _BRACKET.finditer(s)]
    out += [mark("page", m, m[2] + ("об" if m[3] else "")) for m in _PAGE.finditer(s)]
    out += [mark("classification", m, _CLASSIF[re.sub(r"\s+", " ", m[1].lower())])
            for m in _CLASSIF_RE.finditer(s)]
    out += [mark("authentication", m, m["who"].strip()) for m in _AUTH.finditer(s)]
    out += [mark("registration", m, re.sub(r"\s+", "", m["num"]).replace("–", "-"))
            for m in _REG.finditer(s)]
    pos = 0
    for line in s.split("\n"):
        out += _line_marks(line, pos)
        pos += len(line) + 1
    return tuple(sorted(out, key=lambda a: (a.start, -a.end, a.kind)))


def _bracket(m) -> Annotation:
    """Classify one [bracketed] note by its opening words; value: what follows the colon."""
    inner = m[0][1:-1]
    head, colon, rest = inner.partition(":")
    value = re.sub(r"\s+", " ", rest).strip() if colon else None
    page = re.fullmatch(r"\s*(?:page|p\.|лист|л\.|sheet)\s*(\d+\w?)\s*", inner, re.I)
    kind = next((k for k, pattern in _BRACKET_KINDS if re.search(pattern, head[:80], re.I)),
                "page" if page else "editorial")
    if kind == "page":
        value = page[1]
    elif kind == "editorial":
        value = value or re.sub(r"\s+", " ", inner).strip()
    return Annotation(kind, m[0], m.start(), m.end(), value)


def _line_marks(line: str, pos: int) -> list[Annotation]:
    """A date line ("16.IX.56", "19 September 1956") and a signature on one line at ``pos``."""
    out, m = [], _DATE.match(line, len(line) - len(line.lstrip()))
    rest = line[m.end():] if m else line
    if m and not re.match(r"\w", rest) and len(rest.split()) <= 5 \
            and not re.search(r"(?:^|\s)[a-zа-яё]", rest):
        out.append(Annotation("date-line", m[0], pos + m.start(), pos + m.end(), _date_value(m)))
    else:
        rest = line
    sig = _SIG.search(rest)
    if sig and not rest[:sig.start()].strip():
        start = pos + len(line) - len(rest) + sig.start(1)
        out.append(Annotation("signature", sig[1], start, start + len(sig[1])))
    return out
