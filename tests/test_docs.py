"""The docs tell the truth: the README's commands are the ones CI runs, every command and
every input field is documented."""
from __future__ import annotations

import re

from kg.statement_kinds import KINDS

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DATA_README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    section = README.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_them():
    commands = readme_commands()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for c in commands:
        assert c in ci.splitlines(), f"README command not run by .ci/run: {c}"
    assert "kg build" in commands[0] and "pytest" in commands[1]


def test_every_cli_command_is_documented():
    from kg.cli import COMMANDS

    for name in COMMANDS:
        assert f"kg {name}" in README, name


def test_every_input_field_is_documented():
    for kind in KINDS:
        assert re.search(rf"\b{kind.key}\b", DATA_README), kind.key


def test_readme_query_examples_give_the_answers_shown(corpus_dist):
    """The examples describe the shipped corpus, whose frozen copy is the test corpus."""
    import json

    from kg import query

    store = query.open_store(corpus_dist)
    pairs = re.findall(r"```sparql\n(.+?)```\n\n```(json)?\n(.+?)```", README, re.S)
    assert len(pairs) >= 3
    for sparql, kind, shown in pairs:
        result = query.run(store, sparql)
        if kind == "json":
            assert json.loads(query.render(result, "json")) == json.loads(shown)
        else:
            assert query.render(result, "table") == shown
