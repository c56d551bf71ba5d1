"""The command-line interface: thin click commands that compose the pipeline stages.

Every command returns an ExitCode; `ReconcilerGroup.main` is the one place where failures become
messages and exit codes (a ReconcilerError is one clear message; anything else is a bug and
keeps its traceback).

Commands are loaded lazily: `COMMANDS` names each command's module and its one-line help, and
only the module of the command that runs is imported. `--help`, `--version` and shell completion
of command names import none of them (no jsonschema, httpx, deepdiff or sandbox), which matters
to CI jobs and pre-commit hooks that start the tool many times.
"""

from __future__ import annotations

import importlib
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from reconciler import __version__
from reconciler.cli.exitcodes import ExitCode, Terminated
from reconciler.cli.redacting import RedactingStream
from reconciler.client import secret
from reconciler.errors import ReconcilerError

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


class Entry(NamedTuple):
    module: str
    attribute: str  # the click command in that module
    help: str  # the one line `--help` and shell completion show


#: Every command. Adding one is one entry here: its module is imported only when it runs.
COMMANDS: dict[str, Entry] = {
    "validate": Entry(
        "reconciler.cli.validate",
        "validate_command",
        "Check the config offline: YAML, schema, references.",
    ),
    "plan": Entry(
        "reconciler.cli.plan",
        "plan_command",
        "Show the API calls that would make Calendly match the config.",
    ),
    "apply": Entry(
        "reconciler.cli.apply",
        "apply_command",
        "Make Calendly match the config in PATHS: plan, confirm, apply.",
    ),
    "drift": Entry(
        "reconciler.cli.drift",
        "drift_command",
        "Report where live Calendly differs from the config (nightly CI).",
    ),
    "show": Entry(
        "reconciler.cli.show",
        "show_command",
        "Print a plan saved by `plan --out`, without calling Calendly.",
    ),
    "export": Entry(
        "reconciler.cli.export",
        "export_command",
        "Write the live organization as config YAML.",
    ),
    "scopes": Entry(
        "reconciler.cli.auth",
        "scopes_command",
        "Print the OAuth scopes that plan and apply need for the config.",
    ),
    "login": Entry(
        "reconciler.cli.auth",
        "login_command",
        "Authorize calendly-reconciler with OAuth and save the tokens.",
    ),
    "sandbox": Entry("reconciler.sandbox.cli", "sandbox", "Run the local Calendly API emulator."),
    "watch": Entry(
        "reconciler.cli.watch",
        "watch_command",
        "Report drift seconds after a change, via Calendly's webhooks.",
    ),
}


class ReconcilerGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        command = getattr(importlib.import_module(entry.module), entry.attribute)
        if not isinstance(command, click.Command):  # a wrong table entry: a bug, not input
            raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
        command.short_help = entry.help
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self._short_help(name)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        if incomplete.startswith("-"):  # options of the group itself
            return click.Command.shell_complete(self, ctx, incomplete)
        return [
            CompletionItem(name, help=self._short_help(name))
            for name in self.list_commands(ctx)
            if name.startswith(incomplete)
        ]

    def _short_help(self, name: str) -> str:
        entry = COMMANDS.get(name)
        if entry is not None:
            return entry.help
        return self.commands[name].get_short_help_str()

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> None:
        extra.pop("standalone_mode", None)
        # Every Secret made during the run registers with it; all output is masked by it.
        registry, previous = secret.Registry(), secret.current
        streams = sys.stdout, sys.stderr
        secret.current = registry
        sys.stdout = RedactingStream(streams[0], registry)
        sys.stderr = RedactingStream(streams[1], registry)
        try:
            code = self._run(args, prog_name, extra)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            sys.stdout, sys.stderr = streams
            secret.current = previous
        sys.exit(int(code))

    def _run(self, args: Sequence[str] | None, prog_name: str | None, extra: Any) -> int:
        try:
            result = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except click.ClickException as exc:  # usage errors too: exit 1, never 2
            exc.show()
            return ExitCode.ERROR
        except Terminated:
            click.echo("Terminated.", err=True)
            return ExitCode.TERMINATED
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            return ExitCode.INTERRUPTED
        except ReconcilerError as exc:  # a ConfigError prints one line per problem
            colored = stderr_color()
            for line in exc.lines():
                click.echo(
                    click.style(line, fg="red") if colored else line, err=True, color=colored
                )
            return ExitCode.ERROR
        return int(result) if isinstance(result, int) else ExitCode.OK


@click.group(
    cls=ReconcilerGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="calendly-reconciler")
def cli() -> None:
    """Config-as-code for a Calendly organization.

    Keep members, event types (with availability) and webhook subscriptions in YAML; `plan`
    shows the exact API calls that would make Calendly match it; `apply` makes them.

    \b
    Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error,
                2 changes present (only with --detailed-exitcode; `drift`: drift found),
                130 interrupted.
    """


def stderr_color(stream: Any = None) -> bool:
    """Errors are red on a terminal: never in a pipe or file, nor with NO_COLOR or TERM=dumb."""
    import os

    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def main() -> None:
    # SIGTERM as Ctrl-C, from the start: a clean "Terminated." and 143, never a traceback
    # (apply installs its own handlers while it runs: finish in-flight requests, report).
    signal.signal(signal.SIGTERM, _terminate)
    cli()
