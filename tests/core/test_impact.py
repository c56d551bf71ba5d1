"""Booking impact (reconciler/impact.py): which changes read bookings, what they count, and the
policy that refuses plans stranding them. Bookings come from a small fake reader here; the
sandbox end to end is in tests/cli/test_booking_impact.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from reconciler.client.errors import InsufficientScope
from reconciler.impact import NO_SCOPE, assess, describe
from reconciler.model import LiveState
from reconciler.plan import Plan
from reconciler.safety import UnsafePlanError, check
from tests.harness import Harness

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
CUT = """\
members:
  - email: alice@acme.example
event_types:
  - name: Intro Call
    owner: alice@acme.example
    active: false
    availability:
      timezone: America/New_York
      rules:
        - wday: friday
          intervals: ["09:00-10:00"]
"""


class FakeBookings:
    """A Reader that answers only GET /scheduled_events, from a list, and records the calls."""

    max_concurrency = 4

    def __init__(self, events: list[dict[str, Any]], refuse: Exception | None = None) -> None:
        self.events = events
        self.refuse = refuse
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def list_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self.calls.append((path, dict(params or {})))
        if self.refuse is not None:
            raise self.refuse
        user = (params or {}).get("user")
        return [e for e in self.events if e["_user"] == user]

    def get_resource(self, path: str, params: Any = None) -> dict[str, Any]:
        raise AssertionError(path)

    def get_collection(self, path: str, params: Any = None) -> list[dict[str, Any]]:
        raise AssertionError(path)

    def iter_collection(self, path: str, params: Any = None) -> Iterator[dict[str, Any]]:
        raise AssertionError(path)


def booking(user: str, event_type: str, start: str, minutes: int = 30) -> dict[str, Any]:
    begin = dt.datetime.fromisoformat(start)
    end = begin + dt.timedelta(minutes=minutes)
    return {
        "_user": user,
        "uri": f"https://api.calendly.com/scheduled_events/{start}",
        "status": "active",
        "event_type": event_type,
        "start_time": begin.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "end_time": end.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }


def _planned(harness: Harness, text: str = CUT) -> tuple[Plan, LiveState, str, str]:
    plan, live = harness.plan_live(harness.config(text))
    alice = harness.sandbox.user_uri("alice@acme.example")
    intro = "https://api.calendly.com/event_types/" + harness.event_type_id(
        "alice@acme.example", "Intro Call"
    )
    return plan, live, alice, intro


def test_deactivating_and_cutting_hours_counts_bookings_outside(harness: Harness) -> None:
    plan, live, alice, intro = _planned(harness)
    reader = FakeBookings(
        [
            booking(alice, intro, "2026-11-23T10:00:00-05:00"),  # Monday: outside
            booking(alice, intro, "2026-11-26T15:30:00-05:00"),  # Thursday: outside
            booking(alice, intro, "2026-11-27T09:00:00-05:00"),  # Friday 09:00: inside
            booking(alice, "https://api.calendly.com/event_types/OTHER", "2026-11-24T10:00:00Z"),
        ]
    )
    assessed = assess(plan, live, reader, now=NOW)
    assert reader.calls == [
        (
            "/scheduled_events",
            {
                "organization": harness.sandbox.org_uri,
                "user": alice,
                "min_start_time": "2026-11-22T12:00:00.000000Z",
                "status": "active",
            },
        )
    ]  # one listing for the one owner, although two of her changes need it
    impacts = {(c.kind, c.key): c.impact for c in assessed.changes}
    scheduling_url = next(
        o.meta["scheduling_url"] for o in live.objects["event_type"] if o.uri == intro
    )
    assert impacts == {
        ("event_type", "alice@acme.example/Intro Call"): {
            "upcoming": 3,
            "outside": 0,
            "first_outside": None,
            "scheduling_url": scheduling_url,
        },
        ("availability", "alice@acme.example/Intro Call"): {
            "upcoming": 3,
            "outside": 2,
            "first_outside": "2026-11-23T15:00:00Z",
            "timezone": "America/New_York",
        },
    }
    assert [describe(c) for c in assessed.changes] == [
        f"3 upcoming bookings stay booked; {scheduling_url} stops taking new bookings",
        "2 upcoming bookings fall outside the new hours; first Mon 2026-11-23 10:00 "
        "America/New_York",
    ]


def test_changes_that_cannot_touch_bookings_read_nothing(harness: Harness) -> None:
    text = CUT.replace("    active: false\n", "    color: '#123456'\n").replace(
        '["09:00-10:00"]',
        '["00:00-24:00"]\n        - wday: [monday, tuesday, wednesday, '
        'thursday]\n          intervals: ["08:00-18:00"]',
    )
    plan, live, _alice, _intro = _planned(harness, text)
    assert [c.kind for c in plan.changes] == ["event_type", "availability"]  # only adds time
    reader = FakeBookings([])
    assert assess(plan, live, reader, now=NOW) == plan
    assert reader.calls == []


def test_without_the_scope_the_plan_says_so_and_goes_on(harness: Harness) -> None:
    plan, live, _alice, _intro = _planned(harness)
    refused = InsufficientScope(
        method="GET",
        path="/scheduled_events",
        status=403,
        title="Insufficient scope",
        required_scopes=["scheduled_events:read"],
    )
    assessed = assess(plan, live, FakeBookings([], refuse=refused), now=NOW)
    assert [c.impact for c in assessed.changes] == [None, None]
    assert NO_SCOPE in assessed.warnings


def test_protect_bookings_refuses_stranding_plans_unless_allowed(harness: Harness) -> None:
    text = CUT + "policy:\n  protect_bookings: true\n"
    config = harness.config(text)
    plan, live, alice, intro = _planned(harness, text)
    assessed = assess(
        plan, live, FakeBookings([booking(alice, intro, "2026-11-23T10:00:00-05:00")]), now=NOW
    )
    with pytest.raises(UnsafePlanError) as refused:
        check(assessed, live, config, allow_mass_delete=True)
    assert refused.value.reasons == [
        "event_type alice@acme.example/Intro Call deactivates an event type with 1 upcoming "
        "booking (policy.protect_bookings); check them, then pass --allow-booking-impact if it "
        "is what you want",
        "availability alice@acme.example/Intro Call leaves 1 upcoming booking outside the new "
        "hours (policy.protect_bookings); check them, then pass --allow-booking-impact if it "
        "is what you want",
    ]
    check(assessed, live, config, allow_mass_delete=True, allow_booking_impact=True)
    # Without bookings to strand, the policy has nothing to say.
    check(assess(plan, live, FakeBookings([]), now=NOW), live, config, allow_mass_delete=True)
