"""User availability schedules: list and get, and since late 2026 create and update
(CHANGES-2026.md: reference pages "Create/Update User Availability Schedule").

- POST creates a schedule for the authenticated user only, never the default one. A body `user`
  naming someone else is refused with 403 (an admin token cannot create a schedule for another
  member); the field is otherwise not needed.
- PATCH changes the caller's own schedules only: another member's is 403, admins included
  (unconfirmed upstream; CHANGES-2026.md says to assume it). Omitted fields are kept; `rules`
  replaces the whole set; a new `timezone` keeps each rule's local times; `default: true` makes
  it the user's default (and un-defaults the other), `default: false` is a 400 (a user never has
  zero defaults).
- `rules` must hold exactly one `wday` rule for each day, sunday through saturday (empty
  `intervals` = unavailable) plus optional `date` rules; a date rule before today (POST) or
  before yesterday (PATCH), in the schedule's time zone, is a 400.
- Duplicate names are accepted (no page defines a 409). There is no DELETE.
- Changes apply to every event type that uses the schedule, i.e. whose availability has not
  been given rules of its own (routes_availability.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from reconciler.sandbox.availability import check_week, parse_rules
from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import Collector, denied, not_found
from reconciler.sandbox.model import Json, Schedule
from reconciler.sandbox.router import route
from reconciler.sandbox.timezones import canonical_timezone, zone

NOT_FALSE = "cannot be false: a user always has one default schedule; make another one default"


@route("GET", "/user_availability_schedules", scope="availability:read")
def list_user_schedules(ctx: Ctx) -> Reply:
    user = ctx.ref_user(ctx.require("user")["user"], "user")
    schedules = sorted(
        (s for s in ctx.store.schedules.values() if s.user_id == user.id),
        key=lambda s: (not s.default, s.name.casefold(), s.id),
    )
    # No pagination object on this endpoint (NOTES.md §2.2).
    return Reply(200, {"collection": [ctx.views.schedule(s) for s in schedules]})


@route("GET", "/user_availability_schedules/{uuid}", scope="availability:read")
def get_user_schedule(ctx: Ctx) -> Reply:
    return Reply(200, {"resource": ctx.views.schedule(_schedule(ctx))})


@route("POST", "/user_availability_schedules", scope="availability:write")
def create_user_schedule(ctx: Ctx) -> Reply:
    body = ctx.json()
    if body.get("user") is not None and ctx.ref_id(body["user"], "users", "user") != ctx.caller.id:
        raise denied()
    errors = Collector()
    for required in ("name", "timezone", "rules"):
        if body.get(required) is None:
            errors.add(required, "is missing")
    name = _name(body, errors)
    timezone = _timezone(body, errors)
    rules = _rules(body, ctx.now, timezone, 0, errors)
    errors.raise_if_any()
    assert name is not None and timezone is not None and rules is not None
    schedule = Schedule(
        ctx.store.mint("user_availability_schedules"), ctx.caller.id, name, False, timezone, rules
    )
    ctx.store.schedules[schedule.id] = schedule
    _record(ctx, schedule, "Create")
    return Reply(201, {"resource": ctx.views.schedule(schedule)})


@route("PATCH", "/user_availability_schedules/{uuid}", scope="availability:write")
def update_user_schedule(ctx: Ctx) -> Reply:
    schedule = _schedule(ctx)
    if schedule.user_id != ctx.caller.id:
        raise denied()
    body = ctx.json()
    errors = Collector()
    name = _name(body, errors)
    timezone = _timezone(body, errors)
    rules = _rules(body, ctx.now, timezone or schedule.timezone, 1, errors)
    make_default = body.get("default")
    if "default" in body and make_default is not True:
        errors.add("default", NOT_FALSE if make_default is False else "must be true")
    errors.raise_if_any()
    schedule.name = name if name is not None else schedule.name
    schedule.timezone = timezone or schedule.timezone  # rules keep their local times
    schedule.rules = rules if rules is not None else schedule.rules
    if make_default is True:
        for other in ctx.store.schedules.values():
            if other.user_id == schedule.user_id:
                other.default = other.id == schedule.id
    _follow(ctx, schedule)
    _record(ctx, schedule, "Update")
    return Reply(200, {"resource": ctx.views.schedule(schedule)})


# ---- steps ---------------------------------------------------------------------------------


def _schedule(ctx: Ctx) -> Schedule:
    schedule = ctx.store.schedules.get(ctx.params["uuid"])
    if schedule is None or ctx.store.active_user(schedule.user_id) is None:
        raise not_found()
    return schedule


def _name(body: Json, errors: Collector) -> str | None:
    value = body.get("name")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        errors.add("name", "must be a non-empty string")
        return None
    return value


def _timezone(body: Json, errors: Collector) -> str | None:
    value = body.get("timezone")
    if value is None:
        return None
    canonical = canonical_timezone(value) if isinstance(value, str) else None
    if canonical is None:
        errors.add("timezone", "must be a valid IANA time zone")
    return canonical


def _rules(
    body: Json, now: int, timezone: str | None, days_back: int, errors: Collector
) -> list[Json] | None:
    """The canonical rules of the body (None if absent), checked against a full week and
    against dates more than `days_back` days before today in `timezone`."""
    raw: Any = body.get("rules")
    if raw is None:
        return None
    before = len(errors.details)
    rules = parse_rules(raw, "rules", errors)
    if len(errors.details) == before:
        check_week(raw, "rules", _today(now, timezone) - timedelta(days=days_back), errors)
    return rules


def _today(now: int, timezone: str | None) -> date:
    return datetime.fromtimestamp(now / 1_000_000, zone(timezone)).date()


def _follow(ctx: Ctx, schedule: Schedule) -> None:
    """Event types that use the schedule follow it ("Changes apply to every Event Type")."""
    for et in ctx.store.event_types.values():
        av = et.availability
        if not av.custom and av.schedule_id == schedule.id:
            av.name, av.timezone = schedule.name, schedule.timezone
            av.rules = [
                {**r, "intervals": [dict(i) for i in r["intervals"]]} for r in schedule.rules
            ]


def _record(ctx: Ctx, schedule: Schedule, action: str) -> None:
    ctx.record(
        "AvailabilitySchedule",
        action,
        {
            "schedule": ctx.views.uri("user_availability_schedules", schedule.id),
            "name": schedule.name,
        },
    )
