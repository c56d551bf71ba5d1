"""User availability schedules are writable (CHANGES-2026.md): POST and PATCH, with their
refusals, and event types follow the schedule they use. The sandbox clock starts at
2026-01-01T00:00:00Z (still 2025-12-31 in New York)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import BASE, path_of

WEEK = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
INVALID = {"title": "Invalid Argument", "message": "The supplied parameters are invalid."}
DENIED = {
    "title": "Permission Denied",
    "message": "You do not have permission to access this resource.",
}
WHOLE_WEEK = "must include exactly one wday rule for each day of the week, sunday through saturday"


def invalid(*details: tuple[str, str]) -> dict[str, Any]:
    return {**INVALID, "details": [{"parameter": p, "message": m} for p, m in details]}


def week(**days: list[str]) -> list[dict[str, Any]]:
    """Seven wday rules; `days` maps a weekday to "HH:MM-HH:MM" intervals (others: off)."""
    return [
        {
            "type": "wday",
            "wday": day,
            "intervals": [
                {"from": i.split("-")[0], "to": i.split("-")[1]} for i in days.get(day, [])
            ],
        }
        for day in WEEK
    ]


def body(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Evenings",
        "timezone": "America/New_York",
        "rules": week(monday=["17:00-20:00"]),
        **extra,
    }


def check(response: httpx.Response, status: int, expected: dict[str, Any]) -> None:
    assert (response.status_code, response.json()) == (status, expected)


def create(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    response = client.post("/user_availability_schedules", json=body(**extra))
    assert response.status_code == 201, response.text
    resource: dict[str, Any] = response.json()["resource"]
    return resource


def test_post_creates_a_schedule_of_the_caller(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    owner = sb.user_uri("owner@tiny.example")
    created = create(client, timezone="US/Eastern")
    assert created["uri"].startswith(f"{BASE}/user_availability_schedules/")
    assert {k: v for k, v in created.items() if k != "uri"} == {
        "default": False,
        "name": "Evenings",
        "user": owner,
        "timezone": "America/New_York",  # canonical name of the alias
        "rules": week(monday=["17:00-20:00"]),
    }
    assert client.get(path_of(created["uri"])).json() == {"resource": created}
    listed = client.get("/user_availability_schedules", params={"user": owner}).json()
    assert [(s["name"], s["default"]) for s in listed["collection"]] == [
        ("Working Hours", True),
        ("Evenings", False),
    ]
    assert listed["collection"][1] == created
    # An admin creates their own, not the caller's of another token.
    admin = create(api(sb, "admin"), name="Admin Evenings")
    assert admin["user"] == sb.user_uri("admin@tiny.example")


def test_post_refuses_missing_and_malformed_fields(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    check(
        client.post("/user_availability_schedules", json={}),
        400,
        invalid(("name", "is missing"), ("timezone", "is missing"), ("rules", "is missing")),
    )
    check(
        client.post(
            "/user_availability_schedules",
            json=body(name=" ", timezone="Mars/Olympus", rules="always"),
        ),
        400,
        invalid(
            ("name", "must be a non-empty string"),
            ("timezone", "must be a valid IANA time zone"),
            ("rules", "must be an array"),
        ),
    )
    bad_interval = week()
    bad_interval[1]["intervals"] = [{"from": "17:00", "to": "09:00"}]
    check(
        client.post("/user_availability_schedules", json=body(rules=bad_interval)),
        400,
        invalid(("rules[1].intervals[0]", "from must be earlier than to")),
    )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (week()[1:], f"{WHOLE_WEEK} (missing: sunday)"),
        ([], f"{WHOLE_WEEK} (missing: {', '.join(WEEK)})"),
        (
            [*week(), week()[1], week()[6]],
            f"{WHOLE_WEEK} (more than once: monday, saturday)",
        ),
        (
            [*week()[:3], week()[2]],
            f"{WHOLE_WEEK} (missing: wednesday, thursday, friday, saturday; "
            "more than once: tuesday)",
        ),
    ],
)
def test_rules_need_exactly_one_rule_per_weekday(
    sb: Sandbox, api: Api, rules: list[dict[str, Any]], message: str
) -> None:
    client = api(sb, "owner")
    check(
        client.post("/user_availability_schedules", json=body(rules=rules)),
        400,
        invalid(("rules", message)),
    )
    mine = create(client)
    check(
        client.patch(path_of(mine["uri"]), json={"rules": rules}), 400, invalid(("rules", message))
    )


def test_date_rules_may_not_be_in_the_past_in_the_schedules_time_zone(
    sb: Sandbox, api: Api
) -> None:
    client = api(sb, "owner")
    dated = [*week(), {"type": "date", "date": "2025-12-31", "intervals": []}]
    # 2025-12-31 is today in New York, yesterday in UTC.
    assert create(client, rules=dated)["rules"][-1] == dated[-1]
    check(
        client.post("/user_availability_schedules", json=body(timezone="UTC", rules=dated)),
        400,
        invalid(("rules[7].date", "must not be before 2026-01-01")),
    )
    # PATCH accepts yesterday, not the day before.
    utc = create(client, timezone="UTC")
    patched = client.patch(path_of(utc["uri"]), json={"rules": dated})
    assert patched.status_code == 200
    older = [*week(), {"type": "date", "date": "2025-12-30", "intervals": []}]
    check(
        client.patch(path_of(utc["uri"]), json={"rules": older}),
        400,
        invalid(("rules[7].date", "must not be before 2025-12-31")),
    )


def test_nobody_creates_a_schedule_for_someone_else(sb: Sandbox, api: Api) -> None:
    member = sb.user_uri("member@tiny.example")
    for token in ("owner", "admin", "other"):
        check(
            api(sb, token).post("/user_availability_schedules", json=body(user=member)), 403, DENIED
        )
    assert create(api(sb, "member"), user=member)["user"] == member
    check(
        api(sb, "member").post("/user_availability_schedules", json=body(user="nobody")),
        400,
        invalid(("user", "must be a valid users URI")),
    )


def test_writes_need_availability_write(sb: Sandbox, api: Api) -> None:
    refused = api(sb, "readonly").post("/user_availability_schedules", json=body())
    check(
        refused,
        403,
        {
            "title": "Insufficient scope",
            "message": "This operation requires the scopes listed in the 'required_scopes' array.",
            "required_scopes": ["availability:write"],
        },
    )


def test_patch_changes_what_it_names_and_keeps_the_rest(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    mine = create(client)
    renamed = client.patch(path_of(mine["uri"]), json={"name": "Late"}).json()["resource"]
    assert renamed == {**mine, "name": "Late"}
    # A new time zone keeps each rule's local times.
    moved = client.patch(path_of(mine["uri"]), json={"timezone": "Europe/Paris"}).json()
    assert moved["resource"] == {**mine, "name": "Late", "timezone": "Europe/Paris"}
    # Rules are replaced as a whole.
    rules = week(friday=["12:00-13:00", "08:00-09:00"])
    replaced = client.patch(path_of(mine["uri"]), json={"rules": rules}).json()["resource"]
    assert replaced["rules"] == week(friday=["08:00-09:00", "12:00-13:00"])
    assert client.get(path_of(mine["uri"])).json()["resource"] == replaced


def test_default_true_moves_the_default_and_false_is_refused(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    owner = sb.user_uri("owner@tiny.example")
    mine = create(client)
    check(
        client.patch(path_of(mine["uri"]), json={"default": False}),
        400,
        invalid(
            (
                "default",
                "cannot be false: a user always has one default schedule; make another one default",
            )
        ),
    )
    check(
        client.patch(path_of(mine["uri"]), json={"default": "yes"}),
        400,
        invalid(("default", "must be true")),
    )
    assert client.patch(path_of(mine["uri"]), json={"default": True}).json()["resource"]["default"]
    listed = client.get("/user_availability_schedules", params={"user": owner}).json()
    assert [(s["name"], s["default"]) for s in listed["collection"]] == [
        ("Evenings", True),
        ("Working Hours", False),
    ]
    # A new event type now starts from the new default.
    et = client.post("/event_types", json={"owner": owner, "name": "After Work"}).json()
    availability = client.get(
        "/event_type_availability_schedules", params={"event_type": et["resource"]["uri"]}
    ).json()["collection"][0]["availability_rule"]
    assert (availability["uri"], availability["name"]) == (mine["uri"], "Evenings")


def test_another_members_schedule_is_403_even_for_an_admin(sb: Sandbox, api: Api) -> None:
    theirs = create(api(sb, "member"))
    for token in ("admin", "owner", "other"):
        check(api(sb, token).patch(path_of(theirs["uri"]), json={"name": "Mine"}), 403, DENIED)
    check(
        api(sb, "member").patch("/user_availability_schedules/NOPE", json={"name": "x"}),
        404,
        {
            "title": "Resource Not Found",
            "message": "The server could not find the requested resource.",
        },
    )


def test_event_types_follow_the_schedule_they_use(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    owner = sb.user_uri("owner@tiny.example")
    default = client.get("/user_availability_schedules", params={"user": owner}).json()[
        "collection"
    ][0]
    et = client.post("/event_types", json={"owner": owner, "name": "Follower"}).json()["resource"]
    custom = client.post("/event_types", json={"owner": owner, "name": "Own"}).json()["resource"]
    client.patch(
        "/event_type_availability_schedules",
        params={"event_type": custom["uri"]},
        json={"availability_rule": {"timezone": "UTC", "rules": week(sunday=["10:00-11:00"])}},
    )

    def using(schedule_uri: str) -> list[str]:
        listed = client.get(
            "/event_types", params={"user": owner, "user_availability_schedule": schedule_uri}
        )
        return [item["name"] for item in listed.json()["collection"]]

    assert using(default["uri"]) == ["Chat", "Follower"]  # not "Own": it has its own rules
    rules = week(tuesday=["07:00-08:00"])
    client.patch(path_of(default["uri"]), json={"rules": rules, "timezone": "America/Chicago"})
    follower = client.get(
        "/event_type_availability_schedules", params={"event_type": et["uri"]}
    ).json()["collection"][0]["availability_rule"]
    assert (follower["timezone"], follower["rules"]) == ("America/Chicago", rules)
    own = client.get(
        "/event_type_availability_schedules", params={"event_type": custom["uri"]}
    ).json()["collection"][0]["availability_rule"]
    assert (own["timezone"], own["rules"]) == ("UTC", week(sunday=["10:00-11:00"]))
    missing = client.get(
        "/event_types",
        params={
            "user": owner,
            "user_availability_schedule": f"{BASE}/user_availability_schedules/X",
        },
    )
    assert missing.status_code == 404


def test_the_demo_org_has_a_member_with_two_named_schedules(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    fatima = acme.user_uri("fatima@acme.example")
    listed = client.get("/user_availability_schedules", params={"user": fatima}).json()
    assert [(s["name"], s["default"]) for s in listed["collection"]] == [
        ("Working Hours", True),
        ("Customer Calls", False),
    ]
