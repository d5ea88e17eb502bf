"""The shape of the Wikibase API's answers, as kg reads them; their text made safe.

An answer is JSON that parsed. :func:`cleaned` removes control characters and terminal
escapes from every string of it (keys included, :func:`kg.http.clean_text`), so nothing
from the API reaches ``review.tsv``, the cache or the terminal unchecked. :func:`search`
and :func:`entities` then check the structure that kg reads — ``wbsearchentities``'
``search`` list, ``wbgetentities``' ``entities`` map of items — and raise
:class:`ShapeError` naming where (``entities.Q5.labels.en.value``) and what was expected.
Item ids must be ``Q`` and digits, exactly. Pure functions: no I/O.
"""
from __future__ import annotations

from ..http import clean_text, shown
from .review import QID_RE

MAX_DEPTH = 64


class ShapeError(ValueError):
    """The answer is JSON, but not what the API answers."""


def cleaned(value, depth: int = 0):
    """``value`` with every string cleaned; nesting deeper than :data:`MAX_DEPTH` is refused."""
    if isinstance(value, str):
        return clean_text(value)
    if depth > MAX_DEPTH:
        raise ShapeError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        return {clean_text(k): cleaned(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [cleaned(v, depth + 1) for v in value]
    return value


def _expect(value, kind: type, where: str, what: str):
    if not isinstance(value, kind):
        raise ShapeError(f"{where} is {_kind(value)}, expected {what}")
    return value


def _kind(value) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    kind = names.get(type(value), "a number")
    return f"{kind} {shown(value)}" if isinstance(value, str | int | float) and not isinstance(value, bool) else kind


def _qid(value, where: str) -> str:
    _expect(value, str, where, "an item id (Q and digits)")
    if not QID_RE.fullmatch(value):
        raise ShapeError(f"{where} is {shown(value)}, expected an item id (Q and digits)")
    return value


def _optional(obj: dict, key: str, kind: type, where: str, what: str):
    if key in obj and obj[key] is not None:
        _expect(obj[key], kind, f"{where}.{key}", what)


def search(data) -> dict:
    """A ``wbsearchentities`` answer: ``{"search": [{"id": "Q…", "label": "…", …}, …]}``."""
    _expect(data, dict, "the answer", "an object")
    hits = _expect(data.get("search"), list, "search", "a list of results")
    for i, hit in enumerate(hits):
        where = f"search[{i}]"
        _expect(hit, dict, where, "an object")
        _qid(hit.get("id"), f"{where}.id")
        for key in ("label", "description"):
            _optional(hit, key, str, where, "a string")
        _optional(hit, "match", dict, where, "an object")
    return data


def entities(data) -> dict:
    """A ``wbgetentities`` answer: ``{"entities": {"Q…": item or {"missing": ""}, …}}``."""
    _expect(data, dict, "the answer", "an object")
    found = _expect(data.get("entities"), dict, "entities", "an object of items by id")
    for key, item in found.items():
        where = f"entities.{shown(key, 20)}"
        _expect(item, dict, where, "an object")
        if "missing" in item:
            continue
        _qid(key, f"{where} (the key)")
        _qid(item.get("id"), f"{where}.id")
        _item(item, where)
    return data


def _item(item: dict, where: str) -> None:
    for part in ("labels", "descriptions"):
        _optional(item, part, dict, where, "an object by language")
        for lang, v in (item.get(part) or {}).items():
            _text(v, f"{where}.{part}.{shown(lang, 20)}")
    _optional(item, "aliases", dict, where, "an object by language")
    for lang, vs in (item.get("aliases") or {}).items():
        w = f"{where}.aliases.{shown(lang, 20)}"
        for i, v in enumerate(_expect(vs, list, w, "a list")):
            _text(v, f"{w}[{i}]")
    _optional(item, "claims", dict, where, "an object by property")
    for prop, statements in (item.get("claims") or {}).items():
        w = f"{where}.claims.{shown(prop, 20)}"
        for i, st in enumerate(_expect(statements, list, w, "a list of statements")):
            ws = f"{w}[{i}]"
            _expect(st, dict, ws, "a statement object")
            _optional(st, "rank", str, ws, "a string")
            _optional(st, "mainsnak", dict, ws, "an object")
            snak = st.get("mainsnak") or {}
            _optional(snak, "snaktype", str, f"{ws}.mainsnak", "a string")
            _optional(snak, "datavalue", dict, f"{ws}.mainsnak", "an object")


def _text(v, where: str) -> None:
    _expect(v, dict, where, "an object with a 'value'")
    _expect(v.get("value"), str, f"{where}.value", "a string")
