"""`/_sandbox/` control routes that change the organization the way its people would, for tests
and demos (the public API cannot: group and team membership are read-only, bookings are made by
invitees):

POST   /_sandbox/groups/{group}/members          {"user": EMAIL|URI, "role"?: member|admin}
DELETE /_sandbox/groups/{group}/members/{user}   every relationship of that person with the group
POST   /_sandbox/teams/{team}/members            {"user": EMAIL|URI}
DELETE /_sandbox/teams/{team}/members/{user}
POST   /_sandbox/scheduled_events                {"event_type": URI, "start_time": ISO,
                                                  "host"?: EMAIL, "invitee"?: {"name", "email"},
                                                  "status"?: active|canceled}

`{group}` and `{team}` are an id or a name, `{user}` an email or a user id; a group member may
also be a pending invitee (by email), as in the fixture. A person is a member of at most one
group (admin of any number), as the fixture loader requires too.
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.bookings import new_booking
from reconciler.sandbox.context import AdminCtx, Reply
from reconciler.sandbox.errors import Collector, invalid_param, not_found
from reconciler.sandbox.model import Group, GroupRelationship, Team, User
from reconciler.sandbox.router import admin_route
from reconciler.sandbox.store import Store
from reconciler.sandbox.util import parse_iso

ROLES = ("member", "admin")


@admin_route("POST", "/_sandbox/groups/{group}/members")
def add_to_group(ctx: AdminCtx) -> Reply:
    group = _group(ctx.store, ctx.params["group"])
    body = ctx.json()
    role = body.get("role", "member")
    if role not in ROLES:
        raise invalid_param("role", f"must be one of: {', '.join(ROLES)}")
    owner_type, owner_id = _group_owner(ctx.store, _text(body, "user"))
    for rel in ctx.store.relationships.values():
        if (rel.owner_type, rel.owner_id, rel.role) != (owner_type, owner_id, role):
            continue
        if rel.group_id == group.id or role == "member":
            other = ctx.store.groups[rel.group_id].name
            article = "an" if role == "admin" else "a"
            raise invalid_param("user", f"is already {article} {role} of {other}")
    rel = GroupRelationship(
        ctx.store.mint("group_relationships"),
        group.id,
        role,
        owner_type,
        owner_id,
        ctx.now,
        ctx.now,
    )
    ctx.store.relationships[rel.id] = rel
    ctx.changed = True
    return Reply(201, {"resource": ctx.views.group_relationship(rel)})


@admin_route("DELETE", "/_sandbox/groups/{group}/members/{user}")
def remove_from_group(ctx: AdminCtx) -> Reply:
    group = _group(ctx.store, ctx.params["group"])
    owner = _group_owner(ctx.store, ctx.params["user"])
    gone = [
        r.id
        for r in ctx.store.relationships.values()
        if r.group_id == group.id and (r.owner_type, r.owner_id) == owner
    ]
    if not gone:
        raise not_found("user")
    for rel_id in gone:
        del ctx.store.relationships[rel_id]
    ctx.changed = True
    return Reply(204)


@admin_route("POST", "/_sandbox/teams/{team}/members")
def add_to_team(ctx: AdminCtx) -> Reply:
    team = _team(ctx.store, ctx.params["team"])
    user = _user(ctx.store, _text(ctx.json(), "user"))
    if user.id in team.member_ids:
        raise invalid_param("user", f"is already a member of {team.name}")
    team.member_ids.append(user.id)
    team.updated_at = ctx.now
    ctx.changed = True
    return Reply(200, {"resource": ctx.views.team(team)})


@admin_route("DELETE", "/_sandbox/teams/{team}/members/{user}")
def remove_from_team(ctx: AdminCtx) -> Reply:
    team = _team(ctx.store, ctx.params["team"])
    user = _user(ctx.store, ctx.params["user"])
    if user.id not in team.member_ids:
        raise not_found("user")
    team.member_ids.remove(user.id)
    team.updated_at = ctx.now
    ctx.changed = True
    return Reply(204)


@admin_route("POST", "/_sandbox/scheduled_events")
def add_booking(ctx: AdminCtx) -> Reply:
    body = ctx.json()
    et = ctx.store.event_types.get(_last(_text(body, "event_type")))
    if et is None:
        raise not_found("event_type")
    errors = Collector()
    start = parse_iso(body["start_time"]) if isinstance(body.get("start_time"), str) else None
    if start is None:
        errors.add("start_time", "must be an ISO 8601 date-time")
    status = body.get("status", "active")
    if status not in ("active", "canceled"):
        errors.add("status", "must be one of: active, canceled")
    invitee = body.get("invitee", {})
    if not isinstance(invitee, dict) or not all(
        isinstance(invitee.get(k, ""), str) for k in ("name", "email")
    ):
        errors.add("invitee", "must be an object with string name and email")
        invitee = {}
    errors.raise_if_any()
    assert start is not None
    host_id = _user(ctx.store, body["host"]).id if "host" in body else et.hosts[0].user_id
    if host_id not in {h.user_id for h in et.hosts}:
        raise invalid_param("host", "does not host this event type")
    booking = new_booking(
        ctx.store,
        et,
        start,
        host_id=host_id,
        invitee_name=invitee.get("name", "Guest"),
        invitee_email=invitee.get("email", "guest@example.com"),
        canceled=status == "canceled",
        now=ctx.now,
    )
    ctx.changed = True
    return Reply(201, {"resource": ctx.views.booking(booking)})


# ---- lookups -------------------------------------------------------------------------------


def _last(ref: str) -> str:
    return ref.rstrip("/").rsplit("/", 1)[-1]


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise invalid_param(name, "is missing")
    return value


def _group(store: Store, ref: str) -> Group:
    group = store.groups.get(ref) or store.group_by_name(ref)
    if group is None:
        raise not_found()
    return group


def _team(store: Store, ref: str) -> Team:
    team = store.teams.get(ref) or next((t for t in store.teams.values() if t.name == ref), None)
    if team is None:
        raise not_found()
    return team


def _user(store: Store, ref: str) -> User:
    user = store.user_by_email(ref) if "@" in ref else store.active_user(_last(ref))
    if user is None:
        raise not_found("user")
    return user


def _group_owner(store: Store, ref: str) -> tuple[str, str]:
    """A member (by email, URI or id) or a pending invitee (by email) → (owner_type, id)."""
    invitation = store.pending_invitation(ref) if "@" in ref else None
    if invitation is not None:
        return "OrganizationInvitation", invitation.id
    membership = store.membership_of(_user(store, ref).id)
    assert membership is not None  # every active user has one
    return "OrganizationMembership", membership.id
