"""Scopes: the reconciler's request -> scope table, `scopes PATH`, and the apply preflight.

The table is checked against the sandbox's independent one, and `scopes` against real runs:
tokens holding exactly the printed scopes must be enough, and for plan each one is necessary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.errors import ReconcilerError
from reconciler.model import Request
from reconciler.plan import Action, Change, Plan
from reconciler.sandbox import Sandbox, operation_scopes
from reconciler.scopes import ENDPOINT_SCOPES, expand, minimal, preflight, required_scopes
from tests.auth.conftest import APPLY_SCOPES, Invoke, login, oauth_fixture, writes
from tests.helpers import FakeClock

CONFIG = "examples/acme"

SCOPES_OUTPUT = """\
Scopes for plan (it only reads):
  availability:read   GET /event_type_availability_schedules
  event_types:read    GET /event_types
  organizations:read  GET /organization_memberships, GET /organizations/{id}/invitations
  users:read          GET /users/me
  webhooks:read       GET /webhook_subscriptions

Scopes for apply (plan's reads, then the writes):
  availability:write     GET /event_type_availability_schedules, PATCH /event_type_availability_schedules
  event_types:write      GET /event_types, PATCH /event_types/{id}, POST /event_types
  organizations:write    GET /organization_memberships, GET /organizations/{id}/invitations, POST /organizations/{id}/invitations
  routing_forms:read     POST /webhook_subscriptions (routing_form_submission.created)
  scheduled_events:read  POST /webhook_subscriptions (invitee.canceled, invitee.created, invitee_no_show.created, invitee_no_show.deleted)
  users:read             GET /users/me
  webhooks:write         DELETE /webhook_subscriptions/{id}, GET /webhook_subscriptions, POST /webhook_subscriptions

A :write scope includes its :read scope.
"""  # noqa: E501

PLAN_SCOPES = [
    "availability:read", "event_types:read", "organizations:read", "users:read", "webhooks:read",
]  # fmt: skip

MISSING_WEBHOOKS_WRITE = """\
Error: the token lacks 1 scope that this apply needs; nothing was changed:
  webhooks:write: DELETE /webhook_subscriptions/{id}, POST /webhook_subscriptions
Grant it to the OAuth app and run `calendly-reconciler login` again (`calendly-reconciler \
scopes PATH...` lists every scope a config needs).
"""


def test_scopes_for_the_demo_config(invoke: Invoke) -> None:
    result = invoke(["scopes", CONFIG])
    assert result.exit_code == 0, result.output
    assert result.stdout == SCOPES_OUTPUT
    assert invoke(["scopes", CONFIG, "--only", "plan"]).stdout == " ".join(PLAN_SCOPES) + "\n"
    assert invoke(["scopes", CONFIG, "--only", "apply"]).stdout == " ".join(APPLY_SCOPES) + "\n"


def test_scopes_of_a_config_that_prunes_and_names_groups(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        "version: 1\n"
        "members:\n  - email: alice@acme.example\n"
        "webhooks:\n"
        "  - url: https://hooks.acme.example/sales\n"
        "    scope: group\n    group: Sales\n    events: [event_type.created]\n"
        "policy:\n  prune: [members, invitations]\n"
    )
    result = invoke(["scopes", str(tmp_path), "--only", "apply"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "event_types:read groups:read organizations:write users:read webhooks:write\n"
    )


def test_the_apply_preflight_stops_before_any_write(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    """A token missing webhooks:write: apply stops after the plan, before any write."""
    path = tmp_path / "token.json"
    login(oauth_sandbox, clock, path, app="nohooks")
    oauth_sandbox.reset_log()
    result = invoke(
        ["apply", CONFIG, "--auto-approve", "--auth", "oauth", "--token-file", str(path)],
        transport=oauth_sandbox.transport(),
        clock=clock,
    )
    assert result.exit_code == 1
    assert result.stderr.endswith(MISSING_WEBHOOKS_WRITE)
    assert "Plan: 2 to create, 3 to update, 0 to delete, 1 to replace" in result.stdout
    assert writes(oauth_sandbox) == []
    assert {r.method for r in oauth_sandbox.requests} == {"GET"}
    assert {r.status for r in oauth_sandbox.requests} == {200}


def test_a_403_during_apply_stays_one_clear_line(sandbox: Sandbox, invoke: Invoke) -> None:
    """Scopes unknown (a personal access token): the API's 403 speaks, in one line."""
    result = invoke(
        ["apply", CONFIG, "--auto-approve"],
        transport=sandbox.transport(),
        env={"CALENDLY_TOKEN": sandbox.token("no-webhooks-write")},
    )
    assert result.exit_code == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("  failed:")]
    assert failed == [
        "  failed: webhook organization https://hooks.acme.example/calendly/bookings: DELETE "
        "/webhook_subscriptions/d9a7912f-4020-4ded-b4ec-fbb908b00b5f needs the scope "
        "webhooks:write, which the token was not granted. Add it to the personal access token "
        "(Calendly > Integrations > API & Webhooks) or re-authorize the OAuth app with it."
    ]


