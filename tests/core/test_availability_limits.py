"""The edges of kinds/availability.py, on pure functions (tests/MUTATION.md).

Aspects: clock and date bounds in what Calendly answers (24:00 is the end of a day, 24:30 is
not; an impossible date), the exact malformed-answer messages, which schedule is the host's,
today's dates kept and yesterday's dropped, interval merging at its edges, the PATCH a change
makes (body, params, before/after) and the one it does not make for a read-only event type.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from reconciler.config.model import Availability, Config, EventType, Policy
from reconciler.kinds import DiffEnv
from reconciler.kinds import availability as kind
from reconciler.kinds.wire import MalformedObject
from reconciler.model import Live, OrgContext, Request
from reconciler.plan import Action, Change, FieldChange
from tests.core.test_availability import EMPTY_WEEK, SRC, TODAY, date, desired, rule, wday
from tests.harness import Harness

URI = "https://api.calendly.com/event_types/T1"
ALICE = "https://api.calendly.com/users/ALICE"


def schedule(*rules: dict[str, Any], timezone: str | None = "UTC", **extra: Any) -> Any:
    return {"availability_rule": {"timezone": timezone, "rules": list(rules), **extra}}


def read(*schedules: Any, today: dt.date = TODAY) -> Live:
    return kind.from_schedules("k", URI, list(schedules), today)


def malformed(*schedules: Any) -> str:
    with pytest.raises(MalformedObject) as caught:
        read(*schedules)
    return str(caught.value)


# ---- reading what Calendly answers --------------------------------------------------------------


def test_a_schedule_reads_zone_user_days_and_dates() -> None:
    found = read(
        schedule(
            wday("monday", "07:05-09:00", "24:00-24:00"),
            date("2026-11-22", "10:00-11:00"),
            date("2026-11-21", "10:00-11:00"),
            user=ALICE,
        )
    )
    assert found == Live(
        "availability",
        "k",
        {
            "timezone": "UTC",
            "rules": {**EMPTY_WEEK, "monday": ["07:05-09:00", "24:00-24:00"],
                      "2026-11-22": ["10:00-11:00"]},
        },
        uri=URI,
        meta={"user": ALICE},
    )  # fmt: skip


def test_no_schedule_or_a_null_one_reads_as_an_empty_week() -> None:
    empty = Live("availability", "k", {"timezone": "", "rules": EMPTY_WEEK}, URI, {"user": None})
    assert read() == empty
    assert read({"availability_rule": None}) == empty
    assert read(schedule(timezone=None)) == empty
    assert read({"availability_rule": {"timezone": None, "rules": None}}) == empty


def test_the_first_schedule_with_a_rule_is_the_hosts() -> None:
    first = schedule(wday("monday", "09:00-10:00"), timezone="Europe/Paris")
    second = schedule(wday("tuesday", "09:00-10:00"))
    found = read({"availability_rule": None}, first, second)
    assert found.spec == {
        "timezone": "Europe/Paris",
        "rules": {**EMPTY_WEEK, "monday": ["09:00-10:00"]},
    }


def test_malformed_schedules_are_named_exactly() -> None:
    assert malformed({"availability_rule": None}, {"availability_rule": "x"}) == (
        f"malformed availability #2 of event type ({URI}): `availability_rule` is the string "
        "'x', expected an object or null"
    )
    rule_of = f"rule #1 of availability_rule of availability #1 of event type ({URI})"
    assert malformed(schedule(wday("monday", "24:30-24:40"))) == (
        f"malformed interval #1 of {rule_of}: `from` is the string '24:30', expected a time "
        '"hh:mm"'
    )
    assert malformed(schedule(wday("monday", "24:10-24:20"))) == (
        f"malformed interval #1 of {rule_of}: `from` is the string '24:10', expected a time "
        '"hh:mm"'
    )
    assert malformed(schedule(wday("monday", "-09:00"))) == (
        f"malformed interval #1 of {rule_of}: `from` is the string '', expected a time \"hh:mm\""
    )
    assert malformed(schedule(wday("monday", "09:00-25:00"))) == (
        f"malformed interval #1 of {rule_of}: `to` is the string '25:00', expected a time \"hh:mm\""
    )
    assert malformed(schedule(date("2026-02-30", "09:00-10:00"))) == (
        f"malformed {rule_of}: `date` is the string '2026-02-30', expected a date \"YYYY-MM-DD\""
    )
    assert malformed(schedule(date(""))) == (
        f"malformed {rule_of}: `date` is the string '', expected a date \"YYYY-MM-DD\""
    )
    assert malformed(schedule(date("2026-2-3"))) == (
        f"malformed {rule_of}: `date` is the string '2026-2-3', expected a date \"YYYY-MM-DD\""
    )


# ---- the canonical form -------------------------------------------------------------------------


def test_today_is_kept_and_yesterday_dropped() -> None:
    rules = kind.canonical_rules({}, {"2026-11-21": [], "2026-11-23": [], "2026-11-22": []}, TODAY)
    assert list(rules) == [*kind.WEEKDAYS, "2026-11-22", "2026-11-23"]


def test_merge_joins_touching_and_overlapping_spans_only() -> None:
    assert kind.merge([(600, 700), (540, 600), (800, 900), (850, 860), (880, 950)]) == [
        (540, 700),
        (800, 950),
    ]
    assert kind.merge([(540, 599), (600, 660)]) == [(540, 599), (600, 660)]


def test_clock_texts() -> None:
    assert [kind.minutes(t) for t in ("00:00", "00:05", "01:00", "24:00")] == [0, 5, 60, 1440]
    assert kind.span_text((65, 1440)) == "01:05-24:00"


def test_a_past_date_in_the_config_is_a_warning_and_today_is_not() -> None:
    env = DiffEnv(ctx=OrgContext("org", "me"), policy=Policy(), today=TODAY)
    want = desired("UTC", rule((), "2026-11-22", "09:00-10:00"))
    assert want.spec["rules"]["2026-11-22"] == ["09:00-10:00"]
    event_type = EventType(
        name="Old",
        owner="a@acme.example",
        uuid=None,
        fields={},
        availability=Availability(
            "UTC",
            (rule((), "2026-11-21", "09:00-10:00"), rule((), "2026-11-22", "09:00-10:00")),
            SRC,
        ),
        protect=False,
        source=SRC,
    )
    bare = EventType(
        name="Bare",
        owner="a@acme.example",
        uuid=None,
        fields={},
        availability=None,
        protect=False,
        source=SRC,
    )
    config = Config(None, None, (), (event_type, bare), (), Policy(), ("a.yaml",))
    [old] = kind.desired(config, env)
    assert old.spec["rules"] == {**EMPTY_WEEK, "2026-11-22": ["09:00-10:00"]}
    assert env.warnings == [
        "availability a@acme.example/Old: the date 2026-11-21 is in the past and is ignored "
        "(a.yaml:1:1)"
    ]


# ---- the PATCH ----------------------------------------------------------------------------------


def env_for(*readonly: str) -> DiffEnv:
    ctx = OrgContext("org", "me", users={"alice@acme.example": ALICE})
    env = DiffEnv(ctx=ctx, policy=Policy(), today=TODAY)
    env.event_type_uris["alice@acme.example/Intro Call"] = URI
    env.readonly_event_types.update(readonly)
    return env


def test_an_update_patches_the_whole_schedule_for_the_host() -> None:
    want = desired("UTC", rule(("monday",), None, "09:00-10:00"))
    have = Live("availability", want.key, {"timezone": "UTC", "rules": EMPTY_WEEK}, URI)
    fields = (FieldChange("rules.monday", [], ["09:00-10:00"]),)
    env = env_for()
    kind.update(want, have, fields, env)
    body = {
        "availability_rule": {
            "timezone": "UTC",
            "rules": kind.api_rules(want.spec["rules"]),
            "user": ALICE,
        },
        "availability_setting": "host",
    }
    assert env.changes == [
        Change(
            "availability",
            Action.UPDATE,
            want.key,
            dict(have.spec),
            dict(want.spec),
            fields=fields,
            source=SRC,
            uri=URI,
            requests=(Request("PATCH", kind.PATH, params={"event_type": URI}, body=body),),
        )
    ]
    nothing = env_for()
    kind.update(want, have, (), nothing)
    assert nothing.changes == [] and nothing.warnings == []


def test_a_new_event_types_schedule_is_set_after_it_is_created() -> None:
    want = desired("UTC", rule(("monday",), None, "09:00-10:00"))
    env = env_for()
    env.event_type_uris.clear()
    kind.create(want, env)
    [change] = env.changes
    assert (change.before, change.uri, change.fields) == ({}, None, ())
    [request] = change.requests
    placeholder = "<known after apply: event_type alice@acme.example/Intro Call>"
    assert request.params == {"event_type": placeholder}


def test_a_read_only_event_types_schedule_is_a_warning_only_when_it_differs() -> None:
    want = desired("UTC", rule(("monday",), None, "09:00-10:00"))
    have = Live("availability", want.key, {"timezone": "UTC", "rules": EMPTY_WEEK}, URI)
    env = env_for(want.key)
    kind.update(want, have, (FieldChange("rules.monday", [], ["09:00-10:00"]),), env)
    assert env.changes == []
    assert env.warnings == [
        "availability alice@acme.example/Intro Call: belongs to an event type the API cannot "
        "change; change its schedule in Calendly"
    ]
    quiet = env_for(want.key)
    kind.create(want, quiet)
    assert quiet.changes == [] and quiet.warnings == []


def test_the_api_rule_list_has_every_weekday_even_when_the_rules_lack_some() -> None:
    assert kind.api_rules({"monday": ["09:00-10:00"]}) == [
        {"type": "wday", "wday": "sunday", "intervals": []},
        {"type": "wday", "wday": "monday", "intervals": [{"from": "09:00", "to": "10:00"}]},
        *({"type": "wday", "wday": d, "intervals": []} for d in kind.WEEKDAYS[1:6]),
    ]


def test_a_schedule_is_never_deleted() -> None:
    have = Live("availability", "k", {"timezone": "UTC", "rules": EMPTY_WEEK}, URI)
    env = env_for()
    assert kind.delete(have, env) is False
    assert env.changes == []


def test_a_group_event_types_schedule_is_a_warning_not_a_change(harness: Harness) -> None:
    plan = harness.plan(
        harness.config("""
        members: [{email: ben@acme.example}]
        event_types:
          - name: Support Escalation
            owner: ben@acme.example
            availability:
              timezone: Europe/London
              rules: [{wday: monday, intervals: ["07:00-08:00"]}]
        """)
    )
    assert plan.changes == ()
    assert plan.warnings == (
        "availability ben@acme.example/Support Escalation: belongs to an event type the API "
        "cannot change; change its schedule in Calendly",
    )
