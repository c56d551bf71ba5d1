"""Users, the organization, memberships and invitations.

Role gates (NOTES.md §2.6, 2023 spec examples): inviting, revoking and removing members need an
admin or the owner. The owner can't be removed ("You can not change owner role") and nobody can
remove themselves ("You can not remove yourself from organization"). Removing a member takes the
user out of the organization: their event types are no longer listed, their user-scope webhooks
and group relationships go, and their tokens stop working.
"""

from __future__ import annotations

import re

from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import (
    ApiError,
    Collector,
    denied,
    detail,
    invalid,
    invalid_param,
    not_found,
)
from reconciler.sandbox.model import ROLES, Invitation, User
from reconciler.sandbox.pagination import paginate, parse_sort, sort_key
from reconciler.sandbox.router import route

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@route("GET", "/users/me", scope="users:read")
def get_me(ctx: Ctx) -> Reply:
    return Reply(200, {"resource": ctx.views.user(ctx.caller)})


@route("GET", "/users/{uuid}", scope="users:read")
def get_user(ctx: Ctx) -> Reply:
    user_id = ctx.params["uuid"]
    user: User | None = ctx.caller if user_id == "me" else ctx.store.active_user(user_id)
    if user is None:
        raise not_found()
    return Reply(200, {"resource": ctx.views.user(user)})


@route("GET", "/organizations/{uuid}", scope="organizations:read")
def get_organization(ctx: Ctx) -> Reply:
    if ctx.params["uuid"] != ctx.store.org.id:
        raise not_found()
    return Reply(200, {"resource": ctx.views.organization()})


# ---- memberships ---------------------------------------------------------------------------


@route("GET", "/organization_memberships", scope="organizations:read")
def list_memberships(ctx: Ctx) -> Reply:
    org, user_ref = ctx.q("organization"), ctx.q("user")
    if not org and not user_ref:
        message = "either organization or user is required"
        raise invalid(detail("organization", message), detail("user", message))
    if org:
        ctx.ref_org(org, "organization")
    user = ctx.ref_user(user_ref, "user") if user_ref else None
    role = ctx.q("role")
    if role is not None and role not in ROLES:
        raise invalid_param("role", f"must be one of: {', '.join(ROLES)}")
    email = (ctx.q("email") or "").strip().lower()
    rows = [
        m
        for m in ctx.store.memberships.values()
        if (user is None or m.user_id == user.id)
        and (role is None or m.role == role)
        and (not email or ctx.store.users[m.user_id].email.lower() == email)
    ]
    page, pagination = paginate(
        rows, lambda m: (m.created_at, m.id), ctx.list_query(), ctx.page_tokens
    )
    return Reply(
        200, {"collection": [ctx.views.membership(m) for m in page], "pagination": pagination}
    )


@route("GET", "/organization_memberships/{uuid}", scope="organizations:read")
def get_membership(ctx: Ctx) -> Reply:
    membership = ctx.store.memberships.get(ctx.params["uuid"])
    if membership is None:
        raise not_found()
    return Reply(200, {"resource": ctx.views.membership(membership)})


@route("DELETE", "/organization_memberships/{uuid}", scope="organizations:write")
def delete_membership(ctx: Ctx) -> Reply:
    store = ctx.store
    membership = store.memberships.get(ctx.params["uuid"])
    if membership is None:
        raise not_found()
    # Exact messages from the 2023 spec's DELETE /organization_memberships/{uuid} examples.
    if not ctx.is_admin:
        raise denied("You do not have permission to perform this action")
    if membership.user_id == ctx.caller.id:
        raise denied("You can not remove yourself from organization")
    if membership.role == "owner":
        raise denied("You can not change owner role")
    user = store.users[membership.user_id]
    del store.memberships[membership.id]
    user.active = False
    user.updated_at = ctx.now
    for rel_id in [
        r.id
        for r in store.relationships.values()
        if r.owner_type == "OrganizationMembership" and r.owner_id == membership.id
    ]:
        del store.relationships[rel_id]
    for hook_id in [h.id for h in store.webhooks.values() if h.user_id == user.id]:
        del store.webhooks[hook_id]
    for et in store.event_types.values():
        et.hosts = [h for h in et.hosts if h.user_id != user.id or et.owner_id == user.id]
    ctx.record(
        "User",
        "Remove",
        {
            "email": user.email,
            "user": ctx.views.user_uri(user.id),
            "organization_membership": ctx.views.uri("organization_memberships", membership.id),
        },
    )
    return Reply(204)


