"""The steps `plan` and `apply` share: load the config, read Calendly, diff."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler import drift, gitref, owners
from reconciler.cli.options import connect, env_of
from reconciler.cli.words import count as count  # re-exported: the commands import it here
from reconciler.client import CalendlyClient
from reconciler.config import load_config
from reconciler.config.model import Config
from reconciler.diff import diff
from reconciler.errors import UsageError
from reconciler.export import read_org, unmanaged
from reconciler.impact import assess
from reconciler.live import read_live
from reconciler.model import LiveState
from reconciler.plan import Plan
from reconciler.safety import UnsafePlanError, check
from reconciler.targets import parse as parse_targets
from reconciler.targets import select

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Planned:
    config: Config
    client: CalendlyClient
    plan: Plan
    live: LiveState

    def unsafe(
        self, *, allow_mass_delete: bool, allow_booking_impact: bool = False
    ) -> UnsafePlanError | None:
        """The guards this plan breaks (safety.py), if any."""
        try:
            check(
                self.plan,
                self.live,
                self.config,
                allow_mass_delete=allow_mass_delete,
                allow_booking_impact=allow_booking_impact,
            )
        except UnsafePlanError as exc:
            return exc
        return None


def make_plan(
    ctx: click.Context,
    paths: tuple[Path, ...],
    opts: dict[str, Any],
    *,
    read_only: bool,
    targets: Sequence[str] = (),
    base: str | None = None,
) -> Planned:
    """Load, read live (GETs only), diff; then split by `base` and cut to `targets`.

    The caller closes `client.http`.
    """
    chosen = parse_targets(targets)
    if base is not None:
        gitref.check_ref(base)  # a bad ref fails now, not after reading the organization
    insecure = opts.get("allow_insecure_webhooks", False)
    config = load_config(paths, allow_insecure_webhooks=insecure)
    client = connect(ctx, opts, read_only=read_only)
    try:
        _no_credential_in_signing_keys(config, client)
        status("Reading the Calendly organization…")
        today = env_of(ctx).today()
        live = read_live(client, config, today=today)
        counts = ", ".join(count(len(v), NOUNS[k]) for k, v in live.objects.items())
        status(f"Read {counts} ({count(sum(client.stats.requests.values()), 'API call')}).")
        plan = diff(config, live, today=today)
        if base is not None:
            plan = _against_base(plan, live, client, paths, base, insecure=insecure, today=today)
        plan = select(plan, chosen)
        # The upcoming bookings the changes touch: read only for changes that can affect them.
        plan = assess(plan, live, client, now=env_of(ctx).now())
    except BaseException:
        client.http.close()
        raise
    # `owners:` entries as the event types they stand for (what `--show-unmanaged` compares).
    return Planned(owners.expand(config, live.membership), client, plan, live)


def _no_credential_in_signing_keys(config: Config, client: CalendlyClient) -> None:
    """A signing key is sent to Calendly: it must not carry the token, however it got there
    (a variable that happens to hold it, the token file's content pasted in)."""
    for hook in config.webhooks:
        if hook.signing_key is not None and client.holds_credential(hook.signing_key.reveal()):
            raise UsageError(
                f"{hook.source}: webhooks signing_key holds the credential this run "
                "authenticates with: refusing to send it to Calendly"
            )


def _against_base(
    plan: Plan,
    live: LiveState,
    client: CalendlyClient,
    paths: Sequence[Path],
    ref: str,
    *,
    insecure: bool,
    today: dt.date,
) -> Plan:
    """Label each change as made by the config change, or as drift that was already there."""
    with tempfile.TemporaryDirectory(prefix="calendly-base-") as tmp:
        base_paths = gitref.export_config(paths, ref, Path(tmp))
        if not base_paths:
            return replace(plan, changes=tuple(replace(c, origin="change") for c in plan.changes))
        base_config = load_config(base_paths, allow_insecure_webhooks=insecure)
    base_plan = diff(base_config, read_live(client, base_config, today=today), today=today)
    labelled, absorbed = drift.split(plan, base_plan)
    drifted = [c.id for c in labelled.changes if c.origin == "drift"]
    labelled, note = drift.attribute(labelled, live, client, only=drifted)
    warnings = list(labelled.warnings)
    if absorbed:
        warnings.append(
            f"this config change makes {count(len(absorbed), 'drifted object')} match Calendly "
            f"as it is ({', '.join(absorbed)})"
        )
    if note:
        warnings.append(note)
    return replace(labelled, warnings=tuple(sorted(warnings)))


def with_all_unmanaged(planned: Planned, *, today: dt.date) -> Plan:
    """The plan, listing every undeclared live object of every kind and scope.

    A plan reads only what its config manages (the fewest calls); this reads everything, as
    `export` does, and decides "undeclared" with the same matching as the plan.
    """
    snapshot = read_org(planned.client, today=today, config=planned.config)
    left = unmanaged(snapshot, planned.config, today=today)
    listing = {
        "member": [o.key for o in left.members],
        "event_type": [o.key for o in left.event_types],
        "webhook": [o.key for o in left.webhooks],
        "availability_schedule": [o.key for o in left.schedules],
    }
    return replace(planned.plan, unmanaged={k: tuple(sorted(v)) for k, v in listing.items() if v})


#: Calendly's limits are per minute (500 on paid plans); a plan that needs longer than this at
#: that rate gets an estimate before it is applied.
ESTIMATE_FROM_SECONDS = 20.0


def estimate(plan: Plan, client: CalendlyClient) -> str | None:
    """How long the rate limit makes applying `plan` take, when that is worth saying."""
    calls = plan.request_count()
    limit = client.limiter.limit
    if not limit or calls * 60 / limit < ESTIMATE_FROM_SECONDS:
        return None
    seconds = round(calls * 60 / limit)
    minutes, rest = divmod(seconds, 60)
    took = f"{minutes} min {rest} s" if minutes else f"{rest} s"
    return (
        f"Applying this plan makes {count(calls, 'API call')}: at least {took} at Calendly's "
        f"limit of {limit} requests per minute (shared with the token's other integrations)."
    )


def target_option(func: F) -> F:
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="KIND[:NAME-GLOB]",
        help="Only plan (and apply) changes of this kind whose key matches the glob, e.g. "
        "event_type:alice@acme.example/* (repeatable). Dependencies are included.",
    )(func)


def booking_impact_option(func: F) -> F:
    return click.option(
        "--allow-booking-impact",
        is_flag=True,
        help="Accept a plan that strands upcoming bookings although policy.protect_bookings "
        "is set.",
    )(func)


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
    "availability_schedule": "user availability schedule",
    "webhook": "webhook",
}


def status(message: str) -> None:
    click.echo(message, err=True)
