"""`owners:`: one event type entry for a list of members, a group or a team, expanded at plan
time into ordinary event types keyed EMAIL/NAME; applied, they converge."""

from __future__ import annotations

import pytest

from reconciler.apply import Status
from reconciler.kinds import PlanError
from reconciler.plan import Action
from tests.harness import Harness

SALES = ["chloe", "dana", "ethan", "gabriel"]  # the demo org's Sales group
MEMBERS = [
    "alice", "ben", "laura", "chloe", "dana", "ethan", "gabriel", "fatima", "hana", "isaac",
    "jia", "mateo", "karan", "nora", "owen",
]  # fmt: skip

LIST_AND_GROUP = """\
members:
  - email: alice@acme.example
  - email: ben@acme.example
event_types:
  - name: Sales Intro
    owners: [alice@acme.example, {group: Sales}]
    duration: 30
    active: true
    overrides:
      dana@acme.example: {duration: 45}
    availability:
      timezone: America/New_York
      rules:
        - wday: [monday, tuesday]
          intervals: ["09:00-12:00"]
"""


def _created(harness: Harness, text: str) -> list[tuple[str, str, str | None]]:
    plan = harness.plan(harness.config(text))
    return [(c.kind, c.key, c.reason) for c in plan.changes if c.action == Action.CREATE]


def test_a_list_and_a_group_expand_to_one_event_type_per_owner(harness: Harness) -> None:
    config = harness.config(LIST_AND_GROUP)
    plan = harness.plan(config)
    assert [(c.kind, c.action, c.key) for c in plan.changes] == [
        ("event_type", Action.CREATE, f"{who}@acme.example/Sales Intro")
        for who in ["alice", *SALES]
    ] + [
        ("availability", Action.UPDATE, f"{who}@acme.example/Sales Intro")
        for who in ["alice", *SALES]
    ]
    event_types = [c for c in plan.changes if c.kind == "event_type"]
    # Each expansion points at the entry, says why it exists, and takes its owner's overrides.
    assert {str(c.source) for c in event_types} == {"config/config.yaml:5:5"}
    assert [c.reason for c in event_types] == [None] + [
        f"{who}@acme.example is in group Sales" for who in SALES
    ]
    assert [c.after["duration"] for c in event_types] == [30, 30, 45, 30, 30]


def test_owners_apply_and_converge(harness: Harness) -> None:
    _plan, result, writes = harness.apply(harness.config(LIST_AND_GROUP))
    assert result.ok and result.count(Status.DONE) == 10
    posted = sorted(
        (body["owner"], body["duration"])
        for method, path, _, body in writes
        if method == "POST" and path == "/event_types"
    )
    assert posted == sorted(
        (harness.sandbox.user_uri(f"{who}@acme.example"), 45 if who == "dana" else 30)
        for who in ["alice", *SALES]
    )
    again = harness.plan(harness.config(LIST_AND_GROUP))
    assert again.changes == (), [c.to_dict() for c in again.changes]


def test_an_unknown_group_is_named_with_its_place(harness: Harness) -> None:
    text = LIST_AND_GROUP.replace("{group: Sales}", "{group: Salse}")
    with pytest.raises(PlanError) as caught:
        harness.plan(harness.config(text))
    assert caught.value.problems == (
        "config/config.yaml:6:34: owners: unknown group 'Salse' "
        "(the organization has: Sales, Support)",
    )


def test_an_expansion_that_repeats_a_declared_event_type_is_a_problem(harness: Harness) -> None:
    text = LIST_AND_GROUP + ("  - name: Sales Intro\n    owner: dana@acme.example\n").replace(
        "owner: dana", "owner: dana"
    )
    text = text.replace("  - email: ben@acme.example\n", "  - email: dana@acme.example\n")
    with pytest.raises(PlanError) as caught:
        harness.plan(harness.config(text))
    assert caught.value.problems == (
        "config/config.yaml:5:5: event type dana@acme.example/Sales Intro is also declared at "
        "config/config.yaml:16:5 (dana@acme.example is in group Sales)",
    )


def test_pending_group_invitees_and_unused_overrides_are_warnings(harness: Harness) -> None:
    text = """\
event_types:
  - name: Support Session
    owners: [{group: Support}]
    duration: 30
    active: true
    overrides:
      zed@acme.example: {duration: 60}
"""
    plan = harness.plan(harness.config(text))
    assert [c.key for c in plan.changes] == [
        f"{who}@acme.example/Support Session" for who in ["hana", "isaac", "jia", "mateo"]
    ]
    assert [w for w in plan.warnings if "Support Session" in w] == [
        "event_type priya@acme.example/Support Session: priya@acme.example is invited into "
        "group Support but has not joined the organization yet; their event type is created "
        "once they have",
        "event_type zed@acme.example/Support Session: the override at config/config.yaml:7:25 "
        "is not used: zed@acme.example is not one of the owners (owners: group Support)",
    ]


