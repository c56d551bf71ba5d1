"""Event type availability (GET/PATCH `?event_type=URI`), user schedules and meeting locations.

PATCH replaces the whole rule set (spec: "overwrites ALL existing rules"); the answer is always in
Calendly's canonical form (availability.py). Choices where the spec is silent:
- `availability_rule.rules` omitted → the rules are kept and only the time zone changes;
- `availability_rule.user`, if given, must be the event type's owner (else 400);
- the first PATCH gives the event type its own custom schedule: `availability_rule.uri` becomes a
  new `/user_availability_schedules/{id}` URI with `name: null`; such event-type-private
  schedules are not user schedules (not listed, GET by id is 404);
- time zone aliases are stored and returned under their canonical name (timezones.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from reconciler.sandbox.availability import parse_rules
from reconciler.sandbox.context import Ctx, Reply, visible_event_type
from reconciler.sandbox.errors import Collector, denied, not_found
from reconciler.sandbox.model import EventType, Json
from reconciler.sandbox.router import route
from reconciler.sandbox.timezones import canonical_timezone


def _event_type_param(ctx: Ctx) -> str:
    ref = ctx.require("event_type")["event_type"]
    return ctx.ref_id(ref, "event_types", "event_type")


@route("GET", "/event_type_availability_schedules", scope="availability:read")
def get_event_type_availability(ctx: Ctx) -> Reply:
    et = visible_event_type(ctx, _event_type_param(ctx), "event_type")
    return Reply(
        200,
        {
            "collection": [ctx.views.event_type_availability(et)],
            "pagination": {
                "count": 1,
                "next_page": None,
                "previous_page": None,
                "next_page_token": None,
                "previous_page_token": None,
            },
        },
    )


@route("PATCH", "/event_type_availability_schedules", scope="availability:write")
def update_event_type_availability(ctx: Ctx) -> Reply:
    et = visible_event_type(ctx, _event_type_param(ctx), "event_type")
    if et.owner_id != ctx.caller.id and not ctx.is_admin:
        raise denied()
    timezone, rules = _parse_patch(ctx.json(), et)
    av = et.availability
    if not av.custom:
        av.schedule_id = ctx.store.mint("user_availability_schedules")
        av.name = None
        av.custom = True
    av.timezone = timezone
    if rules is not None:
        av.rules = rules
    et.updated_at = ctx.now
    ctx.record(
        "EventTypeAvailability",
        "Update",
        {"event_type": ctx.views.uri("event_types", et.id), "timezone": timezone},
    )
    return Reply(200, {"resource": ctx.views.event_type_availability(et)})


def _parse_patch(body: Json, et: EventType) -> tuple[str, list[Json] | None]:
    """The PATCH body → (canonical time zone, rules or None to keep them); 400 naming every
    problem."""
    errors = Collector()
    rule = body.get("availability_rule")
    timezone: str | None = None
    rules = None
    if rule is None:
        errors.add("availability_rule", "is missing")
    elif not isinstance(rule, dict):
        errors.add("availability_rule", "must be an object")
    else:
        timezone = _timezone(rule.get("timezone"), "availability_rule.timezone", errors)
        if "rules" in rule:
            rules = parse_rules(rule["rules"], "availability_rule.rules", errors)
        if rule.get("user") is not None and _user_id(rule["user"]) != et.owner_id:
            errors.add("availability_rule.user", "must be the event type's owner")
    setting = body.get("availability_setting")
    if setting is not None and setting != "host":
        errors.add("availability_setting", "must be one of: host")
    errors.raise_if_any()
    assert timezone is not None
    return timezone, rules


def _timezone(raw: Any, parameter: str, errors: Collector) -> str | None:
    """A required IANA time zone in its canonical name (None after adding an error)."""
    if raw is None:
        errors.add(parameter, "is missing")
        return None
    canonical = canonical_timezone(raw) if isinstance(raw, str) else None
    if canonical is None:
        errors.add(parameter, "must be a valid IANA time zone")
    return canonical


def _user_id(ref: Any) -> str | None:
    """The id in a users URI, or None if `ref` is not one (reported as 'must be the owner')."""
    if not isinstance(ref, str):
        return None
    parts = urlsplit(ref.strip())
    segments = parts.path.split("/")
    if parts.scheme not in ("http", "https") or not parts.netloc or len(segments) != 3:
        return None
    return segments[2] or None if segments[1] == "users" else None


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
    schedule = ctx.store.schedules.get(ctx.params["uuid"])
    if schedule is None or ctx.store.active_user(schedule.user_id) is None:
        raise not_found()
    return Reply(200, {"resource": ctx.views.schedule(schedule)})


@route("GET", "/locations", scope="locations:read")
def list_locations(ctx: Ctx) -> Reply:
    user = ctx.ref_user(ctx.require("user")["user"], "user")
    # No pagination object on this endpoint (NOTES.md §2.2).
    return Reply(200, {"collection": [dict(loc) for loc in user.locations]})
