"""Teams (release notes 2026-10-30): GET /teams, GET /teams?user=, GET /teams/{team_uuid}."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import FixtureError, Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import BASE, FakeClock, path_of, tiny

NOT_FOUND = {
    "title": "Resource Not Found",
    "message": "The server could not find the requested resource.",
}


def team_names(body: dict[str, Any]) -> list[str]:
    return [t["name"] for t in body["collection"]]


def test_the_demo_org_lists_its_teams(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    listed = client.get("/teams", params={"organization": acme.org_uri}).json()
    sales, success = listed["collection"]
    assert sales["uri"].startswith(f"{BASE}/teams/")
    assert {k: v for k, v in sales.items() if k != "uri"} == {
        "name": "Sales",
        "organization": acme.org_uri,
        "scheduling_url": "https://calendly.com/team/sales",
        # After every other fixture record (one minute apart from 2024-01-15T09:00:00Z).
        "created_at": "2024-01-15T09:37:00.000000Z",
        "updated_at": "2024-01-15T09:37:00.000000Z",
    }
    assert success["name"] == "Customer Success"
    assert listed["pagination"]["next_page_token"] is None
    assert client.get(path_of(sales["uri"])).json() == {"resource": sales}
    assert client.get("/teams").json()["collection"] == listed["collection"]  # org is optional


def test_user_filter_is_the_only_view_of_membership(acme: Sandbox, api: Api) -> None:
    client = api(acme, "member")  # a plain member may read the organization's teams
    for email, expected in (
        ("dana@acme.example", ["Sales"]),
        ("alice@acme.example", ["Sales"]),
        ("ben@acme.example", ["Customer Success"]),
        ("laura@acme.example", []),
    ):
        body = client.get("/teams", params={"user": acme.user_uri(email)}).json()
        assert team_names(body) == expected, email


def test_pagination_like_the_rest(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    first = client.get("/teams", params={"count": 1}).json()
    assert team_names(first) == ["Sales"] and first["pagination"]["count"] == 1
    token = first["pagination"]["next_page_token"]
    second = client.get("/teams", params={"count": 1, "page_token": token}).json()
    assert team_names(second) == ["Customer Success"]
    assert second["pagination"]["next_page_token"] is None
    refused = client.get("/teams", params={"count": 101})
    assert refused.status_code == 400
    assert refused.json()["details"] == [
        {"parameter": "count", "message": "must be between 1 and 100"}
    ]


def test_refusals(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    unknown = client.get("/teams", params={"user": f"{BASE}/users/NOPE"})
    assert (unknown.status_code, unknown.json()) == (
        404,
        {**NOT_FOUND, "details": [{"parameter": "user", "message": "not found"}]},
    )
    other_org = client.get("/teams", params={"organization": f"{BASE}/organizations/NOPE"})
    assert other_org.status_code == 404
    malformed = client.get("/teams", params={"user": "dana"})
    assert (malformed.status_code, malformed.json()["details"]) == (
        400,
        [{"parameter": "user", "message": "must be a valid users URI"}],
    )
    missing = client.get("/teams/NOPE")
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    scoped = api(acme, "no-scopes").get("/teams")
    assert (scoped.status_code, scoped.json()["required_scopes"]) == (403, ["organizations:read"])
    assert api(acme, "readonly").get("/teams").status_code == 200


def test_a_removed_member_leaves_their_teams(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    dana = acme.user_uri("dana@acme.example")
    membership = client.get("/organization_memberships", params={"user": dana}).json()
    assert client.delete(path_of(membership["collection"][0]["uri"])).status_code == 204
    assert client.get("/teams", params={"user": dana}).status_code == 404  # no longer a user
    ids = [
        acme.user_uri(f"{name}@acme.example").rsplit("/", 1)[1]
        for name in ("alice", "chloe", "ethan", "gabriel")
    ]
    assert acme.state()["teams"][0]["member_ids"] == ids


def test_teams_survive_the_state_file(tmp_path: Path, clock: FakeClock) -> None:
    state = tmp_path / "state.json"
    first = Sandbox(state_path=state, clock=clock)
    second = Sandbox(state_path=state, clock=clock)
    assert second.state()["teams"] == first.state()["teams"]
    # A state file written before teams existed still loads (no teams).
    old = json.loads(state.read_text("utf-8"))
    del old["teams"]
    state.write_text(json.dumps(old), "utf-8")
    assert Sandbox(state_path=state, clock=clock).state()["teams"] == []


@pytest.mark.parametrize(
    ("teams", "message"),
    [
        ([{"name": "A", "members": ["ghost@tiny.example"]}],
         "teams[0].members[0]: 'ghost@tiny.example' is not a user of the fixture"),
        ([{"name": "A"}, {"name": "A"}], "teams[1].name: duplicate team 'A'"),
        ([{"name": "A", "members": "owner@tiny.example"}],
         "teams[0].members: must be a list of emails"),
        ([{"members": []}], "teams[0].name: is required"),
    ],
)  # fmt: skip
def test_fixture_teams_are_checked(teams: list[dict[str, Any]], message: str) -> None:
    data = tiny()
    data["teams"] = teams
    with pytest.raises(FixtureError) as info:
        Sandbox(data)
    assert str(info.value) == message
