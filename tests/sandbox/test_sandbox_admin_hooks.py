"""The `/_sandbox/` hooks that change group and team membership and add bookings (for tests of
plans that depend on live membership and bookings); never logged, never on the public API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.sandbox import ApiError, Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import BASE, FakeClock, last_id, path_of


def group_members(client: httpx.Client, sb: Sandbox, name: str) -> list[tuple[str, str]]:
    groups = client.get("/groups", params={"organization": sb.org_uri}).json()["collection"]
    group = next(g for g in groups if g["name"] == name)
    rels = client.get("/group_relationships", params={"group": group["uri"], "count": 100})
    return sorted(
        (r["owner"].get("user", {}).get("email") or r["owner"]["email"], r["role"])
        for r in rels.json()["collection"]
    )


def test_group_membership(acme: Sandbox, api: Api) -> None:
    client, control = api(acme, "demo"), api(acme)  # the control routes need no token
    before = group_members(client, acme, "Sales")
    added = control.post("/_sandbox/groups/Sales/members", json={"user": "owen@acme.example"})
    assert added.status_code == 201
    assert added.json()["resource"]["owner"]["user"]["email"] == "owen@acme.example"
    assert group_members(client, acme, "Sales") == sorted(
        [*before, ("owen@acme.example", "member")]
    )
    twice = control.post("/_sandbox/groups/Support/members", json={"user": "owen@acme.example"})
    assert (twice.status_code, twice.json()["details"]) == (
        400,
        [{"parameter": "user", "message": "is already a member of Sales"}],
    )
    owen = acme.user_uri("owen@acme.example")
    admin = control.post("/_sandbox/groups/Support/members", json={"user": owen, "role": "admin"})
    assert admin.status_code == 201
    assert ("owen@acme.example", "admin") in group_members(client, acme, "Support")
    sales_id = last_id(added.json()["resource"]["group"])
    assert (
        control.delete(f"/_sandbox/groups/{sales_id}/members/owen@acme.example").status_code == 204
    )
    assert group_members(client, acme, "Sales") == before
    again = control.delete("/_sandbox/groups/Sales/members/owen@acme.example")
    assert (again.status_code, again.json()["details"]) == (
        404,
        [{"parameter": "user", "message": "not found"}],
    )
    assert control.post("/_sandbox/groups/Nope/members", json={"user": owen}).status_code == 404
    bad_role = control.post("/_sandbox/groups/Sales/members", json={"user": owen, "role": "boss"})
    assert bad_role.json()["details"] == [
        {"parameter": "role", "message": "must be one of: member, admin"}
    ]


def test_team_membership(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    laura = acme.user_uri("laura@acme.example")

    def teams_of_laura() -> list[str]:
        body = client.get("/teams", params={"user": laura}).json()
        return [t["name"] for t in body["collection"]]

    assert teams_of_laura() == []
    team = acme.control("POST", "/_sandbox/teams/Sales/members", {"user": laura})["resource"]
    assert team["name"] == "Sales"
    assert teams_of_laura() == ["Sales"]
    with pytest.raises(ApiError) as info:
        acme.control("POST", "/_sandbox/teams/Sales/members", {"user": "laura@acme.example"})
    assert (info.value.status, info.value.details) == (
        400,
        [{"parameter": "user", "message": "is already a member of Sales"}],
    )
    assert acme.control("DELETE", f"/_sandbox/teams/Sales/members/{last_id(laura)}") is None
    assert teams_of_laura() == []


def test_adding_a_booking(acme: Sandbox, api: Api, clock: FakeClock) -> None:
    client = api(acme, "demo")
    alice = acme.user_uri("alice@acme.example")
    intro = next(
        et["uri"]
        for et in client.get("/event_types", params={"user": alice}).json()["collection"]
        if et["name"] == "Intro Call"
    )
    body: dict[str, Any] = {
        "event_type": intro,
        "start_time": "2026-01-09T15:00:00Z",  # a Friday, 10:00 in New York
        "invitee": {"name": "Fay Friday", "email": "fay@example.com"},
    }
    booking = acme.control("POST", "/_sandbox/scheduled_events", body)["resource"]
    assert (booking["start_time"], booking["end_time"], booking["status"]) == (
        "2026-01-09T15:00:00.000000Z",
        "2026-01-09T15:30:00.000000Z",
        "active",
    )
    assert client.get(path_of(booking["uri"])).json()["resource"] == booking
    listed = client.get(
        "/scheduled_events", params={"user": alice, "invitee_email": "fay@example.com"}
    ).json()["collection"]
    assert listed == [booking]
    for patch, status, details in (
        ({"start_time": "friday"}, 400, [("start_time", "must be an ISO 8601 date-time")]),
        ({"status": "maybe"}, 400, [("status", "must be one of: active, canceled")]),
        ({"event_type": f"{BASE}/event_types/NOPE"}, 404, [("event_type", "not found")]),
        ({"host": "dana@acme.example"}, 400, [("host", "does not host this event type")]),
    ):  # fmt: skip
        with pytest.raises(ApiError) as info:
            acme.control("POST", "/_sandbox/scheduled_events", {**body, **patch})
        assert info.value.status == status
        assert info.value.details == [{"parameter": p, "message": m} for p, m in details]


def test_hooks_are_not_logged_and_persist(tmp_path: Path, clock: FakeClock) -> None:
    state = tmp_path / "state.json"
    acme = Sandbox(state_path=state, clock=clock, sleep=clock.sleep)
    acme.control("POST", "/_sandbox/teams/Sales/members", {"user": "owen@acme.example"})
    acme.control("POST", "/_sandbox/groups/Support/members", {"user": "laura@acme.example"})
    assert acme.requests == []
    again = Sandbox(state_path=state, clock=clock, sleep=clock.sleep)
    assert again.state()["teams"] == acme.state()["teams"]
    assert again.state()["group_relationships"] == acme.state()["group_relationships"]
