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

from reconciler.sandbox.availability import parse_rules
from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import ApiError, Collector, denied, not_found
from reconciler.sandbox.routes_event_types import visible_event_type
from reconciler.sandbox.timezones import canonical_timezone


def _event_type_param(ctx: Ctx) -> str:
    ref = ctx.require("event_type")["event_type"]
    return ctx.ref_id(ref, "event_types", "event_type")


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


def update_event_type_availability(ctx: Ctx) -> Reply:
    et = visible_event_type(ctx, _event_type_param(ctx), "event_type")
    if et.owner_id != ctx.caller.id and not ctx.is_admin:
        raise denied()
    body = ctx.json()
    errors = Collector()
    rule = body.get("availability_rule")
    timezone: str | None = None
    rules = None
    if rule is None:
        errors.add("availability_rule", "is missing")
    elif not isinstance(rule, dict):
        errors.add("availability_rule", "must be an object")
    else:
        raw_tz = rule.get("timezone")
        if raw_tz is None:
            errors.add("availability_rule.timezone", "is missing")
        elif not isinstance(raw_tz, str) or canonical_timezone(raw_tz) is None:
            errors.add("availability_rule.timezone", "must be a valid IANA time zone")
        else:
            timezone = canonical_timezone(raw_tz)
        if "rules" in rule:
            rules = parse_rules(rule["rules"], "availability_rule.rules", errors)
        if rule.get("user") is not None:
            try:
                user_id: str | None = ctx.ref_id(rule["user"], "users", "availability_rule.user")
            except ApiError:  # a malformed URI is reported below as the same single detail
                user_id = None
            if user_id != et.owner_id:
                errors.add("availability_rule.user", "must be the event type's owner")
    setting = body.get("availability_setting")
    if setting is not None and setting != "host":
        errors.add("availability_setting", "must be one of: host")
    errors.raise_if_any()
    assert timezone is not None
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


def list_user_schedules(ctx: Ctx) -> Reply:
    user = ctx.ref_user(ctx.require("user")["user"], "user")
    schedules = sorted(
        (s for s in ctx.store.schedules.values() if s.user_id == user.id),
        key=lambda s: (not s.default, s.name.casefold(), s.id),
    )
    # No pagination object on this endpoint (NOTES.md §2.2).
    return Reply(200, {"collection": [ctx.views.schedule(s) for s in schedules]})


def get_user_schedule(ctx: Ctx) -> Reply:
    schedule = ctx.store.schedules.get(ctx.params["uuid"])
    if schedule is None or ctx.store.active_user(schedule.user_id) is None:
        raise not_found()
    return Reply(200, {"resource": ctx.views.schedule(schedule)})


def list_locations(ctx: Ctx) -> Reply:
    user = ctx.ref_user(ctx.require("user")["user"], "user")
    # No pagination object on this endpoint (NOTES.md §2.2).
    return Reply(200, {"collection": [dict(loc) for loc in user.locations]})
