"""Drift and pull-request planning.

Aspects: a change made directly in Calendly makes `plan --detailed-exitcode` exit 2 and shows in
`drift` with who and when (activity log on Enterprise, updated_at elsewhere); a clean org exits
0; `plan --base REF` splits a plan into this config change and pre-existing drift; `--target`
keeps part of a plan and its dependencies.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.conftest import API

Run = Callable[..., Any]

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
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("config").mkdir()
    Path("config/c.yaml").write_text(CONFIG)
    return Path("config")


def test_a_clean_org_has_no_drift(run: Run, config: Path) -> None:
    assert run("plan", str(config), "--detailed-exitcode").exit_code == 0
    result = run("drift", str(config))
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "No drift: Calendly matches the configuration."
    assert result.stdout.endswith("No changes. Calendly matches the configuration.\n")


def test_a_change_made_in_calendly_is_drift_with_who_and_when(
    run: Run, sandbox: Sandbox, config: Path
) -> None:
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 60})
    assert run("plan", str(config), "--detailed-exitcode").exit_code == 2
    result = run("drift", str(config))
    assert result.exit_code == 2
    assert result.stdout.splitlines()[:8] == [
        "Calendly drift report",
        "",
        "  # event_type alice@acme.example/Intro Call will be updated in place (config/c.yaml:3)",
        "  ~ event_type alice@acme.example/Intro Call",
        "      changed in Calendly by ben@acme.example at 2026-11-22T12:00:00.000000Z "
        "(activity log)",
        "      bookings: 4 upcoming bookings: they keep the duration and location they were "
        "booked with",
        "      ~ duration: 60 → 30",
        f"      → PATCH /event_types/{sandbox.state()['event_types'][0]['id']}",
    ]
    assert result.stderr.splitlines()[-1] == (
        "Drift: 1 difference between Calendly and the config."
    )
    report = json.loads(run("drift", str(config), "--format", "json").stdout)
    assert report["changes"][0]["attribution"] == {
        "by": "ben@acme.example",
        "at": "2026-11-22T12:00:00.000000Z",
        "source": "activity_log",
    }
    markdown = run("drift", str(config), "--format", "markdown").stdout
    assert (
        "- `~` `alice@acme.example/Intro Call` will be updated in place · `config/c.yaml:3`\n"
        "  - changed in Calendly by `ben@acme.example` at `2026-11-22T12:00:00.000000Z` "
        "(activity log)\n"
    ) in markdown


def test_without_the_activity_log_drift_says_when_from_updated_at(
    run: Run, sandbox: Sandbox, config: Path
) -> None:
    edit_by_hand(sandbox, "alice@acme.example", "Intro Call", {"duration": 60})
    # This token may not read the activity log (it lacks activity_log:read).
    result = run("drift", str(config), "--format", "json", token="no-webhooks-write")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["changes"][0]["attribution"] == {
        "at": "2026-11-22T12:00:00.000000Z",
        "source": "updated_at",
    }
    assert result.stderr.splitlines()[-2] == (
        "Note: who changed what is unknown (the token lacks activity_log:read); showing when "
        "from updated_at."
    )


def git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True)


def test_plan_base_splits_this_change_from_existing_drift(
    run: Run, sandbox: Sandbox, config: Path
) -> None:
    git("init", "-q", "-b", "main")
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    edit_by_hand(sandbox, "dana@acme.example", "Discovery Call", {"duration": 45})  # drift
    Path("config/c.yaml").write_text(CONFIG.replace("duration: 30}", "duration: 50}", 1))
    result = run("plan", str(config), "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    changes = {c["key"]: c for c in json.loads(result.stdout)["changes"]}
    assert changes["alice@acme.example/Intro Call"]["origin"] == "change"
    assert "attribution" not in changes["alice@acme.example/Intro Call"]
    drift = changes["dana@acme.example/Discovery Call"]
    assert drift["origin"] == "drift"
    assert drift["attribution"]["by"] == "ben@acme.example"
    text = run("plan", str(config), "--base", "main").stdout.splitlines()
    assert text[0] == "Changes this config change makes:"
    assert "Drift: Calendly already differed from the base config:" in text


def test_plan_base_with_an_unknown_ref(run: Run, config: Path) -> None:
    git("init", "-q", "-b", "main")
    result = run("plan", str(config), "--base", "nope")
    assert result.exit_code == 1
    assert result.stderr == "Error: --base: 'nope' is not a git commit, branch or tag here\n"


NEW_EVENT_TYPE = """\
  - name: New One
    owner: dana@acme.example
    active: true
    availability: {timezone: UTC, rules: [{wday: monday, intervals: ["09:00-10:00"]}]}
"""


def test_target_keeps_part_of_the_plan_and_its_dependencies(run: Run, config: Path) -> None:
    # Two differences: Intro Call's duration, and a new event type with its availability.
    text = CONFIG.replace("duration: 30}", "duration: 40}", 1) + NEW_EVENT_TYPE
    Path("config/c.yaml").write_text(text)
    result = run("plan", str(config), "--target", "availability:dana*", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(c["kind"], c["key"]) for c in data["changes"]] == [
        ("event_type", "dana@acme.example/New One"),
        ("availability", "dana@acme.example/New One"),
    ]
    assert (
        "--target availability:dana*: only part of the config was planned; 1 other change was "
        "left out and will not be applied" in data["warnings"]
    )
    bad = run("plan", str(config), "--target", "event:x")
    assert bad.exit_code == 1
    assert bad.stderr.splitlines()[-1] == (
        "Error: --target event:x: unknown kind 'event' (one of: member, event_type, "
        "availability, availability_schedule, webhook)"
    )
