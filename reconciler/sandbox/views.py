"""Records → the JSON objects Calendly returns (shapes from the spec's components.schemas).

Every field the spec marks `required` is present; nullable ones are null when unset.
Resource URIs are built on `uri_base` (https://api.calendly.com by default) whatever address the
sandbox is served on, so configs and state stay portable.
"""

from __future__ import annotations

import html
from typing import Any

from reconciler.sandbox.model import (
    ActivityEntry,
    EventType,
    Group,
    GroupRelationship,
    Invitation,
    Json,
    Membership,
    Schedule,
    User,
    Webhook,
)
from reconciler.sandbox.store import Store
from reconciler.sandbox.util import iso

SCHEDULING_HOST = "https://calendly.com"


class Views:
    def __init__(self, store: Store, uri_base: str) -> None:
        self.store = store
        self.base = uri_base.rstrip("/")

    # ---- URIs ------------------------------------------------------------------------------

    def uri(self, collection: str, record_id: str) -> str:
        return f"{self.base}/{collection}/{record_id}"

    def org_uri(self) -> str:
        return self.uri("organizations", self.store.org.id)

    def user_uri(self, user_id: str) -> str:
        return self.uri("users", user_id)

    def invitation_uri(self, invitation_id: str) -> str:
        return f"{self.org_uri()}/invitations/{invitation_id}"

    # ---- resources -------------------------------------------------------------------------

    def organization(self) -> Json:
        org = self.store.org
        members = sum(1 for u in self.store.users.values() if u.active)
        return {
            "uri": self.org_uri(),
            "name": org.name,
            "kind": "multiple" if members > 1 else "single",
            "plan": org.plan,
            "stage": org.stage,
            "created_at": iso(org.created_at),
            "updated_at": iso(org.updated_at),
        }

    def membership_user(self, user: User) -> Json:
        return {
            "uri": self.user_uri(user.id),
            "name": user.name,
            "slug": user.slug,
            "email": user.email,
            "scheduling_url": f"{SCHEDULING_HOST}/{user.slug}",
            "timezone": user.timezone,
            "avatar_url": None,
            "locale": user.locale,
            "created_at": iso(user.created_at),
            "updated_at": iso(user.updated_at),
        }

    def user(self, user: User) -> Json:
        out = self.membership_user(user)
        out["time_notation"] = user.time_notation
        out["current_organization"] = self.org_uri()
        out["resource_type"] = "User"
        return out

    def membership(self, membership: Membership) -> Json:
        return {
            "uri": self.uri("organization_memberships", membership.id),
            "role": membership.role,
            "user": self.membership_user(self.store.users[membership.user_id]),
            "organization": self.org_uri(),
            "updated_at": iso(membership.updated_at),
            "created_at": iso(membership.created_at),
        }

    def invitation(self, invitation: Invitation) -> Json:
        out: Json = {
            "uri": self.invitation_uri(invitation.id),
            "organization": self.org_uri(),
            "email": invitation.email,
            "status": invitation.status,
            "created_at": iso(invitation.created_at),
            "updated_at": iso(invitation.updated_at),
            "last_sent_at": iso(invitation.last_sent_at) if invitation.last_sent_at else None,
        }
        if invitation.user_id is not None:
            out["user"] = self.user_uri(invitation.user_id)
        return out

    def event_type(self, et: EventType) -> Json:
        owner = self.store.users[et.owner_id]
        description = et.description
        return {
            "uri": self.uri("event_types", et.id),
            "name": et.name,
            "active": et.active,
            "admin_managed": et.admin_managed,
            "booking_method": et.booking_method,
            "color": et.color,
            "created_at": iso(et.created_at),
            "custom_questions": [dict(q) for q in et.custom_questions],
            "deleted_at": iso(et.deleted_at) if et.deleted_at else None,
            "description_html": f"<p>{html.escape(description)}</p>" if description else None,
            "description_plain": description or None,
            "duration": et.duration,
            "duration_options": list(et.duration_options) if et.duration_options else None,
            "internal_note": et.internal_note,
            "is_paid": et.is_paid,
            "kind": et.kind,
            "locale": et.locale,
            "locations": [dict(loc) for loc in et.locations] if et.locations else None,
            "pooling_type": et.pooling_type,
            "position": et.position,
            "profile": {"type": "User", "name": owner.name, "owner": self.user_uri(owner.id)},
            "scheduling_url": f"{SCHEDULING_HOST}/{et.scheduling_path}",
            "secret": et.secret,
            "slug": et.slug,
            "type": et.type,
            "updated_at": iso(et.updated_at),
            "start_time_increment": et.start_time_increment,
            "before_buffer": et.before_buffer,
            "after_buffer": et.after_buffer,
        }

    def event_type_membership(self, et: EventType, host_index: int) -> Json:
        host = et.hosts[host_index]
        return {
            "uri": self.uri("event_type_memberships", host.membership_id),
            "event_type": self.event_type(et),
            "member": self.user(self.store.users[host.user_id]),
            "created_at": iso(host.created_at),
            "updated_at": iso(host.created_at),
        }

    def event_type_availability(self, et: EventType) -> Json:
        av = et.availability
        return {
            "event_type": self.uri("event_types", et.id),
            "availability_setting": "host",
            "availability_rule": {
                "timezone": av.timezone,
                "uri": self.uri("user_availability_schedules", av.schedule_id),
                "name": av.name,
                "user": self.user_uri(av.user_id),
                "rules": _copy_rules(av.rules),
            },
        }

    def schedule(self, schedule: Schedule) -> Json:
        return {
            "uri": self.uri("user_availability_schedules", schedule.id),
            "default": schedule.default,
            "name": schedule.name,
            "user": self.user_uri(schedule.user_id),
            "timezone": schedule.timezone,
            "rules": _copy_rules(schedule.rules),
        }

    def webhook(self, hook: Webhook) -> Json:
        # Deliberately no signing_key: Calendly never returns it (NOTES.md §3.5).
        return {
            "uri": self.uri("webhook_subscriptions", hook.id),
            "callback_url": hook.callback_url,
            "created_at": iso(hook.created_at),
            "updated_at": iso(hook.updated_at),
            "retry_started_at": iso(hook.retry_started_at) if hook.retry_started_at else None,
            "state": hook.state,
            "events": list(hook.events),
            "scope": hook.scope,
            "organization": self.org_uri(),
            "user": self.user_uri(hook.user_id) if hook.user_id else None,
            "group": self.uri("groups", hook.group_id) if hook.group_id else None,
            "creator": self.user_uri(hook.creator_id) if hook.creator_id else None,
        }

    def group(self, group: Group) -> Json:
        members = sum(
            1
            for r in self.store.relationships.values()
            if r.group_id == group.id and r.role == "member"
        )
        return {
            "uri": self.uri("groups", group.id),
            "name": group.name,
            "organization": self.org_uri(),
            "member_count": members,
            "created_at": iso(group.created_at),
            "updated_at": iso(group.updated_at),
        }

    def group_relationship(self, rel: GroupRelationship) -> Json:
        owner: Json
        if rel.owner_type == "OrganizationMembership":
            owner = self.membership(self.store.memberships[rel.owner_id])
        else:
            owner = self.invitation(self.store.invitations[rel.owner_id])
        owner = {"type": rel.owner_type, **owner}
        return {
            "uri": self.uri("group_relationships", rel.id),
            "role": rel.role,
            "owner": owner,
            "organization": self.org_uri(),
            "group": self.uri("groups", rel.group_id),
            "created_at": iso(rel.created_at),
            "updated_at": iso(rel.updated_at),
        }

    def activity_entry(self, entry: ActivityEntry) -> Json:
        out: Json = {
            "uri": self.uri("activity_log_entries", entry.id),
            "occurred_at": iso(entry.occurred_at),
            "namespace": entry.namespace,
            "action": entry.action,
            "fully_qualified_name": f"{entry.namespace}.{entry.action}",
            "details": _deep_copy(entry.details),
            "organization": self.org_uri(),
        }
        actor = self.store.users.get(entry.actor_id) if entry.actor_id else None
        if actor is None:
            out["actor"] = {"type": "System", "display_name": "Calendly System"}
        else:
            role = self.store.role_of(actor.id)
            out["actor"] = {
                "uri": self.user_uri(actor.id),
                "type": "User",
                "organization": {"uri": self.org_uri(), "role": (role or "user").capitalize()},
                "display_name": actor.name,
                "alternative_identifier": actor.email,
            }
        return out


def _copy_rules(rules: list[Json]) -> list[Json]:
    return [
        {**rule, "intervals": [dict(interval) for interval in rule["intervals"]]} for rule in rules
    ]


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
