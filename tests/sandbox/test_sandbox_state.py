"""State files, the request log and counters: persistence without secrets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.sandbox import FixtureError, Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import TINY, last_id, path_of


def test_state_persists_across_instances(
    make_sandbox: Callable[..., Sandbox], api: Api, tmp_path: Path
) -> None:
    state = tmp_path / "org.json"
    first = make_sandbox(state_path=state)
    assert state.exists()  # written at start, so a second run sees the same organization
    client = api(first, "owner")
    created = client.post(
        "/event_types", json={"owner": first.user_uri("owner@tiny.example"), "name": "Persisted"}
    ).json()["resource"]
    first.accept_invitation("pending@tiny.example", name="Pat Pending")
    second = make_sandbox(state_path=state, seed=99)  # the state's own seed wins
    other = api(second, "owner")
    assert other.get(path_of(created["uri"])).json()["resource"] == created
    assert second.user_uri("pending@tiny.example") == first.user_uri("pending@tiny.example")
    again = other.post(
        "/event_types", json={"owner": second.user_uri("owner@tiny.example"), "name": "Next"}
    ).json()["resource"]
    assert last_id(again["uri"]) not in {last_id(created["uri"])}
    log = other.get("/activity_log_entries", params={"organization": second.org_uri}).json()
    assert [e["fully_qualified_name"] for e in log["collection"]] == [
        "EventType.Create",
        "User.Add",
        "EventType.Create",
    ]
    assert list(tmp_path.iterdir()) == [state]  # atomic writes leave no temporary files


def test_state_file_holds_no_secrets(
    make_sandbox: Callable[..., Sandbox], api: Api, tmp_path: Path
) -> None:
    state = tmp_path / "org.json"
    sb = make_sandbox(state_path=state)
    api(sb, "owner").post(
        "/webhook_subscriptions",
        json={
            "url": "https://h.example/x",
            "organization": sb.org_uri,
            "scope": "organization",
            "events": ["invitee.created"],
            "signing_key": "do-not-store-me",
        },
    )
    text = state.read_text()
    for token in TINY["tokens"]:
        assert token["token"] not in text
    assert "do-not-store-me" not in text
    hook = json.loads(text)["webhooks"][-1]
    assert hook["signing_key_hash"].count("$") == 1
    assert sb.state() == json.loads(text)


def test_unreadable_state_is_a_clear_error(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    state = tmp_path / "org.json"
    state.write_text("{not json")
    with pytest.raises(FixtureError, match=r"org.json: cannot load state: "):
        make_sandbox(state_path=state)


def test_request_log_entries(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    client.get("/event_types", params={"organization": sb.org_uri, "count": "5"})
    client.post(
        "/webhook_subscriptions",
        json={"url": "x", "signing_key": "k", "nested": [{"signing_key": "k"}]},
    )
    api(sb).get("/users/me", headers={"Authorization": "Bearer guessed"})
    first, second, third = sb.requests
    assert first.to_json() == {
        "seq": 1,
        "method": "GET",
        "path": "/event_types",
        "query": [["organization", sb.org_uri], ["count", "5"]],
        "body": None,
        "status": 200,
        "token": "owner",
        "fault": None,
        "operation": "GET /event_types",
        "at": "2026-01-01T00:00:00.000000Z",
    }
    assert second.body == {
        "url": "x",
        "signing_key": "(sensitive)",
        "nested": [{"signing_key": "(sensitive)"}],
    }
    assert (second.status, second.operation) == (400, "POST /webhook_subscriptions")
    assert (third.status, third.token) == (401, None)
    assert "guessed" not in repr(sb.requests) and "tok-owner" not in repr(sb.requests)
    assert sb.counters == {
        "requests": 3,
        "by_status": {"200": 1, "400": 1, "401": 1},
        "by_method": {"GET": 2, "POST": 1},
        "by_operation": {
            "GET /event_types": 1,
            "GET /users/me": 1,
            "POST /webhook_subscriptions": 1,
        },
        "faults": {},
        "writes_applied": 0,
    }
    sb.reset_log()
    assert sb.requests == [] and sb.counters["requests"] == 0
    client.get("/users/me")
    assert sb.requests[0].seq == 1
