"""Saved plans: `plan --out FILE`, then `apply FILE`.

Aspects: a saved plan applies cleanly when nothing moved, reading before any write; it is
refused, naming the object, when Calendly changed in between (and --replan plans
again); the file never holds a secret, and the secret is checked again at apply time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.conftest import API

Run = Callable[..., Any]
KEY = "whsec-test-signing-key-42"

CONFIG = """\
members: [{email: alice@acme.example}]
event_types:
  - {name: Intro Call, owner: alice@acme.example, duration: 45}
webhooks:
  - url: https://hooks.acme.example/calendly/bookings
    scope: organization
    events: [invitee.created]
    signing_key: ${HOOK_KEY}
"""


@pytest.fixture
def planned(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("config").mkdir()
    Path("config/c.yaml").write_text(CONFIG)
    result = run("plan", "config", "--out", "plan.json")
    assert result.exit_code == 0, result.output
    assert "Saved the plan to plan.json" in result.stderr
    return Path("plan.json")


def test_a_saved_plan_holds_no_secret(planned: Path) -> None:
    text = planned.read_text()
    assert KEY not in text
    data = json.loads(text)
    [hook] = [c for c in data["changes"] if c["kind"] == "webhook"]
    post = hook["requests"][1]
    assert post["body"]["signing_key"] == "(sensitive)"
    assert post["secrets"]["signing_key"]["env"] == "HOOK_KEY"
    assert set(post["secrets"]["signing_key"]) == {"env", "salt", "hash"}
    assert data["saved"] == {"format": "calendly-reconciler saved plan", "config": ["config"]}


def test_a_saved_plan_applies_after_checking_everything_before_any_write(
    run: Run, sandbox: Sandbox, planned: Path
) -> None:
    mark = len(sandbox.requests)
    result = run("apply", str(planned))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Apply complete: 2 done, 0 failed, 0 skipped.\n")
    calls = [(r.method, r.path) for r in sandbox.requests[mark:]]
    event_type = next(p for _, p in calls if p.startswith("/event_types/"))
    hook = next(p for _, p in calls if p.startswith("/webhook_subscriptions/"))
    assert calls[0] == ("GET", "/users/me")
    # Reads (the organization, for the rebuild and the guards; the objects it writes, for
    # their fingerprints) all come before the first write.
    first_write = next(i for i, (m, _) in enumerate(calls) if m != "GET")
    assert {m for m, _ in calls[:first_write]} == {"GET"}
    assert {("GET", event_type), ("GET", hook)} <= set(calls[:first_write])
    assert sorted(calls[first_write:]) == sorted(
        [("PATCH", event_type), ("DELETE", hook), ("POST", "/webhook_subscriptions")]
    )
    new_hook = sandbox.state()["webhooks"][-1]["id"]
    assert sandbox.signing_key_matches(new_hook, KEY)
    assert run("plan", "config", "--detailed-exitcode").exit_code == 0


def test_a_stale_saved_plan_is_refused_naming_the_object(
    run: Run, sandbox: Sandbox, planned: Path
) -> None:
    intro = json.loads(planned.read_text())["changes"][0]["uri"]
    with httpx.Client(base_url=API, transport=sandbox.transport()) as http:
        answer = http.patch(
            intro.removeprefix(API),
            json={"description": "edited by hand"},
            headers={"Authorization": f"Bearer {sandbox.token('admin')}"},
        )
        assert answer.status_code == 200
    mark = len(sandbox.requests)
    result = run("apply", str(planned))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-3:] == [
        "Error: plan.json is stale: 1 of the objects it writes changed since it was made:",
        "  event_type alice@acme.example/Intro Call: changed in Calendly since the plan",
        "Review a new plan, or run `apply plan.json --replan`.",
    ]
    assert {r.method for r in sandbox.requests[mark:]} == {"GET"}
    replanned = run("apply", str(planned), "--replan", "--auto-approve")
    assert replanned.exit_code == 0, replanned.output
    assert "The saved plan is stale: planning again from config" in replanned.stderr


def test_a_changed_secret_is_refused(run: Run, sandbox: Sandbox, planned: Path) -> None:
    mark = len(sandbox.requests)
    result = run("apply", str(planned), env={"HOOK_KEY": "another-key-entirely"})
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: organization https://hooks.acme.example/calendly/bookings: ${HOOK_KEY} holds a "
        "different signing_key than when the plan was made; plan again\n"
    )
    assert sandbox.requests[mark:] == []  # checked before connecting: not a single request


def test_a_file_that_is_not_a_saved_plan(run: Run, tmp_path: Path) -> None:
    bogus = tmp_path / "other.json"
    bogus.write_text('{"format_version": "1", "changes": []}')
    result = run("apply", str(bogus))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {bogus} is not a saved plan of this tool (made by `calendly-reconciler plan "
        "--out`)\n"
    )
