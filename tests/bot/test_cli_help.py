"""Every `digicheque` command, found by walking the command tree, has help text, help for
each of its options, and a working --help (staff read it before anything else)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*path, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*path, name)))
    return found


COMMANDS = _commands(cli)


def test_the_walk_finds_the_staff_commands():
    assert {("visits", "move"), ("slots", "close"), ("broadcast", "create"),
            ("jobs", "run-once"), ("stats",)} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_and_option_has_help(command):
    found: click.Command = cli
    for name in command:
        found = found.commands[name]  # type: ignore[attr-defined]
    assert found.help
    for param in found.params:
        if param.param_type_name == "option":
            assert param.help, f"{' '.join(command)} {param.opts} has no help"
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output
