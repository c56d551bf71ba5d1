"""Every kind converges: apply, then plan again → no changes; each action's exact requests.

Aspects, per kind: create, update, delete (prune) and replace, each asserted on the sandbox's
request log (method, path, query, body), then a second plan that is empty.
"""

from __future__ import annotations

from reconciler.apply import Status
from reconciler.plan import Action
from tests.harness import Harness

ORG = "https://api.calendly.com/organizations/"
MEMBERS = [
    "alice", "ben", "laura", "chloe", "dana", "ethan", "gabriel", "fatima", "hana", "isaac",
    "jia", "mateo", "karan", "nora", "owen",
]  # fmt: skip


def members_yaml(*emails: str) -> str:
    return "members:\n" + "".join(f"  - email: {e}\n" for e in emails)


def converged(harness: Harness, text: str) -> None:
    plan = harness.plan(harness.config(text))
    assert plan.changes == (), [c.to_dict() for c in plan.changes]


def test_members_invite_remove_and_revoke(harness: Harness) -> None:
    declared = [f"{m}@acme.example" for m in MEMBERS if m != "nora"] + ["quinn@acme.example"]
    text = members_yaml(*declared) + "policy:\n  prune: [members, invitations]\n"
    nora, priya = (
        harness.membership_id("nora@acme.example"),
        harness.invitation_id("priya@acme.example"),
    )
    plan, result, writes = harness.apply(harness.config(text))
    assert [(c.kind, c.action, c.key) for c in plan.changes] == [
        ("member", Action.DELETE, "nora@acme.example"),
        ("member", Action.DELETE, "priya@acme.example"),
        ("member", Action.CREATE, "quinn@acme.example"),
    ]
    assert result.ok and result.count(Status.DONE) == 3
    assert sorted(writes, key=str) == sorted(
        [
            ("DELETE", f"/organization_memberships/{nora}", {}, None),
            ("DELETE", f"/organizations/{harness.org_id()}/invitations/{priya}", {}, None),
            ("POST", f"/organizations/{harness.org_id()}/invitations", {},
             {"email": "quinn@acme.example"}),
        ],
        key=str,
    )  # fmt: skip
    converged(harness, text)


def test_members_never_remove_the_owner_or_the_caller(harness: Harness) -> None:
    text = members_yaml("dana@acme.example") + "policy:\n  prune: [members]\n"
    plan = harness.plan(harness.config(text), token="admin")  # the caller is ben, an admin
    removed = {c.key for c in plan.changes}
    assert "alice@acme.example" not in removed and "ben@acme.example" not in removed
    assert "member alice@acme.example: is the organization owner; never removed" in plan.warnings
    assert (
        "member ben@acme.example: is the token's own user; never removed (Calendly refuses it)"
        in plan.warnings
    )


def test_member_role_difference_is_a_warning_not_a_change(harness: Harness) -> None:
    plan = harness.plan(harness.config("members:\n  - {email: dana@acme.example, role: admin}\n"))
    assert plan.changes == ()
    assert plan.warnings == (
        "member dana@acme.example: role is user in Calendly but admin in the config; the API "
        "cannot change roles: change it in Calendly (Admin > Users)",
    )


EVENT_TYPES = """
members:
  - email: alice@acme.example
  - email: dana@acme.example
event_types:
  - name: Intro Call
    owner: alice@acme.example
    duration: 45
    duration_options: [30, 45]
    color: "#FF0000"
    locations:
      - {kind: physical, location: "1 Main St, New York"}
  - name: Pricing Review
    owner: dana@acme.example
    duration: 20
    active: true
    description: |
      Plans and pricing.
  - name: Discovery Call
    owner: dana@acme.example
policy:
  prune: [event_types]
  max_delete_fraction: 1
"""


def test_event_types_create_update_and_deactivate(harness: Harness) -> None:
    intro = harness.event_type_id("alice@acme.example", "Intro Call")
    demo = harness.event_type_id("dana@acme.example", "Product Demo")
    plan, result, writes = harness.apply(harness.config(EVENT_TYPES))
    # alice's Investor Update is already inactive: nothing to deactivate.
    assert [(c.action, c.key) for c in plan.changes] == [
        (Action.UPDATE, "alice@acme.example/Intro Call"),
        (Action.CREATE, "dana@acme.example/Pricing Review"),
        (Action.DELETE, "dana@acme.example/Product Demo"),
    ]
    assert result.ok
    new = harness.event_type_id("dana@acme.example", "Pricing Review")
    assert sorted(writes, key=str) == sorted(
        [
            # Calendly creates event types inactive (NOTES.md §7.7): apply sets it again.
            ("PATCH", f"/event_types/{new}", {}, {"active": True}),
            ("PATCH", f"/event_types/{intro}", {}, {
                "duration": 45, "duration_options": [30, 45], "color": "#ff0000",
                "locations": [{"kind": "physical", "location": "1 Main St, New York"}],
            }),
            ("PATCH", f"/event_types/{demo}", {}, {"active": False}),
            ("POST", "/event_types", {}, {
                "owner": harness.sandbox.user_uri("dana@acme.example"), "name": "Pricing Review",
                "duration": 20, "active": True, "description": "Plans and pricing.",
            }),
        ],
        key=str,
    )  # fmt: skip
    converged(harness, EVENT_TYPES)


def test_group_event_types_are_read_only(harness: Harness) -> None:
    text = """
    members: [{email: ben@acme.example}]
    event_types:
      - {name: Support Escalation, owner: ben@acme.example, duration: 60}
    """
    plan = harness.plan(harness.config(text))
    assert plan.changes == ()
    assert plan.warnings == (
        "event_type ben@acme.example/Support Escalation: is a group event type, which the API "
        "cannot change; change it in Calendly: duration 30 → 60",
    )


