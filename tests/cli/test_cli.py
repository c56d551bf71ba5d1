"""The CLI contract: exit codes, streams, confirmation, and that plan never writes.

Aspects: validate/plan/apply exit codes (0/1/2, usage errors never 2), data on stdout and
diagnostics on stderr, invalid configs failing before any API call, plan sending only GETs,
apply's confirmation, and the apply report.
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
  - email: alice@acme.example
  - email: quinn@acme.example
"""


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "members.yaml").write_text(CONFIG)
    return Path("conf")


def test_plan_sends_only_gets(run: Run, sandbox: Sandbox) -> None:
    result = run("plan", str(Path(__file__).parent.parent / "golden/all_actions"))
    assert result.exit_code == 0, result.output
    assert "Plan: 2 to create, 2 to update, 1 to delete, 1 to replace" in result.stdout
    assert sandbox.requests and {r.method for r in sandbox.requests} == {"GET"}


def test_detailed_exitcode(run: Run, config_dir: Path) -> None:
    assert run("plan", str(config_dir), "--detailed-exitcode").exit_code == 2
    assert run("plan", str(config_dir)).exit_code == 0
    assert run("apply", str(config_dir), "--auto-approve").exit_code == 0
    clean = run("plan", str(config_dir), "--detailed-exitcode")
    assert clean.exit_code == 0
    assert clean.stdout.endswith("No changes. Calendly matches the configuration.\n")


def test_usage_errors_exit_1_not_2(run: Run, config_dir: Path) -> None:
    result = run("plan", str(config_dir), "--detailed-exitcode", "--format", "yaml")
    assert result.exit_code == 1
    assert "Error: Invalid value for '--format': 'yaml' is not one of 'json'," in result.stderr
    assert run("plan", "--detailed-exitcode").exit_code == 1  # missing PATHS
    assert run("frobnicate").exit_code == 1


def test_stdout_is_data_and_stderr_is_diagnostics(run: Run, config_dir: Path) -> None:
    result = run("plan", str(config_dir), "--format", "json")
    assert result.stdout.startswith("{\n")
    assert result.stdout.endswith("}\n")
    assert result.stderr.splitlines() == [
        "Reading the Calendly organization…",
        "Read 16 members (3 API calls).",
    ]


