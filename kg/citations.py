"""Archive shelfmarks in a record's citation → the archive and its holding levels.

The citation is published as written; this module only reads the archival reference at
its end (``…, Digital Archive, GARF, Fond 5446, Opis 98c, Delo 718, Listy 35-38.``) into
a :class:`Shelfmark`: the archive as cited, the holding levels from the top down as
``(level, value)`` pairs (level keys are ``kgt:`` types), the sheets or pages, and the
reference as written. Schemes read: Russian fond/opis/(papka)/delo/listy in full or
abbreviated, the PRC Foreign Ministry Archive (``PRC FMA 106-00086-01, 1-5``), the
Hungarian National Archives (``MOL, XIX-J-1-j Korea, 11. doboz, 24/b, 005008/1956``) and
the US National Archives (``RG 59, Central Decimal File …``). Any other reference is kept
whole, as one identifier without levels, with a warning.

Every pattern here runs on one comma-separated part (bounded) or is bounded itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import quote


@dataclass(frozen=True)
class Shelfmark:
    """One archive's reference for the sheets of a document, as cited and as read."""
    archive: str                          # the archive as cited ("GARF", "MOL", "PRC FMA")
    levels: tuple[tuple[str, str], ...]   # (level, value), top first: ("fond", "5446") …
    sheets: str | None                    # sheets or pages ("35-38")
    text: str                             # the reference as written, without the archive
    scheme: str | None                    # 'russian', 'prc-fma', 'mol', 'nara'; None: not read
    pages_marked: tuple[str, ...] = ()    # sheets marked in the texts ("лист 2")

    def level(self, key: str) -> str | None:
        return next((v for k, v in self.levels if k == key), None)

    def label(self) -> str:
        """E.g. ``GARF f. 5446, op. 98c, d. 718, ll. 35–38``; other schemes as cited."""
        if self.scheme != "russian":   # "PRC FMA 106-…" is written without a comma
            return (" " if self.scheme == "prc-fma" else ", ").join(s for s in (self.archive, self.text) if s)
        short = {"fond": "f.", "opis": "op.", "papka": "p.", "delo": "d."}
        s = f"{self.archive} " + ", ".join(f"{short[k]} {v}" for k, v in self.levels)
        if self.sheets:
            s += (", ll. " if "-" in self.sheets else ", l. ") + self.sheets.replace("-", "–")
        return s


_SOURCE = re.compile(r"Digital\s{1,5}Archive\s{0,5},\s*", re.I)
# "…, Delo 5 and AVPRF, …": a run of spaces is tried from its start only (linear)
_AND = re.compile(r",?(?<!\s)\s+and\s+(?=[A-Z]{2})")
_WORD = re.compile(r"\s*([A-Za-zА-Яа-я]{1,6}\.?|Fond|Opis'?|Delo|Papka|Listy?|Pages?)\s*"
                   r"([\w/.-]{1,30}?(?:\s*[-–]\s*\w{1,10})?)\s*\.?", re.I)
_RU_KEYS = {"fond": "fond", "f.": "fond", "ф.": "fond", "opis": "opis", "opis'": "opis",
            "op.": "opis", "оп.": "opis", "delo": "delo", "d.": "delo", "д.": "delo",
            "papka": "papka", "p.": "papka", "п.": "papka", "listy": "sheets", "list": "sheets",
            "l.": "sheets", "ll.": "sheets", "лл.": "sheets", "л.": "sheets", "pages": "sheets",
            "page": "sheets", "pp.": "sheets"}
_RU_ORDER = ("fond", "opis", "papka", "delo")
_FOND = re.compile(r"(?:^|[\s,:])(?:fond|f\.|ф\.)\s*\d", re.I)
_FMA = re.compile(r"(?P<archive>PRC\s+FMA|(?:PRC\s+|Chinese\s+)?Foreign\s+Ministry\s+Archives?)"
                  r"\s*(?:No\.\s*)?(?P<fond>\d{3})-(?P<file>\d{5})-(?P<item>\d{2})"
                  r"(?:\s*,\s*(?:pp?\.\s*)?(?P<pages>\d{1,5}(?:\s*[-–]\s*\d{1,5})?))?", re.I)
_MOL_ARCHIVE = re.compile(r"MOL|MNL(?:\s+OL)?|Hungarian\s+National\s+Archives?|Magyar\s+"
                          r"(?:Nemzeti|Országos)\s+Levéltár", re.I)
_MOL_FOND = re.compile(r"([IVXLC]{1,6}-[A-Z](?:-[0-9]{1,3})?(?:-[a-z])?)\s*(.{0,60})")
_NARA = re.compile(r"(?:RG|Record\s+Group)\s*(\d{1,3})", re.I)


def source_of(citation: str) -> str:
    """The archival part of a citation: what follows '… Digital Archive, ', else all of it."""
    found = list(_SOURCE.finditer(citation))
    return citation[found[-1].end():] if found else citation


