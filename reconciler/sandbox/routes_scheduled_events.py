"""Scheduled events (bookings), read-only: `GET /scheduled_events` and `/scheduled_events/{uuid}`.

Who may list what (2023 spec, `GET /scheduled_events` description and its 403 examples):
- `organization` alone: the organization's events; admins and the owner only.
- `organization` + `user`: that member's events; an admin for anyone, a member for themself.
- `user` alone: only the caller's own events; anyone else's is 403 "Please also specify
  organization when requesting events for a user within your organization."
- one of the two is required (400 naming both).
Filters: `status` (active | canceled), `min_start_time` (inclusive) and `max_start_time`
(exclusive), UTC date-times; `invitee_email`; `sort=start_time:asc|desc` (default asc);
`count` ≤ 100 and `page_token` as everywhere. A user's events are those they host
(`event_memberships`). One event is readable by an admin or one of its hosts (else 403).
Events come from the fixture's `bookings` (dated relative to the sandbox clock) and from the
`/_sandbox/scheduled_events` control route; Calendly's own booking flow is not emulated.
"""

from __future__ import annotations

from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import Collector, denied, detail, invalid, not_found
from reconciler.sandbox.model import Booking, User
from reconciler.sandbox.pagination import paginate, parse_sort, sort_key
from reconciler.sandbox.router import route

STATUSES = ("active", "canceled")
SPECIFY_ORGANIZATION = (
    "Please also specify organization when requesting events for a user within your organization."
)


@route("GET", "/scheduled_events", scope="scheduled_events:read")
def list_scheduled_events(ctx: Ctx) -> Reply:
    host = _whose(ctx)
    status, bounds = _filters(ctx)
    email = (ctx.q("invitee_email") or "").strip().lower()
    order = parse_sort(ctx.q("sort"), ("start_time",), "start_time:asc")
    rows = [
        b
        for b in ctx.store.bookings.values()
        if (host is None or host.id in b.host_ids)
        and (status is None or b.status == status)
        and bounds.get("min_start_time", b.start_time) <= b.start_time
        and b.start_time < bounds.get("max_start_time", b.start_time + 1)
        and (not email or b.invitee_email.lower() == email)
    ]
    page, pagination = paginate(
        rows,
        lambda b: sort_key([(b.start_time, desc) for _, desc in order], b.id),
        ctx.list_query(),
        ctx.page_tokens,
    )
    return Reply(
        200, {"collection": [ctx.views.booking(b) for b in page], "pagination": pagination}
    )


@route("GET", "/scheduled_events/{uuid}", scope="scheduled_events:read")
def get_scheduled_event(ctx: Ctx) -> Reply:
    booking: Booking | None = ctx.store.bookings.get(ctx.params["uuid"])
    if booking is None:
        raise not_found()
    if not ctx.is_admin and ctx.caller.id not in booking.host_ids:
        raise denied()
    return Reply(200, {"resource": ctx.views.booking(booking)})


def _whose(ctx: Ctx) -> User | None:
    """The host whose events are listed (None: the whole organization), per the rules above."""
    org, user_ref = ctx.q("organization"), ctx.q("user")
    if org is None and user_ref is None:
        message = "either organization or user is required"
        raise invalid(detail("organization", message), detail("user", message))
    if org is not None:
        ctx.ref_org(org, "organization")
    user = ctx.ref_user(user_ref, "user") if user_ref is not None else None
    if user is not None and user.id == ctx.caller.id:
        return user
    if not org:
        raise denied(SPECIFY_ORGANIZATION)
    if not ctx.is_admin:
        raise denied() if user is None else denied("You do not have permission")
    return user


def _filters(ctx: Ctx) -> tuple[str | None, dict[str, int]]:
    errors = Collector()
    status = ctx.q("status")
    if status is not None and status not in STATUSES:
        errors.add("status", f"must be one of: {', '.join(STATUSES)}")
    bounds = ctx.time_bounds(errors, ("min_start_time", "max_start_time"))
    errors.raise_if_any()
    return status, bounds
