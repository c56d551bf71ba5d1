"""The command-line interface: thin click commands that compose the pipeline stages.

Every command returns an ExitCode; `ReconcilerGroup.main` is the one place where failures become
messages and exit codes (a ReconcilerError is one clear message; anything else is a bug and
keeps its traceback).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from reconciler import __version__
from reconciler.cli.apply import apply_command
from reconciler.cli.auth import login_command, scopes_command
from reconciler.cli.drift import drift_command
from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.export import export_command
from reconciler.cli.plan import plan_command
from reconciler.cli.redacting import RedactingStream
from reconciler.cli.validate import validate_command
from reconciler.cli.watch import watch_command
from reconciler.client import secret
from reconciler.config.problems import ConfigError
from reconciler.errors import ReconcilerError
from reconciler.sandbox.cli import sandbox


class ReconcilerGroup(click.Group):
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
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            return ExitCode.INTERRUPTED
        except ConfigError as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            return ExitCode.ERROR
        except ReconcilerError as exc:
            click.echo(f"Error: {exc}", err=True)
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


cli.add_command(validate_command)
cli.add_command(plan_command)
cli.add_command(apply_command)
cli.add_command(drift_command)
cli.add_command(export_command)
cli.add_command(scopes_command)
cli.add_command(login_command)
cli.add_command(sandbox)
cli.add_command(watch_command)


def main() -> None:
    cli()
