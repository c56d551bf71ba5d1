"""Event types and event type memberships (one-off event types: routes_one_off.py).

Behaviour from the spec and NOTES.md §3.3 / §6:
- POST/PATCH only for one-on-one types (kind solo). A PATCH of a group (or one-off) event type is
  refused with **400 Invalid Argument**, details `[{"parameter": "uuid", "message": "only
  one-on-one event types (kind: solo) can be updated"}]`: it is a property of the resource, not
  of the caller's permissions, so 400 rather than 403 (our choice; the spec names no status).
- There is no DELETE (the router answers 404, as probed live).
- Unknown or read-only body fields (slug, custom_questions, secret, ...) are silently ignored
  with 2xx (observed live, NOTES.md §7.6).
- A new event type is always created inactive, whatever the body's `active` says (observed
  live, NOTES.md §7.7), so a client has to PATCH `active: true` afterwards.
- The slug is derived from the name at creation (unique per owner) and frozen afterwards.
- `description` is written as plain text and read back as `description_plain` and
  `description_html` (`<p>…</p>`); an empty description reads back as null, as do empty
  `locations` and `duration_options`.
- Duplicate names for one owner are allowed (the spec defines no 409).
- Creating or patching someone else's event type needs an admin or the owner (NOTES.md §7.8).
- A new event type's availability references (a copy of) its owner's default schedule.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.sandbox.context import Ctx, Reply, visible_event_type
from reconciler.sandbox.errors import Collector, detail, invalid, not_found
from reconciler.sandbox.event_type_fields import (
    DEFAULT_COLOR,
    DEFAULT_INCREMENT,
    DEFAULT_QUESTION,
    new_availability,
    writable_fields,
)
from reconciler.sandbox.model import EventType, Host, Json, User
from reconciler.sandbox.pagination import paginate, parse_sort, sort_key
from reconciler.sandbox.router import route
from reconciler.sandbox.util import slugify, unique_slug

NOT_SOLO = "only one-on-one event types (kind: solo) can be updated"


@route("POST", "/event_types", scope="event_types:write")
def create_event_type(ctx: Ctx) -> Reply:
    body = ctx.json()
    errors = Collector()
    for name in ("owner", "name"):
        if body.get(name) is None:
            errors.add(name, "is missing")
    fields = writable_fields(body, errors)
    errors.raise_if_any()
    owner = ctx.ref_user(body["owner"], "owner")
    ctx.may_manage(owner)
    et = _new_event_type(ctx, owner, fields)
    ctx.store.event_types[et.id] = et
    ctx.record(
        "EventType",
        "Create",
        {
            "event_type": ctx.views.uri("event_types", et.id),
            "name": et.name,
            "owner": ctx.views.user_uri(owner.id),
        },
    )
    return Reply(201, {"resource": ctx.views.event_type(et)})


def _new_event_type(ctx: Ctx, owner: User, fields: Json) -> EventType:
    """A new solo event type of `owner` from validated fields, with Calendly's defaults."""
    store = ctx.store
    mine = [et for et in store.event_types.values() if et.owner_id == owner.id]
    slug = unique_slug(slugify(fields["name"]), {et.slug for et in mine if et.slug})
    options = fields.get("duration_options")
    return EventType(
        id=store.mint("event_types"),
        owner_id=owner.id,
        name=fields["name"],
        kind="solo",
        type="StandardEventType",
        pooling_type=None,
        active=False,  # whatever the body says (NOTES.md §7.7): clients PATCH it afterwards
        admin_managed=False,
        booking_method="instant",
        color=fields.get("color", DEFAULT_COLOR),
        description=fields.get("description"),
        duration=fields.get("duration", options[0] if options else 30),
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
        availability=new_availability(ctx.store, owner),
        created_at=ctx.now,
        updated_at=ctx.now,
        start_time_increment=fields.get("start_time_increment", DEFAULT_INCREMENT),
        before_buffer=fields.get("before_buffer", 0),
        after_buffer=fields.get("after_buffer", 0),
    )


@route("PATCH", "/event_types/{uuid}", scope="event_types:write")
def update_event_type(ctx: Ctx) -> Reply:
    et = visible_event_type(ctx, ctx.params["uuid"])
    if et.kind != "solo" or et.type != "StandardEventType":
        raise invalid(detail("uuid", NOT_SOLO))
    ctx.may_manage(ctx.store.users[et.owner_id])
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


@route("GET", "/event_types/{uuid}", scope="event_types:read")
def get_event_type(ctx: Ctx) -> Reply:
    return Reply(
        200, {"resource": ctx.views.event_type(visible_event_type(ctx, ctx.params["uuid"]))}
    )


@route("GET", "/event_types", scope="event_types:read")
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


@route("GET", "/event_type_memberships", scope="event_types:read")
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
