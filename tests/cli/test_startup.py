"""What starting the CLI imports: `--help` and completion load no command, `validate` no HTTP.

CI jobs and pre-commit hooks start the tool many times; start-up cost is what it imports before
doing anything. These tests assert the modules (in a fresh interpreter), never times: the times
are measured, as ratios, by `python -m benchmarks.startup`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from reconciler.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]

#: Heavy libraries and packages no start-up path before a command runs may load.
HEAVY = ("jsonschema", "deepdiff", "httpx", "yaml", "referencing")

_PROBE = """\
import sys
from reconciler.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="calendly-reconciler")
except SystemExit:
    pass
print("\\n".join(sorted(sys.modules)), file=sys.stderr)
"""


def _imported(*args: str, env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """Run the CLI with `args` in a fresh interpreter: its stdout, and the modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=ROOT,
        env={**os.environ, "ACME_BOOKINGS_SIGNING_KEY": "k", **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    modules = {line for line in done.stderr.splitlines() if line and " " not in line}
    return done.stdout, modules


def _top(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_imports_no_command_module() -> None:
    out, modules = _imported("--help")
    assert "validate  Check the config offline: YAML, schema, references." in out
    assert sorted(m for m in modules if m.startswith("reconciler")) == [
        "reconciler",
        "reconciler.cli",
        "reconciler.cli.exitcodes",
        "reconciler.cli.redacting",  # all output is masked, --help's too
        "reconciler.client",
        "reconciler.client.secret",
        "reconciler.errors",
    ]
    assert not _top(modules) & set(HEAVY)


def test_help_lists_every_command_with_its_short_help() -> None:
    out, _ = _imported("--help")
    listed = out.split("Commands:\n", 1)[1].splitlines()
    assert listed == [f"  {name:<9} {COMMANDS[name].help}" for name in sorted(COMMANDS)]


def test_validate_loads_no_http_diff_or_sandbox() -> None:
    _, modules = _imported("validate", "examples/acme")
    assert "yaml" in modules and "reconciler.config._schema_generated" in modules  # it validates
    # A valid config needs no jsonschema (only a refused file is explained with it), and the
    # check is the generated one: fastjsonschema, which compiles it, is not even imported.
    assert not _top(modules) & {"httpx", "deepdiff", "jsonschema", "referencing", "fastjsonschema"}
    assert not {m for m in modules if m.startswith(("reconciler.sandbox", "reconciler.kinds"))}
    assert "reconciler.cli.plan" not in modules


def test_completion_of_command_names_imports_no_command() -> None:
    out, modules = _imported(
        env={
            "_CALENDLY_RECONCILER_COMPLETE": "bash_complete",
            "COMP_WORDS": "calendly-reconciler s",
            "COMP_CWORD": "1",
        }
    )
    assert out.split() == ["plain,sandbox", "plain,scopes", "plain,show"]
    assert not _top(modules) & set(HEAVY)


def test_completion_of_a_commands_options_loads_that_command_only() -> None:
    out, modules = _imported(
        env={
            "_CALENDLY_RECONCILER_COMPLETE": "bash_complete",
            "COMP_WORDS": "calendly-reconciler validate --f",
            "COMP_CWORD": "2",
        }
    )
    assert out.split() == ["plain,--format"]
    assert "reconciler.cli.validate" in modules
    assert "reconciler.cli.plan" not in modules


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_table_entry_is_the_command_it_names(name: str) -> None:
    ctx = click.Context(cli)
    command = cli.get_command(ctx, name)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert command.get_short_help_str(limit=100) == COMMANDS[name].help
    # One line in an 80-column `--help`: 2 + 9 + 1 columns go to the name.
    assert len(COMMANDS[name].help) <= 80 - 12
