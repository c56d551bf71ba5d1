"""`login` and `scopes` commands (stub; see issue 8)."""

from __future__ import annotations

import click


@click.command("scopes")
def scopes_command() -> None:
    """Print the OAuth scopes that plan and apply need (not implemented yet)."""
    raise click.ClickException("scopes is not implemented yet")


@click.command("login")
def login_command() -> None:
    """Authorize with OAuth in a browser (not implemented yet)."""
    raise click.ClickException("login is not implemented yet")
