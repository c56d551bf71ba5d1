"""Edge cases of identity and dependencies.

Aspects: an event type owned by someone who has not accepted their invitation (created by a
later apply, skipped with the reason now); a rename through a `uuid:` pin; two live event types
with the same owner and name (the plan refuses to guess); a pin that matches nothing.
"""

from __future__ import annotations

import httpx
import pytest

from reconciler.apply import Status
from reconciler.kinds import PlanError
from reconciler.plan import Action
from tests.conftest import API
from tests.harness import Harness

PENDING_OWNER = """
members: [{email: priya@acme.example}]
event_types:
  - {name: Support Intro, owner: priya@acme.example, active: true}
"""


def test_an_owner_who_has_not_joined_yet_is_waited_for(harness: Harness) -> None:
    plan, result, writes = harness.apply(harness.config(PENDING_OWNER))
    [change] = plan.changes
    assert change.requests[0].body == {
        "owner": "<known after apply: user priya@acme.example>",
        "name": "Support Intro",
        "active": True,
    }
    [outcome] = result.outcomes
    assert outcome.status == Status.SKIPPED
    assert outcome.message == (
        "priya@acme.example has not joined the organization yet (no user until the invitation "
        "is accepted); re-run apply after they accept"
    )
    assert writes == []
    harness.sandbox.accept_invitation("priya@acme.example")
    plan, result, writes = harness.apply(harness.config(PENDING_OWNER))
    assert result.ok and [o.status for o in result.outcomes] == [Status.DONE]
    new = harness.event_type_id("priya@acme.example", "Support Intro")
    assert writes == [
        ("POST", "/event_types", {}, {
            "owner": harness.sandbox.user_uri("priya@acme.example"),
            "name": "Support Intro", "active": True,
        }),
        ("PATCH", f"/event_types/{new}", {}, {"active": True}),  # created inactive (§7.7)
    ]  # fmt: skip


def test_an_invitation_and_an_event_type_of_the_same_new_member(harness: Harness) -> None:
    text = """
    members: [{email: zoe@acme.example}]
    event_types:
      - {name: Zoe's Call, owner: zoe@acme.example}
    """
    plan, result, writes = harness.apply(harness.config(text))
    assert [(c.kind, c.action) for c in plan.changes] == [
        ("member", Action.CREATE),
        ("event_type", Action.CREATE),
    ]
    statuses = {o.change.kind: (o.status, o.message) for o in result.outcomes}
    assert statuses["member"] == (Status.DONE, "")
    assert statuses["event_type"][0] == Status.SKIPPED
    assert [w[:2] for w in writes] == [("POST", f"/organizations/{harness.org_id()}/invitations")]


def test_a_uuid_pin_renames(harness: Harness) -> None:
    intro = harness.event_type_id("alice@acme.example", "Intro Call")
    text = f"""
    members: [{{email: alice@acme.example}}]
    event_types:
      - {{name: Welcome Call, owner: alice@acme.example, uuid: {intro}}}
    """
    plan, result, writes = harness.apply(harness.config(text))
    [change] = plan.changes
    assert (change.action, change.key) == (Action.UPDATE, "alice@acme.example/Welcome Call")
    assert result.ok
    assert writes == [("PATCH", f"/event_types/{intro}", {}, {"name": "Welcome Call"})]
    assert harness.plan(harness.config(text)).changes == ()


def test_two_live_event_types_with_one_name_are_not_guessed(harness: Harness) -> None:
    with httpx.Client(base_url=API, transport=harness.sandbox.transport()) as http:
        made = http.post(
            "/event_types",
            json={"owner": harness.sandbox.user_uri("alice@acme.example"), "name": "Intro Call"},
            headers={"Authorization": f"Bearer {harness.sandbox.token('demo')}"},
        )
    assert made.status_code == 201
    first = harness.event_type_id("alice@acme.example", "Intro Call")
    second = made.json()["resource"]["uri"].rsplit("/", 1)[1]
    config = harness.config("""
    members: [{email: alice@acme.example}]
    event_types:
      - {name: Intro Call, owner: alice@acme.example, duration: 30}
    """)
    with pytest.raises(PlanError) as err:
        harness.plan(config)
    ids = ", ".join(sorted([first, second]))
    assert err.value.problems == (
        f"event_type alice@acme.example/Intro Call (config/config.yaml:4:5): 2 live objects "
        f"match ({ids}); add `uuid:` to say which one the config means",
    )


def test_a_pin_that_matches_nothing(harness: Harness) -> None:
    config = harness.config("""
    members: [{email: alice@acme.example}]
    event_types:
      - {name: Intro Call, owner: alice@acme.example, uuid: NOSUCHUUID0000}
    """)
    with pytest.raises(PlanError) as err:
        harness.plan(config)
    assert str(err.value) == (
        "cannot plan (1 problem):\n  event_type alice@acme.example/Intro Call: uuid "
        "NOSUCHUUID0000 (config/config.yaml:4:5) is not in the organization"
    )


def test_availability_is_read_for_the_object_the_diff_pairs(harness: Harness) -> None:
    """One declaration pins the first "Intro Call" (renaming it); an unpinned "Intro Call" is then
    the other one: its schedule must be read and compared, not patched blind."""
    with httpx.Client(base_url=API, transport=harness.sandbox.transport()) as http:
        made = http.post(
            "/event_types",
            json={"owner": harness.sandbox.user_uri("alice@acme.example"), "name": "Intro Call"},
            headers={"Authorization": f"Bearer {harness.sandbox.token('demo')}"},
        )
    assert made.status_code == 201
    first = harness.event_type_id("alice@acme.example", "Intro Call")
    config = harness.config(f"""
    members: [{{email: alice@acme.example}}]
    event_types:
      - {{name: Welcome Call, owner: alice@acme.example, uuid: {first}}}
      - name: Intro Call
        owner: alice@acme.example
        availability:
          timezone: America/New_York
          rules: [{{wday: [monday, tuesday, wednesday, thursday, friday],
                    intervals: ["09:00-17:00"]}}]
    """)
    plan = harness.plan(config)
    assert [(c.kind, c.key) for c in plan.changes] == [
        ("event_type", "alice@acme.example/Welcome Call")
    ]  # the new Intro Call already has Alice's default hours: nothing to patch
