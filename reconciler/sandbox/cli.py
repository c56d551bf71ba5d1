"""`calendly-reconciler sandbox ...` commands."""

from __future__ import annotations

import click


@click.group()
def sandbox() -> None:
    """Run the local Calendly API emulator."""
