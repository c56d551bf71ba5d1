"""OAuth scopes: the catalogue, what a token's grant covers, what a webhook event family needs.

Which scope each operation needs is declared where it is routed (`@route(..., scope=...)`,
router.py; `operation_scopes()` lists them all), from Calendly's scope catalogue
(shared/seeds/004_e450c6126910d539.txt) with the spec's paths where the catalogue's are wrong:
it says `/organization_invitations` and `PATCH /event_type_availability_schedules/{uuid}`, the
spec has `/organizations/{uuid}/invitations` and `PATCH /event_type_availability_schedules?
event_type=URI`; it says `/webhook_subscriptions/sample_data`, the spec has
`/sample_webhook_data`.
"""

from __future__ import annotations

from collections.abc import Iterable

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
