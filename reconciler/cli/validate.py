"""`validate`: offline checks of the config (YAML, schema, cross-references). No network."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import insecure_option, paths_argument
from reconciler.config import load_config


@click.command("validate")
@paths_argument
@insecure_option
def validate_command(paths: tuple[Path, ...], allow_insecure_webhooks: bool) -> int:
    """Check the config in PATHS (YAML files or directories) without calling Calendly.

    Every problem is reported at once as `file:line:col: path: message`.

    \b
    Example:
      calendly-reconciler validate examples/acme/
    """
    config = load_config(paths, allow_insecure_webhooks=allow_insecure_webhooks)
    files = len(config.files)
    click.echo(
        f"Valid: {len(config.members)} members, {len(config.event_types)} event types, "
        f"{len(config.webhooks)} webhooks in {files} {'file' if files == 1 else 'files'}.",
        err=True,
    )
    return ExitCode.OK
