"""The exact limits of safety.py's guards, on hand-built plans (tests/MUTATION.md).

Aspects: each guarded group (members, pending invitations, event types, webhooks, availability
rules) with its own policy entry; the boundary of max_delete_fraction (one removal always
allowed, the floor of the fraction, two removals at 0); min_admins at, above and below the
limit; protect on delete, on replace, on deactivation, after an unprotected change, and an
allowed update of a protected resource; a time zone change that also drops days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from reconciler.config.model import Config, Policy, Source
from reconciler.model import Live, LiveState, OrgContext
from reconciler.plan import Action, Change, FieldChange, Plan
from reconciler.safety import Removals, UnsafePlanError, check, removals

ALLOW = "check the plan, then pass --allow-mass-delete if it is what you want"


def config(fractions: Mapping[str, float] | None = None, min_admins: int | None = None) -> Config:
    policy = Policy(max_delete_fraction=dict(fractions or {}), min_admins=min_admins)
    return Config(None, None, (), (), (), policy, ())


def live(**objects: Iterable[Live]) -> LiveState:
    ctx = OrgContext("https://api.calendly.com/organizations/ORG", "")
    return LiveState(ctx, {k: tuple(v) for k, v in objects.items()}, frozenset(objects))


def member(email: str, role: str | None = "user") -> Live:
    """An active member with `role`; role None is a pending invitation."""
    spec = {"email": email} if role is None else {"email": email, "role": role}
    status = "pending" if role is None else "active"
    return Live("member", email, spec, uri=f"u/{email}", meta={"status": status})


def thing(kind: str, key: str) -> Live:
    return Live(kind, key, {}, uri=f"u/{key}")


def delete(obj: Live) -> Change:
    return Change(obj.kind, Action.DELETE, obj.key, dict(obj.spec), {}, uri=obj.uri)


def reasons(
    changes: Iterable[Change], state: LiveState, cfg: Config, *, allow: bool = False
) -> list[str]:
    try:
        check(Plan.build(changes), state, cfg, allow_mass_delete=allow)
    except UnsafePlanError as exc:
        assert str(exc) == "refusing this plan:\n" + "\n".join(f"  {r}" for r in exc.reasons)
        return exc.reasons
    return []


# ---- max_delete_fraction ------------------------------------------------------------------------

MEMBERS = [member(f"m{i}@acme.example") for i in range(8)]
PENDING = [member(f"p{i}@acme.example", None) for i in range(4)]
EVENT_TYPES = [thing("event_type", f"a@acme.example/T{i}") for i in range(4)]
WEBHOOKS = [thing("webhook", f"organization https://h{i}.example") for i in range(4)]


def test_removals_counts_each_group_against_its_own_live_objects() -> None:
    state = live(member=[*MEMBERS, *PENDING], event_type=EVENT_TYPES, webhook=WEBHOOKS)
    changes = [delete(MEMBERS[0]), *map(delete, PENDING[:2]), *map(delete, EVENT_TYPES[:3])]
    changes.append(delete(WEBHOOKS[1]))
    found = {r.group: r for r in removals(Plan.build(changes), state)}
    assert [found[g] for g in ("members", "invitations", "event_types", "webhooks")] == [
        Removals("members", "members", 1, 8),
        Removals("invitations", "pending invitations", 2, 4),
        Removals("event_types", "event types", 3, 4),
        Removals("webhooks", "webhooks", 1, 4),
    ]
    assert found["availability"] == Removals(
        "availability", "availability rules (days or dates with hours)", 0, 0
    )


@pytest.mark.parametrize(
    ("group", "objects", "noun"),
    [
        ("members", MEMBERS[:4], "members"),
        ("invitations", PENDING, "pending invitations"),
        ("event_types", EVENT_TYPES, "event types"),
        ("webhooks", WEBHOOKS, "webhooks"),
    ],
)
def test_each_group_is_limited_by_its_own_policy_entry(
    group: str, objects: list[Live], noun: str
) -> None:
    kind = objects[0].kind
    state = live(**{kind: objects})
    two = [delete(o) for o in objects[:2]]
    expected = (
        f"it removes 2 of 4 {noun} (50%), more than policy.max_delete_fraction allows for "
        f"{group} (25%); {ALLOW}"
    )
    assert reasons(two, state, config()) == [expected]
    assert reasons(two, state, config(), allow=True) == []
    assert reasons(two, state, config({group: 0.5})) == []
    others = {"members", "invitations", "event_types", "webhooks"} - {group}
    assert reasons(two, state, config(dict.fromkeys(others, 1.0))) == [expected]


def test_one_removal_is_always_allowed_and_two_are_not_at_zero() -> None:
    state = live(webhook=WEBHOOKS)
    one, two = [delete(WEBHOOKS[0])], [delete(WEBHOOKS[0]), delete(WEBHOOKS[1])]
    assert reasons(one, state, config({"webhooks": 0})) == []
    assert reasons(two, state, config({"webhooks": 0})) == [
        "it removes 2 of 4 webhooks (50%), more than policy.max_delete_fraction allows for "
        f"webhooks (0%); {ALLOW}"
    ]


def test_the_limit_is_the_floor_of_the_fraction_and_reaching_it_is_allowed() -> None:
    state = live(member=MEMBERS)  # 8 members at 0.25: two may go, not three
    assert reasons(map(delete, MEMBERS[:2]), state, config()) == []
    assert reasons(map(delete, MEMBERS[:3]), state, config()) == [
        f"it removes 3 of 8 members (38%), more than policy.max_delete_fraction allows for "
        f"members (25%); {ALLOW}"
    ]
    # 0.3 of 8 is 2.4: still two.
    assert reasons(map(delete, MEMBERS[:3]), state, config({"members": 0.3})) != []
    assert reasons(map(delete, MEMBERS[:3]), state, config({"members": 0.375})) == []


def test_removing_from_an_empty_group_shows_all_of_it() -> None:
    """A plan read against a state that lacks the objects (a kind not read) still counts."""
    gone = [delete(w) for w in WEBHOOKS[:2]]
    assert reasons(gone, live(), config()) == [
        "it removes 2 of 0 webhooks (100%), more than policy.max_delete_fraction allows for "
        f"webhooks (25%); {ALLOW}"
    ]


# ---- availability rules (they share the event_types entry) -------------------------------------

WEEK = {"monday": ["09:00-12:00"], "tuesday": ["09:00-12:00"], "wednesday": []}


def availability_removals(plan: Plan, state: LiveState) -> Removals:
    [found] = [r for r in removals(plan, state) if r.group == "availability"]
    return found


def schedule(key: str, rules: Mapping[str, list[str]]) -> Live:
    return Live("availability", key, {"timezone": "Europe/Paris", "rules": dict(rules)}, uri=key)


def availability_change(*fields: FieldChange) -> Change:
    return Change("availability", Action.UPDATE, "a/T", {}, {}, fields=fields)


def test_availability_rules_count_days_with_hours_and_every_date() -> None:
    rules = {**WEEK, "2026-12-24": [], "2026-12-25": ["10:00-11:00"]}
    state = live(availability=[schedule("a/T", rules), schedule("a/U", WEEK)])
    assert availability_removals(Plan.build([]), state).live == 4 + 2  # 2 + 2 dates, then 2


def test_availability_removals_use_the_event_types_fraction() -> None:
    state = live(availability=[schedule("a/T", WEEK)])  # 2 rules: one may go
    dropped = availability_change(
        FieldChange("rules.monday", ["09:00-12:00"], []),
        FieldChange("rules.tuesday", ["09:00-12:00"], []),
    )
    message = (
        "it removes 2 of 2 availability rules (days or dates with hours) (100%), more than "
        f"policy.max_delete_fraction allows for event_types (25%); {ALLOW}"
    )
    assert reasons([dropped], state, config()) == [message]
    assert reasons([dropped], state, config({"availability": 1.0})) == [message]
    assert reasons([dropped], state, config({"event_types": 1.0})) == []


def test_a_time_zone_change_with_dropped_days_counts_only_the_days() -> None:
    change = availability_change(
        FieldChange("timezone", "Europe/Paris", "Europe/Berlin"),
        FieldChange("rules.monday", ["09:00-12:00"], []),
        FieldChange("rules.tuesday", ["09:00-12:00"], ["10:00-12:00"]),  # keeps hours
        FieldChange("rules.wednesday", [], ["09:00-10:00"]),  # gains hours
        FieldChange("rules.2026-12-24", [], None),  # a date rule that disappears
        FieldChange("rules.2026-12-25", None, []),  # a new date rule
        FieldChange("rules.2026-12-26", ["10:00-11:00"], ["10:00-12:00"]),
    )
    assert availability_removals(Plan.build([change]), live()).removed == 2
    still_dated = availability_change(FieldChange("rules.2026-12-26", [], ["10:00-12:00"]))
    assert availability_removals(Plan.build([still_dated]), live()).removed == 0


def test_an_availability_without_rules_has_none_to_remove() -> None:
    state = live(availability=[Live("availability", "a/T", {"timezone": "UTC"}, uri="a/T")])
    assert availability_removals(Plan.build([]), state).live == 0


# ---- min_admins ---------------------------------------------------------------------------------

ADMINS = [
    member("o@acme.example", "owner"),
    member("a@acme.example", "admin"),
    member("b@acme.example", "admin"),
    member("u@acme.example", "user"),
    member("p@acme.example", None),
]


def test_min_admins_counts_the_owner_and_admins_that_stay() -> None:
    state = live(member=ADMINS)
    gone = [delete(ADMINS[1]), delete(ADMINS[3])]
    assert reasons(gone, state, config(min_admins=2), allow=True) == []
    assert reasons(gone, state, config(min_admins=3), allow=True) == [
        "it leaves 2 admins (b@acme.example, o@acme.example), fewer than policy.min_admins (3)"
    ]
    # Without the policy nothing is counted, however few are left.
    assert reasons(map(delete, ADMINS[1:3]), state, config(), allow=True) == []
    assert reasons(map(delete, ADMINS[1:3]), state, config(min_admins=2), allow=True) == [
        "it leaves 1 admin (o@acme.example), fewer than policy.min_admins (2)"
    ]


def test_min_admins_with_no_admin_left_says_none() -> None:
    state = live(member=[member("u@acme.example")])
    assert reasons([], state, config(min_admins=1)) == [
        "it leaves 0 admins (none), fewer than policy.min_admins (1)"
    ]


def test_min_admins_when_members_were_not_read() -> None:
    assert reasons([], live(webhook=WEBHOOKS), config(min_admins=1)) == [
        "it leaves 0 admins (none), fewer than policy.min_admins (1)"
    ]


def test_every_broken_guard_is_listed_even_with_allow_mass_delete() -> None:
    state = live(member=ADMINS)
    protected = Change("webhook", Action.DELETE, "w", {}, {}, protect=True)
    assert reasons([protected], state, config(min_admins=4), allow=True) == [
        "webhook w is protected and would be deleted",
        "it leaves 3 admins (a@acme.example, b@acme.example, o@acme.example), fewer than "
        "policy.min_admins (4)",
    ]


# ---- protect ------------------------------------------------------------------------------------

SOURCE = Source("config/x.yaml", 3, 5)


def event_type_change(
    key: str, action: Action, before: dict[str, Any], after: dict[str, Any], protect: bool
) -> Change:
    return Change("event_type", action, key, before, after, source=SOURCE, protect=protect)


def test_a_protected_resource_after_an_unprotected_change_is_still_guarded() -> None:
    changes = [
        event_type_change("a/A", Action.DELETE, {}, {}, protect=False),
        event_type_change("a/B", Action.UPDATE, {"active": True}, {"active": False}, False),
        event_type_change("a/C", Action.DELETE, {}, {}, protect=True),
        event_type_change("a/D", Action.REPLACE, {}, {}, protect=True),
        event_type_change("a/E", Action.UPDATE, {"active": True}, {"active": False}, True),
        event_type_change("a/F", Action.UPDATE, {}, {"active": False}, True),
    ]
    assert reasons(changes, live(), config(), allow=True) == [
        "event_type a/C is protected (config/x.yaml:3:5) and would be deleted",
        "event_type a/D is protected (config/x.yaml:3:5) and would be replaced",
        "event_type a/E is protected (config/x.yaml:3:5) and would be deactivated",
        "event_type a/F is protected (config/x.yaml:3:5) and would be deactivated",
    ]


def test_allowed_updates_of_a_protected_resource() -> None:
    changes = [
        event_type_change("a/A", Action.UPDATE, {"active": False}, {"active": True}, True),
        event_type_change("a/B", Action.UPDATE, {"active": False}, {"active": False}, True),
        event_type_change("a/C", Action.UPDATE, {"duration": 30}, {"duration": 45}, True),
        event_type_change("a/D", Action.CREATE, {}, {"active": True}, True),
    ]
    assert reasons(changes, live(), config()) == []
