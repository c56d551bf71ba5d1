"""One-off event types (`POST /one_off_event_types`): a meeting with its own dates, hosted by
one user (kind solo) or several (kind group, pooling collective); always active and secret,
with the host's default availability (or the body's time zone).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import Collector
from reconciler.sandbox.event_type_fields import (
    DEFAULT_COLOR,
    DEFAULT_QUESTION,
    clean_location,
    new_availability,
)
from reconciler.sandbox.model import EventType, Host, Json, User
from reconciler.sandbox.router import route
from reconciler.sandbox.timezones import canonical_timezone
from reconciler.sandbox.util import parse_iso, slugify


@route("POST", "/one_off_event_types", scope="event_types:write")
def create_one_off_event_type(ctx: Ctx) -> Reply:
    body = ctx.json()
    location, co_host_refs = _check_body(body)
    host = ctx.ref_user(body["host"], "host")
    ctx.may_manage(host)
    co_hosts = [ctx.ref_user(ref, f"co_hosts[{i}]") for i, ref in enumerate(co_host_refs)]
    et = _new_one_off(ctx, body, [host] + [u for u in co_hosts if u.id != host.id], location)
    ctx.store.event_types[et.id] = et
    ctx.record(
        "EventType",
        "Create",
        {
            "event_type": ctx.views.uri("event_types", et.id),
            "name": et.name,
            "owner": ctx.views.user_uri(host.id),
            "type": "AdhocEventType",
        },
    )
    return Reply(201, {"resource": ctx.views.event_type(et)})


def _check_body(body: Json) -> tuple[Json | None, list[Any]]:
    """Validate a POST body (400 naming every problem); → (cleaned location, co-host refs)."""
    errors = Collector()
    for name in ("name", "host", "duration", "date_setting"):
        if body.get(name) is None:
            errors.add(name, "is missing")
    raw_name = body.get("name")
    if raw_name is not None and (
        not isinstance(raw_name, str) or not raw_name.strip() or len(raw_name) > 55
    ):
        errors.add("name", "must be a string of 1 to 55 characters")
    duration = body.get("duration")
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not 0 < duration <= 720
    ):
        errors.add("duration", "must be a number greater than 0 and at most 720")
    if body.get("date_setting") is not None:
        _check_date_setting(body["date_setting"], errors)
    timezone = body.get("timezone")
    if timezone is not None and (
        not isinstance(timezone, str) or canonical_timezone(timezone) is None
    ):
        errors.add("timezone", "must be a valid IANA time zone")
    location = None
    if body.get("location") is not None:
        raw = body["location"]
        if not isinstance(raw, dict):
            errors.add("location", "must be an object")
        else:
            location = clean_location(raw, "location", errors)
            if location and location["kind"] == "inbound_call" and "phone_number" not in location:
                errors.add("location.phone_number", "is missing")
    co_host_refs = body.get("co_hosts") or []
    if not isinstance(co_host_refs, list):
        errors.add("co_hosts", "must be an array")
        co_host_refs = []
    errors.raise_if_any()
    return location, co_host_refs


def _new_one_off(ctx: Ctx, body: Json, hosts: list[User], location: Json | None) -> EventType:
    store, host = ctx.store, hosts[0]
    et_id = store.mint("event_types")
    slug = slugify(body["name"])
    code = "-".join(et_id.lower()[i : i + 3] for i in (0, 3, 6))
    availability = new_availability(store, host)
    timezone = body.get("timezone")
    if timezone is not None:
        availability.timezone = canonical_timezone(timezone) or availability.timezone
    extra: Json = {"date_setting": body["date_setting"], "timezone": availability.timezone}
    return EventType(
        id=et_id,
        owner_id=host.id,
        name=body["name"],
        kind="group" if len(hosts) > 1 else "solo",
        type="AdhocEventType",
        pooling_type="collective" if len(hosts) > 1 else None,
        active=True,
        admin_managed=False,
        booking_method="instant",
        color=DEFAULT_COLOR,
        description=None,
        duration=body["duration"],
        duration_options=None,  # "Always null for adhoc event types"
        internal_note=None,
        is_paid=False,
        locale="en",
        locations=[location] if location else None,
        position=0,
        secret=True,
        slug=slug,
        scheduling_path=f"d/{code}/{slug}",
        custom_questions=[dict(DEFAULT_QUESTION)],
        hosts=[Host(u.id, store.mint("event_type_memberships"), ctx.now) for u in hosts],
        availability=availability,
        created_at=ctx.now,
        updated_at=ctx.now,
        extra=extra,
        start_time_increment=None,  # "null for one-off event types" (CHANGES-2026.md)
    )


def _check_date_setting(raw: Any, errors: Collector) -> None:
    if not isinstance(raw, dict):
        errors.add("date_setting", "must be an object")
        return
    kind = raw.get("type")
    if kind == "date_range":
        start, end = _date(raw.get("start_date")), _date(raw.get("end_date"))
        if start is None:
            errors.add("date_setting.start_date", "must be a date in YYYY-MM-DD format")
        if end is None:
            errors.add("date_setting.end_date", "must be a date in YYYY-MM-DD format")
        if start and end and not 0 <= (end - start).days < 365:
            errors.add("date_setting.end_date", "must be on or after start_date, < 365 days later")
    elif kind == "days_in_future":
        days = raw.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 365:
            errors.add("date_setting.days", "must be an integer between 0 and 365")
        if not isinstance(raw.get("only_weekdays"), bool):
            errors.add("date_setting.only_weekdays", "must be a boolean")
    elif kind == "spots":
        spots = raw.get("spots")
        if not isinstance(spots, list) or not spots:
            errors.add("date_setting.spots", "must be a non-empty array")
            return
        for i, spot in enumerate(spots):
            at = f"date_setting.spots[{i}]"
            start_at, end_at = _spot_time(spot, "start_time"), _spot_time(spot, "end_time")
            if start_at is None or end_at is None or start_at >= end_at:
                errors.add(at, "must have start_time before end_time (ISO 8601 date-times)")
    else:
        errors.add("date_setting.type", "must be one of: date_range, days_in_future, spots")


def _spot_time(spot: Any, name: str) -> int | None:
    value = spot.get(name) if isinstance(spot, dict) else None
    return parse_iso(value) if isinstance(value, str) else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
