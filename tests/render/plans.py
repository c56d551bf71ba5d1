"""Plans built directly from Change objects, for renderer tests that need no sandbox."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.config.model import Source
from reconciler.model import Request
from reconciler.plan import Action, Change, FieldChange, Plan

ORG = "https://api.calendly.com/organizations/ORG1"
FILE = "config/event-types.yaml"


def event_type_update(
    n: int,
    *,
    name: str | None = None,
    origin: str | None = None,
    attribution: Mapping[str, str] | None = None,
) -> Change:
    key = f"host{n % 7}@acme.example/{name or f'Event {n:04d}'}"
    return Change(
        kind="event_type",
        action=Action.UPDATE,
        key=key,
        before={"duration": 30, "color": "#0069ff"},
        after={"duration": 45, "color": "#ff0000"},
        fields=(FieldChange("color", "#0069ff", "#ff0000"), FieldChange("duration", 30, 45)),
        source=Source(FILE, 2 + 8 * n, 5),
        uri=f"https://api.calendly.com/event_types/ET{n:05d}",
        requests=(Request("PATCH", f"/event_types/ET{n:05d}", body={"duration": 45}),),
        origin=origin,
        attribution=attribution,
    )


def member_invite(n: int, *, origin: str | None = None) -> Change:
    email = f"new{n:04d}@acme.example"
    return Change(
        kind="member",
        action=Action.CREATE,
        key=email,
        before={},
        after={"email": email},
        source=Source("config/members.yaml", 3 + n, 5),
        requests=(Request("POST", "/organizations/ORG1/invitations", body={"email": email}),),
        origin=origin,
    )


def webhook_replace(n: int, *, origin: str | None = None) -> Change:
    url = f"https://hooks.acme.example/calendly/{n}"
    return Change(
        kind="webhook",
        action=Action.REPLACE,
        key=f"organization {url}",
        before={"events": ["invitee.created"]},
        after={"events": ["invitee.canceled", "invitee.created"]},
        fields=(
            FieldChange("events", ["invitee.created"], ["invitee.canceled", "invitee.created"]),
        ),
        reason="the API cannot change a webhook subscription: events changed",
        source=Source("config/webhooks.yaml", 2 + 4 * n, 5),
        uri=f"https://api.calendly.com/webhook_subscriptions/WH{n}",
        requests=(
            Request("DELETE", f"/webhook_subscriptions/WH{n}"),
            Request("POST", "/webhook_subscriptions", body={"url": url}),
        ),
        origin=origin,
    )


def availability_create(n: int) -> Change:
    """A new event type's schedule: an update with no `before`, shown as all new values."""
    rules = {"monday": ["09:00-12:00", "13:00-17:00"], "saturday": []}
    return Change(
        kind="availability",
        action=Action.UPDATE,
        key=f"host{n % 7}@acme.example/Event {n:04d}",
        before={},
        after={"timezone": "Europe/Paris", "rules": rules},
        source=Source(FILE, 6 + 8 * n, 7),
        requests=(
            Request(
                "PATCH",
                "/event_type_availability_schedules",
                params={"event_type": f"<known after apply: event_type host{n % 7}/E{n}>"},
            ),
        ),
    )


def mixed(count: int, *, warnings: int = 2, unmanaged: int = 30) -> Plan:
    """`count` changes of each kind, some warnings and unmanaged objects."""
    changes = [
        builder(n)
        for n in range(count)
        for builder in (event_type_update, member_invite, webhook_replace, availability_create)
    ]
    return Plan.build(
        changes,
        warnings=[
            f"member new{n:04d}@acme.example: cannot set role admin" for n in range(warnings)
        ],
        unmanaged={
            "member": [f"old{n:04d}@acme.example" for n in range(unmanaged)],
            "event_type": [f"host1@acme.example/Old {n:04d}" for n in range(unmanaged // 2)],
        },
        organization=ORG,
    )
