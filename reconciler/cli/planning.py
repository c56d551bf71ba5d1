"""The steps `plan` and `apply` share: load the config, read Calendly, diff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.cli.options import connect, env_of
from reconciler.client import CalendlyClient
from reconciler.config import load_config
from reconciler.config.model import Config
from reconciler.diff import diff
from reconciler.live import read_live
from reconciler.model import LiveState
from reconciler.plan import Plan
from reconciler.safety import UnsafePlanError, check


@dataclass
class Planned:
    config: Config
    client: CalendlyClient
    plan: Plan
    live: LiveState

    def unsafe(self, *, allow_mass_delete: bool) -> UnsafePlanError | None:
        """The guards this plan breaks (safety.py), if any."""
        try:
            check(self.plan, self.live, self.config, allow_mass_delete=allow_mass_delete)
        except UnsafePlanError as exc:
            return exc
        return None


def make_plan(
    ctx: click.Context, paths: tuple[Path, ...], opts: dict[str, Any], *, read_only: bool
) -> Planned:
    """Load, read live (GETs only), diff. The caller closes `client.http`."""
    config = load_config(paths, allow_insecure_webhooks=opts.get("allow_insecure_webhooks", False))
    client = connect(ctx, opts, read_only=read_only)
    try:
        status("Reading the Calendly organization…")
        today = env_of(ctx).today()
        live = read_live(client, config, today=today, progress=lambda m: None)
        counts = ", ".join(count(len(v), NOUNS[k]) for k, v in live.objects.items())
        status(f"Read {counts} ({count(sum(client.stats.requests.values()), 'API call')}).")
        plan = diff(config, live, today=today)
    except BaseException:
        client.http.close()
        raise
    return Planned(config, client, plan, live)


F = TypeVar("F", bound=Callable[..., Any])


def mass_delete_option(func: F) -> F:
    return click.option(
        "--allow-mass-delete",
        is_flag=True,
        help="Accept a plan that removes more than policy.max_delete_fraction of a kind.",
    )(func)


NOUNS = {
    "member": "member",
    "event_type": "event type",
    "availability": "availability schedule",
    "webhook": "webhook",
}


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def status(message: str) -> None:
    click.echo(message, err=True)
