"""`drift`: for nightly jobs, every live difference from the config, with who and when."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import (
    color_option,
    connection_options,
    insecure_option,
    paths_argument,
    use_color,
)
from reconciler.cli.planning import count, make_plan, status, target_option
from reconciler.drift import attribute
from reconciler.render import RENDERERS, render

TITLE = "Calendly drift report"


@click.command("drift")
@paths_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="Output format (markdown for an issue or a comment).",
)
@target_option
@insecure_option
@color_option
@connection_options
@click.pass_context
def drift_command(
    ctx: click.Context,
    /,
    paths: tuple[Path, ...],
    fmt: str,
    targets: tuple[str, ...],
    color: bool | None,
    **opts: Any,
) -> int:
    """Report where live Calendly differs from the config in PATHS (GET requests only).

    Each difference says who changed it and when, from the organization's activity log
    (Enterprise plans) or else the object's last update time; the changes `apply` would make
    to undo it are shown too.

    \b
    Exit codes: 0 no drift, 2 drift found, 1 error.

    \b
    Examples:
      calendly-reconciler drift config/
      calendly-reconciler drift config/ --format markdown > drift.md   # nightly job
    """
    planned = make_plan(ctx, paths, opts, read_only=True, targets=targets)
    try:
        plan, note = attribute(planned.plan, planned.live, planned.client)
    finally:
        planned.client.http.close()
    if note:
        status(f"Note: {note}.")
    colored = use_color(color) and fmt == "text"
    click.echo(render(plan, fmt, color=colored, title=TITLE), nl=False, color=colored)
    if plan.is_empty:
        status("No drift: Calendly matches the configuration.")
        return ExitCode.OK
    status(f"Drift: {count(len(plan.changes), 'difference')} between Calendly and the config.")
    return ExitCode.CHANGES
