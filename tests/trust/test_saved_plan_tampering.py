"""A saved plan is executed only as its changes mean (issue #11 item 3).

Each edit below was executed by earlier versions; each is now refused before the first write,
naming the change, and the organization is unchanged (the request log holds no write):
a PATCH body that sets more than the shown diff; a DELETE added to a `+ member` change; a PATCH
turned into a DELETE; a path normalised into another resource; a removed fingerprint; a removed
secret seal with a signing key in the body. The guards (protect, mass delete) run again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox

Run = Callable[..., Any]

CONFIG = """\
members:
  - {email: alice@acme.example}
  - {email: newbie@acme.example}
event_types:
  - {name: Intro Call, owner: alice@acme.example, duration_options: [10, 20]}
webhooks:
  - url: https://hooks.acme.example/calendly/new
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
    return Path("plan.json")


def change(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in data["changes"] if c["kind"] == kind)


def membership_path(sandbox: Sandbox, email: str) -> str:
    user = sandbox.user_uri(email).rsplit("/", 1)[1]
    found = next(m for m in sandbox.state()["memberships"] if m["user_id"] == user)
    return f"/organization_memberships/{found['id']}"


def set_active_false(data: dict[str, Any], sandbox: Sandbox) -> None:
    change(data, "event_type")["requests"][0]["body"]["active"] = False


def add_admin_removal(data: dict[str, Any], sandbox: Sandbox) -> None:
    path = membership_path(sandbox, "ben@acme.example")
    change(data, "member")["requests"].append({"method": "DELETE", "path": path})


def patch_to_delete(data: dict[str, Any], sandbox: Sandbox) -> None:
    request = change(data, "event_type")["requests"][0]
    request["method"] = "DELETE"
    del request["body"]


def dot_dot_path(data: dict[str, Any], sandbox: Sandbox) -> None:
    request = change(data, "event_type")["requests"][0]
    member = membership_path(sandbox, "ben@acme.example").rsplit("/", 1)[1]
    request["path"] = f"/event_types/../organization_memberships/{member}"
    request["method"] = "DELETE"
    del request["body"]


def drop_fingerprint(data: dict[str, Any], sandbox: Sandbox) -> None:
    del change(data, "event_type")["fingerprint"]


def unseal_signing_key(data: dict[str, Any], sandbox: Sandbox) -> None:
    post = change(data, "webhook")["requests"][0]
    del post["secrets"]
    post["body"]["signing_key"] = "attacker-chosen-key"


TAMPERING = {
    "a PATCH that also deactivates": (
        set_active_false,
        "event_type alice@acme.example/Intro Call: its requests are not the ones the change means",
    ),
    "a DELETE of an admin added to + member": (
        add_admin_removal,
        "member newbie@acme.example: its requests are not the ones the change means",
    ),
    "a PATCH turned into a DELETE": (
        patch_to_delete,
        "event_type alice@acme.example/Intro Call: its requests are not the ones the change means",
    ),
    "a path normalised into a membership": (
        dot_dot_path,
        "event_type alice@acme.example/Intro Call: its requests are not the ones the change means",
    ),
    "a removed fingerprint": (
        drop_fingerprint,
        "event_type alice@acme.example/Intro Call: an update without its fingerprint (the "
        "staleness check needs it)",
    ),
    "a removed seal and a signing key in the body": (
        unseal_signing_key,
        "webhook organization https://hooks.acme.example/calendly/new: its secrets are not the "
        "ones `after` shows (a signing key must be sealed)",
    ),
}


@pytest.mark.parametrize("edit", TAMPERING, ids=list(TAMPERING))
def test_a_tampered_saved_plan_is_refused_before_any_write(
    run: Run, sandbox: Sandbox, planned: Path, edit: str
) -> None:
    tamper, reason = TAMPERING[edit]
    data = json.loads(planned.read_text())
    tamper(data, sandbox)
    planned.write_text(json.dumps(data))
    before = sandbox.state()
    mark = len(sandbox.requests)
    result = run("apply", str(planned))
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-3:] == [
        "Error: plan.json is refused: 1 of its changes are not what they claim to be, so "
        "nothing was changed:",
        f"  {reason}",
        "Review a new plan (`plan --out`).",
    ]
    assert [r.method for r in sandbox.requests[mark:] if r.method != "GET"] == []
    assert sandbox.state() == before


def test_the_untampered_plan_applies(run: Run, sandbox: Sandbox, planned: Path) -> None:
    result = run("apply", str(planned))
    assert result.exit_code == 0, result.output
    assert run("plan", "config", "--detailed-exitcode").exit_code == 0


def test_the_guards_run_again_for_a_saved_plan(run: Run, sandbox: Sandbox, planned: Path) -> None:
    # The reviewed plan did not deactivate the event type; the file now does, and drops the
    # `protect` the config sets: both the rebuild and the guard refuse it.
    Path("config/c.yaml").write_text(
        CONFIG.replace("duration_options: [10, 20]}", "duration_options: [10, 20], protect: true}")
    )
    data = json.loads(planned.read_text())
    event_type = change(data, "event_type")
    event_type.update(action="delete", after={}, reason="deactivate")
    event_type["requests"][0]["body"] = {"active": False}
    event_type.pop("fields")
    planned.write_text(json.dumps(data))
    mark = len(sandbox.requests)
    result = run("apply", str(planned))
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-2:] == [
        "Error: refusing this plan:",
        "  event_type alice@acme.example/Intro Call is protected (config/c.yaml:5) and would be "
        "deleted",
    ]
    assert [r.method for r in sandbox.requests[mark:] if r.method != "GET"] == []


def test_mass_delete_is_checked_again_for_a_saved_plan(
    run: Run, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("config").mkdir()
    Path("config/c.yaml").write_text(
        "members: [{email: alice@acme.example}]\n"
        "policy: {prune: [webhooks], max_delete_fraction: 1.0}\n"
    )
    made = run("plan", "config", "--out", "plan.json")
    assert made.exit_code == 0, made.output
    # The config's policy is tightened after the plan was made: the saved plan obeys it now.
    Path("config/c.yaml").write_text(
        "members: [{email: alice@acme.example}]\npolicy: {prune: [webhooks]}\n"
    )
    mark = len(sandbox.requests)
    result = run("apply", "plan.json")
    assert result.exit_code == 1, result.output
    assert "more than policy.max_delete_fraction allows for webhooks (25%)" in result.stderr
    assert [r.method for r in sandbox.requests[mark:] if r.method != "GET"] == []


def test_a_signing_key_only_comes_from_the_variable_the_config_names(
    run: Run, sandbox: Sandbox, planned: Path
) -> None:
    from reconciler.client import Secret

    data = json.loads(planned.read_text())
    seal = change(data, "webhook")["requests"][0]["secrets"]["signing_key"]
    seal.update(env="OTHER_KEY", hash=Secret("chosen").fingerprint(seal["salt"]))
    planned.write_text(json.dumps(data))
    mark = len(sandbox.requests)
    result = run("apply", str(planned), env={"OTHER_KEY": "chosen"})
    assert result.exit_code == 1, result.output
    assert (
        "  webhook organization https://hooks.acme.example/calendly/new: its signing key does "
        "not come from the variable the config interpolates for it"
    ) in result.stderr.splitlines()
    assert [r.method for r in sandbox.requests[mark:] if r.method != "GET"] == []