INVALID = [
    ("bad.yaml", "members:\n  - email: alice@acme.example\n   role: admin\n",
     ["bad.yaml:3:4: YAML syntax error: expected <block end>, but found '<block mapping start>' "
      "(while parsing a block collection at line 2, column 3)"]),
    ("unknown.yaml", "members:\n  - emial: alice@acme.example\n",
     ["unknown.yaml:2:5: members[0]: missing required key 'email'",
      "unknown.yaml:2:5: members[0].emial: unknown key 'emial' (did you mean 'email'?)"]),
    ("types.yaml",
     "members: [{email: a@acme.example}]\nevent_types:\n"
     "  - {name: X, owner: a@acme.example, duration: '30'}\n",
     ["types.yaml:3:48: event_types[0].duration: expected an integer, got a string ('30')"]),
    ("owner.yaml", "members: []\nevent_types:\n  - {name: X, owner: bob@acme.example}\n",
     ["owner.yaml:3:22: event_types[0].owner: unknown owner 'bob@acme.example' "
      "(an event type's owner must be declared in members)"]),
    ("env.yaml",
     "webhooks:\n  - url: https://h.example/x\n    scope: organization\n"
     "    events: [invitee.created]\n    signing_key: ${NOT_SET_ANYWHERE}\n",
     ["env.yaml:5:18: webhooks[0].signing_key: missing environment variable NOT_SET_ANYWHERE"]),
    ("dup.yaml", "members:\n  - email: a@acme.example\n  - email: A@acme.example\n",
     ["dup.yaml:3:5: members[1]: duplicate member A@acme.example "
      "(first declared at dup.yaml:2:5)"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "lines"), INVALID, ids=[c[0] for c in INVALID])
@pytest.mark.parametrize("command", ["validate", "plan", "apply"])
def test_invalid_configs_fail_with_exact_lines_and_no_api_call(
    run: Run,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    name: str,
    text: str,
    lines: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text)
    extra = {"apply": ["--auto-approve"], "validate": ["--require-env"]}
    result = run(command, name, *extra.get(command, []))
    assert result.exit_code == 1
    noun = "problem" if len(lines) == 1 else "problems"
    assert result.stderr.splitlines() == [*lines, f"{len(lines)} {noun} in 1 file"]
    assert result.stdout == ""
    assert sandbox.requests == []


def test_validate_and_scopes_work_without_the_signing_key_secrets(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name, text, _ = INVALID[4]
    Path(name).write_text(text)
    note = (
        "env.yaml:5:18: webhooks[0].signing_key: environment variable NOT_SET_ANYWHERE is not "
        "set: plan and apply need it (validate --require-env makes this an error)"
    )
    result = run("validate", name)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines() == [
        f"note: {note}",
        "Valid: 0 members, 0 event types, 1 webhook in 1 file.",
    ]
    github = run("validate", name, "--format", "github")
    assert github.exit_code == 0
    assert github.stdout.splitlines() == [
        "::notice file=env.yaml,line=5,col=18,title=calendly-reconciler::webhooks[0].signing_key: "
        "environment variable NOT_SET_ANYWHERE is not set: plan and apply need it "
        "(validate --require-env makes this an error)"
    ]
    scopes = run("scopes", name, "--only", "apply")
    assert scopes.exit_code == 0 and "webhooks:write" in scopes.stdout


def test_apply_without_a_terminal_needs_auto_approve(
    run: Run, sandbox: Sandbox, config_dir: Path
) -> None:
    result = run("apply", str(config_dir))
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "Error: apply asks for confirmation, but stdin is not a terminal: review the plan and "
        "pass --auto-approve\n"
    )
    assert {r.method for r in sandbox.requests} == {"GET"}


def test_apply_asks_and_only_yes_approves(run: Run, sandbox: Sandbox, config_dir: Path) -> None:
    refused = run("apply", str(config_dir), input="y\n", interactive=True)
    assert refused.exit_code == 1
    assert "Error: apply cancelled: nothing was changed" in refused.stderr
    assert {r.method for r in sandbox.requests} == {"GET"}
    approved = run("apply", str(config_dir), input="yes\n", interactive=True)
    assert approved.exit_code == 0, approved.output
    assert "Only 'yes' will be accepted to approve" in approved.stderr
    assert approved.stdout.endswith("Apply complete: 1 done, 0 failed, 0 skipped.\n")
    assert [(r.method, r.body) for r in sandbox.requests if r.method != "GET"] == [
        ("POST", {"email": "quinn@acme.example"})
    ]


def test_apply_reports_failures_and_exits_1(run: Run, sandbox: Sandbox, config_dir: Path) -> None:
    sandbox.set_faults("seed=1,5xx=1.0,codes=500,methods=writes")
    result = run("apply", str(config_dir), "--auto-approve")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2:] == [
        "  failed: member quinn@acme.example: POST /organizations/HCM6XP36DO3X2XMK/invitations "
        "failed 4 times, each checked afterwards: it was not applied (last: POST "
        "/organizations/HCM6XP36DO3X2XMK/invitations answered 500: Calendly may or may not have "
        "applied it)",
        "Apply finished: 0 done, 1 failed, 0 skipped.",
    ]


def test_a_big_plan_says_how_long_the_rate_limit_makes_it(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    emails = [f"new{i:03d}@acme.example" for i in range(250)]
    Path("c.yaml").write_text("members:\n" + "".join(f"  - email: {e}\n" for e in emails))
    result = run("plan", "c.yaml")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == (
        "Applying this plan makes 250 API calls: at least 30 s at Calendly's limit of 500 "
        "requests per minute (shared with the token's other integrations)."
    )
    small = run("plan", str(Path(__file__).parent.parent / "golden/all_actions"))
    assert "Applying this plan" not in small.stderr


def test_show_unmanaged_lists_every_kind_and_scope(
    run: Run, sandbox: Sandbox, config_dir: Path
) -> None:
    plain = run("plan", str(config_dir))
    assert "webhook:" not in plain.stdout  # the config manages no webhooks: none were read
    full = run("plan", str(config_dir), "--show-unmanaged", "--format", "json")
    assert full.exit_code == 0, full.output
    unmanaged = json.loads(full.stdout)["unmanaged"]
    assert unmanaged["webhook"] == [
        "organization https://crm.acme.example/integrations/calendly",
        "organization https://hooks.acme.example/calendly/bookings",
        "user dana@acme.example https://dana-tools.acme.example/hooks/calendly",
    ]
    assert len(unmanaged["event_type"]) == 14  # every event type of the demo org
    assert "alice@acme.example" not in unmanaged["member"]
    assert {r.method for r in sandbox.requests} == {"GET"}
