"""YAML reading that remembers where each value came from.

Mappings load as :class:`Node` (a ``dict`` that knows its file, its line and the line of
each key); duplicate keys are an error; timestamps stay strings (``1956-09-18`` is a date
for kg to parse, not for YAML to guess).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import FactsError
from .inputs import read_text


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


class _Loader(yaml.SafeLoader):
    pass


# Keep timestamps as text: drop the implicit timestamp resolver.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    out = Node()
    out.path = loader.kg_path
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            raise FactsError(f"duplicate key {key!r} (first on line {out.key_lines[key]})",
                             path=loader.kg_path, line=key_node.start_mark.line + 1, field=key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path):
    """Load one YAML file; syntax errors name the file and line."""
    path = Path(path)
    try:
        text = read_text(path)
    except OSError as e:
        raise FactsError(f"cannot read: {e.strerror}", path=path) from None
    except UnicodeDecodeError as e:
        raise FactsError(f"not UTF-8 (byte {e.start})", path=path) from None
    loader = _Loader(text)
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
