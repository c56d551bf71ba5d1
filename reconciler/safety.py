"""Guards on a plan: what it may remove, and what it must never touch.

- `policy.max_delete_fraction` (per kind, default 0.25; octoDNS and peribolos do the same): a plan
  may always remove one object of a kind; beyond that, it may remove at most this share of the
  kind's live objects, unless `--allow-mass-delete`. Nested removals count: an availability
  day or date that loses all its hours is a removal, although the change is an update; so is
  one of a user availability schedule (its own entry, `availability_schedules`: a schedule
  reaches every event type that uses it).
- `policy.min_admins`: a plan must not leave fewer admins (owner included) than this.
- `protect: true`: a plan must not deactivate, delete or replace the resource.
- `policy.protect_bookings`: a plan must not strand upcoming bookings (impact.py), unless
  `--allow-booking-impact`.
The owner and the token's own user are never planned for removal at all (kinds/member.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.config.model import Config
from reconciler.errors import ReconcilerError
from reconciler.impact import deactivates
from reconciler.model import LiveState
from reconciler.plan import Action, Change, Plan


class UnsafePlanError(ReconcilerError):
    """The plan breaks a guard; every broken guard is listed."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("refusing this plan:\n" + "\n".join(f"  {r}" for r in reasons))


@dataclass(frozen=True)
class Removals:
    """What a plan removes from one guarded group, out of how many live objects."""

    group: str  # the policy name: members, invitations, event_types, webhooks, availability
    noun: str
    removed: int
    live: int


def check(
    plan: Plan,
    live: LiveState,
    config: Config,
    *,
    allow_mass_delete: bool,
    allow_booking_impact: bool = False,
) -> None:
    reasons = [*_protected(plan.changes), *_admins(plan, live, config)]
    if not allow_mass_delete:
        reasons.extend(_mass_delete(plan, live, config))
    if config.policy.protect_bookings and not allow_booking_impact:
        reasons.extend(_stranded(plan.changes))
    if reasons:
        raise UnsafePlanError(reasons)


def removals(plan: Plan, live: LiveState) -> list[Removals]:
    objects = live.objects
    members = [o for o in objects.get("member", ()) if o.meta.get("status") == "active"]
    pending = [o for o in objects.get("member", ()) if o.meta.get("status") == "pending"]
    deleted = [c for c in plan.changes if c.action == Action.DELETE]
    member_deletes = [c for c in deleted if c.kind == "member"]
    revoked = sum(1 for c in member_deletes if c.before.get("role") is None)
    return [
        Removals("members", "members", len(member_deletes) - revoked, len(members)),
        Removals("invitations", "pending invitations", revoked, len(pending)),
        Removals(
            "event_types",
            "event types",
            sum(1 for c in deleted if c.kind == "event_type"),
            len(objects.get("event_type", ())),
        ),
        Removals(
            "webhooks",
            "webhooks",
            sum(1 for c in deleted if c.kind == "webhook"),
            len(objects.get("webhook", ())),
        ),
        Removals(
            "availability",
            "availability rules (days or dates with hours)",
            sum(_rules_removed(c) for c in plan.changes if c.kind == "availability"),
            sum(_rule_count(o.spec.get("rules", {})) for o in objects.get("availability", ())),
        ),
        Removals(
            "availability_schedules",
            "availability schedule rules (days or dates with hours)",
            sum(_rules_removed(c) for c in plan.changes if c.kind == "availability_schedule"),
            sum(
                _rule_count(o.spec.get("rules", {}))
                for o in objects.get("availability_schedule", ())
            ),
        ),
    ]


def _mass_delete(plan: Plan, live: LiveState, config: Config) -> Iterable[str]:
    for group in removals(plan, live):
        # Availability rules belong to event types: they share that policy entry.
        policy_name = "event_types" if group.group == "availability" else group.group
        fraction = config.policy.delete_fraction(policy_name)
        allowed = max(1, math.floor(fraction * group.live))
        if group.removed > allowed:
            share = group.removed / group.live if group.live else 1.0
            yield (
                f"it removes {group.removed} of {group.live} {group.noun} ({share:.0%}), more "
                f"than policy.max_delete_fraction allows for {policy_name} ({fraction:.0%}); "
                "check the plan, then pass --allow-mass-delete if it is what you want"
            )


def _protected(changes: Iterable[Change]) -> Iterable[str]:
    for change in changes:
        if not change.protect:
            continue
        where = f" ({change.source})" if change.source else ""
        if change.action in (Action.DELETE, Action.REPLACE):
            yield f"{change.kind} {change.key} is protected{where} and would be {change.action}d"
        elif change.after.get("active") is False and change.before.get("active") is not False:
            yield f"{change.kind} {change.key} is protected{where} and would be deactivated"


def _stranded(changes: Iterable[Change]) -> Iterable[str]:
    """Bookings a change strands: outside the new hours, or of an event type deactivated."""
    for change in changes:
        data = change.impact or {}
        if change.kind == "availability" and data.get("outside"):
            what = f"leaves {_bookings(data['outside'])} outside the new hours"
        elif change.kind == "event_type" and deactivates(change) and data.get("upcoming"):
            what = f"deactivates an event type with {_bookings(data['upcoming'])}"
        else:
            continue
        yield (
            f"{change.kind} {change.key} {what} (policy.protect_bookings); check them, then "
            "pass --allow-booking-impact if it is what you want"
        )


def _bookings(n: int) -> str:
    return f"{n} upcoming booking" + ("" if n == 1 else "s")


def _admins(plan: Plan, live: LiveState, config: Config) -> Iterable[str]:
    minimum = config.policy.min_admins
    if minimum is None:
        return
    removed = {c.key for c in plan.changes if c.kind == "member" and c.action == Action.DELETE}
    admins = sorted(
        o.key
        for o in live.objects.get("member", ())
        if o.spec.get("role") in ("admin", "owner") and o.key not in removed
    )
    if len(admins) < minimum:
        who = ", ".join(admins) or "none"
        yield (
            f"it leaves {len(admins)} admin{'s' if len(admins) != 1 else ''} ({who}), fewer than "
            f"policy.min_admins ({minimum})"
        )


def _rule_count(rules: dict[str, list[str]]) -> int:
    """Weekdays with hours, and every date (a date rule with no hours still blocks a day)."""
    return sum(1 for day, spans in rules.items() if spans or _is_date(day))


def _rules_removed(change: Change) -> int:
    """Days or dates that lose all their hours, and date rules that disappear."""
    removed = 0
    for field in change.fields:
        if not field.path.startswith("rules."):
            continue  # the time zone
        day = field.path.removeprefix("rules.")
        loses_hours = bool(field.old) and not field.new
        date_dropped = _is_date(day) and field.old is not None and field.new is None
        removed += loses_hours or date_dropped
    return removed


def _is_date(day: str) -> bool:
    return day[:1].isdigit()