# ---- invitations ---------------------------------------------------------------------------


def _own_org(ctx: Ctx, name: str = "uuid") -> None:
    if ctx.params[name] != ctx.store.org.id:
        raise not_found()


def _invitation(ctx: Ctx) -> Invitation:
    _own_org(ctx, "org_uuid")
    invitation = ctx.store.invitations.get(ctx.params["uuid"])
    if invitation is None:
        raise not_found()
    return invitation


@route("GET", "/organizations/{uuid}/invitations", scope="organizations:read")
def list_invitations(ctx: Ctx) -> Reply:
    _own_org(ctx)
    status = ctx.q("status")
    if status is not None and status not in ("pending", "accepted", "declined"):
        raise invalid_param("status", "must be one of: pending, accepted, declined")
    email = (ctx.q("email") or "").strip().lower()
    fields = ("created_at", "updated_at", "last_sent_at", "email", "status")
    order = parse_sort(ctx.q("sort"), fields, "created_at:asc")
    rows = [
        i
        for i in ctx.store.invitations.values()
        if (status is None or i.status == status) and (not email or i.email.lower() == email)
    ]

    def key(i: Invitation) -> tuple[object, ...]:
        values = {
            "created_at": i.created_at,
            "updated_at": i.updated_at,
            "last_sent_at": i.last_sent_at or 0,
            "email": i.email.lower(),
            "status": i.status,
        }
        return sort_key([(values[f], desc) for f, desc in order], i.id)

    page, pagination = paginate(rows, key, ctx.list_query(), ctx.page_tokens)
    return Reply(
        200, {"collection": [ctx.views.invitation(i) for i in page], "pagination": pagination}
    )


@route("POST", "/organizations/{uuid}/invitations", scope="organizations:write")
def create_invitation(ctx: Ctx) -> Reply:
    _own_org(ctx)
    # 403 message as enumerated for this operation in the 2023 spec.
    ctx.require_admin("You do not have permission")
    body = ctx.json()
    errors = Collector()
    # The body takes `email` only: there is no role field (spec x-notes-no-role).
    for name in body:
        if name != "email":
            errors.add(name, "is not allowed")
    email = body.get("email")
    if email is None:
        errors.add("email", "is missing")
    elif not isinstance(email, str):
        errors.add("email", "must be a string")
    elif not email.strip():
        errors.add("email", "must be filled")
    errors.raise_if_any()
    assert isinstance(email, str)
    email = email.strip()
    if not _EMAIL.match(email):
        raise ApiError(400, "Invalid Email", f"{email} is an invalid email format")
    email = email.lower()
    if ctx.store.user_by_email(email) is not None:
        raise ApiError(
            400, "Already Organization Member", f"{email} is already in the organization"
        )
    if ctx.store.pending_invitation(email) is not None:
        raise ApiError(400, "Already Invited", f"{email} has already been invited")
    invitation = Invitation(
        id=ctx.store.mint("invitations"),
        email=email,
        status="pending",
        created_at=ctx.now,
        updated_at=ctx.now,
        last_sent_at=ctx.now,
    )
    ctx.store.invitations[invitation.id] = invitation
    ctx.record(
        "OrganizationInvitation",
        "Create",
        {"email": email, "invitation": ctx.views.invitation_uri(invitation.id)},
    )
    return Reply(201, {"resource": ctx.views.invitation(invitation)})


@route("GET", "/organizations/{org_uuid}/invitations/{uuid}", scope="organizations:read")
def get_invitation(ctx: Ctx) -> Reply:
    return Reply(200, {"resource": ctx.views.invitation(_invitation(ctx))})


@route("DELETE", "/organizations/{org_uuid}/invitations/{uuid}", scope="organizations:write")
def revoke_invitation(ctx: Ctx) -> Reply:
    invitation = _invitation(ctx)
    ctx.require_admin()  # "When user is not an admin/owner" example of the 2023 spec
    if invitation.status == "accepted":
        raise ApiError(
            400, "Invitation Already Accepted", "The invitation has already been accepted."
        )
    del ctx.store.invitations[invitation.id]
    for rel_id in [
        r.id
        for r in ctx.store.relationships.values()
        if r.owner_type == "OrganizationInvitation" and r.owner_id == invitation.id
    ]:
        del ctx.store.relationships[rel_id]
    ctx.record(
        "OrganizationInvitation",
        "Revoke",
        {"email": invitation.email, "invitation": ctx.views.invitation_uri(invitation.id)},
    )
    return Reply(204)
