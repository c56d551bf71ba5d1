"""`show PLANFILE` prints a saved plan as plan printed it; `apply --format json` is for CI.

show reads no API and needs no secret's variable; apply --format json keeps stdout to one JSON
document (the plan goes to stderr) with each change's outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox

Run = Callable[..., Any]
GOLDEN = Path(__file__).parent.parent / "golden" / "all_actions"


@pytest.fixture
def saved_plan(run: Run, tmp_path: Path) -> Path:
    out = tmp_path / "plan.json"
    result = run("plan", str(GOLDEN), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_show_prints_the_saved_plan_as_plan_did(
    run: Run, sandbox: Sandbox, saved_plan: Path, fmt: str
) -> None:
    planned = run("plan", str(GOLDEN), "--format", fmt)
    calls = len(sandbox.requests)
    shown = run("show", str(saved_plan), "--format", fmt, env={"HOOK_KEY": ""})
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == planned.stdout
    assert len(sandbox.requests) == calls  # no API call
    assert "whsec" not in shown.stdout


def test_show_needs_no_secret_variable(run: Run, saved_plan: Path) -> None:
    shown = run("show", str(saved_plan), env={"HOOK_KEY": "a-different-key"})
    assert shown.exit_code == 0, shown.output
    assert "a-different-key" not in shown.output


def test_show_refuses_a_file_that_is_not_a_saved_plan(run: Run, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{}")
    result = run("show", str(tmp_path / "x.json"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'x.json'} is not a saved plan of this tool "
        "(made by `calendly-reconciler plan --out`)\n"
    )
    missing = run("show", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1
    assert missing.stderr.startswith(f"Error: cannot read {tmp_path / 'nope.json'}: ")


def test_apply_json_is_one_document_with_every_outcome(run: Run) -> None:
    result = run("apply", str(GOLDEN), "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Plan: 2 to create, 2 to update, 1 to delete, 1 to replace" in result.stderr
    document = json.loads(result.stdout)  # all of stdout is the one document
    changes = document.pop("changes")
    assert document == {
        "format_version": "1",
        "organization": "https://api.calendly.com/organizations/HCM6XP36DO3X2XMK",
        "result": "complete",
        "ok": True,
        "summary": {"done": 6, "failed": 0, "skipped": 0},
        "warnings": [],
    }
    assert [(c["id"], c["action"], c["status"]) for c in changes] == [
        ("member:quinn@acme.example", "create", "done"),
        ("event_type:alice@acme.example/Intro Call", "update", "done"),
        ("event_type:dana@acme.example/Pricing Review", "create", "done"),
        ("availability:alice@acme.example/Intro Call", "update", "done"),
        ("webhook:organization https://crm.acme.example/integrations/calendly", "delete", "done"),
        ("webhook:organization https://hooks.acme.example/calendly/bookings", "replace", "done"),
    ]


NEW_EVENT_TYPE = """\
members:
  - email: alice@acme.example
event_types:
  - name: Brand New
    owner: alice@acme.example
    duration: 30
    availability:
      timezone: UTC
      rules:
        - wday: monday
          intervals: ["09:00-17:00"]
"""


def test_apply_json_reports_failures_and_skips(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    (tmp_path / "e.yaml").write_text(NEW_EVENT_TYPE)
    sandbox.set_faults("seed=1,5xx=1.0,codes=500,methods=writes")
    result = run("apply", str(tmp_path), "--auto-approve", "--format", "json")
    assert result.exit_code == 1, result.stderr
    assert result.stdout, result.stderr
    document = json.loads(result.stdout)
    assert document["result"] == "finished"
    assert document["ok"] is False
    assert document["summary"] == {"done": 0, "failed": 1, "skipped": 1}
    failed, skipped = document["changes"]
    assert failed["id"] == "event_type:alice@acme.example/Brand New"
    assert failed["status"] == "failed"
    assert failed["message"].startswith("POST /event_types failed 4 times")
    assert skipped == {
        "id": "availability:alice@acme.example/Brand New",
        "kind": "availability",
        "key": "alice@acme.example/Brand New",
        "action": "update",
        "status": "skipped",
        "message": "depends on event_type:alice@acme.example/Brand New, which failed",
    }


def test_apply_json_with_nothing_to_do(run: Run, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("members:\n  - email: alice@acme.example\n")
    result = run("apply", str(tmp_path), "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "format_version": "1",
        "organization": "https://api.calendly.com/organizations/HCM6XP36DO3X2XMK",
        "result": "complete",
        "ok": True,
        "summary": {"done": 0, "failed": 0, "skipped": 0},
        "changes": [],
        "warnings": [],
    }


def test_apply_json_says_when_apply_refuses_before_any_write(
    run: Run, sandbox: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "m.yaml").write_text(
        "members:\n  - email: alice@acme.example\n  - email: new@acme.example\n"
    )
    result = run("apply", str(tmp_path), "--format", "json")  # no terminal, no --auto-approve
    assert result.exit_code == 1, result.output
    error = result.stderr.strip().splitlines()[-1].removeprefix("Error: ")
    assert json.loads(result.stdout) == {
        "format_version": "1",
        "result": "refused",
        "ok": False,
        "error": error,
        "summary": {"done": 0, "failed": 0, "skipped": 0},
        "changes": [],
        "warnings": [],
    }
    assert error.startswith("apply asks for confirmation, but stdin is not a terminal")
    assert not [e for e in sandbox.requests if e.method != "GET"]
