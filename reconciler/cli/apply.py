"""`apply`: plan, confirm, then make the calls; report what was done, failed and skipped."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

from reconciler.apply import ApplyResult, Status, apply
from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import (
    color_option,
    connection_options,
    env_of,
    insecure_option,
    paths_argument,
    use_color,
)
from reconciler.cli.planning import make_plan, mass_delete_option, status
from reconciler.cli.progress import Progress
from reconciler.errors import UsageError
from reconciler.plan import Plan
from reconciler.render import render
from reconciler.scopes import preflight


@click.command("apply")
@paths_argument
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@mass_delete_option
@insecure_option
@color_option
@connection_options
@click.pass_context
def apply_command(
    ctx: click.Context,
    /,
    paths: tuple[Path, ...],
    auto_approve: bool,
    allow_mass_delete: bool,
    color: bool | None,
    **opts: Any,
) -> int:
    """Make Calendly match the config in PATHS: plan, confirm, apply.

    The plan is shown first; only `yes` at the prompt (or --auto-approve) goes on. Changes run
    in dependency order, several at a time; a failure skips only what depends on it. Ctrl-C
    stops after the requests in flight and reports what was and was not done.

    \b
    Examples:
      calendly-reconciler apply examples/acme/
      calendly-reconciler apply config/ --auto-approve      # in CI
    """
    planned = make_plan(ctx, paths, opts, read_only=False)
    plan = planned.plan
    try:
        colored = use_color(color)
        click.echo(render(plan, "text", color=colored), nl=False, color=colored)
        if plan.is_empty:
            return ExitCode.OK
        unsafe = planned.unsafe(allow_mass_delete=allow_mass_delete)
        if unsafe is not None:
            raise unsafe
        preflight(plan, planned.client.granted_scopes)
        if not auto_approve:
            _confirm(ctx, plan)
        progress = Progress(len(plan.changes))
        with _stop_on_interrupt() as stop:
            result = apply(plan, planned.client, on_event=progress, stop=stop)
    finally:
        planned.client.http.close()
    click.echo(report(result))
    return ExitCode.OK if result.ok else ExitCode.ERROR


def _confirm(ctx: click.Context, plan: Plan) -> None:
    if not env_of(ctx).interactive():
        raise UsageError(
            "apply asks for confirmation, but stdin is not a terminal: "
            "review the plan and pass --auto-approve"
        )
    answer = click.prompt(
        f"\nApply these {len(plan.changes)} changes to {plan.organization}?\n"
        "Only 'yes' will be accepted to approve",
        default="",
        show_default=False,
        err=True,
    )
    if answer.strip() != "yes":
        raise UsageError("apply cancelled: nothing was changed")


@contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """The first Ctrl-C stops starting new changes; the second one aborts."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        status("\nStopping: waiting for the requests in flight (Ctrl-C again to abort)…")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def report(result: ApplyResult) -> str:
    lines = []
    for outcome in result.outcomes:
        if outcome.status != Status.DONE or outcome.message:
            change = outcome.change
            lines.append(
                f"  {outcome.status}: {change.kind} {change.key}"
                + (f": {outcome.message}" if outcome.message else "")
            )
    done, failed, skipped = (result.count(s) for s in Status)
    verdict = "Apply complete" if failed == 0 and skipped == 0 else "Apply finished"
    lines.append(f"{verdict}: {done} done, {failed} failed, {skipped} skipped.")
    return "\n".join(lines)
