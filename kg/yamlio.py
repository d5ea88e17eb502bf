"""YAML reading that remembers where each value came from.

Mappings load as :class:`Node` (a ``dict`` that knows its file, its line and the line of
each key); duplicate keys are an error; timestamps stay strings (``1956-09-18`` is a date
for kg to parse, not for YAML to guess).

Hostile files are refused with the file and line, never expanded: anchors and aliases
(kg's format never needs them, and an alias bomb expands exponentially), explicit tags
(``!!int``, ``!!timestamp`` …, whose constructors fail on odd values), nesting deeper
than :data:`MAX_DEPTH`, keys that are not text, numbers Python cannot read, and text
holding control characters or lone surrogates (which no dump format can carry).
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import FactsError, quote
from .inputs import decode, read_text

MAX_DEPTH = 50
# C0 controls other than tab, line feed and carriage return; DEL and C1; lone surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class Node(dict):
    """A YAML mapping with its origin: ``path``, ``line`` and ``key_lines``."""

    path: Path
    line: int
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def error(self, message: str, key: str | None = None, hint: str | None = None) -> FactsError:
        return FactsError(message, path=self.path, line=self.line_of(key) if key else self.line,
                          field=key, hint=hint)


class _Checks:
    """kg's refusals, applied as the nodes are composed (in Python, whichever parser runs)."""

    kg_path: Path
    kg_depth = 0

    def _refuse(self, message: str, mark, hint: str | None = None) -> FactsError:
        return FactsError(message, path=self.kg_path, line=mark.line + 1 if mark else None, hint=hint)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise self._refuse("YAML anchors and aliases (&name, *name) are not allowed", event.start_mark,
                               hint="write each value out in full")
        if getattr(event, "tag", None) is not None:
            raise self._refuse(f"YAML tags ({quote(event.tag)}) are not allowed", event.start_mark,
                               hint="write the plain value; quote it if it is text")
        if self.kg_depth >= MAX_DEPTH:
            raise self._refuse(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        self.kg_depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.kg_depth -= 1


class _Loader(_Checks, yaml.SafeLoader):
    """The pure-Python parser: its error messages are the ones kg reports."""


class _FastLoader(_Checks, yaml.composer.Composer, *((yaml.cyaml.CParser,) if yaml.__with_libyaml__ else ()),
                  yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """libyaml (PyYAML's C parser, when PyYAML has it) scans and parses, ten times faster; a
    file it finds any fault in is read again by :class:`_Loader` for kg's messages."""

    def __init__(self, text: str):
        yaml.cyaml.CParser.__init__(self, text)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


# Keep timestamps as text: drop the implicit timestamp resolver. Booleans are only
# true/false (as in YAML 1.2), so `on:` (a time key), `no`, `yes` or `off` stay text.
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_RESOLVERS = {
    k: [(tag, _BOOL if tag == "tag:yaml.org,2002:bool" else rx) for tag, rx in v
        if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


def _construct_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    value = loader.construct_scalar(node)
    bad = _FORBIDDEN.search(value)
    if bad:
        raise loader._refuse(f"text holds the control character or lone surrogate U+{ord(bad[0]):04X}",
                             node.start_mark, hint="remove it; only tabs and line breaks are allowed")
    return value


def _construct_number(loader: _Loader, node: yaml.ScalarNode) -> int | float:
    """A plain scalar YAML resolves as a number (``0b_`` and ``._`` do, yet are none)."""
    construct = loader.construct_yaml_int if node.tag.endswith(":int") else loader.construct_yaml_float
    try:
        return construct(node)
    except ValueError:  # no digits, or more digits than Python converts
        raise loader._refuse(f"cannot read the number {quote(node.value)}", node.start_mark,
                             hint="write plain digits, or quote the value if it is text") from None


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    out = Node()
    out.path = loader.kg_path
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        if not isinstance(key, str):
            raise loader._refuse(f"a key is text, not {quote(key)}", key_node.start_mark)
        if key in out:
            raise FactsError(f"duplicate key {quote(key)} (first on line {out.key_lines[key]})",
                             path=loader.kg_path, line=key_node.start_mark.line + 1, field=key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


for _cls in (_Loader, _FastLoader):
    _cls.yaml_implicit_resolvers = _RESOLVERS
    _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _cls.add_constructor("tag:yaml.org,2002:str", _construct_text)
    _cls.add_constructor("tag:yaml.org,2002:int", _construct_number)
    _cls.add_constructor("tag:yaml.org,2002:float", _construct_number)


def load_yaml(path: Path, data: bytes | None = None):
    """Load one YAML file (or ``data``, its bytes as read already); syntax errors name the file and line."""
    path = Path(path)
    # a regular file inside data/, size-limited, UTF-8: or an InputError naming it
    text = read_text(path) if data is None else decode(data, path)
    if yaml.__with_libyaml__ and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        loader = _FastLoader(text)
        loader.kg_path = path
        try:
            return loader.get_single_data()  # kg's own refusals (FactsError) are the same either way
        except yaml.YAMLError:
            pass  # read again below, for the message
        finally:
            loader.dispose()
    return _load(text, path)


def _load(text: str, path: Path):
    try:
        loader = _Loader(text)  # refuses characters YAML does not allow, before parsing
    except yaml.reader.ReaderError as e:
        char = f"U+{e.character:04X}" if isinstance(e.character, int) else "a character"
        raise FactsError(f"not valid YAML: {char} is not allowed in the file", path=path,
                         line=text.count("\n", 0, e.position) + 1,
                         hint="remove control characters; only tabs and line breaks are allowed") from None
    loader.kg_path = path
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise FactsError(f"not valid YAML: {e.problem or e.context}", path=path,
                         line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as e:
        raise FactsError(f"not valid YAML: {e}", path=path) from None
    finally:
        loader.dispose()
