"""The guards of safety.py, each refusing with its exact message.

Aspects: max_delete_fraction per kind (one removal always allowed; nested availability removals
count; --allow-mass-delete lifts it), min_admins, protect on replace and on deactivation, and the
CLI showing the plan before refusing it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.safety import UnsafePlanError, check
from reconciler.sandbox import Sandbox
from tests.core.test_convergence import MEMBERS, members_yaml
from tests.harness import Harness


def refusal(harness: Harness, text: str, *, allow_mass_delete: bool = False) -> list[str]:
    config = harness.config(text)
    plan, live = harness.plan_live(config)
    try:
        check(plan, live, config, allow_mass_delete=allow_mass_delete)
    except UnsafePlanError as exc:
        return exc.reasons
    return []


def test_pruning_too_many_members_is_refused(harness: Harness) -> None:
    kept = [f"{m}@acme.example" for m in MEMBERS[:10]]  # drops 5 of 15 members
    text = members_yaml(*kept) + "policy: {prune: [members]}\n"
    assert refusal(harness, text) == [
        "it removes 5 of 15 members (33%), more than policy.max_delete_fraction allows for "
        "members (25%); check the plan, then pass --allow-mass-delete if it is what you want"
    ]
    assert refusal(harness, text, allow_mass_delete=True) == []
    assert refusal(harness, text.replace("}", ", max_delete_fraction: 0.4}")) == []


def test_one_removal_is_always_allowed(harness: Harness) -> None:
    text = """
    webhooks:
      - url: https://hooks.acme.example/calendly/bookings
        scope: organization
        events: [invitee.created, invitee.canceled, invitee_no_show.created]
    policy: {prune: [webhooks], max_delete_fraction: 0}
    """
    assert refusal(harness, text) == []  # removes the crm hook: 1 of 2


def test_nested_availability_removals_count(harness: Harness) -> None:
    # Chloé's Partner Intro has Mon-Thu hours and a date; declaring only Monday drops 3 days.
    text = """
    members: [{email: chloe@acme.example}]
    event_types:
      - name: Partner Intro
        owner: chloe@acme.example
        availability:
          timezone: Europe/Paris
          rules:
            - {wday: monday, intervals: ["09:30-12:00", "14:00-17:30"]}
            - {date: 2026-12-24, intervals: []}
    """
    assert refusal(harness, text) == [
        "it removes 3 of 5 availability rules (days or dates with hours) (60%), more than "
        "policy.max_delete_fraction allows for event_types (25%); check the plan, then pass "
        "--allow-mass-delete if it is what you want"
    ]


def test_min_admins(harness: Harness) -> None:
    kept = ["alice@acme.example"] + [
        f"{m}@acme.example" for m in MEMBERS if m not in ("alice", "ben", "laura", "chloe")
    ]
    text = members_yaml(*kept) + "policy: {prune: [members], min_admins: 2}\n"
    assert refusal(harness, text, allow_mass_delete=True) == [
        "it leaves 1 admin (alice@acme.example), fewer than policy.min_admins (2)"
    ]


def test_protected_resources_are_not_replaced_or_deactivated(harness: Harness) -> None:
    text = """
    members: [{email: alice@acme.example}]
    event_types:
      - {name: Intro Call, owner: alice@acme.example, active: false, protect: true}
    webhooks:
      - url: https://crm.acme.example/integrations/calendly
        scope: organization
        events: [invitee.created]
        protect: true
    """
    assert refusal(harness, text) == [
        "event_type alice@acme.example/Intro Call is protected (config/config.yaml:4:5) and "
        "would be deactivated",
        "webhook organization https://crm.acme.example/integrations/calendly is protected "
        "(config/config.yaml:6:5) and would be replaced",
    ]


def test_plan_shows_the_refused_plan_then_fails(
    run: Callable[..., Any], sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    kept = [f"{m}@acme.example" for m in MEMBERS[:10]]
    Path("c.yaml").write_text(members_yaml(*kept) + "policy: {prune: [members]}\n")
    result = run("plan", "c.yaml", "--detailed-exitcode")
    assert result.exit_code == 1
    assert "Plan: 0 to create, 0 to update, 5 to delete, 0 to replace" in result.stdout
    assert result.stderr.splitlines()[-2:] == [
        "Error: refusing this plan:",
        "  it removes 5 of 15 members (33%), more than policy.max_delete_fraction allows for "
        "members (25%); check the plan, then pass --allow-mass-delete if it is what you want",
    ]
    assert run("plan", "c.yaml", "--allow-mass-delete", "--detailed-exitcode").exit_code == 2
    applied = run("apply", "c.yaml", "--auto-approve")
    assert applied.exit_code == 1
    assert {r.method for r in sandbox.requests} == {"GET"}
