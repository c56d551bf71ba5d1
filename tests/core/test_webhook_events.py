"""Webhooks as of December 2026 (CHANGES-2026.md): the full event list, each family's read
scope, and webhooks on every plan but events whose feature the plan lacks.

The sandbox here is the demo organization on Calendly's Free plan (`basic`).
"""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.apply import Status
from reconciler.plan import Action
from reconciler.sandbox import Sandbox
from reconciler.sandbox.fixture import bundled_fixture_path, read_fixture
from reconciler.scopes import required_scopes
from tests.harness import Harness
from tests.helpers import FakeClock

ALL_EVENTS = {
    "invitee.created": "scheduled_events:read",
    "invitee.canceled": "scheduled_events:read",
    "invitee_no_show.created": "scheduled_events:read",
    "invitee_no_show.deleted": "scheduled_events:read",
    "routing_form_submission.created": "routing_forms:read",
    "event_type.created": "event_types:read",
    "event_type.updated": "event_types:read",
    "event_type.deleted": "event_types:read",
    "meeting_recap.created": "meeting_recaps:read",
    "meeting_recap.updated": "meeting_recaps:read",
    "meeting_recap.deleted": "meeting_recaps:read",
    "contact.created": "contacts:read",
    "contact.updated": "contacts:read",
    "contact.deleted": "contacts:read",
}


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    data: dict[str, Any] = dict(read_fixture(bundled_fixture_path()))
    data["organization"] = {**data["organization"], "plan": "basic", "stage": "free"}
    return Sandbox(data, clock=clock, sleep=clock.sleep)


@pytest.mark.parametrize(("event", "scope"), sorted(ALL_EVENTS.items()))
def test_each_event_needs_its_familys_read_scope(event: str, scope: str) -> None:
    assert required_scopes("POST", "/webhook_subscriptions", [event]) == {"webhooks:write", scope}


ORG_HOOK = "https://hooks.acme.example/catalog"
USER_HOOK = "https://hooks.acme.example/alice"
ROUTING_HOOK = "https://hooks.acme.example/routing"
RECAP_HOOK = "https://hooks.acme.example/recaps"

WEBHOOKS = f"""
members: [{{email: alice@acme.example}}]
webhooks:
  - url: {ORG_HOOK}
    scope: organization
    events: [event_type.created, event_type.updated, event_type.deleted, contact.created,
             contact.updated, contact.deleted, invitee_no_show.created]
  - url: {USER_HOOK}
    scope: user
    user: alice@acme.example
    events: [event_type.updated, invitee.created]
"""


def test_the_new_events_apply_and_converge_on_the_free_plan(harness: Harness) -> None:
    config = harness.config(WEBHOOKS)
    plan, result, writes = harness.apply(config)
    assert [(c.action, c.key) for c in plan.changes] == [
        (Action.CREATE, f"organization {ORG_HOOK}"),
        (Action.CREATE, f"user alice@acme.example {USER_HOOK}"),
    ]
    assert result.ok, result.outcomes
    org = harness.sandbox.org_uri
    assert writes == [
        ("POST", "/webhook_subscriptions", {}, {
            "url": ORG_HOOK, "organization": org, "scope": "organization",
            "events": ["contact.created", "contact.deleted", "contact.updated",
                       "event_type.created", "event_type.deleted", "event_type.updated",
                       "invitee_no_show.created"],
        }),
        ("POST", "/webhook_subscriptions", {}, {
            "url": USER_HOOK, "organization": org, "scope": "user",
            "user": harness.sandbox.user_uri("alice@acme.example"),
            "events": ["event_type.updated", "invitee.created"],
        }),
    ]  # fmt: skip
    assert harness.plan(harness.config(WEBHOOKS)).changes == ()


PAID_FEATURES = (
    WEBHOOKS
    + f"""
  - url: {ROUTING_HOOK}
    scope: organization
    events: [routing_form_submission.created, invitee.created]
  - url: {RECAP_HOOK}
    scope: user
    user: alice@acme.example
    events: [meeting_recap.created]
"""
)
UPGRADE = (
    "POST /webhook_subscriptions answered 403 Permission Denied: Please upgrade to a paid "
    "Calendly account. The organization's Calendly plan lacks the feature of {events}: "
    "upgrade the plan, or remove {them} from this webhook"
)


def test_an_event_the_plan_lacks_fails_that_webhook_alone(harness: Harness) -> None:
    plan, result, _writes = harness.apply(harness.config(PAID_FEATURES))
    assert len(plan.changes) == 4
    outcomes = {o.change.key: (o.status, o.message) for o in result.outcomes}
    assert outcomes == {
        f"organization {ORG_HOOK}": (Status.DONE, ""),
        f"user alice@acme.example {USER_HOOK}": (Status.DONE, ""),
        f"organization {ROUTING_HOOK}": (
            Status.FAILED,
            UPGRADE.format(events="routing_form_submission.created", them="it"),
        ),
        f"user alice@acme.example {RECAP_HOOK}": (
            Status.FAILED,
            UPGRADE.format(events="meeting_recap.created", them="it"),
        ),
    }
    again = harness.plan(harness.config(PAID_FEATURES))
    assert [(c.action, c.key) for c in again.changes] == [
        (Action.CREATE, f"organization {ROUTING_HOOK}"),
        (Action.CREATE, f"user alice@acme.example {RECAP_HOOK}"),
    ]
