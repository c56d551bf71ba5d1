"""Event types, one-off event types and event type memberships.

Behaviour from the spec and NOTES.md §3.3 / §6:
- POST/PATCH only for one-on-one types (kind solo). A PATCH of a group (or one-off) event type is
  refused with **400 Invalid Argument**, details `[{"parameter": "uuid", "message": "only
  one-on-one event types (kind: solo) can be updated"}]`: it is a property of the resource, not
  of the caller's permissions, so 400 rather than 403 (our choice; the spec names no status).
- There is no DELETE (the router answers 404, as probed live).
- Unknown or read-only body fields (slug, custom_questions, secret, ...) are silently ignored
  with 2xx (observed live, NOTES.md §7.6). `active` defaults to false.
- The slug is derived from the name at creation (unique per owner) and frozen afterwards.
- `description` is written as plain text and read back as `description_plain` and
  `description_html` (`<p>…</p>`); an empty description reads back as null, as do empty
  `locations` and `duration_options`.
- Duplicate names for one owner are allowed (the spec defines no 409).
- Creating or patching someone else's event type needs an admin or the owner (NOTES.md §7.8).
- A new event type's availability references (a copy of) its owner's default schedule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import ApiError, Collector, denied, detail, invalid, not_found
from reconciler.sandbox.model import EventType, EventTypeAvailability, Host, Json, User
from reconciler.sandbox.pagination import paginate, parse_sort, sort_key
from reconciler.sandbox.timezones import canonical_timezone
from reconciler.sandbox.util import parse_iso, slugify, unique_slug

LOCALES = ("de", "en", "es", "fr", "it", "nl", "pt", "uk")
LOCATION_KINDS = (
    "ask_invitee",
    "custom",
    "google_conference",
    "gotomeeting_conference",
    "inbound_call",
    "microsoft_teams_conference",
    "outbound_call",
    "physical",
    "webex_conference",
    "zoom_conference",
)
LOCATION_FIELDS = ("kind", "location", "additional_info", "phone_number")
_COLOR = re.compile(r"^#[a-f\d]{6}$")
DEFAULT_COLOR = "#0069ff"
# Calendly gives every new event type this one optional question.
DEFAULT_QUESTION: Json = {
    "name": "Please share anything that will help prepare for our meeting.",
    "type": "text",
    "position": 0,
    "enabled": True,
    "required": False,
    "answer_choices": [],
    "include_other": False,
}
NOT_SOLO = "only one-on-one event types (kind: solo) can be updated"


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_duration(value: Any, parameter: str, errors: Collector) -> None:
    if not _int(value):
        errors.add(parameter, "must be an integer")
    elif not 1 <= value <= 720:
        errors.add(parameter, "must be between 1 and 720")


def clean_locations(raw: Any, parameter: str, errors: Collector) -> list[Json] | None:
    if not isinstance(raw, list):
        errors.add(parameter, "must be an array")
        return None
    out: list[Json] = []
    for i, item in enumerate(raw):
        at = f"{parameter}[{i}]"
        if not isinstance(item, dict):
            errors.add(at, "must be an object")
            continue
        location = clean_location(item, at, errors)
        if location is not None:
            out.append(location)
    return out or None


def clean_location(item: Json, at: str, errors: Collector) -> Json | None:
    kind = item.get("kind")
    if kind not in LOCATION_KINDS:
        errors.add(f"{at}.kind", f"must be one of: {', '.join(LOCATION_KINDS)}")
        return None
    cleaned: Json = {"kind": kind}
    for name in LOCATION_FIELDS[1:]:
        if name in item and item[name] is not None:
            if not isinstance(item[name], str):
                errors.add(f"{at}.{name}", "must be a string")
            else:
                cleaned[name] = item[name]
    return cleaned


def writable_fields(body: Json, errors: Collector) -> Json:
    """Validate the writable fields present in a POST/PATCH body; return them cleaned."""
    out: Json = {}
    if "name" in body:
        name = body["name"]
        if not isinstance(name, str):
            errors.add("name", "must be a string")
        elif not name.strip():
            errors.add("name", "must be filled")
        else:
            out["name"] = name
    if "active" in body:
        if not isinstance(body["active"], bool):
            errors.add("active", "must be a boolean")
        else:
            out["active"] = body["active"]
    if "description" in body:
        text = body["description"]
        if text is not None and not isinstance(text, str):
            errors.add("description", "must be a string")
        else:
            out["description"] = text or None
    if "duration" in body:
        check_duration(body["duration"], "duration", errors)
        out["duration"] = body["duration"]
    if "duration_options" in body:
        options = body["duration_options"]
        if not isinstance(options, list):
            errors.add("duration_options", "must be an array")
        else:
            bad = False
            for i, value in enumerate(options):
                before = len(errors.details)
                check_duration(value, f"duration_options[{i}]", errors)
                bad = bad or len(errors.details) > before
            if len(options) > 4:
                errors.add("duration_options", "must have at most 4 options")
            elif len(set(options)) != len(options) and not bad:
                errors.add("duration_options", "must be unique")
            out["duration_options"] = list(options) or None
    if (
        not errors.details
        and out.get("duration_options")
        and "duration" in out
        and out["duration"] not in out["duration_options"]
    ):
        errors.add("duration", "must be one of duration_options")
    if "color" in body:
        color = body["color"]
        if not isinstance(color, str) or not _COLOR.match(color):
            errors.add("color", "must be a lowercase hex color like #0069ff")
        else:
            out["color"] = color
    if "locale" in body:
        if body["locale"] not in LOCALES:
            errors.add("locale", f"must be one of: {', '.join(LOCALES)}")
        else:
            out["locale"] = body["locale"]
    if "locations" in body:
        raw = body["locations"]
        out["locations"] = None if raw is None else clean_locations(raw, "locations", errors)
    return out


def _may_manage(ctx: Ctx, owner: User) -> None:
    if owner.id != ctx.caller.id and not ctx.is_admin:
        raise denied()


def visible_event_type(ctx: Ctx, event_type_id: str, parameter: str | None = None) -> EventType:
    et = ctx.store.event_types.get(event_type_id)
    if et is None or ctx.store.active_user(et.owner_id) is None:
        raise not_found(parameter)
    return et


def new_availability(ctx: Ctx, user: User) -> EventTypeAvailability:
    schedule = ctx.store.default_schedule(user.id)
    if schedule is None:  # cannot happen for fixture or accepted users; be safe anyway
        raise ApiError(500, "Internal Server Error", "The user has no default schedule.")
    return EventTypeAvailability(
        schedule_id=schedule.id,
        name=schedule.name,
        timezone=schedule.timezone,
        rules=[{**r, "intervals": [dict(i) for i in r["intervals"]]} for r in schedule.rules],
        user_id=user.id,
    )


def create_event_type(ctx: Ctx) -> Reply:
    body = ctx.json()
    errors = Collector()
    for name in ("owner", "name"):
        if body.get(name) is None:
            errors.add(name, "is missing")
    fields = writable_fields(body, errors)
    errors.raise_if_any()
    owner = ctx.ref_user(body["owner"], "owner")
    _may_manage(ctx, owner)
    store = ctx.store
    mine = [et for et in store.event_types.values() if et.owner_id == owner.id]
    slug = unique_slug(slugify(fields["name"]), {et.slug for et in mine if et.slug})
    options = fields.get("duration_options")
    duration = fields.get("duration", options[0] if options else 30)
    et_id = store.mint("event_types")
    et = EventType(
        id=et_id,
        owner_id=owner.id,
        name=fields["name"],
        kind="solo",
        type="StandardEventType",
        pooling_type=None,
        active=fields.get("active", False),
        admin_managed=False,
        booking_method="instant",
        color=fields.get("color", DEFAULT_COLOR),
        description=fields.get("description"),
        duration=duration,
        duration_options=options,
        internal_note=None,
        is_paid=False,
        locale=fields.get("locale", "en"),
        locations=fields.get("locations"),
        position=sum(1 for et in mine if et.type == "StandardEventType"),
        secret=False,
        slug=slug,
        scheduling_path=f"{owner.slug}/{slug}",
        custom_questions=[dict(DEFAULT_QUESTION)],
        hosts=[Host(owner.id, store.mint("event_type_memberships"), ctx.now)],
        availability=new_availability(ctx, owner),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    store.event_types[et_id] = et
    uri = ctx.views.uri("event_types", et_id)
    ctx.record(
        "EventType",
        "Create",
        {"event_type": uri, "name": et.name, "owner": ctx.views.user_uri(owner.id)},
    )
    return Reply(201, {"resource": ctx.views.event_type(et)})


def update_event_type(ctx: Ctx) -> Reply:
    et = visible_event_type(ctx, ctx.params["uuid"])
    if et.kind != "solo" or et.type != "StandardEventType":
        raise invalid(detail("uuid", NOT_SOLO))
    _may_manage(ctx, ctx.store.users[et.owner_id])
    body = ctx.json()
    errors = Collector()
    fields = writable_fields(body, errors)
    errors.raise_if_any()
    changed = sorted(name for name, value in fields.items() if getattr(et, name) != value)
    for name in changed:
        setattr(et, name, fields[name])
    if changed:
        et.updated_at = ctx.now
    ctx.record(
        "EventType",
        "Update",
        {"event_type": ctx.views.uri("event_types", et.id), "name": et.name, "changes": changed},
    )
    return Reply(200, {"resource": ctx.views.event_type(et)})


def get_event_type(ctx: Ctx) -> Reply:
    return Reply(
        200, {"resource": ctx.views.event_type(visible_event_type(ctx, ctx.params["uuid"]))}
    )


def list_event_types(ctx: Ctx) -> Reply:
    org, user_ref = ctx.q("organization"), ctx.q("user")
    if not org and not user_ref:
        message = "either organization or user is required"
        raise invalid(detail("organization", message), detail("user", message))
    if org:
        ctx.ref_org(org, "organization")
    user = ctx.ref_user(user_ref, "user") if user_ref else None
    active = ctx.q_bool("active")
    admin_managed = ctx.q_bool("admin_managed")
    schedule_ref = ctx.q("user_availability_schedule")
    schedule_id = None
    if schedule_ref:
        schedule_id = ctx.ref_id(
            schedule_ref, "user_availability_schedules", "user_availability_schedule"
        )
        if schedule_id not in ctx.store.schedules:
            raise not_found("user_availability_schedule")
    order = parse_sort(ctx.q("sort"), ("name", "position", "created_at", "updated_at"), "name:asc")
    rows = [
        et
        for et in ctx.store.visible_event_types()
        if (user is None or et.owner_id == user.id)
        and (active is None or et.active == active)
        and (admin_managed is None or et.admin_managed == admin_managed)
        and (
            schedule_id is None
            or (not et.availability.custom and et.availability.schedule_id == schedule_id)
        )
    ]

    values: dict[str, Callable[[EventType], object]] = {
        "name": lambda et: (et.name.casefold(), et.name),
        "position": lambda et: et.position,
        "created_at": lambda et: et.created_at,
        "updated_at": lambda et: et.updated_at,
    }
    fields = [(values[f], desc) for f, desc in order]

    def key(et: EventType) -> tuple[object, ...]:
        return sort_key([(value(et), desc) for value, desc in fields], et.id)

    page, pagination = paginate(rows, key, ctx.list_query(), ctx.page_tokens)
    return Reply(
        200, {"collection": [ctx.views.event_type(et) for et in page], "pagination": pagination}
    )


def list_event_type_memberships(ctx: Ctx) -> Reply:
    ref = ctx.require("event_type")["event_type"]
    et = visible_event_type(ctx, ctx.ref_id(ref, "event_types", "event_type"), "event_type")
    indexes = list(range(len(et.hosts)))
    page, pagination = paginate(
        indexes,
        lambda i: (et.hosts[i].created_at, i),  # hosts in the order they were added
        ctx.list_query(),
        ctx.page_tokens,
    )
    return Reply(
        200,
        {
            "collection": [ctx.views.event_type_membership(et, i) for i in page],
            "pagination": pagination,
        },
    )


# ---- one-off event types -------------------------------------------------------------------


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
            start_at = parse_iso(spot.get("start_time", "")) if isinstance(spot, dict) else None
            end_at = parse_iso(spot.get("end_time", "")) if isinstance(spot, dict) else None
            if start_at is None or end_at is None or start_at >= end_at:
                errors.add(at, "must have start_time before end_time (ISO 8601 date-times)")
    else:
        errors.add("date_setting.type", "must be one of: date_range, days_in_future, spots")


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def create_one_off_event_type(ctx: Ctx) -> Reply:
    body = ctx.json()
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
    host = ctx.ref_user(body["host"], "host")
    _may_manage(ctx, host)
    co_hosts = [ctx.ref_user(ref, f"co_hosts[{i}]") for i, ref in enumerate(co_host_refs)]
    store = ctx.store
    et_id = store.mint("event_types")
    slug = slugify(body["name"])
    code = "-".join(et_id.lower()[i : i + 3] for i in (0, 3, 6))
    hosts = [host] + [u for u in co_hosts if u.id != host.id]
    availability = new_availability(ctx, host)
    if timezone is not None:
        availability.timezone = canonical_timezone(timezone) or availability.timezone
    extra: Json = {"date_setting": body["date_setting"], "timezone": availability.timezone}
    et = EventType(
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
    )
    store.event_types[et_id] = et
    ctx.record(
        "EventType",
        "Create",
        {
            "event_type": ctx.views.uri("event_types", et_id),
            "name": et.name,
            "owner": ctx.views.user_uri(host.id),
            "type": "AdhocEventType",
        },
    )
    return Reply(201, {"resource": ctx.views.event_type(et)})
