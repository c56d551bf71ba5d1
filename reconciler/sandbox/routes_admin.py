"""The `/_sandbox/` control routes (no auth, never faulted, not logged).

GET  /_sandbox/requests                              the request log {"requests": [...]}
GET  /_sandbox/counters                              counters
POST /_sandbox/reset-log                             clear log and counters (204)
GET  /_sandbox/state                                 the organization (state file form)
GET  /_sandbox/faults                                current fault configuration
POST /_sandbox/faults                                replace it: JSON mapping, or {"spec": "..."}
POST /_sandbox/invitations/{uuid}/accept             body optional {"name", "timezone"}
POST /_sandbox/invitations/{uuid}/decline
POST /_sandbox/webhook_subscriptions/{uuid}/disable

The invitation and webhook operations are also `Sandbox` methods (accept_invitation, ...), which
call the functions below under the sandbox's lock.
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.availability import working_hours
from reconciler.sandbox.context import AdminCtx, Reply, add_activity
from reconciler.sandbox.errors import invalid_param, not_found
from reconciler.sandbox.faults import Faults, FaultSpecError
from reconciler.sandbox.fixture import DEFAULT_LOCATIONS
from reconciler.sandbox.model import Invitation, Json, Membership, Schedule, User, Webhook
from reconciler.sandbox.router import admin_route
from reconciler.sandbox.store import Store
from reconciler.sandbox.timezones import canonical_timezone
from reconciler.sandbox.util import slugify, unique_slug
from reconciler.sandbox.views import Views


@admin_route("GET", "/_sandbox/requests")
def requests(ctx: AdminCtx) -> Reply:
    return Reply(200, {"requests": [entry.to_json() for entry in ctx.control.requests]})


@admin_route("GET", "/_sandbox/counters")
def counters(ctx: AdminCtx) -> Reply:
    return Reply(200, ctx.control.counters)


@admin_route("POST", "/_sandbox/reset-log")
def reset_log(ctx: AdminCtx) -> Reply:
    ctx.control.reset_log()
    return Reply(204)


@admin_route("GET", "/_sandbox/state")
def state(ctx: AdminCtx) -> Reply:
    return Reply(200, ctx.control.state())


@admin_route("GET", "/_sandbox/faults")
def get_faults(ctx: AdminCtx) -> Reply:
    return Reply(200, {"faults": ctx.control.faults.to_json()})


@admin_route("POST", "/_sandbox/faults")
def set_faults(ctx: AdminCtx) -> Reply:
    body = ctx.json()
    try:
        spec: Any = body["spec"] if set(body) == {"spec"} else body
        ctx.control.set_faults(Faults.coerce(spec))
    except FaultSpecError as exc:
        raise invalid_param("faults", str(exc)) from None
    return get_faults(ctx)


def _optional_text(body: Json, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid_param(name, "must be a string")
    return value


@admin_route("POST", "/_sandbox/invitations/{uuid}/accept")
def accept(ctx: AdminCtx) -> Reply:
    body = ctx.json()
    name, timezone = _optional_text(body, "name"), _optional_text(body, "timezone")
    resource = accept_invitation(
        ctx.store, ctx.views, ctx.now, ctx.params["uuid"], name=name, timezone=timezone
    )
    ctx.changed = True
    return Reply(200, {"resource": resource})


@admin_route("POST", "/_sandbox/invitations/{uuid}/decline")
def decline(ctx: AdminCtx) -> Reply:
    resource = decline_invitation(ctx.store, ctx.views, ctx.now, ctx.params["uuid"])
    ctx.changed = True
    return Reply(200, {"resource": resource})


@admin_route("POST", "/_sandbox/webhook_subscriptions/{uuid}/disable")
def disable(ctx: AdminCtx) -> Reply:
    hook = find_webhook(ctx.store, ctx.params["uuid"])
    ctx.changed = disable_webhook(hook, ctx.now)
    return Reply(200, {"resource": ctx.views.webhook(hook)})


# ---- the operations ------------------------------------------------------------------------


def _last_segment(ref: str) -> str:
    return ref.rstrip("/").rsplit("/", 1)[-1]


def find_pending_invitation(store: Store, ref: str) -> Invitation:
    """A pending invitation by id, URI or email (404 if none, 400 if no longer pending)."""
    key = _last_segment(ref)
    invitation = store.pending_invitation(key) if "@" in key else store.invitations.get(key)
    if invitation is None:
        raise not_found()
    if invitation.status != "pending":
        raise invalid_param("invitation", f"is {invitation.status}, not pending")
    return invitation


def accept_invitation(
    store: Store, views: Views, now: int, ref: str, *, name: str | None, timezone: str | None
) -> Json:
    """The invitee accepts: a new member with role user and the default working hours."""
    invitation = find_pending_invitation(store, ref)
    tz = canonical_timezone(timezone or "UTC")
    if tz is None:
        raise invalid_param("timezone", "must be a valid IANA time zone")
    user = _new_member(store, now, invitation.email, name, tz)
    membership = Membership(store.mint("organization_memberships"), user.id, "user", now, now)
    store.memberships[membership.id] = membership
    schedule_id = store.mint("user_availability_schedules")
    store.schedules[schedule_id] = Schedule(
        schedule_id, user.id, "Working Hours", True, tz, working_hours()
    )
    invitation.status, invitation.user_id, invitation.updated_at = "accepted", user.id, now
    # Group relationships of the invitation now belong to the membership.
    for rel in store.relationships.values():
        if rel.owner_type == "OrganizationInvitation" and rel.owner_id == invitation.id:
            rel.owner_type, rel.owner_id = "OrganizationMembership", membership.id
            rel.updated_at = now
    add_activity(store, now, user.id, "User", "Add", {"email": user.email})
    return views.invitation(invitation)


def _new_member(store: Store, now: int, email: str, name: str | None, tz: str) -> User:
    display = name or email.split("@")[0].replace(".", " ").title()
    taken = {u.slug for u in store.users.values()}
    user = User(
        id=store.mint("users"),
        email=email,
        name=display,
        slug=unique_slug(slugify(display), taken),
        timezone=tz,
        locale="en",
        time_notation="12h",
        created_at=now,
        updated_at=now,
        locations=[dict(loc) for loc in DEFAULT_LOCATIONS],
    )
    store.users[user.id] = user
    return user


def decline_invitation(store: Store, views: Views, now: int, ref: str) -> Json:
    invitation = find_pending_invitation(store, ref)
    invitation.status, invitation.updated_at = "declined", now
    for rel_id in [
        r.id
        for r in store.relationships.values()
        if r.owner_type == "OrganizationInvitation" and r.owner_id == invitation.id
    ]:
        del store.relationships[rel_id]
    return views.invitation(invitation)


def find_webhook(store: Store, ref: str) -> Webhook:
    hook = store.webhooks.get(_last_segment(ref))
    if hook is None:
        raise not_found()
    return hook


def disable_webhook(hook: Webhook, now: int) -> bool:
    """Calendly gave up delivering: `state: disabled`, retrying since 24 hours (NOTES §4.3).

    Returns whether anything changed.
    """
    if hook.state == "disabled":
        return False
    hook.state, hook.updated_at = "disabled", now
    hook.retry_started_at = now - 86_400_000_000
    return True
