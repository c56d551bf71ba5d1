"""`apply`: plan, confirm, then make the calls; report what was done, failed and skipped."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

from reconciler import readback, saved
from reconciler.apply import ApplyResult, Status, apply
from reconciler.cli.exitcodes import ExitCode, Terminated
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
    dedupe_option,
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
from reconciler.errors import ReconcilerError, UsageError
from reconciler.existing import Existing
from reconciler.live import discover_organization, read_live
from reconciler.lock import STALE_AFTER, Lock, acquire
from reconciler.plan import Plan
from reconciler.probe import probe_write_scopes
from reconciler.render import render
from reconciler.render.result import render_json, render_refusal
from reconciler.safety import check
from reconciler.scopes import expand, preflight


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
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another apply of the organization to finish (its lock).",
)
@click.option(
    "--break-lock",
    is_flag=True,
    help=f"Remove another apply's lock once it is older than "
    f"{int(STALE_AFTER.total_seconds() // 60)} min (a killed apply left it).",
)
@target_option
@mass_delete_option
@dedupe_option
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
    lock_timeout: float,
    break_lock: bool,
    targets: tuple[str, ...],
    allow_mass_delete: bool,
    dedupe: bool,
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
    with _refusal_as_json(fmt):
        take = _locker(ctx, timeout=lock_timeout, break_stale=break_lock)
        if len(paths) == 1 and paths[0].suffix == ".json" and paths[0].is_file():
            return _apply_saved(
                ctx,
                paths[0],
                opts,
                take,
                replan=replan,
                auto_approve=auto_approve,
                allow_mass_delete=allow_mass_delete,
                color=color,
            )
        planned = make_plan(ctx, paths, opts, read_only=False, targets=targets, dedupe=dedupe)
        return _apply_planned(
            ctx,
            planned,
            take,
            auto_approve=auto_approve,
            allow_mass_delete=allow_mass_delete,
            allow_booking_impact=allow_booking_impact,
            color=color,
        )


@contextmanager
def _refusal_as_json(fmt: str) -> Iterator[None]:
    """With --format json, an apply that refuses before its first write still prints its one
    document (CI reads stdout); the error goes on to stderr and the exit code as usual."""
    try:
        yield
    except ReconcilerError as exc:
        if fmt == "json":
            click.echo(render_refusal(exc))
        raise


def _apply_planned(
    ctx: click.Context,
    planned: Planned,
    take: Locker,
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
        if planned.client.granted_scopes is None:
            probe_write_scopes(plan, planned.client)
        # Taken just before the first write: a second apply that planned meanwhile finds
        # every object this one creates (existing.py) once it gets the lock.
        held = take(planned.client, planned.live.context.organization)
        try:
            result = _run(ctx, plan, planned.client)
        finally:
            _release(held)
    finally:
        planned.client.http.close()
    _print_result(result, plan)
    return exit_code(result)


def _apply_saved(
    ctx: click.Context,
    file: Path,
    opts: dict[str, Any],
    take: Locker,
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
                ctx,
                replanned,
                take,
                auto_approve=auto_approve,
                allow_mass_delete=False,
                color=color,
            )
        _refuse_stale(file, moved)
        check(plan, live, config, allow_mass_delete=allow_mass_delete)
        _show(plan, color)
        preflight(plan, client.granted_scopes)
        if client.granted_scopes is None:
            probe_write_scopes(plan, client)
        held = take(client, organization)
        try:
            if held.waited:  # another apply ran meanwhile: look again, under the lock
                existing = Existing(client, organization)
                _refuse_stale(file, saved.stale(plan, client, today=today, existing=existing))
            result = _run(ctx, plan, client, existing)
        finally:
            _release(held)
    finally:
        client.http.close()
    _print_result(result, plan)
    return exit_code(result)


def _release(held: Lock) -> None:
    warning = held.release()
    if warning:
        status(f"Warning: {warning}")


def _refuse_stale(file: Path, moved: list[str]) -> None:
    if moved:
        raise saved.SavedPlanError(
            f"{file} is stale: {len(moved)} of the objects it writes changed since it was "
            "made:\n"
            + "\n".join(f"  {m}" for m in moved)
            + f"\nReview a new plan, or run `apply {file} --replan`."
        )


Locker = Callable[[CalendlyClient, str], Lock]


def _locker(ctx: click.Context, *, timeout: float, break_stale: bool) -> Locker:
    """How apply takes the organization's lock (lock.py) just before its first write."""
    env = env_of(ctx)

    def take(client: CalendlyClient, organization: str) -> Lock:
        held = acquire(
            client,
            organization,
            timeout=timeout,
            break_stale=break_stale,
            clock=env.clock,
            sleep=env.sleep,
            granted=expand(client.granted_scopes) if client.granted_scopes is not None else None,
        )
        if held.warning:
            status(f"Warning: {held.warning}")
        return held

    return take


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


def _run(
    ctx: click.Context, plan: Plan, client: CalendlyClient, existing: Existing | None = None
) -> ApplyResult:
    progress = Progress(len(plan.changes))
    with _stop_on_interrupt() as stop:
        result = apply(plan, client, on_event=progress, stop=stop, existing=existing)
    if result.interrupted and getattr(stop, "signum", signal.SIGINT) == signal.SIGTERM:
        result.terminated = True
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


class _Stop(threading.Event):
    """The stop of an apply, and the signal that asked for it."""

    signum: int = signal.SIGINT


@contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """The first Ctrl-C (or SIGTERM, which CI cancellation and Kubernetes send) stops starting
    new changes and lets the requests in flight finish; the second one aborts."""
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt
        stop.signum = signum
        stop.set()
        status("\nStopping: waiting for the requests in flight (Ctrl-C again to abort)…")

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


def exit_code(result: ApplyResult) -> int:
    """130 when Ctrl-C left changes unstarted (as a second Ctrl-C does), 143 for SIGTERM,
    else 0 or 1."""
    if result.interrupted:
        return ExitCode.TERMINATED if result.terminated else ExitCode.INTERRUPTED
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
