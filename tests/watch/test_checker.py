"""Targeted drift checks: one owner's event types, bounded calls, each drift printed once."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.config import load_config
from reconciler.plan import Action, Change, FieldChange
from reconciler.sandbox import Sandbox
from reconciler.watch.checker import Checker
from reconciler.watch.coalesce import FULL
from reconciler.watch.notify import Notifier, message
from tests.conftest import API, ClientFactory
from tests.harness import TODAY

CONFIG = """\
members: [{email: alice@acme.example}, {email: dana@acme.example}]
event_types:
  - {name: Intro Call, owner: alice@acme.example, duration: 30}
  - {name: Discovery Call, owner: dana@acme.example, duration: 30}
"""


def edit_by_hand(sandbox: Sandbox, owner: str, name: str, body: dict[str, Any]) -> None:
    """What an admin does in the Calendly UI: here ben, through the API."""
    owner_id = sandbox.user_uri(owner).rsplit("/", 1)[1]
    [et] = [e for e in sandbox.state()["event_types"]
            if e["name"] == name and e["owner_id"] == owner_id]  # fmt: skip
    with httpx.Client(base_url=API, transport=sandbox.transport()) as http:
        answer = http.patch(
            f"/event_types/{et['id']}",
            json=body,
            headers={"Authorization": f"Bearer {sandbox.token('admin')}"},
        )
    assert answer.status_code == 200, answer.text


@pytest.fixture
def checker(tmp_path: Path, sandbox: Sandbox, connect: ClientFactory) -> Checker:
    (tmp_path / "c.yaml").write_text(CONFIG)
    config = load_config([tmp_path / "c.yaml"])
    return Checker(config, connect(), today=lambda: TODAY, out=io.StringIO())


def printed(checker: Checker) -> list[dict[str, Any]]:
    out = checker._out
    assert isinstance(out, io.StringIO)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    out.seek(0)
    out.truncate()
    return lines


def test_a_targeted_check_reads_only_that_owner_and_prints_the_drift_once(
    sandbox: Sandbox, checker: Checker
) -> None:
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 45})
    alice = sandbox.user_uri("alice@acme.example")
    mark = len(sandbox.requests)
    checker.run([alice])
    calls = [(r.method, r.path, dict(r.query)) for r in sandbox.requests[mark:]]
    org = sandbox.org_uri
    assert calls[:2] == [
        ("GET", f"/users/{alice.rsplit('/', 1)[1]}", {}),
        ("GET", "/users/me", {}),
    ]
    # read in parallel: either order
    assert sorted(calls[2:4], key=str) == [
        ("GET", "/event_types", {"user": alice, "count": "100"}),
        ("GET", "/organization_memberships", {"organization": org, "count": "100"}),
    ]
    assert [(m, p) for m, p, _ in calls[4:]] == [("GET", "/activity_log_entries")]
    [line] = printed(checker)
    assert line["kind"] == "event_type" and line["action"] == "update"
    assert line["key"] == "alice@acme.example/Intro Call"
    assert line["fields"] == [{"path": "duration", "old": 45, "new": 30}]
    assert line["origin"] == "drift"
    assert line["attribution"]["by"] == "ben@acme.example"
    assert line["attribution"]["source"] == "activity_log"
    assert [r["method"] for r in line["requests"]] == ["PATCH"]
    # the same drift again: nothing new to say
    checker.run([alice])
    assert printed(checker) == []


def test_drift_that_is_put_back_is_resolved_and_printed_again_if_it_returns(
    sandbox: Sandbox, checker: Checker
) -> None:
    alice = sandbox.user_uri("alice@acme.example")
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 45})
    checker.run([alice])
    assert len(printed(checker)) == 1
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 30})
    checker.run([alice])
    assert printed(checker) == []
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 60})
    checker.run([alice])
    assert [line["fields"] for line in printed(checker)] == [
        [{"path": "duration", "old": 60, "new": 30}]
    ]


def test_a_deleted_event_type_is_drift_that_apply_would_create_again(
    sandbox: Sandbox, checker: Checker
) -> None:
    owner_id = sandbox.user_uri("alice@acme.example").rsplit("/", 1)[1]
    [et] = [e for e in sandbox.state()["event_types"]
            if e["name"] == "Intro Call" and e["owner_id"] == owner_id]  # fmt: skip
    with httpx.Client(base_url=API, transport=sandbox.transport()) as http:
        assert http.post(f"/_sandbox/event_types/{et['id']}/delete").status_code == 204
    checker.run([sandbox.user_uri("alice@acme.example")])
    [line] = printed(checker)
    assert (line["kind"], line["action"], line["key"]) == (
        "event_type",
        "create",
        "alice@acme.example/Intro Call",
    )
    assert "attribution" not in line  # nothing live is left to attribute


def test_an_owner_the_config_does_not_manage_costs_one_call(
    sandbox: Sandbox, checker: Checker
) -> None:
    ben = sandbox.user_uri("ben@acme.example")
    mark = len(sandbox.requests)
    checker.run([ben])
    assert [(r.method, r.path) for r in sandbox.requests[mark:]] == [
        ("GET", f"/users/{ben.rsplit('/', 1)[1]}")
    ]
    assert printed(checker) == []


def test_a_full_check_reports_every_owner(sandbox: Sandbox, checker: Checker) -> None:
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 45})
    edit_by_hand(sandbox, "dana@acme.example", "Discovery Call", {"duration": 60})
    checker.run([FULL])
    assert [(line["key"], line["fields"][0]["old"]) for line in printed(checker)] == [
        ("alice@acme.example/Intro Call", 45),
        ("dana@acme.example/Discovery Call", 60),
    ]
    # a targeted check of dana afterwards knows it was already said
    checker.run([sandbox.user_uri("dana@acme.example")])
    assert printed(checker) == []


def test_notify_posts_a_short_slack_message_and_never_logs_the_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent: list[httpx.Request] = []

    def slack(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, text="ok")

    change = Change(
        "event_type",
        Action.UPDATE,
        "alice@acme.example/Intro <Call>",
        {"duration": 45},
        {"duration": 30},
        fields=(FieldChange("duration", 45, 30),),
        attribution={"by": "ben@acme.example", "at": "2026-11-22T12:00:00Z"},
    )
    url = "https://hooks.slack.example/services/T000/B000/secret-part"
    from reconciler.client.secret import Secret

    notifier = Notifier(Secret(url), transport=httpx.MockTransport(slack))
    notifier.send([change])
    assert [json.loads(r.content) for r in sent] == [
        {
            "text": "Calendly drift: 1 change from the config\n"
            "• event_type alice@acme.example/Intro &lt;Call&gt;: duration is 45 in Calendly, "
            "30 in the config (by ben@acme.example)"
        }
    ]
    many = message([change] * 12).splitlines()
    assert len(many) == 12 and many[-1] == "…and 2 more"
    assert "secret-part" not in capsys.readouterr().err


def test_the_config_is_read_again_before_each_check(
    tmp_path: Path, sandbox: Sandbox, connect: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="reconciler.watch")
    file = tmp_path / "c.yaml"
    file.write_text(CONFIG)
    checker = Checker(
        load_config([file]),
        connect(),
        today=lambda: TODAY,
        out=io.StringIO(),
        reload=lambda: load_config([file]),
    )
    alice = sandbox.user_uri("alice@acme.example")
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 45})
    checker.run([alice])
    assert len(printed(checker)) == 1
    # the config repository now says 45 (say, a merged pull request): no drift any more
    file.write_text(
        CONFIG.replace(
            "Intro Call, owner: alice@acme.example, duration: 30",
            "Intro Call, owner: alice@acme.example, duration: 45",
        )
    )
    checker.run([alice])
    assert printed(checker) == []
    # a broken config keeps the last valid one, and says so once
    file.write_text("event_types: [{name: 1}]\n")
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 50})
    checker.run([alice])
    checker.run([alice])
    assert [line["fields"] for line in printed(checker)] == [
        [{"path": "duration", "old": 50, "new": 45}]
    ]
    events = [r.getMessage() for r in caplog.records]
    assert events.count("config.changed") == 1 and events.count("config.invalid") == 1
