"""Organization membership: identity = email (case-insensitive).

Live members are active memberships and pending invitations; a pending invitation counts as
declared. The API invites by email only and cannot change roles, so role differences are
warnings. Removal is opt-in per group (`policy.prune: [members]` removes memberships,
`[invitations]` revokes pending invitations) and never touches the owner or the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.config.model import Config
from reconciler.kinds.base import DiffEnv
from reconciler.kinds.wire import Fields
from reconciler.model import Desired, Live, OrgContext, Request, email_key, uri_id
from reconciler.plan import Action, Change, FieldChange

NAME = "member"

ROLE_HELP = "the API cannot change roles: change it in Calendly (Admin > Users)"


def desired(config: Config, env: DiffEnv) -> list[Desired]:
    result = []
    for member in config.members:
        spec: dict[str, Any] = {"email": email_key(member.email)}
        if member.role is not None:
            spec["role"] = member.role
        result.append(Desired(NAME, spec["email"], spec, source=member.source))
    return result


def from_memberships(memberships: list[dict[str, Any]], ctx: OrgContext) -> list[Live]:
    """Active members; also fills the context's email <-> user URI index and the owner."""
    live = []
    for membership in memberships:
        member = from_membership(membership)
        ctx.add_user(member.key, member.meta["user"])
        if member.spec["role"] == "owner":
            ctx.owner_email = member.key
        live.append(member)
    return live


def from_invitations(invitations: list[dict[str, Any]]) -> list[Live]:
    pending = []
    for item in invitations:
        fields = Fields(item, "organization invitation")
        if fields.required_text("status") == "pending":
            pending.append(from_invitation(item))
    return pending


def from_membership(membership: Mapping[str, Any]) -> Live:
    fields = Fields(membership, "organization membership")
    user = fields.child("user", "user")
    email = email_key(user.required_text("email"))
    return Live(
        NAME,
        email,
        {"email": email, "role": fields.required_text("role")},
        uri=fields.uri("uri"),
        meta={
            "status": "active",
            "user": user.uri("uri"),
            "name": user.text("name", null=True, missing=True),
            "updated_at": fields.text("updated_at", null=True, missing=True),
        },
    )


def from_invitation(invitation: Mapping[str, Any]) -> Live:
    fields = Fields(invitation, "organization invitation")
    email = email_key(fields.required_text("email"))
    return Live(
        NAME,
        email,
        {"email": email},
        uri=fields.uri("uri"),
        meta={
            "status": "pending",
            "last_sent_at": fields.text("last_sent_at", null=True, missing=True),
            "updated_at": fields.text("updated_at", null=True, missing=True),
        },
    )


def align(desired: Desired, live: Live) -> Mapping[str, Any]:
    return desired.spec


def create(desired: Desired, env: DiffEnv) -> None:
    email = desired.spec["email"]
    request = Request(
        "POST", f"/organizations/{env.ctx.organization_id}/invitations", body={"email": email}
    )
    env.changes.append(
        Change(
            NAME,
            Action.CREATE,
            desired.key,
            {},
            dict(desired.spec),
            source=desired.source,
            requests=(request,),
        )
    )
    if desired.spec.get("role") in ("admin", "owner"):
        env.warnings.append(
            f"member {email}: will join as a user although the config says "
            f"{desired.spec['role']}; {ROLE_HELP} once they have accepted"
        )


def update(desired: Desired, live: Live, fields: tuple[FieldChange, ...], env: DiffEnv) -> None:
    if live.meta.get("status") == "pending":
        return  # an invitation has no role yet; it counts as declared
    for field in fields:
        env.warnings.append(
            f"member {desired.key}: role is {field.old} in Calendly but {field.new} in the "
            f"config; {ROLE_HELP}"
        )


def prune_group(live: Live) -> str:
    return "invitations" if live.meta.get("status") == "pending" else "members"


def delete(live: Live, env: DiffEnv) -> bool:
    """Plan the removal of an undeclared member; False when it stays (and is unmanaged)."""
    group = prune_group(live)
    if not env.prunes(group):
        return False
    if group == "invitations":
        path = f"/organizations/{env.ctx.organization_id}/invitations/{uri_id(live.uri)}"
        reason = "revoke the pending invitation"
    else:
        if live.spec.get("role") == "owner":
            env.warnings.append(f"member {live.key}: is the organization owner; never removed")
            return False
        if email_key(live.key) in env.expanded_owners:
            # Only an `owners:` group or team reaches an undeclared member: removing them would
            # strand the event types this same plan gives them.
            env.warnings.append(
                f"member {live.key}: not declared, but owns event types the config declares "
                "(through `owners:`); not removed: declare the member, or take them out of the "
                "group or team"
            )
            return False
        if live.meta.get("user") == env.ctx.caller:
            env.warnings.append(
                f"member {live.key}: is the token's own user; never removed (Calendly refuses it)"
            )
            return False
        path = f"/organization_memberships/{uri_id(live.uri)}"
        reason = "remove from the organization"
    env.changes.append(
        Change(
            NAME,
            Action.DELETE,
            live.key,
            dict(live.spec),
            {},
            reason=reason,
            uri=live.uri,
            requests=(Request("DELETE", path),),
        )
    )
    return True
