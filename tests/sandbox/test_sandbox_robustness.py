"""Bad input that once crashed a handler (found by schemathesis, issue 13) is a 400, and any
HTTP method gets a JSON answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import path_of

INVALID = {"title": "Invalid Argument", "message": "The supplied parameters are invalid."}


def invalid(*details: tuple[str, str]) -> dict[str, Any]:
    return {**INVALID, "details": [{"parameter": p, "message": m} for p, m in details]}


@pytest.mark.parametrize(
    ("options", "details"),
    [
        ([{}], [("duration_options[0]", "must be an integer")]),
        ([[30], 30], [("duration_options[0]", "must be an integer")]),
        (
            [{}, {}, None],
            [
                ("duration_options[0]", "must be an integer"),
                ("duration_options[1]", "must be an integer"),
                ("duration_options[2]", "must be an integer"),
            ],
        ),
    ],
)
def test_unhashable_duration_options_are_400(
    sb: Sandbox, api: Api, options: list[Any], details: list[tuple[str, str]]
) -> None:
    client = api(sb, "owner")
    owner = sb.user_uri("owner@tiny.example")
    created = client.post("/event_types", json={"owner": owner, "name": "X"})
    uri = created.json()["resource"]["uri"]
    for response in (
        client.post(
            "/event_types", json={"owner": owner, "name": "Y", "duration_options": options}
        ),
        client.patch(path_of(uri), json={"duration_options": options}),
    ):
        assert (response.status_code, response.json()) == (400, invalid(*details))


@pytest.mark.parametrize(
    "spot",
    [
        {"start_time": 1767225600, "end_time": "2026-01-01T01:00:00Z"},
        {"start_time": "2026-01-01T00:00:00Z", "end_time": ["2026-01-01T01:00:00Z"]},
        {"start_time": None, "end_time": {}},
        {"start_time": True, "end_time": 2.5},
    ],
)
def test_non_string_spot_times_are_400(sb: Sandbox, api: Api, spot: dict[str, Any]) -> None:
    response = api(sb, "owner").post(
        "/one_off_event_types",
        json={
            "name": "Spots",
            "host": sb.user_uri("owner@tiny.example"),
            "duration": 30,
            "date_setting": {"type": "spots", "spots": [spot]},
        },
    )
    expected = invalid(
        ("date_setting.spots[0]", "must have start_time before end_time (ISO 8601 date-times)")
    )
    assert (response.status_code, response.json()) == (400, expected)


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with sb.serve() as server:
        server.start()
        headers = {"Authorization": f"Bearer {sb.token('owner')}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=5) as client:
            yield client


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "PURGE"])
def test_any_method_over_http_gets_a_json_answer(http: httpx.Client, method: str) -> None:
    fixed = http.request(method, "/event_types")
    assert (fixed.status_code, fixed.headers["Allow"]) == (405, "GET, POST")
    assert fixed.headers["Content-Type"] == "application/json; charset=utf-8"
    assert fixed.json() == {
        "title": "Method Not Allowed",
        "message": f"{method} is not allowed on /event_types.",
    }
    resource = http.request(method, "/event_types/X")
    assert (resource.status_code, resource.json()["title"]) == (404, "Resource Not Found")
    anonymous = http.request(method, "/event_types", headers={"Authorization": ""})
    assert (anonymous.status_code, anonymous.json()["title"]) == (401, "Unauthenticated")
