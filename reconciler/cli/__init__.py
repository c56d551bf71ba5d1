"""The command-line interface: thin click commands that compose the pipeline stages."""

from __future__ import annotations

import click

from reconciler import __version__
from reconciler.sandbox.cli import sandbox


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="calendly-reconciler")
def cli() -> None:
    """Config-as-code for a Calendly organization: validate, plan and apply YAML."""


cli.add_command(sandbox)


def main() -> None:
    cli()
