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

from reconciler import saved
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
    count,
    estimate,
    make_plan,
    mass_delete_option,
    status,
    target_option,
)
from reconciler.cli.progress import Progress
from reconciler.client import CalendlyClient
from reconciler.config import load_config
from reconciler.config.model import Config
from reconciler.config.problems import ConfigError
from reconciler.errors import UsageError
from reconciler.existing import Existing
from reconciler.live import discover_organization, read_live
from reconciler.plan import Plan
from reconciler.render import render
from reconciler.safety import check
from reconciler.scopes import preflight


@click.command("apply")
@paths_argument
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--replan",
    is_flag=True,
    help="With a saved plan that is stale: plan again from its config and apply that instead.",
)
@target_option
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
    replan: bool,
    targets: tuple[str, ...],
    allow_mass_delete: bool,
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
    if len(paths) == 1 and paths[0].suffix == ".json" and paths[0].is_file():
        return _apply_saved(
            ctx,
            paths[0],
            opts,
            replan=replan,
            auto_approve=auto_approve,
            allow_mass_delete=allow_mass_delete,
            color=color,
        )
    planned = make_plan(ctx, paths, opts, read_only=False, targets=targets)
    return _apply_planned(
        ctx, planned, auto_approve=auto_approve, allow_mass_delete=allow_mass_delete, color=color
    )


def _apply_planned(
    ctx: click.Context,
    planned: Planned,
    *,
    auto_approve: bool,
    allow_mass_delete: bool,
    color: bool | None,
) -> int:
    plan = planned.plan
    try:
        _show(plan, color)
        if plan.is_empty:
            return ExitCode.OK
        unsafe = planned.unsafe(allow_mass_delete=allow_mass_delete)
        if unsafe is not None:
            raise unsafe
        preflight(plan, planned.client.granted_scopes)
        note = estimate(plan, planned.client)
        if note:
            status(note)
        if not auto_approve:
            _confirm(ctx, plan)
        result = _run(plan, planned.client)
    finally:
        planned.client.http.close()
    click.echo(report(result))
    return exit_code(result)


def _apply_saved(
    ctx: click.Context,
    file: Path,
    opts: dict[str, Any],
    *,
    replan: bool,
    auto_approve: bool,
    allow_mass_delete: bool,
    color: bool | None,
) -> int:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise saved.SavedPlanError(f"cannot read {file}: {exc}") from None
    loaded = saved.load(text, file=str(file), environ=os.environ)
    plan = loaded.plan
    config = _config_of(file, loaded, opts)
    client = connect(ctx, opts, read_only=False)
    try:
        organization = discover_organization(client)
        if organization != plan.organization:
            raise saved.SavedPlanError(
                f"{file} was made for {plan.organization}, but the token acts on {organization}"
            )
        status(f"Checking the {count(len(plan.changes), 'change')} of {file} against Calendly…")
        today = env_of(ctx).today()
        # The whole organization as the config sees it: the requests are rebuilt from it and
        # the guards (mass delete, protect, min_admins) run again, as for `apply CONFIG`.
        live = read_live(client, config, today=today)
        plan = saved.verified(plan, live, config, file=str(file), today=today)
        existing = Existing(client, organization)
        moved = saved.stale(plan, client, today=today, existing=existing)
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
        check(plan, live, config, allow_mass_delete=allow_mass_delete)
        _show(plan, color)
        preflight(plan, client.granted_scopes)
        result = _run(plan, client, existing)
    finally:
        client.http.close()
    click.echo(report(result))
    return exit_code(result)


def _config_of(file: Path, loaded: saved.SavedPlan, opts: dict[str, Any]) -> Config:
    """The config the plan was made from: its policy and `protect` guard the saved plan too,
    and a webhook's signing key may only come from the variable it interpolates."""
    try:
        return load_config(
            [Path(p) for p in loaded.config_paths],
            allow_insecure_webhooks=opts.get("allow_insecure_webhooks", False),
        )
    except ConfigError as exc:
        raise saved.SavedPlanError(
            f"{file}: cannot check it against the config it was made from "
            f"({', '.join(loaded.config_paths)}):\n" + "\n".join(exc.lines())
        ) from None


def _show(plan: Plan, color: bool | None) -> None:
    colored = use_color(color)
    click.echo(render(plan, "text", color=colored), nl=False, color=colored)


def _run(plan: Plan, client: CalendlyClient, existing: Existing | None = None) -> ApplyResult:
    progress = Progress(len(plan.changes))
    with _stop_on_interrupt() as stop:
        return apply(plan, client, on_event=progress, stop=stop, existing=existing)


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
    lines.extend(f"  duplicate: {line}" for line in result.duplicates)
    done, failed, skipped = (result.count(s) for s in Status)
    if result.interrupted:
        verdict = "Apply interrupted"
    elif failed == 0 and skipped == 0 and not result.duplicates:
        verdict = "Apply complete"
    else:
        verdict = "Apply finished"
    lines.append(f"{verdict}: {done} done, {failed} failed, {skipped} skipped.")
    return "\n".join(lines)