def test_with_prune_a_group_claims_its_name_and_nothing_else(harness: Harness) -> None:
    """Group members' other event types stay theirs; an event type of the claimed name whose
    owner is not in the group is deactivated, saying why."""
    harness.apply(
        harness.config(
            "members:\n  - email: ben@acme.example\n"
            "event_types:\n  - name: Sales Intro\n    owner: ben@acme.example\n"
            "    active: true\n"
        )
    )
    text = """\
event_types:
  - name: Sales Intro
    owners: [{group: Sales}]
    active: true
policy:
  prune: [event_types]
"""
    plan = harness.plan(harness.config(text))
    deletes = [(c.key, c.reason) for c in plan.changes if c.action == Action.DELETE]
    assert deletes == [
        (
            "ben@acme.example/Sales Intro",
            "ben@acme.example is not one of the owners (owners: group Sales, "
            "config/config.yaml:2:5); deactivate (active: false): the Calendly API cannot "
            "delete event types",
        )
    ]


CUSTOMER_SUCCESS = ["ben", "fatima", "hana", "isaac", "jia", "mateo"]  # the demo org's team
TEAM = """\
event_types:
  - name: Success Check-in
    owners: [{team: Customer Success}]
    duration: 20
    active: true
"""


def test_a_team_plans_applies_and_converges(harness: Harness) -> None:
    config = harness.config(TEAM)
    plan, result, _writes = harness.apply(config)
    assert [(c.key, c.reason) for c in plan.changes] == [
        (f"{who}@acme.example/Success Check-in", f"{who}@acme.example is in team Customer Success")
        for who in CUSTOMER_SUCCESS
    ]
    assert result.ok
    again = harness.plan(harness.config(TEAM))
    assert again.changes == (), [c.to_dict() for c in again.changes]


def test_a_team_costs_one_team_listing_per_member(harness: Harness) -> None:
    """The API has no team-members endpoint: GET /teams, then GET /teams?user= per member."""
    harness.plan(harness.config(TEAM))
    teams = [dict(r.query) for r in harness.sandbox.requests if r.path == "/teams"]
    users = sorted(harness.sandbox.user_uri(f"{m}@acme.example") for m in MEMBERS)
    assert teams[0] == {"count": "100"}
    assert sorted(q["user"] for q in teams[1:]) == users
    assert len(teams) == 1 + len(MEMBERS)


def test_a_member_who_joins_the_group_gets_a_create_and_one_who_leaves_a_deactivation(
    harness: Harness,
) -> None:
    text = LIST_AND_GROUP + "policy:\n  prune: [event_types]\n  max_delete_fraction: 1\n"
    _plan, result, _writes = harness.apply(harness.config(text))
    assert result.ok
    harness.sandbox.control("POST", "/_sandbox/groups/Sales/members", {"user": "owen@acme.example"})
    harness.sandbox.control("DELETE", "/_sandbox/groups/Sales/members/dana@acme.example")
    plan = harness.plan(harness.config(text))
    assert [(c.kind, c.action, c.key, c.reason) for c in plan.changes] == [
        (
            "event_type",
            Action.DELETE,
            "dana@acme.example/Sales Intro",
            "dana@acme.example is not one of the owners (owners: alice@acme.example, group "
            "Sales, config/config.yaml:5:5); deactivate (active: false): the Calendly API "
            "cannot delete event types",
        ),
        (
            "event_type",
            Action.CREATE,
            "owen@acme.example/Sales Intro",
            "owen@acme.example is in group Sales",
        ),
        ("availability", Action.UPDATE, "owen@acme.example/Sales Intro", None),
    ]
    _plan, result, _writes = harness.apply(harness.config(text))
    assert result.ok
    converged = harness.plan(harness.config(text))
    assert converged.changes == (), [c.to_dict() for c in converged.changes]


def test_pruning_members_keeps_the_undeclared_owners_a_group_brings(harness: Harness) -> None:
    text = LIST_AND_GROUP + "policy:\n  prune: [members]\n  max_delete_fraction: 1\n"
    plan = harness.plan(harness.config(text))
    removed = {c.key for c in plan.changes if c.kind == "member" and c.action == Action.DELETE}
    assert "laura@acme.example" in removed  # pruning is on for undeclared members...
    assert not removed & {f"{who}@acme.example" for who in SALES}  # ...but not these
    assert [w for w in plan.warnings if "through `owners:`" in w] == [
        f"member {who}@acme.example: not declared, but owns event types the config declares "
        "(through `owners:`); not removed: declare the member, or take them out of the group "
        "or team"
        for who in SALES
    ]