def test_exactly_the_printed_scopes_are_enough_for_plan_and_apply(
    clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    sandbox = Sandbox(oauth_fixture(), clock=clock, sleep=clock.sleep)
    plan_file, apply_file = tmp_path / "plan.json", tmp_path / "apply.json"
    login(sandbox, clock, plan_file, app="legacy", scope=" ".join(PLAN_SCOPES))
    login(sandbox, clock, apply_file, app="legacy", scope=" ".join(APPLY_SCOPES))
    sandbox.reset_log()
    for args, path in [(["plan"], plan_file), (["apply", "--auto-approve"], apply_file)]:
        result = invoke(
            [*args, CONFIG, "--auth", "oauth", "--token-file", str(path)],
            transport=sandbox.transport(),
            clock=clock,
        )
        assert result.exit_code == 0, result.output
    assert {r.status for r in sandbox.requests if r.status is not None and r.status >= 400} == set()
    assert len(writes(sandbox)) == 8  # 7 changes + `active: true` again after the create


@pytest.mark.parametrize("dropped", PLAN_SCOPES)
def test_each_plan_scope_is_needed(
    clock: FakeClock, invoke: Invoke, tmp_path: Path, dropped: str
) -> None:
    sandbox = Sandbox(oauth_fixture(), clock=clock, sleep=clock.sleep)
    path = tmp_path / "token.json"
    login(
        sandbox, clock, path, app="legacy", scope=" ".join(s for s in PLAN_SCOPES if s != dropped)
    )
    result = invoke(
        ["plan", CONFIG, "--auth", "oauth", "--token-file", str(path)],
        transport=sandbox.transport(),
        clock=clock,
    )
    assert result.exit_code == 1
    assert re.search(f"needs the scope {dropped}, which the token was not granted", result.stderr)


def test_the_table_agrees_with_the_sandboxs_independent_one() -> None:
    def normal(template: str) -> str:
        return re.sub(r"\{\w+\}", "{}", template)

    ours = {(m, normal(t)): s for (m, t), s in ENDPOINT_SCOPES.items()}
    theirs = {(m, normal(t)): s for (m, t), s in operation_scopes().items()}
    assert set(theirs) <= set(ours), "the reconciler's table misses operations"
    assert {k: ours[k] for k in theirs} == theirs


def test_the_config_calls_cover_every_call_of_a_real_run(sandbox: Sandbox, invoke: Invoke) -> None:
    from reconciler.config import load_config
    from reconciler.scopes import config_calls, endpoint

    env = {"CALENDLY_TOKEN": sandbox.token("demo")}
    for args in (["plan", CONFIG], ["apply", CONFIG, "--auto-approve"]):
        assert invoke(args, transport=sandbox.transport(), env=env).exit_code == 0
    made = {endpoint(r.method, r.path) for r in sandbox.requests}
    derived = config_calls(load_config([Path(CONFIG)]))
    assert made == {c.display() for c in derived.apply}


def plan_of(*requests: Request) -> Plan:
    change = Change("webhook", Action.CREATE, "k", {}, {}, requests=requests)
    return Plan.build([change])


def test_preflight_does_nothing_when_the_scopes_are_unknown() -> None:
    preflight(plan_of(Request("DELETE", "/webhook_subscriptions/x")), None)


def test_preflight_applies_write_implies_read_and_event_families() -> None:
    create = Request(
        "POST",
        "/webhook_subscriptions",
        body={"events": ["invitee.created", "routing_form_submission.created"]},
    )
    patch = Request("PATCH", "/event_types/E1", body={"active": False})
    preflight(plan_of(create), frozenset({"webhooks:write", "scheduled_events:write",
                                          "routing_forms:read"}))  # fmt: skip
    with pytest.raises(ReconcilerError) as err:
        preflight(plan_of(create, patch, patch), frozenset({"webhooks:write", "users:read"}))
    assert str(err.value).splitlines()[:4] == [
        "the token lacks 3 scopes that this apply needs; nothing was changed:",
        "  event_types:write: PATCH /event_types/{id} (2 calls)",
        "  routing_forms:read: POST /webhook_subscriptions",
        "  scheduled_events:read: POST /webhook_subscriptions",
    ]


def test_scope_helpers() -> None:
    assert required_scopes("PATCH", "/event_type_availability_schedules?event_type=x") == {
        "availability:write"
    }
    assert required_scopes("GET", "/organizations/ORG/invitations") == {"organizations:read"}
    assert required_scopes(
        "PATCH", "/event_types/<known after apply: event_type a@b.example/Intro Call>"
    ) == {"event_types:write"}
    assert expand(["webhooks:write"]) == {"webhooks:write", "webhooks:read"}
    assert minimal(["webhooks:read", "webhooks:write", "users:read"]) == (
        "users:read",
        "webhooks:write",
    )
    with pytest.raises(LookupError):
        required_scopes("DELETE", "/event_types/E1")
