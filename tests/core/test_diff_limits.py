"""The edges of diff.py, on pure functions (tests/MUTATION.md).

Aspects: matching (a uuid pin, a pinned object not matched again by key, two candidates named
in order, leftovers), field comparison as DeepDiff does it (types, nesting, list order, a field
on one side only, lumping of mostly different mappings) and the order fields are reported in,
and the fingerprint a saved plan checks (what moves it and what does not).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reconciler.config.model import Config, Policy, Source
from reconciler.diff import diff, field_changes, fingerprint, identical, match
from reconciler.kinds import DiffEnv
from reconciler.model import Desired, Live, LiveState, OrgContext
from reconciler.plan import FieldChange

SRC = Source("c.yaml", 2, 3)
API = "https://api.calendly.com/event_types/"


def env() -> DiffEnv:
    return DiffEnv(ctx=OrgContext("org", "me"), policy=Policy(), today=dt.date(2026, 11, 22))


def want(key: str, pin: str | None = None) -> Desired:
    return Desired("event_type", key, {}, source=SRC, pin=pin)


def have(key: str, uuid: str) -> Live:
    return Live("event_type", key, {}, uri=API + uuid)


# ---- match --------------------------------------------------------------------------------------


def test_a_pin_matches_by_uuid_and_its_object_is_not_matched_again_by_key() -> None:
    first, second, other = have("a/Sync", "U1"), have("a/Sync", "U2"), have("a/Other", "U3")
    e = env()
    pairs, missing, leftovers = match(
        [want("a/Renamed", pin="U1"), want("a/Sync"), want("a/New")], [first, second, other], e
    )
    assert pairs == [(want("a/Renamed", pin="U1"), first), (want("a/Sync"), second)]
    assert missing == [want("a/New")]
    assert leftovers == [other]
    assert e.problems == []


def test_an_unknown_pin_and_an_ambiguous_key_are_problems() -> None:
    e = env()
    live = [have("a/Sync", "U3"), have("a/Sync", "U1"), have("a/Sync", "U2"), have("a/X", "U4")]
    pairs, missing, leftovers = match([want("a/Y", pin="NOPE"), want("a/Sync")], live, e)
    assert e.problems == [
        "event_type a/Y: uuid NOPE (c.yaml:2:3) is not in the organization",
        "event_type a/Sync (c.yaml:2:3): 3 live copies (U1, U2, U3), usually two applies that "
        "ran at the same time; pass --dedupe to keep the oldest (U1) and deactivate and rename "
        "the others, or add `uuid:` to say which one the config means",
    ]
    assert (pairs, missing) == ([], [])
    assert leftovers == [live[3]]  # the ambiguous ones are not pruned either


def test_two_live_objects_of_another_kind_are_a_problem_and_neither_is_pruned() -> None:
    # Only event types have a --dedupe fix; any other kind names its candidates and stops.
    hook = "organization https://hooks.example/a"
    base = "https://api.calendly.com/webhook_subscriptions/"
    live = [
        Live("webhook", hook, {}, uri=base + "W2"),
        Live("webhook", hook, {}, uri=base + "W1"),
        Live("webhook", "organization https://hooks.example/b", {}, uri=base + "W3"),
    ]
    e = env()
    wanted = Desired("webhook", hook, {}, source=SRC)
    pairs, missing, leftovers = match([wanted], live, e)
    assert e.problems == [
        f"webhook {hook} (c.yaml:2:3): 2 live objects match (W1, W2); add `uuid:` to say "
        "which one the config means"
    ]
    assert (pairs, missing, leftovers) == ([], [], [live[2]])


# ---- field comparison ---------------------------------------------------------------------------


def test_identical_follows_deepdiff_types_and_order() -> None:
    same: list[tuple[Any, Any]] = [
        (1, 1),
        ("a", "a"),
        (None, None),
        ({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]}),
        ([1, 2], [1, 2]),
        ([1, 1.0], [1.0, 1]),  # lists of scalars compare as wholes, with ==
        ([[1]], [[1.0]]),
    ]
    different: list[tuple[Any, Any]] = [
        (1, 1.0),
        (True, 1),
        (1, 2),
        ({"a": 1}, {"a": 1, "b": 2}),
        ({"a": 1}, {"b": 1}),
        ({"a": {"b": 1}}, {"a": {"b": 2}}),
        ([1, 2], [2, 1]),
        ([1, 2], [1, 2, 3]),
        ([{"a": 1}], [{"a": 1}, {"a": 1}]),
        ([{"a": 1}], [{"a": 1.0}]),
    ]
    assert [identical(a, b) for a, b in same] == [True] * len(same)
    assert [identical(a, b) for a, b in different] == [False] * len(different)


def test_field_changes_in_declared_order_nested_one_level() -> None:
    # As the diff calls it: the live side holds the declared fields, in declared order.
    old = {"color": "#000000", "rules": {"monday": ["09:00-10:00"], "tuesday": [],
           "friday": []}, "name": "A"}  # fmt: skip
    new = {"color": "#ffffff", "rules": {"tuesday": ["10:00-11:00"], "monday": ["09:00-10:00"],
           "friday": [], "saturday": []}, "name": "B"}  # fmt: skip
    assert field_changes(old, new) == (
        FieldChange("color", "#000000", "#ffffff"),
        FieldChange("rules.tuesday", [], ["10:00-11:00"]),
        FieldChange("rules.saturday", None, []),
        FieldChange("name", "A", "B"),
    )
    assert set(field_changes({"gone": 1}, {"added": True})) == {
        FieldChange("added", None, True),
        FieldChange("gone", 1, None),
    }


def test_mostly_different_mappings_are_one_change_like_deepdiff() -> None:
    # 1 shared key of 4 (25%, under DeepDiff's 33%): the whole mapping changed.
    old = {"rules": {"a": 1, "b": 2, "c": 3}}
    new = {"rules": {"a": 1, "d": 4}}
    assert field_changes(old, new) == (FieldChange("rules", old["rules"], new["rules"]),)
    # 1 of 3 (33%): compared key by key.
    new = {"rules": {"a": 2, "d": 4}}
    assert field_changes({"rules": {"a": 1, "b": 2}}, new) == (
        FieldChange("rules.a", 1, 2),
        FieldChange("rules.d", None, 4),
        FieldChange("rules.b", 2, None),
    )
    # One key on each side only: one key in all, compared as itself.
    assert field_changes({"rules": {"a": 1}}, {"rules": {"a": 2}}) == (
        FieldChange("rules.a", 1, 2),
    )


def test_values_that_are_not_plain_json_go_to_deepdiff() -> None:
    assert field_changes({"x": (1, 2)}, {"x": (1, 3)}) == (FieldChange("x", (1, 2), (1, 3)),)
    assert field_changes({"x": {1: "a"}}, {"x": {1: "a"}}) == ()
    assert field_changes({"x": {"m": (1,)}}, {"x": {"m": (2,)}}) == (
        FieldChange("x.m", (1,), (2,)),
    )
    assert field_changes({"x": [1, (2,)]}, {"x": [1, (2,)]}) == ()


def test_a_mapping_replaced_by_a_scalar_is_one_change() -> None:
    assert field_changes({"rules": {"a": 1}}, {"rules": "none"}) == (
        FieldChange("rules", {"a": 1}, "none"),
    )
    assert field_changes({"rules": "none"}, {"rules": {"a": 1}}) == (
        FieldChange("rules", "none", {"a": 1}),
    )


# ---- the whole diff -----------------------------------------------------------------------------


def test_an_undeclared_schedule_is_not_listed_as_unmanaged() -> None:
    """It belongs to its event type, which is listed (or declared) itself."""
    config = Config(None, None, (), (), (), Policy(), ())
    schedule = Live("availability", "a/Sync", {"timezone": "UTC", "rules": {}}, API + "U1")
    state = LiveState(OrgContext("org", "me"), {"availability": (schedule,)}, frozenset())
    plan = diff(config, state, today=dt.date(2026, 11, 22))
    assert plan.changes == () and dict(plan.unmanaged) == {}


# ---- fingerprint --------------------------------------------------------------------------------


def test_the_fingerprint_moves_with_uri_spec_and_updated_at_only() -> None:
    base = Live("event_type", "a/Sync", {"duration": 30, "owner": "a@x"}, API + "U1",
                meta={"updated_at": "2026-11-01T00:00:00Z", "slug": "sync"})  # fmt: skip
    print_ = fingerprint(base)
    assert len(print_) == 16 and int(print_, 16) >= 0
    unchanged = [
        Live("event_type", "a/Renamed", base.spec, base.uri, base.meta),
        Live("event_type", "a/Sync", {**base.spec, "owner": "b@x", "user": "u", "group": "g"},
             base.uri, base.meta),
        Live("event_type", "a/Sync", base.spec, base.uri, {**base.meta, "slug": "other"}),
    ]  # fmt: skip
    moved = [
        Live("event_type", "a/Sync", base.spec, API + "U2", base.meta),
        Live("event_type", "a/Sync", {**base.spec, "duration": 45}, base.uri, base.meta),
        Live("event_type", "a/Sync", base.spec, base.uri, {"updated_at": "2026-11-02T00:00:00Z"}),
        Live("event_type", "a/Sync", base.spec, base.uri, {}),
    ]
    assert [fingerprint(o) for o in unchanged] == [print_] * 3
    assert len({print_, *(fingerprint(o) for o in moved)}) == 5
