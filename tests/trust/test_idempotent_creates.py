"""Creates are idempotent (issue #11 item 1): a retried or repeated apply never duplicates.

- a saved plan applied three times (a CI retry) leaves exactly one copy; the repeats adopt it;
- a saved plan whose create someone else already made: adopted when it is what the plan
  wants, refused as stale (before any write) when it differs;
- a create without its "absent" precondition is refused;
- the look before creating is bounded: one listing per owner, whatever the number of creates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.apply import Status, apply
from reconciler.sandbox import Sandbox
from tests.conftest import API, ClientFactory
from tests.harness import Harness

Run = Callable[..., Any]

CONFIG = """\
members: [{email: dana@acme.example}]
event_types:
  - {name: Retry Call, owner: dana@acme.example, duration: 30, active: true}
"""


@pytest.fixture
def planned(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("config").mkdir()
    Path("config/c.yaml").write_text(CONFIG)
    result = run("plan", "config", "--out", "plan.json")
    assert result.exit_code == 0, result.output
    return Path("plan.json")


def copies(sandbox: Sandbox, name: str) -> int:
    return [e["name"] for e in sandbox.state()["event_types"]].count(name)


def create_by_hand(sandbox: Sandbox, **fields: Any) -> None:
    body = {"owner": sandbox.user_uri("dana@acme.example"), "name": "Retry Call", **fields}
    with httpx.Client(base_url=API, transport=sandbox.transport()) as http:
        answer = http.post(
            "/event_types", json=body, headers={"Authorization": f"Bearer {sandbox.token('admin')}"}
        )
        assert answer.status_code == 201, answer.text


def test_a_saved_plan_applied_three_times_makes_one_copy(
    run: Run, sandbox: Sandbox, planned: Path
) -> None:
    first = run("apply", str(planned))
    assert first.exit_code == 0, first.output
    assert first.stdout.endswith("Apply complete: 1 done, 0 failed, 0 skipped.\n")
    for _ in range(2):
        again = run("apply", str(planned))
        assert again.exit_code == 0, again.output
        assert again.stdout.splitlines()[-2:] == [
            "  done: event_type dana@acme.example/Retry Call: already existed: adopted, not "
            "created again",
            "Apply complete: 1 done, 0 failed, 0 skipped.",
        ]
    assert copies(sandbox, "Retry Call") == 1
    assert [r.method for r in sandbox.requests].count("POST") == 1


def test_a_saved_plan_whose_create_happened_since_adopts_it(
    run: Run, sandbox: Sandbox, planned: Path
) -> None:
    create_by_hand(sandbox, duration=30, active=True)
    result = run("apply", str(planned))
    assert result.exit_code == 0, result.output
    # Calendly made it inactive (as it makes every new event type): adopted, then activated.
    assert (
        "  done: event_type dana@acme.example/Retry Call: already existed: adopted, not created "
        "again; set active again: Calendly ignored it on create"
    ) in result.stdout.splitlines()
    assert copies(sandbox, "Retry Call") == 1
    assert run("plan", "config", "--detailed-exitcode").exit_code == 0


def test_a_saved_plan_whose_create_happened_differently_is_stale(
    run: Run, sandbox: Sandbox, planned: Path
) -> None:
    create_by_hand(sandbox, duration=45, active=True)
    mark = len(sandbox.requests)
    result = run("apply", str(planned))
    assert result.exit_code == 1
    made = next(e for e in sandbox.state()["event_types"] if e["name"] == "Retry Call")
    assert result.stderr.splitlines()[-3:] == [
        "Error: plan.json is stale: 1 of the objects it writes changed since it was made:",
        "  event_type dana@acme.example/Retry Call: created in Calendly since the plan "
        f"({API}/event_types/{made['id']}), and differs from it: duration 45 → 30",
        "Review a new plan, or run `apply plan.json --replan`.",
    ]
    assert {r.method for r in sandbox.requests[mark:]} == {"GET"}
    assert copies(sandbox, "Retry Call") == 1


def test_a_create_without_its_precondition_is_refused(
    run: Run, sandbox: Sandbox, planned: Path
) -> None:
    data = json.loads(planned.read_text())
    del data["changes"][0]["precondition"]
    planned.write_text(json.dumps(data))
    mark = len(sandbox.requests)
    result = run("apply", str(planned))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: plan.json: event_type dana@acme.example/Retry Call: a create without its "
        'precondition ("precondition": "absent"); plan again\n'
    )
    assert sandbox.requests[mark:] == []


MANY = (
    "members: [{email: dana@acme.example}, {email: ethan@acme.example}]\nevent_types:\n"
    + "".join(
        f"  - {{name: Bulk {i}, owner: {owner}, duration: 30}}\n"
        for i, owner in enumerate(["dana@acme.example", "ethan@acme.example"] * 4)
    )
)


def test_the_look_before_creating_is_one_listing_per_owner(
    harness: Harness, sandbox: Sandbox, connect: ClientFactory
) -> None:
    plan = harness.plan(harness.config(MANY))
    assert len(plan.changes) == 8
    sandbox.reset_log()
    result = apply(plan, connect())
    assert {o.status for o in result.outcomes} == {Status.DONE}
    listings = sorted(
        dict(r.query)["user"]
        for r in sandbox.requests
        if (r.method, r.path) == ("GET", "/event_types")
    )
    owners = sorted(sandbox.user_uri(e) for e in ("dana@acme.example", "ethan@acme.example"))
    # One before the creates and one after (the look for racing copies), per owner.
    assert listings == sorted(owners * 2)
    again = apply(plan, connect())  # the same plan again: all adopted, nothing created
    assert {o.message for o in again.outcomes} == {"already existed: adopted, not created again"}
    assert [r.method for r in sandbox.requests].count("POST") == 8
