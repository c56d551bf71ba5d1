"""GET /scheduled_events and /scheduled_events/{uuid}, and the demo org's bookings, which are
dated relative to the sandbox's clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from reconciler.sandbox import FixtureError, Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import BASE, START, FakeClock, path_of, tiny

NEW_YORK = ZoneInfo("America/New_York")
INVALID = {"title": "Invalid Argument", "message": "The supplied parameters are invalid."}
NO_PERMISSION = {
    "title": "Permission Denied",
    "message": "You do not have permission to access this resource.",
}
SPECIFY = {
    "title": "Permission Denied",
    "message": "Please also specify organization when requesting events for a user within "
    "your organization.",
}


def listing(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/scheduled_events", params={"count": 100, **params})
    assert response.status_code == 200, response.text
    collection: list[dict[str, Any]] = response.json()["collection"]
    return collection


def local(booking: dict[str, Any]) -> tuple[str, str, str]:
    """(weekday, start, end) in New York time."""
    start = datetime.fromisoformat(booking["start_time"]).astimezone(NEW_YORK)
    end = datetime.fromisoformat(booking["end_time"]).astimezone(NEW_YORK)
    return start.strftime("%A"), start.strftime("%H:%M"), end.strftime("%H:%M")


def check(response: httpx.Response, status: int, body: dict[str, Any]) -> None:
    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize("days_later", [0, 3, 365, 1000])
def test_demo_bookings_are_upcoming_whenever_the_sandbox_starts(api: Api, days_later: int) -> None:
    clock = FakeClock(START + days_later * 86_400)
    acme = Sandbox(clock=clock, sleep=clock.sleep)
    client = api(acme, "demo")
    mine = listing(client, user=acme.user_uri("alice@acme.example"))
    assert {b["name"] for b in mine} == {"Intro Call"}
    now = datetime.fromtimestamp(clock.now).astimezone(NEW_YORK)
    starts = [datetime.fromisoformat(b["start_time"]) for b in mine]
    assert starts == sorted(starts) and all(s > now for s in starts)
    assert (starts[-1] - now).days < 15  # within the next two weeks
    # Monday to Thursday inside Intro Call's current hours (alice's 09:00-17:00, New York).
    assert sorted(local(b) for b in mine if b["status"] == "active") == [
        ("Monday", "10:00", "10:30"),
        ("Thursday", "16:00", "16:30"),
        ("Tuesday", "14:30", "15:00"),
        ("Wednesday", "09:00", "09:30"),
    ]
    assert [local(b) for b in mine if b["status"] == "canceled"] == [("Monday", "11:00", "11:30")]
    everyone = listing(client, organization=acme.org_uri)
    assert len(everyone) == 9
    assert {b["name"] for b in everyone} - {"Intro Call"} == {
        "Discovery Call",
        "Partner Intro",
        "Quarterly Business Review",
        "Support Escalation",
    }


def test_a_booking_has_the_events_shape(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    alice = acme.user_uri("alice@acme.example")
    first = listing(client, user=alice)[0]  # the clock starts on a Wednesday evening in NY
    intro = next(
        et
        for et in client.get("/event_types", params={"user": alice}).json()["collection"]
        if et["name"] == "Intro Call"
    )
    assert first["uri"].startswith(f"{BASE}/scheduled_events/")
    assert {k: v for k, v in first.items() if k not in ("uri", "created_at", "updated_at")} == {
        "name": "Intro Call",
        "meeting_notes_plain": None,
        "meeting_notes_html": None,
        "status": "active",
        "start_time": "2026-01-01T21:00:00.000000Z",  # Thursday 16:00 in New York
        "end_time": "2026-01-01T21:30:00.000000Z",
        "event_type": intro["uri"],
        "location": {"type": "zoom_conference"},
        "invitees_counter": {"total": 1, "active": 1, "limit": 1},
        "event_memberships": [
            {"user": alice, "user_email": "alice@acme.example", "user_name": "Alice Anderson"}
        ],
        "event_guests": [],
        "calendar_event": None,
    }
    assert client.get(path_of(first["uri"])).json() == {"resource": first}
    canceled = listing(client, user=alice, status="canceled")
    assert [b["cancellation"] for b in canceled] == [
        {
            "canceled_by": "Marco Rossi",
            "reason": None,
            "canceler_type": "invitee",
            "created_at": canceled[0]["updated_at"],
        }
    ]
    assert canceled[0]["invitees_counter"] == {"total": 1, "active": 0, "limit": 1}


def test_filters_sort_and_pages(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    org = acme.org_uri
    everything = listing(client, organization=org)
    starts = [b["start_time"] for b in everything]
    assert starts == sorted(starts)
    desc = listing(client, organization=org, sort="start_time:desc")
    assert [b["uri"] for b in desc] == [b["uri"] for b in reversed(everything)]
    window = listing(client, organization=org, min_start_time=starts[2], max_start_time=starts[5])
    assert [b["uri"] for b in window] == [b["uri"] for b in everything[2:5]]
    assert [b["name"] for b in listing(client, organization=org, status="canceled")] == [
        "Intro Call"
    ]
    by_invitee = listing(client, organization=org, invitee_email="AMELIE@example.fr")
    assert [b["name"] for b in by_invitee] == ["Partner Intro"]
    pages: list[str] = []
    params: dict[str, Any] = {"organization": org, "count": 4}
    while True:
        body = client.get("/scheduled_events", params=params).json()
        pages.extend(b["uri"] for b in body["collection"])
        if body["pagination"]["next_page_token"] is None:
            break
        params["page_token"] = body["pagination"]["next_page_token"]
    assert pages == [b["uri"] for b in everything]
    check(
        client.get("/scheduled_events"),
        400,
        {
            **INVALID,
            "details": [
                {"parameter": "organization", "message": "either organization or user is required"},
                {"parameter": "user", "message": "either organization or user is required"},
            ],
        },
    )
    check(
        client.get(
            "/scheduled_events",
            params={"organization": org, "status": "done", "min_start_time": "soon"},
        ),
        400,
        {
            **INVALID,
            "details": [
                {"parameter": "status", "message": "must be one of: active, canceled"},
                {"parameter": "min_start_time", "message": "must be an ISO 8601 date-time"},
            ],
        },
    )
    bad_sort = client.get("/scheduled_events", params={"organization": org, "sort": "name:asc"})
    assert bad_sort.status_code == 400


def test_who_may_list_whose_events(acme: Sandbox, api: Api) -> None:
    org = acme.org_uri
    alice, dana = acme.user_uri("alice@acme.example"), acme.user_uri("dana@acme.example")
    member, admin = api(acme, "member"), api(acme, "admin")  # dana; ben
    assert [b["name"] for b in listing(member, user=dana)] == ["Discovery Call"]
    assert [b["name"] for b in listing(member, organization=org, user=dana)] == ["Discovery Call"]
    check(member.get("/scheduled_events", params={"organization": org}), 403, NO_PERMISSION)
    check(member.get("/scheduled_events", params={"user": alice}), 403, SPECIFY)
    check(
        member.get("/scheduled_events", params={"organization": org, "user": alice}),
        403,
        {"title": "Permission Denied", "message": "You do not have permission"},
    )
    assert len(listing(admin, organization=org, user=alice)) == 5
    check(admin.get("/scheduled_events", params={"user": alice}), 403, SPECIFY)
    one = listing(admin, organization=org, user=alice)[0]
    assert admin.get(path_of(one["uri"])).status_code == 200
    check(member.get(path_of(one["uri"])), 403, NO_PERMISSION)
    assert member.get("/scheduled_events/NOPE").status_code == 404
    scoped = api(acme, "readonly").get("/scheduled_events", params={"organization": org})
    assert (scoped.status_code, scoped.json()["required_scopes"]) == (
        403,
        ["scheduled_events:read"],
    )


@pytest.mark.parametrize(
    ("booking", "message"),
    [
        ({"event_type": "owner@tiny.example/Nope", "day": "monday", "time": "10:00"},
         "bookings[0].event_type: 'owner@tiny.example/Nope' is not an OWNER/NAME event type"),
        ({"event_type": "owner@tiny.example/Chat", "day": "someday", "time": "10:00"},
         "bookings[0].day: must be one of: sunday, monday, tuesday, wednesday, thursday, "
         "friday, saturday"),
        ({"event_type": "owner@tiny.example/Chat", "day": "monday", "time": "ten"},
         "bookings[0].time: 'ten' is not a time like 10:00"),
        ({"event_type": "owner@tiny.example/Chat", "day": "monday", "time": "10:00", "week": -1},
         "bookings[0].week: must be a whole number from 0 to 52"),
        ({"event_type": "owner@tiny.example/Chat", "day": "monday", "time": "10:00",
          "host": "member@tiny.example"},
         "bookings[0].host: member@tiny.example does not host owner@tiny.example/Chat"),
    ],
)  # fmt: skip
def test_fixture_bookings_are_checked(booking: dict[str, Any], message: str) -> None:
    data = tiny()
    data["bookings"] = [booking]
    with pytest.raises(FixtureError) as info:
        Sandbox(data)
    assert str(info.value) == message
