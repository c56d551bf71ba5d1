"""Event type fields added by Calendly on 2026-11-13 (CHANGES-2026.md): `start_time_increment`,
`before_buffer`, `after_buffer` on GET/POST/PATCH /event_types."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.sandbox import FixtureError, Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import path_of, tiny

BUFFER_MESSAGE = "must be one of: 0, 5, 10, 15, 30, 45, 60, 90, 120, 150, 180"
INCREMENT_MESSAGE = "must be a whole number between 5 and 720"


def fields(resource: dict[str, Any]) -> tuple[Any, Any, Any]:
    return resource["start_time_increment"], resource["before_buffer"], resource["after_buffer"]


def test_post_takes_them_and_get_returns_them(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    body = {
        "owner": sb.user_uri("owner@tiny.example"),
        "name": "Buffered",
        "start_time_increment": 15,
        "before_buffer": 10,
        "after_buffer": 180,
    }
    created = client.post("/event_types", json=body)
    assert created.status_code == 201, created.text
    assert fields(created.json()["resource"]) == (15, 10, 180)
    uri = created.json()["resource"]["uri"]
    assert fields(client.get(path_of(uri)).json()["resource"]) == (15, 10, 180)
    listed = client.get("/event_types", params={"user": body["owner"]}).json()["collection"]
    assert [fields(et) for et in listed if et["uri"] == uri] == [(15, 10, 180)]


def test_fixture_event_types_have_the_defaults(acme: Sandbox, api: Api) -> None:
    listed = api(acme, "demo").get(
        "/event_types", params={"organization": acme.org_uri, "count": 100}
    )
    assert {fields(et) for et in listed.json()["collection"]} == {(30, 0, 0)}


def test_patch_changes_what_it_names_and_keeps_the_rest(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    owner = sb.user_uri("owner@tiny.example")
    uri = client.post(
        "/event_types",
        json={"owner": owner, "name": "Keep", "start_time_increment": 20, "after_buffer": 5},
    ).json()["resource"]["uri"]
    patched = client.patch(path_of(uri), json={"before_buffer": 45})
    assert patched.status_code == 200
    assert fields(patched.json()["resource"]) == (20, 45, 5)
    patched = client.patch(path_of(uri), json={"name": "Renamed"})
    assert fields(patched.json()["resource"]) == (20, 45, 5)
    patched = client.patch(path_of(uri), json={"start_time_increment": 720, "after_buffer": 0})
    assert fields(patched.json()["resource"]) == (720, 45, 0)


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"start_time_increment": 4}, [("start_time_increment", INCREMENT_MESSAGE)]),
        ({"start_time_increment": 721}, [("start_time_increment", INCREMENT_MESSAGE)]),
        ({"start_time_increment": 30.5}, [("start_time_increment", INCREMENT_MESSAGE)]),
        ({"start_time_increment": "30"}, [("start_time_increment", INCREMENT_MESSAGE)]),
        ({"start_time_increment": True}, [("start_time_increment", INCREMENT_MESSAGE)]),
        ({"start_time_increment": None}, [("start_time_increment", INCREMENT_MESSAGE)]),
        ({"before_buffer": 7}, [("before_buffer", BUFFER_MESSAGE)]),
        ({"before_buffer": -5}, [("before_buffer", BUFFER_MESSAGE)]),
        ({"after_buffer": "15"}, [("after_buffer", BUFFER_MESSAGE)]),
        ({"after_buffer": 15.0}, [("after_buffer", BUFFER_MESSAGE)]),
        (
            {"before_buffer": 200, "after_buffer": None, "start_time_increment": 0},
            [
                ("start_time_increment", INCREMENT_MESSAGE),
                ("before_buffer", BUFFER_MESSAGE),
                ("after_buffer", BUFFER_MESSAGE),
            ],
        ),
    ],
)
def test_invalid_values_are_400_in_calendlys_shape(
    sb: Sandbox, api: Api, body: dict[str, Any], details: list[tuple[str, str]]
) -> None:
    client = api(sb, "owner")
    expected = {
        "title": "Invalid Argument",
        "message": "The supplied parameters are invalid.",
        "details": [{"parameter": p, "message": m} for p, m in details],
    }
    owner = sb.user_uri("owner@tiny.example")
    created = client.post("/event_types", json={"owner": owner, "name": "Bad", **body})
    assert (created.status_code, created.json()) == (400, expected)
    uri = client.post("/event_types", json={"owner": owner, "name": "Good"}).json()["resource"]
    patched = client.patch(path_of(uri["uri"]), json=body)
    assert (patched.status_code, patched.json()) == (400, expected)
    assert fields(client.get(path_of(uri["uri"])).json()["resource"]) == (30, 0, 0)


def test_one_off_event_types_have_no_increment(sb: Sandbox, api: Api) -> None:
    created = api(sb, "owner").post(
        "/one_off_event_types",
        json={
            "name": "Once",
            "host": sb.user_uri("owner@tiny.example"),
            "duration": 30,
            "date_setting": {"type": "days_in_future", "days": 3, "only_weekdays": False},
        },
    )
    assert created.status_code == 201
    assert fields(created.json()["resource"]) == (None, 0, 0)


def test_fixture_sets_them_and_refuses_bad_ones() -> None:
    data = tiny()
    data["event_types"][0].update(start_time_increment=10, before_buffer=15, after_buffer=30)
    state = Sandbox(data).state()
    chat = next(et for et in state["event_types"] if et["name"] == "Chat")
    assert (chat["start_time_increment"], chat["before_buffer"], chat["after_buffer"]) == (
        10,
        15,
        30,
    )
    data["event_types"][0]["before_buffer"] = 11
    with pytest.raises(FixtureError) as info:
        Sandbox(data)
    assert str(info.value) == f"event_types[0].before_buffer: {BUFFER_MESSAGE}"


@pytest.mark.parametrize("active", [True, False, None])
def test_new_event_types_arrive_inactive_whatever_the_body_says(
    sb: Sandbox, api: Api, active: bool | None
) -> None:
    # NOTES.md §7.7 (observed live): the client's follow-up PATCH is what makes it active.
    client = api(sb, "owner")
    body: dict[str, Any] = {"owner": sb.user_uri("owner@tiny.example"), "name": "Fresh"}
    if active is not None:
        body["active"] = active
    created = client.post("/event_types", json=body).json()["resource"]
    assert created["active"] is False
    assert client.get(path_of(created["uri"])).json()["resource"]["active"] is False
    patched = client.patch(path_of(created["uri"]), json={"active": True}).json()["resource"]
    assert patched["active"] is True
    assert client.get(path_of(created["uri"])).json()["resource"]["active"] is True
