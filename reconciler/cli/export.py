"""`export`: the live organization as YAML in the config format (stub; see issue 5)."""

from __future__ import annotations

import click


@click.command("export")
def export_command() -> None:
    """Write the live organization as config YAML (not implemented yet)."""
    raise click.ClickException("export is not implemented yet")
