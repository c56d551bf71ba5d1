"""`plan`: read Calendly, diff with the config, print the changes. Never writes to the API."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from reconciler import saved
from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import (
    color_option,
    connection_options,
    env_of,
    insecure_option,
    paths_argument,
    use_color,
)
from reconciler.cli.planning import (
    booking_impact_option,
    estimate,
    make_plan,
    mass_delete_option,
    status,
    target_option,
    with_all_unmanaged,
)
from reconciler.errors import UsageError
from reconciler.render import RENDERERS, render


def check_writable(out: Path) -> None:
    """`plan --out FILE` will be able to write FILE: said before any API call."""
    parent = out.parent  # (click refuses an --out that is a directory)
    if not parent.is_dir():
        raise UsageError(f"--out: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"--out: cannot write {out}: permission denied")


@click.command("plan")
@paths_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="Output format; json is the stable machine contract.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the plan to this file, for `apply FILE` (no secret is ever stored).",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there are no changes, 2 when there are, 1 on any error.",
)
@click.option(
    "--base",
    metavar="REF",
    help="In a pull request: also plan the config as of git REF, and show which changes this "
    "config change makes and which drift was already there.",
)
@click.option(
    "--show-unmanaged",
    is_flag=True,
    help="List every live object the config does not declare, of every kind and scope "
    "(reads the whole organization, as export does).",
)
@target_option
@mass_delete_option
@booking_impact_option
@insecure_option
@color_option
@connection_options
@click.pass_context
def plan_command(
    ctx: click.Context,
    /,
    paths: tuple[Path, ...],
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    base: str | None,
    show_unmanaged: bool,
    targets: tuple[str, ...],
    allow_mass_delete: bool,
    allow_booking_impact: bool,
    color: bool | None,
    **opts: Any,
) -> int:
    """Show what apply would change to make Calendly match the config in PATHS.

    Only GET requests are sent (the client refuses anything else). The plan goes to stdout;
    progress and errors go to stderr.

    \b
    Examples:
      calendly-reconciler plan examples/acme/
      calendly-reconciler plan config/ --format json --out plan.json
      calendly-reconciler plan config/ --detailed-exitcode   # 0 none, 1 error, 2 changes
      calendly-reconciler plan config/ --base origin/main --format markdown   # in a PR
      calendly-reconciler plan config/ --target 'event_type:alice@acme.example/*'
    """
    if out is not None:
        check_writable(out)  # before reading the organization, not after
    planned = make_plan(ctx, paths, opts, read_only=True, targets=targets, base=base)
    try:
        if show_unmanaged:
            planned.plan = with_all_unmanaged(planned, today=env_of(ctx).today())
    finally:
        planned.client.http.close()
    note = estimate(planned.plan, planned.client)
    if note:
        status(note)
    plan = planned.plan
    colored = use_color(color) and fmt == "text"
    text = render(plan, fmt, color=colored, every_unmanaged=show_unmanaged)
    click.echo(text, nl=False, color=colored)
    unsafe = planned.unsafe(
        allow_mass_delete=allow_mass_delete, allow_booking_impact=allow_booking_impact
    )
    if unsafe is not None:
        raise unsafe  # shown after the plan, so the reader sees what is refused
    if out is not None:
        try:
            out.write_text(saved.dump(plan, config_paths=[str(p) for p in paths]), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--out: cannot write {out}: {exc.strerror or exc}") from None
        status(f"Saved the plan to {out}; apply it with `calendly-reconciler apply {out}`.")
    if detailed_exitcode and not plan.is_empty:
        return ExitCode.CHANGES
    return ExitCode.OK
