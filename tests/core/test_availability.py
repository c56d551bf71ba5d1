"""Availability is compared semantically: no false diffs from order, spelling or splitting.

Aspects: rule order, weekday lists vs single days, adjacent and overlapping intervals, days the
config leaves out, equivalent time zone spellings, past dates, and the PATCH body (always the
whole rule set, seven weekdays first).
"""

from __future__ import annotations

import datetime as dt

from reconciler.config.model import (
    Availability,
    AvailabilityRule,
    Config,
    EventType,
    Policy,
    Source,
)
from reconciler.diff import field_changes
from reconciler.kinds import DiffEnv
from reconciler.kinds import availability as kind
from reconciler.model import Desired, Live, OrgContext

TODAY = dt.date(2026, 11, 22)
SRC = Source("a.yaml", 1, 1)
EMPTY_WEEK = {day: [] for day in kind.WEEKDAYS}


def rule(wdays: tuple[str, ...] = (), date: str | None = None, *spans: str) -> AvailabilityRule:
    intervals = tuple(tuple(s.split("-")) for s in spans)
    return AvailabilityRule(wdays, date, intervals, SRC)  # type: ignore[arg-type]


def desired(timezone: str, *rules: AvailabilityRule) -> Desired:
    event_type = EventType(
        name="Intro Call",
        owner="Alice@Acme.example",
        uuid=None,
        fields={},
        availability=Availability(timezone, rules, SRC),
        protect=False,
        source=SRC,
    )
    config = Config(None, None, (), (event_type,), (), Policy(), ("a.yaml",))
    env = DiffEnv(ctx=OrgContext("org", "me"), policy=Policy(), today=TODAY)
    [result] = kind.desired(config, env)
    return result


def live_rules(timezone: str, *rules: dict[str, object]) -> dict[str, object]:
    schedules = [{"availability_rule": {"timezone": timezone, "rules": list(rules)}}]
    return dict(kind.from_schedules("k", "uri", schedules, TODAY).spec)


def wday(day: str, *spans: str) -> dict[str, object]:
    return {"type": "wday", "wday": day, "intervals": [_api(s) for s in spans]}


def date(day: str, *spans: str) -> dict[str, object]:
    return {"type": "date", "date": day, "intervals": [_api(s) for s in spans]}


def _api(span: str) -> dict[str, str]:
    start, end = span.split("-")
    return {"from": start, "to": end}


def test_config_form_becomes_one_canonical_week() -> None:
    want = desired(
        "America/New_York",
        rule(("tuesday", "monday"), None, "13:00-17:00", "09:00-12:00"),
        rule(("monday",), None, "12:00-13:00"),
        rule((), "2026-12-24"),
    )
    assert want.key == "alice@acme.example/Intro Call"
    assert want.spec == {
        "timezone": "America/New_York",
        "rules": {
            **EMPTY_WEEK,
            "monday": ["09:00-17:00"],
            "tuesday": ["09:00-12:00", "13:00-17:00"],
            "2026-12-24": [],
        },
    }


def test_calendly_canonical_form_equals_the_config_form() -> None:
    want = desired("America/New_York", rule(("monday", "friday"), None, "09:00-17:00"))
    have = live_rules(
        "America/New_York",
        *(wday(d) for d in ("sunday", "tuesday", "wednesday", "thursday", "saturday")),
        wday("friday", "09:00-12:00", "12:00-17:00"),
        wday("monday", "09:00-17:00"),
    )
    assert field_changes(have, want.spec) == ()


def test_equivalent_time_zone_spellings_are_no_difference() -> None:
    want = desired("US/Eastern", rule(("monday",), None, "09:00-17:00"))
    have = live_rules("America/New_York", wday("monday", "09:00-17:00"))
    live = Live("availability", want.key, have, "uri")
    assert field_changes(have, kind.align(want, live)) == ()
    other = desired("Europe/Paris", rule(("monday",), None, "09:00-17:00"))
    changes = field_changes(have, kind.align(other, live))
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("timezone", "America/New_York", "Europe/Paris")
    ]


def test_differences_are_reported_per_day() -> None:
    want = desired("UTC", rule(("monday",), None, "09:00-12:00"), rule((), "2026-12-24"))
    have = live_rules("UTC", wday("monday", "09:00-17:00"), wday("saturday", "10:00-11:00"))
    changes = field_changes(have, want.spec)
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("rules.monday", ["09:00-17:00"], ["09:00-12:00"]),
        ("rules.saturday", ["10:00-11:00"], []),
        ("rules.2026-12-24", None, []),
    ]


def test_past_dates_are_ignored_on_both_sides() -> None:
    have = live_rules("UTC", date("2026-01-01", "09:00-10:00"), date("2027-01-01"))
    assert have["rules"] == {**EMPTY_WEEK, "2027-01-01": []}


def test_the_patch_sends_the_whole_rule_set_sunday_first() -> None:
    rules = {**EMPTY_WEEK, "monday": ["09:00-17:00"], "2026-12-24": []}
    assert kind.api_rules(rules) == [
        {"type": "wday", "wday": "sunday", "intervals": []},
        {"type": "wday", "wday": "monday", "intervals": [{"from": "09:00", "to": "17:00"}]},
        *({"type": "wday", "wday": d, "intervals": []} for d in kind.WEEKDAYS[1:6]),
        {"type": "date", "date": "2026-12-24", "intervals": []},
    ]