def parse(citation: str) -> tuple[tuple[Shelfmark, ...], tuple[str, ...]]:
    """The shelfmarks cited (usually one; several archives are joined by ';' or 'and') and
    warnings for references whose scheme is not known."""
    source = source_of(citation).strip().rstrip(".").strip()
    marks, warnings = [], []
    pieces = (p.strip() for p in source.split(";"))   # "…; and RGASPI, …"
    pieces = (p[4:] if p.startswith("and ") else p for p in pieces)
    for part in (q.strip(" ,.") for p in pieces for q in _AND.split(p)):
        if not part or part[0].islower():   # "…; translation by X": a credit, not an archive
            continue
        mark = _fma(part) or _mol(part) or _nara(part) or _russian(part)
        if mark is None:
            mark = _unknown(part)
            warnings.append(f"archive reference {quote(part)} follows no known scheme; it is "
                            "published as one identifier, without holding levels" if mark.text
                            else f"the citation names {quote(part)} but no shelfmark")
        marks.append(mark)
    return tuple(marks), tuple(warnings)


def _parts(s: str) -> list[str]:
    return [p.strip() for p in s.split(",") if p.strip()]


def _russian(part: str) -> Shelfmark | None:
    m = _FOND.search(part)
    if not m:
        return None
    start = m.start() + (part[m.start()] in " ,:")
    archive = part[:start].strip(" ,:")
    found, sheets = {}, None
    for item in _parts(part[start:]):
        w = _WORD.fullmatch(item)
        if not w:
            return None
        key = _RU_KEYS.get(w[1].lower())
        if key is None:
            return None
        if key == "papka" and w[1].lower() == "p." and "delo" in found:
            key = "sheets"     # "delo 7, p.16-42": pages after the file
        value = re.sub(r"\s+", "", w[2]).replace("–", "-")
        if key == "sheets":
            sheets = value
        elif key in found:
            return None
        else:
            found[key] = value
    if "fond" not in found or not archive:
        return None
    levels = tuple((k, found[k]) for k in _RU_ORDER if k in found)
    return Shelfmark(archive, levels, sheets, part[start:].strip(), "russian")


def _fma(part: str) -> Shelfmark | None:
    m = _FMA.fullmatch(part)
    if not m:
        return None
    pages = re.sub(r"\s+", "", m["pages"]).replace("–", "-") if m["pages"] else None
    return Shelfmark(m["archive"], (("fond", m["fond"]), ("file", m["file"]), ("item", m["item"])),
                     pages, part[m.end("archive"):].strip(), "prc-fma")


def _mol(part: str) -> Shelfmark | None:
    parts = _parts(part)
    if len(parts) < 2 or not _MOL_ARCHIVE.fullmatch(parts[0]):
        return None
    fond = _MOL_FOND.fullmatch(parts[1])
    if not fond:
        return None
    levels = [("fond", fond[1])]
    series = [fond[2].strip()] if fond[2].strip() else []
    rest = parts[2:]
    while rest and re.fullmatch(r"\d{4}", rest[0]):   # a year subdividing the series
        series.append(rest.pop(0))
    if series:
        levels.append(("series", ", ".join(series)))
    box = re.fullmatch(r"(\d{1,4})\.?\s*doboz", rest[0]) if rest else None
    if box:
        levels.append(("box", box[1]))
        rest.pop(0)
    for key, value in zip(("file", "item"), rest):
        levels.append((key, re.sub(r"\s+", "", value)))
    if len(rest) > 2:
        return None
    return Shelfmark(parts[0], tuple(levels), None, ", ".join(parts[1:]), "mol")


def _nara(part: str) -> Shelfmark | None:
    parts = _parts(part)
    at = next((i for i, p in enumerate(parts) if _NARA.fullmatch(p)), None)
    if at is None:
        return None
    archive = ", ".join(parts[:at]) or "National Archives"
    levels, box = [("record-group", _NARA.fullmatch(parts[at])[1])], None
    rest = parts[at + 1:]
    if rest and not re.match(r"(?:box|file|folder)\b", rest[0], re.I):
        levels.append(("series", rest.pop(0)))
    for p in rest:
        b = re.fullmatch(r"box\s*(\S{1,20})", p, re.I)
        if b and box is None:
            box = b[1]
        else:
            f = re.fullmatch(r"(?:file|folder)\s*(.{1,80})", p, re.I)
            levels.append(("file", f[1] if f else p))
    if box is not None:
        levels.insert(2 if len(levels) > 1 and levels[1][0] == "series" else 1, ("box", box))
    return Shelfmark(archive, tuple(levels), None, ", ".join(parts[at:]), "nara")


def _unknown(part: str) -> Shelfmark:
    """The archive: the leading comma-separated parts without a digit; the rest as written."""
    parts = [p for p in (s.strip() for s in part.split(",")) if p]
    n = next((i for i, p in enumerate(parts) if any(c.isdigit() for c in p)), len(parts))
    return Shelfmark(", ".join(parts[:n]), (), None, ", ".join(parts[n:]), None)
