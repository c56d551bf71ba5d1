"""OAuth scopes: which scope each emulated operation needs, and what a token's grant covers.

Built from Calendly's scope catalogue (shared/seeds/004_e450c6126910d539.txt) with the spec's
paths where the catalogue's are wrong: it says `/organization_invitations` and
`PATCH /event_type_availability_schedules/{uuid}`, the spec has `/organizations/{uuid}/invitations`
and `PATCH /event_type_availability_schedules?event_type=URI`; it says
`/webhook_subscriptions/sample_data`, the spec has `/sample_webhook_data`.
"""

from __future__ import annotations

from collections.abc import Iterable

# (method, spec path template) → the one scope the operation requires.
OPERATION_SCOPES: dict[tuple[str, str], str] = {
    ("GET", "/users/me"): "users:read",
    ("GET", "/users/{uuid}"): "users:read",
    ("GET", "/organizations/{uuid}"): "organizations:read",
    ("GET", "/organization_memberships"): "organizations:read",
    ("GET", "/organization_memberships/{uuid}"): "organizations:read",
    ("DELETE", "/organization_memberships/{uuid}"): "organizations:write",
    ("GET", "/organizations/{uuid}/invitations"): "organizations:read",
    ("POST", "/organizations/{uuid}/invitations"): "organizations:write",
    ("GET", "/organizations/{org_uuid}/invitations/{uuid}"): "organizations:read",
    ("DELETE", "/organizations/{org_uuid}/invitations/{uuid}"): "organizations:write",
    ("GET", "/event_types"): "event_types:read",
    ("POST", "/event_types"): "event_types:write",
    ("GET", "/event_types/{uuid}"): "event_types:read",
    ("PATCH", "/event_types/{uuid}"): "event_types:write",
    ("POST", "/one_off_event_types"): "event_types:write",
    ("GET", "/event_type_memberships"): "event_types:read",
    ("GET", "/event_type_availability_schedules"): "availability:read",
    ("PATCH", "/event_type_availability_schedules"): "availability:write",
    ("GET", "/user_availability_schedules"): "availability:read",
    ("GET", "/user_availability_schedules/{uuid}"): "availability:read",
    ("GET", "/locations"): "locations:read",
    ("GET", "/webhook_subscriptions"): "webhooks:read",
    # Plus the read scope of every subscribed event family: see EVENT_FAMILY_SCOPES.
    ("POST", "/webhook_subscriptions"): "webhooks:write",
    ("GET", "/webhook_subscriptions/{webhook_uuid}"): "webhooks:read",
    ("DELETE", "/webhook_subscriptions/{webhook_uuid}"): "webhooks:write",
    ("GET", "/sample_webhook_data"): "webhooks:read",
    ("GET", "/groups"): "groups:read",
    ("GET", "/groups/{uuid}"): "groups:read",
    ("GET", "/group_relationships"): "groups:read",
    ("GET", "/group_relationships/{uuid}"): "groups:read",
    ("GET", "/activity_log_entries"): "activity_log:read",
}

# Webhook event family (the part before the dot) → read scope needed to subscribe to it
# (NOTES.md §4.1, scope catalogue "Webhooks must be scoped by the event family").
EVENT_FAMILY_SCOPES: dict[str, str] = {
    "invitee": "scheduled_events:read",
    "invitee_no_show": "scheduled_events:read",
    "event_type": "event_types:read",
    "routing_form_submission": "routing_forms:read",
    "contact": "contacts:read",
    "meeting_recap": "meeting_recaps:read",
}

# Every scope of the catalogue plus the ones operations-2026.tsv uses (contacts, meeting recaps).
ALL_SCOPES: frozenset[str] = frozenset(
    {
        "activity_log:read",
        "availability:read",
        "availability:write",
        "contacts:read",
        "contacts:write",
        "data_compliance:write",
        "event_types:read",
        "event_types:write",
        "groups:read",
        "locations:read",
        "meeting_recaps:read",
        "meeting_recaps:write",
        "organizations:read",
        "organizations:write",
        "outgoing_communications:read",
        "routing_forms:read",
        "scheduled_events:read",
        "scheduled_events:write",
        "scheduling_links:write",
        "shares:write",
        "users:read",
        "webhooks:read",
        "webhooks:write",
    }
)


def expand(granted: Iterable[str]) -> frozenset[str]:
    """A grant plus what it implies: `x:write` includes `x:read` (scope catalogue)."""
    out = set(granted)
    for scope in list(out):
        domain, _, level = scope.partition(":")
        if level == "write":
            out.add(f"{domain}:read")
    return frozenset(out)


def event_scope(event: str) -> str | None:
    """The read scope a webhook event needs, or None for an unknown event."""
    return EVENT_FAMILY_SCOPES.get(event.partition(".")[0])
