"""User availability schedules (kind `availability_schedule`) on the sandbox.

Aspects: create (the token's own user only) and update with the exact requests, then a second
plan that is empty; the event types a change reaches; other members' schedules reported, not
written; `default: false`; prune reports, never deletes; a saved plan; export round trip.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply import Status
from reconciler.config import load_config
from reconciler.kinds.availability import API_WEEKDAY_ORDER
from reconciler.plan import Action
from reconciler.render.markdown import render as render_markdown
from reconciler.render.text import render
from reconciler.sandbox import Sandbox
from reconciler.sandbox.fixture import bundled_fixture_path, read_fixture
from tests.export.support import run
from tests.harness import Harness
from tests.helpers import FakeClock


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    """The demo organization, plus a token of fatima's (a plain member with two schedules)."""
    data: dict[str, Any] = dict(read_fixture(bundled_fixture_path()))
    token = {"name": "fatima", "token": "sbx-acme-fatima-0e1d2c3b4a", "user": "fatima@acme.example"}
    data["tokens"] = [*data["tokens"], {**token, "scopes": "legacy"}]
    return Sandbox(data, clock=clock, sleep=clock.sleep)


def week(**days: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The seven wday rules the API takes, sunday first; days not given are unavailable."""
    return [
        {
            "type": "wday",
            "wday": day,
            "intervals": [{"from": a, "to": b} for a, b in days.get(day, [])],
        }
        for day in API_WEEKDAY_ORDER
    ]


def converged(harness: Harness, text: str) -> None:
    plan = harness.plan(harness.config(text))
    assert (plan.changes, plan.warnings) == ((), ()), [c.to_dict() for c in plan.changes]


def schedule_id(harness: Harness, email: str, name: str) -> str:
    user_id = harness.sandbox.user_uri(email).rsplit("/", 1)[1]
    for item in harness.sandbox.state()["schedules"]:
        if item["user_id"] == user_id and item["name"] == name:
            return str(item["id"])
    raise KeyError(name)


OWN = """
members: [{email: alice@acme.example}]
availability_schedules:
  - user: alice@acme.example
    name: Working Hours
    timezone: US/Eastern             # the live America/New_York, spelled differently
    rules:
      - wday: [monday, tuesday, wednesday, thursday]
        intervals: ["09:00-12:00", "13:00-17:00"]
      - wday: friday
        intervals: ["09:00-12:00", "12:00-15:00"]   # touching: one interval 09:00-15:00
  - user: alice@acme.example
    name: Focus Time
    timezone: Europe/London
    default: true
    rules:
      - wday: [tuesday, thursday]
        intervals: ["08:00-10:00"]
      - date: 2026-12-24
        intervals: []
"""

OWN_PLAN = """\
  # availability_schedule alice@acme.example/Focus Time will be created (config/config.yaml:12)
  + availability_schedule alice@acme.example/Focus Time
      + user: "alice@acme.example"
      + name: "Focus Time"
      + timezone: "Europe/London"
      + rules.monday: unavailable
      + rules.tuesday: 08:00-10:00
      + rules.wednesday: unavailable
      + rules.thursday: 08:00-10:00
      + rules.friday: unavailable
      + rules.saturday: unavailable
      + rules.sunday: unavailable
      + rules.2026-12-24: unavailable
      + default: true
      → POST /user_availability_schedules
      → PATCH /user_availability_schedules/<known after apply: availability_schedule \
alice@acme.example/Focus Time>

  # availability_schedule alice@acme.example/Working Hours will be updated in place \
(config/config.yaml:4)
  ~ availability_schedule alice@acme.example/Working Hours
      Calendly applies it to every event type that uses the schedule: alice@acme.example/Intro \
Call, alice@acme.example/Investor Update
      ~ rules.monday: 09:00-17:00 → 09:00-12:00, 13:00-17:00
      ~ rules.tuesday: 09:00-17:00 → 09:00-12:00, 13:00-17:00
      ~ rules.wednesday: 09:00-17:00 → 09:00-12:00, 13:00-17:00
      ~ rules.thursday: 09:00-17:00 → 09:00-12:00, 13:00-17:00
      ~ rules.friday: 09:00-17:00 → 09:00-15:00
      → PATCH /user_availability_schedules/{working}

Plan: 1 to create, 1 to update, 0 to delete, 0 to replace (3 API calls).
"""


def test_own_schedules_create_update_and_converge(harness: Harness) -> None:
    working = schedule_id(harness, "alice@acme.example", "Working Hours")
    plan, result, writes = harness.apply(harness.config(OWN))
    # The text plan, as a golden (the other 15 members, unmanaged, left out).
    assert render(replace(plan, unmanaged={})) == OWN_PLAN.format(working=working)
    markdown = render_markdown(plan)
    assert (
        "  - _Calendly applies it to every event type that uses the schedule: "
        "alice@acme.example/Intro Call, alice@acme.example/Investor Update_\n"
        "  - `rules.monday`: `09:00-17:00` → `09:00-12:00, 13:00-17:00`\n"
    ) in markdown
    assert result.ok and [o.status for o in result.outcomes] == [Status.DONE, Status.DONE]
    focus = schedule_id(harness, "alice@acme.example", "Focus Time")
    hours = [("09:00", "12:00"), ("13:00", "17:00")]
    assert sorted(writes, key=str) == sorted(
        [
            ("PATCH", f"/user_availability_schedules/{working}", {}, {
                "rules": week(monday=hours, tuesday=hours, wednesday=hours, thursday=hours,
                              friday=[("09:00", "15:00")]),
            }),
            ("POST", "/user_availability_schedules", {}, {
                "name": "Focus Time", "timezone": "Europe/London",
                "rules": [
                    *week(tuesday=[("08:00", "10:00")], thursday=[("08:00", "10:00")]),
                    {"type": "date", "date": "2026-12-24", "intervals": []},
                ],
            }),
            ("PATCH", f"/user_availability_schedules/{focus}", {}, {"default": True}),
        ],
        key=str,
    )  # fmt: skip
    converged(harness, OWN)
    # Calendly applied the new hours to the event types that use the schedule.
    intro = harness.connect().get_collection(
        "/event_type_availability_schedules",
        {"event_type": f"{harness.sandbox.uri_base}/event_types/"
                       f"{harness.event_type_id('alice@acme.example', 'Intro Call')}"},
    )  # fmt: skip
    monday = next(r for r in intro[0]["availability_rule"]["rules"] if r.get("wday") == "monday")
    assert monday["intervals"] == [
        {"from": "09:00", "to": "12:00"},
        {"from": "13:00", "to": "17:00"},
    ]


def test_a_time_zone_change_sends_it_with_the_rules(harness: Harness) -> None:
    text = OWN.replace("US/Eastern ", "Europe/Paris", 1)
    working = schedule_id(harness, "alice@acme.example", "Working Hours")
    plan, result, writes = harness.apply(harness.config(text))
    [update] = [c for c in plan.changes if c.action == Action.UPDATE]
    assert update.fields[0].path == "timezone"
    [patch] = [w for w in writes if w[1].endswith(working)]
    assert patch[3]["timezone"] == "Europe/Paris" and len(patch[3]["rules"]) == 7
    assert result.ok
    converged(harness, text)


OTHERS = """
members: [{email: fatima@acme.example}, {email: priya@acme.example}]
availability_schedules:
  - user: fatima@acme.example
    name: Customer Calls
    timezone: Europe/Berlin
    rules:
      - wday: [tuesday, wednesday]
        intervals: ["10:00-16:00"]
  - user: fatima@acme.example
    name: Evenings
    timezone: Europe/Berlin
    rules: []
  - user: priya@acme.example
    name: Working Hours
    timezone: Asia/Kolkata
    rules: []
"""


def uses_reads(harness: Harness) -> list[str]:
    """The schedules whose event types were looked up (only those the plan changes)."""
    return [
        value.rsplit("/", 1)[1]
        for r in harness.sandbox.requests
        if r.path == "/event_types"
        for name, value in r.query
        if name == "user_availability_schedule"
    ]


def test_other_members_schedules_are_reported_not_written(harness: Harness) -> None:
    plan = harness.plan(harness.config(OTHERS))  # the demo token is alice's
    assert uses_reads(harness) == []
    assert plan.changes == ()
    assert plan.warnings == (
        "availability_schedule fatima@acme.example/Customer Calls: Calendly is not known to let "
        "a token change another member's schedule (treated as not allowed); change it in "
        "Calendly as fatima@acme.example, or apply with their own token: rules.thursday "
        "10:00-16:00 → unavailable",
        "availability_schedule fatima@acme.example/Evenings: cannot be created: Calendly "
        "creates availability schedules only for the token's own user (alice@acme.example); "
        "create it in Calendly as fatima@acme.example, or apply with fatima@acme.example's own "
        "token (config/config.yaml:10:5)",
        "availability_schedule priya@acme.example/Working Hours: cannot be created: Calendly "
        "creates availability schedules only for the token's own user (alice@acme.example) "
        "(priya@acme.example has not joined the organization yet); create it in Calendly as "
        "priya@acme.example, or apply with priya@acme.example's own token "
        "(config/config.yaml:14:5)",
    )
    # With fatima's own token the same config (priya, who has not joined, left out) applies.
    text = OTHERS[: OTHERS.index("  - user: priya")]
    plan, result, _writes = harness.apply(harness.config(text), token="fatima")
    assert uses_reads(harness) == [schedule_id(harness, "fatima@acme.example", "Customer Calls")]
    assert [(c.action, c.key) for c in plan.changes] == [
        (Action.UPDATE, "fatima@acme.example/Customer Calls"),
        (Action.CREATE, "fatima@acme.example/Evenings"),
    ]
    assert plan.changes[0].reason == "no event type uses this schedule"
    assert result.ok
    converged(harness, text)


DEFAULTS = """
members: [{email: alice@acme.example}]
availability_schedules:
  - user: alice@acme.example
    name: Working Hours
    timezone: America/New_York
    default: false
    rules:
      - wday: [monday, tuesday, wednesday, thursday, friday]
        intervals: ["09:00-17:00"]
"""
SECOND_DEFAULT = """
  - user: alice@acme.example
    name: Late Shift
    timezone: America/New_York
    default: true
    rules:
      - wday: [monday]
        intervals: ["17:00-22:00"]
"""


def test_default_false_cannot_be_sent(harness: Harness) -> None:
    plan = harness.plan(harness.config(DEFAULTS))
    assert plan.changes == ()
    assert plan.warnings == (
        "availability_schedule alice@acme.example/Working Hours: is the default schedule; "
        "Calendly cannot be told `default: false` (a user always has one default schedule): "
        "declare `default: true` on the schedule that should be the default",
    )
    # Declaring another default moves it: no warning, and the first follows.
    plan, result, _writes = harness.apply(harness.config(DEFAULTS + SECOND_DEFAULT))
    assert plan.warnings == ()
    assert [(c.action, c.key) for c in plan.changes] == [
        (Action.CREATE, "alice@acme.example/Late Shift")
    ]
    assert result.ok
    converged(harness, DEFAULTS + SECOND_DEFAULT)


def test_prune_reports_and_never_deletes(harness: Harness) -> None:
    harness.apply(harness.config(DEFAULTS + SECOND_DEFAULT))
    text = DEFAULTS.replace("default: false", "default: true") + (
        "policy:\n  prune: [availability_schedules]\n"
    )
    plan, result, writes = harness.apply(harness.config(text))
    assert [(c.action, c.key) for c in plan.changes] == [
        (Action.UPDATE, "alice@acme.example/Working Hours")
    ]
    assert writes[0][3] == {"rules": writes[0][3]["rules"], "default": True}
    assert plan.warnings == (
        "availability_schedule alice@acme.example/Late Shift: is not declared, but the API "
        "cannot delete availability schedules; delete it in Calendly as alice@acme.example (its "
        "default) if it should go",
    )
    assert result.ok and all(method != "DELETE" for method, *_ in writes)
    assert harness.plan(harness.config(text)).changes == ()


def test_a_saved_plan_rereads_the_schedule_and_applies(harness: Harness, tmp_path: Path) -> None:
    config = tmp_path / "config"
    harness.config(OWN)
    saved = tmp_path / "plan.json"
    planned = run(harness.sandbox, "plan", config, "--out", saved)
    assert planned.exit_code == 0, planned.stderr
    applied = run(harness.sandbox, "apply", saved)
    assert applied.exit_code == 0, applied.stdout + applied.stderr
    assert "Apply complete: 2 done, 0 failed, 0 skipped." in applied.stdout
    converged(harness, OWN)


def test_export_writes_schedules_that_plan_to_zero(harness: Harness, tmp_path: Path) -> None:
    harness.apply(harness.config(OWN))
    exported = run(harness.sandbox, "export", "-o", tmp_path / "export")
    assert exported.exit_code == 0, exported.stderr
    text = (tmp_path / "export" / "availability-schedules.yaml").read_text("utf-8")
    assert (
        "  - user: alice@acme.example\n"
        "    name: Focus Time\n"
        "    timezone: Europe/London\n"
        "    default: true\n"
        "    rules:\n"
        "      - wday: [tuesday, thursday]\n"
        '        intervals: ["08:00-10:00"]\n'
        '      - date: "2026-12-24"\n'
        "        intervals: []\n"
    ) in text
    config = load_config(tmp_path / "export")
    assert len(config.availability_schedules) == 17  # 16 in the demo org, and Focus Time
    assert harness.plan(config).changes == ()


def test_scopes_cover_every_call_of_a_real_run(harness: Harness) -> None:
    from reconciler.scopes import config_calls, endpoint

    config = harness.config(OWN)
    harness.apply(config)
    made = {endpoint(r.method, r.path) for r in harness.sandbox.requests}
    derived = config_calls(config)
    # Every call made is derived (the invitation a declared member may need is not made here).
    assert made == {c.display() for c in derived.apply} - {"POST /organizations/{id}/invitations"}
    assert {c.display(): sorted(c.scopes()) for c in derived.apply if "schedul" in c.path} == {
        "GET /user_availability_schedules": ["availability:read"],
        "POST /user_availability_schedules": ["availability:write"],
        "PATCH /user_availability_schedules/{id}": ["availability:write"],
    }


NEW_ONLY = OWN[: OWN.index("  - user: alice@acme.example\n    name: Focus")].replace(
    "name: Working Hours", "name: Early Hours"
)


def test_a_lost_create_is_adopted_not_sent_again(harness: Harness, sandbox: Sandbox) -> None:
    config = harness.config(NEW_ONLY)
    sandbox.set_faults("seed=1,commit_drop=1.0,methods=POST")
    mark = len(sandbox.requests)
    _plan, result, _writes = harness.apply(config)
    sandbox.set_faults(None)
    assert [(o.status, o.message) for o in result.outcomes] == [(Status.DONE, "")]
    sent = [(r.method, r.path, r.fault) for r in sandbox.requests[mark:]]
    after = sent[sent.index(("POST", "/user_availability_schedules", "commit_drop")) :]
    # Looked up by the caller and the name, found, adopted: no second POST.
    assert after == [
        ("POST", "/user_availability_schedules", "commit_drop"),
        ("GET", "/users/me", None),
        ("GET", "/user_availability_schedules", None),
    ]
    names = [s["name"] for s in sandbox.state()["schedules"]]
    assert names.count("Early Hours") == 1
    converged(harness, NEW_ONLY)


def test_a_lost_patch_is_read_back_not_sent_again(harness: Harness, sandbox: Sandbox) -> None:
    working = schedule_id(harness, "alice@acme.example", "Working Hours")
    text = OWN[: OWN.index("  - user: alice@acme.example\n    name: Focus")]
    sandbox.set_faults("seed=1,commit_drop=1.0,methods=PATCH")
    mark = len(sandbox.requests)
    _plan, result, _writes = harness.apply(harness.config(text))
    sandbox.set_faults(None)
    assert [(o.status, o.message) for o in result.outcomes] == [(Status.DONE, "")]
    assert [(r.method, r.path, r.fault) for r in sandbox.requests[mark:]][-2:] == [
        ("PATCH", f"/user_availability_schedules/{working}", "commit_drop"),
        ("GET", f"/user_availability_schedules/{working}", None),
    ]
    converged(harness, text)


def test_emptying_a_schedule_is_a_mass_delete(harness: Harness) -> None:
    from reconciler.safety import UnsafePlanError, check

    text = """
members: [{email: alice@acme.example}]
availability_schedules:
  - user: alice@acme.example
    name: Working Hours
    timezone: America/New_York
    rules:
      - wday: monday
        intervals: []
"""
    config = harness.config(text)
    plan, live = harness.plan_live(config)
    with pytest.raises(UnsafePlanError) as refused:
        check(plan, live, config, allow_mass_delete=False)
    assert refused.value.reasons == [
        "it removes 5 of 5 availability schedule rules (days or dates with hours) (100%), more "
        "than policy.max_delete_fraction allows for availability_schedules (25%); check the "
        "plan, then pass --allow-mass-delete if it is what you want"
    ]
    check(plan, live, config, allow_mass_delete=True)
    allowed = harness.config(text + "policy:\n  max_delete_fraction: {availability_schedules: 1}\n")
    check(plan, live, allowed, allow_mass_delete=False)