AVAILABILITY = """
members: [{email: fatima@acme.example}, {email: dana@acme.example}]
event_types:
  - name: Quarterly Business Review
    owner: fatima@acme.example
    availability:
      timezone: Europe/Berlin
      rules:
        - wday: [monday, wednesday]
          intervals: ["09:00-12:00", "12:00-13:00"]
        - date: 2026-12-31
          intervals: []
  - name: Pricing Review
    owner: dana@acme.example
    active: true
    availability:
      timezone: US/Central
      rules:
        - {wday: friday, intervals: ["10:00-11:00"]}
"""


def full_week(**days: list[dict[str, str]]) -> list[dict[str, object]]:
    order = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    return [{"type": "wday", "wday": d, "intervals": days.get(d, [])} for d in order]


def test_availability_patches_the_whole_rule_set(harness: Harness) -> None:
    qbr = harness.event_type_id("fatima@acme.example", "Quarterly Business Review")
    plan, result, writes = harness.apply(harness.config(AVAILABILITY))
    assert [(c.kind, c.action, c.key) for c in plan.changes] == [
        ("event_type", Action.CREATE, "dana@acme.example/Pricing Review"),
        ("availability", Action.UPDATE, "dana@acme.example/Pricing Review"),
        ("availability", Action.UPDATE, "fatima@acme.example/Quarterly Business Review"),
    ]
    assert result.ok
    new = harness.event_type_id("dana@acme.example", "Pricing Review")
    nine_to_one = [{"from": "09:00", "to": "13:00"}]
    expected_patches = [
        ("PATCH", "/event_type_availability_schedules",
         {"event_type": f"https://api.calendly.com/event_types/{qbr}"},
         {"availability_rule": {
             "timezone": "Europe/Berlin",
             "rules": [*full_week(monday=nine_to_one, wednesday=nine_to_one),
                       {"type": "date", "date": "2026-12-31", "intervals": []}],
             "user": harness.sandbox.user_uri("fatima@acme.example")},
          "availability_setting": "host"}),
        ("PATCH", "/event_type_availability_schedules",
         {"event_type": f"https://api.calendly.com/event_types/{new}"},
         {"availability_rule": {
             "timezone": "US/Central",
             "rules": full_week(friday=[{"from": "10:00", "to": "11:00"}]),
             "user": harness.sandbox.user_uri("dana@acme.example")},
          "availability_setting": "host"}),
        ("PATCH", f"/event_types/{new}", {}, {"active": True}),  # created inactive (§7.7)
    ]  # fmt: skip
    assert writes[0][:2] == ("POST", "/event_types")  # the event type exists before its schedule
    assert sorted(writes[1:], key=str) == sorted(expected_patches, key=str)
    converged(harness, AVAILABILITY)  # US/Central came back as America/Chicago: still equal


WEBHOOKS = """
webhooks:
  - url: https://hooks.acme.example/calendly/bookings
    scope: organization
    events: [invitee.created]
    signing_key: ${HOOK_KEY}
  - url: https://hooks.acme.example/calendly/new
    scope: organization
    events: [invitee.canceled, invitee.created]
policy:
  prune: [webhooks]
  max_delete_fraction: 1
"""


def test_webhooks_create_replace_and_delete(harness: Harness) -> None:
    bookings = harness.webhook_id("https://hooks.acme.example/calendly/bookings")
    crm = harness.webhook_id("https://crm.acme.example/integrations/calendly")
    plan, result, writes = harness.apply(harness.config(WEBHOOKS))
    assert [(c.action, c.key) for c in plan.changes] == [
        (Action.DELETE, "organization https://crm.acme.example/integrations/calendly"),
        (Action.REPLACE, "organization https://hooks.acme.example/calendly/bookings"),
        (Action.CREATE, "organization https://hooks.acme.example/calendly/new"),
    ]
    assert result.ok
    org = harness.sandbox.org_uri
    replace_writes = [
        w for w in writes if bookings in w[1] or (w[3] or {}).get("url", "").endswith("bookings")
    ]
    assert replace_writes == [
        ("DELETE", f"/webhook_subscriptions/{bookings}", {}, None),
        ("POST", "/webhook_subscriptions", {}, {
            "url": "https://hooks.acme.example/calendly/bookings", "events": ["invitee.created"],
            "organization": org, "scope": "organization", "signing_key": "(sensitive)"}),
    ]  # fmt: skip
    assert ("DELETE", f"/webhook_subscriptions/{crm}", {}, None) in writes
    assert ("POST", "/webhook_subscriptions", {}, {
        "url": "https://hooks.acme.example/calendly/new",
        "events": ["invitee.canceled", "invitee.created"],
        "organization": org, "scope": "organization"}) in writes  # fmt: skip
    new_bookings = harness.webhook_id("https://hooks.acme.example/calendly/bookings")
    assert harness.sandbox.signing_key_matches(new_bookings, "whsec-test-signing-key-42")
    converged(harness, WEBHOOKS)


def test_a_disabled_webhook_is_replaced(harness: Harness) -> None:
    text = """
    webhooks:
      - url: https://crm.acme.example/integrations/calendly
        scope: organization
        events: [invitee.created, invitee.canceled, routing_form_submission.created]
    """
    crm = harness.webhook_id("https://crm.acme.example/integrations/calendly")
    harness.sandbox.disable_webhook(crm)
    plan, _, writes = harness.apply(harness.config(text))
    [change] = plan.changes
    assert change.action == Action.REPLACE
    assert change.reason == "the subscription is disabled (Calendly stopped delivering to it)"
    assert [w[:2] for w in writes] == [
        ("DELETE", f"/webhook_subscriptions/{crm}"),
        ("POST", "/webhook_subscriptions"),
    ]
    converged(harness, text)
