"""Booking impact end to end on the sandbox's demo bookings: a plan that deactivates Intro
Call and cuts its hours to Friday 09:00-10:00, in JSON, text and markdown (golden files), the
reads it costs, and policy.protect_bookings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox

GOLDEN = Path(__file__).parent.parent / "golden" / "booking_impact"
Run = Callable[..., Any]


@pytest.fixture(autouse=True)
def in_golden_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)  # so the plan names the config as a user would: config.yaml


def test_json_plan_carries_the_impact(run: Run, golden: Callable[[Any, str], None]) -> None:
    result = run("plan", "config.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    golden(GOLDEN / "plan.json", result.stdout)
    impacts = {(c["kind"], c["action"]): c["impact"] for c in json.loads(result.stdout)["changes"]}
    deactivation = impacts[("event_type", "update")]
    hours = impacts[("availability", "update")]
    assert deactivation["upcoming"] >= 1
    assert deactivation["scheduling_url"].startswith("https://calendly.com/")
    assert hours["outside"] >= 1 and hours["outside"] <= hours["upcoming"]
    assert hours["first_outside"].endswith("Z")


def test_text_plan_says_it_in_one_line_per_change(
    run: Run, golden: Callable[[Any, str], None]
) -> None:
    result = run("plan", "config.yaml")
    assert result.exit_code == 0, result.output
    golden(GOLDEN / "plan.txt", result.stdout)
    lines = [line.strip() for line in result.stdout.splitlines() if "bookings:" in line]
    assert len(lines) == 2
    assert "stay booked" in lines[0] and "fall outside the new hours; first" in lines[1]


def test_markdown_plan(run: Run, golden: Callable[[Any, str], None]) -> None:
    result = run("plan", "config.yaml", "--format", "markdown")
    assert result.exit_code == 0, result.output
    golden(GOLDEN / "plan.md", result.stdout)
    assert result.stdout.count("**Bookings:**") == 2


def test_one_booking_listing_for_the_one_affected_owner(run: Run, sandbox: Sandbox) -> None:
    assert run("plan", "config.yaml").exit_code == 0
    reads = [r for r in sandbox.requests if r.path == "/scheduled_events"]
    assert [(r.method, dict(r.query)) for r in reads] == [
        (
            "GET",
            {
                "organization": sandbox.org_uri,
                "user": sandbox.user_uri("alice@acme.example"),
                "min_start_time": "2026-11-22T12:00:00.000000Z",
                "status": "active",
                "count": "100",
            },
        )
    ]


def test_protect_bookings_refuses_the_plan_unless_allowed(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    text = (GOLDEN / "config.yaml").read_text("utf-8")
    config.write_text(text + "  protect_bookings: true\n", encoding="utf-8")
    refused = run("plan", str(config))
    assert refused.exit_code == 1
    assert "(policy.protect_bookings)" in refused.stderr
    assert "bookings:" in refused.stdout  # the plan is shown before the refusal
    assert run("plan", str(config), "--allow-booking-impact").exit_code == 0


def test_without_the_scope_it_is_a_note(run: Run) -> None:
    result = run("plan", "config.yaml", token="readonly")  # no scheduled_events:read
    assert result.exit_code == 0, result.output
    assert "booking impact not shown: the token cannot read bookings" in result.stdout
    assert "bookings:" not in result.stdout
