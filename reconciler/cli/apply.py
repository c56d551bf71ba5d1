"""`apply`: plan, confirm, then make the calls; report what was done, failed and skipped."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

from reconciler import readback, saved
from reconciler.apply import ApplyResult, Status, apply
from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import (
    color_option,
    connect,
    connection_options,
    env_of,
    insecure_option,
    paths_argument,
    use_color,
)
from reconciler.cli.planning import (
    Planned,
    booking_impact_option,
    count,
    estimate,
    make_plan,
    mass_delete_option,
    status,
    target_option,
)
from reconciler.cli.progress import Progress
from reconciler.client import CalendlyClient
from reconciler.errors import UsageError
from reconciler.live import discover_organization
from reconciler.plan import Plan
from reconciler.render import render
from reconciler.render.result import render_json
from reconciler.scopes import preflight


@click.command("apply")
@paths_argument
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the plan goes to stderr and stdout gets one JSON document with each change's "
    "outcome (done, failed with the error, skipped with the reason), for CI.",
)
@click.option(
    "--replan",
    is_flag=True,
    help="With a saved plan that is stale: plan again from its config and apply that instead.",
)
@target_option
@mass_delete_option
@booking_impact_option
@insecure_option
@color_option
@connection_options
@click.pass_context
def apply_command(
    ctx: click.Context,
    /,
    paths: tuple[Path, ...],
    auto_approve: bool,
    fmt: str,
    replan: bool,
    targets: tuple[str, ...],
    allow_mass_delete: bool,
    allow_booking_impact: bool,
    color: bool | None,
    **opts: Any,
) -> int:
    """Make Calendly match the config in PATHS: plan, confirm, apply.

    The plan is shown first; only `yes` at the prompt (or --auto-approve) goes on. Changes run
    in dependency order, several at a time; a failure skips only what depends on it. Ctrl-C
    stops after the requests in flight and reports what was and was not done.

    PATHS may instead be one plan file saved by `plan --out`: it is applied as it was reviewed,
    without asking, after re-reading the objects it writes. If any of them changed in Calendly
    since, apply refuses and names them (or, with --replan, plans again from the same config).

    \b
    Examples:
      calendly-reconciler apply examples/acme/
      calendly-reconciler apply config/ --auto-approve      # in CI
      calendly-reconciler plan config/ --out plan.json && calendly-reconciler apply plan.json
    """
    ctx.meta[_FORMAT] = fmt
    if len(paths) == 1 and paths[0].suffix == ".json" and paths[0].is_file():
        return _apply_saved(
            ctx, paths[0], opts, replan=replan, auto_approve=auto_approve, color=color
        )
    planned = make_plan(ctx, paths, opts, read_only=False, targets=targets)
    return _apply_planned(
        ctx,
        planned,
        auto_approve=auto_approve,
        allow_mass_delete=allow_mass_delete,
        allow_booking_impact=allow_booking_impact,
        color=color,
    )


def _apply_planned(
    ctx: click.Context,
    planned: Planned,
    *,
    auto_approve: bool,
    allow_mass_delete: bool,
    color: bool | None,
    allow_booking_impact: bool = False,
) -> int:
    plan = planned.plan
    try:
        _show(plan, color)
        if plan.is_empty:
            _print_result(ApplyResult(), plan, only_json=True)
            return ExitCode.OK
        unsafe = planned.unsafe(
            allow_mass_delete=allow_mass_delete, allow_booking_impact=allow_booking_impact
        )
        if unsafe is not None:
            raise unsafe
        preflight(plan, planned.client.granted_scopes)
        note = estimate(plan, planned.client)
        if note:
            status(note)
        if not auto_approve:
            _confirm(ctx, plan, planned.client)
        result = _run(ctx, plan, planned.client)
    finally:
        planned.client.http.close()
    _print_result(result, plan)
    return exit_code(result)


def _apply_saved(
    ctx: click.Context,
    file: Path,
    opts: dict[str, Any],
    *,
    replan: bool,
    auto_approve: bool,
    color: bool | None,
) -> int:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise saved.SavedPlanError(f"cannot read {file}: {exc}") from None
    loaded = saved.load(text, file=str(file), environ=os.environ)
    plan = loaded.plan
    client = connect(ctx, opts, read_only=False)
    try:
        organization = discover_organization(client)
        if organization != plan.organization:
            raise saved.SavedPlanError(
                f"{file} was made for {plan.organization}, but the token acts on {organization}"
            )
        status(f"Checking the {count(len(plan.changes), 'change')} of {file} against Calendly…")
        moved = saved.stale(plan, client, today=env_of(ctx).today())
        if moved and replan:
            status("The saved plan is stale: planning again from " + ", ".join(loaded.config_paths))
            client.http.close()
            paths = tuple(Path(p) for p in loaded.config_paths)
            replanned = make_plan(ctx, paths, opts, read_only=False)
            return _apply_planned(
                ctx, replanned, auto_approve=auto_approve, allow_mass_delete=False, color=color
            )
        if moved:
            raise saved.SavedPlanError(
                f"{file} is stale: {len(moved)} of the objects it writes changed since it was "
                "made:\n"
                + "\n".join(f"  {m}" for m in moved)
                + f"\nReview a new plan, or run `apply {file} --replan`."
            )
        _show(plan, color)
        preflight(plan, client.granted_scopes)
        result = _run(ctx, plan, client)
    finally:
        client.http.close()
    _print_result(result, plan)
    return exit_code(result)


#: ctx.meta key of `--format`: text, or json (the plan on stderr, the outcomes on stdout).
_FORMAT = "reconciler.apply.format"


def _json() -> bool:
    return click.get_current_context().meta.get(_FORMAT) == "json"


def _show(plan: Plan, color: bool | None) -> None:
    to_stderr = _json()  # stdout is for the one JSON document
    colored = use_color(color) and not to_stderr
    click.echo(render(plan, "text", color=colored), nl=False, color=colored, err=to_stderr)


def _print_result(result: ApplyResult, plan: Plan, *, only_json: bool = False) -> None:
    if _json():
        click.echo(render_json(result, organization=plan.organization))
    elif not only_json:
        click.echo(report(result))


def _run(ctx: click.Context, plan: Plan, client: CalendlyClient) -> ApplyResult:
    progress = Progress(len(plan.changes))
    with _stop_on_interrupt() as stop:
        result = apply(plan, client, on_event=progress, stop=stop)
    # What Calendly silently did not keep, said now rather than by the next drift run.
    lost = readback.check(result, client, today=env_of(ctx).today())
    for warning in lost:
        status(f"Warning: {warning}")
    result.warnings.extend(lost)
    return result


def _confirm(ctx: click.Context, plan: Plan, client: CalendlyClient) -> None:
    if not env_of(ctx).interactive():
        raise UsageError(
            "apply asks for confirmation, but stdin is not a terminal: "
            "review the plan and pass --auto-approve"
        )
    answer = click.prompt(
        f"\nApply {count(len(plan.changes), 'change')} to {plan.organization} "
        f"through {client.http.base_url}?\n"
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


def exit_code(result: ApplyResult) -> int:
    """130 when Ctrl-C left changes unstarted (as a second Ctrl-C does), else 0 or 1."""
    if result.interrupted:
        return ExitCode.INTERRUPTED
    return ExitCode.OK if result.ok else ExitCode.ERROR


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
    if result.interrupted:
        verdict = "Apply interrupted"
    elif failed == 0 and skipped == 0:
        verdict = "Apply complete"
    else:
        verdict = "Apply finished"
    lines.append(f"{verdict}: {done} done, {failed} failed, {skipped} skipped.")
    return "\n".join(lines)
