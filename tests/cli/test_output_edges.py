"""Output rough edges: each fixed one pinned to its exact words.

--show-unmanaged lists every name in text; a --target that matches nothing is an error, not
"No changes"; counts say "1 member"; the confirmation names the API it will write through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.sandbox import Sandbox

Run = Callable[..., Any]
GOLDEN = Path(__file__).parent.parent / "golden" / "all_actions"
ONE_MEMBER = "members:\n  - email: alice@acme.example\n  - email: quinn@acme.example\n"


def _config(tmp_path: Path, text: str = ONE_MEMBER) -> Path:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "m.yaml").write_text(text)
    return tmp_path / "c"


def test_show_unmanaged_text_lists_every_name(run: Run, tmp_path: Path) -> None:
    config = _config(tmp_path)
    listed = json.loads(run("plan", str(config), "--show-unmanaged", "--format", "json").stdout)
    text = run("plan", str(config), "--show-unmanaged").stdout
    for kind, keys in listed["unmanaged"].items():
        block = [f"  {kind}: {len(keys)}", *(f"    {key}" for key in keys)]
        assert "\n".join(block) in text
    assert len(listed["unmanaged"]["event_type"]) > 5  # more than the plain plan's sample
    assert "…" not in text.split("Unmanaged")[1].split("(adopt")[0]


def test_a_target_matching_nothing_is_an_error(run: Run, sandbox: Sandbox) -> None:
    result = run("plan", str(GOLDEN), "--target", "event_type:nobody@*")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: --target event_type:nobody@* matches none of the plan's 6 changes: nothing to "
        "do for it (plan without --target lists every change's kind and key)"
    )
    assert {r.method for r in sandbox.requests} == {"GET"}


def test_a_target_in_a_plan_with_no_changes_says_no_changes(run: Run, tmp_path: Path) -> None:
    config = _config(tmp_path, "members:\n  - email: alice@acme.example\n")
    result = run("plan", str(config), "--target", "member:nobody@*")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("No changes. Calendly matches the configuration.\n")


def test_counts_are_singular_for_one(run: Run, tmp_path: Path) -> None:
    config = _config(tmp_path, "members:\n  - email: alice@acme.example\n")
    result = run("validate", str(config))
    assert result.stderr == "Valid: 1 member, 0 event types, 0 webhooks in 1 file.\n"


def test_the_confirmation_names_the_api_it_writes_through(run: Run, tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = run(
        "apply",
        str(config),
        input="no\n",
        interactive=True,
        env={"CALENDLY_API_URL": "http://127.0.0.1:8080"},
    )
    assert result.exit_code == 1
    assert (
        "Apply 1 change to https://api.calendly.com/organizations/HCM6XP36DO3X2XMK through "
        "http://127.0.0.1:8080?\nOnly 'yes' will be accepted to approve"
    ) in result.stderr


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_errors_are_coloured_on_a_terminal_only(monkeypatch: Any) -> None:
    from reconciler.cli import stderr_color

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert stderr_color(_Stream(tty=True)) is True
    assert stderr_color(_Stream(tty=False)) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert stderr_color(_Stream(tty=True)) is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert stderr_color(_Stream(tty=True)) is False


def test_an_error_on_a_terminal_is_red(monkeypatch: Any, capsys: Any) -> None:
    from reconciler.cli import cli

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr("reconciler.cli.stderr_color", lambda stream=None: True)
    code = cli._run(["show", "/nonexistent/plan.json"], "calendly-reconciler", {})
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("\x1b[31mError: cannot read /nonexistent/plan.json: ")
    assert err.endswith("\x1b[0m\n")


def test_an_unquoted_hash_value_hints_at_the_yaml_comment(tmp_path: Path) -> None:
    from reconciler.config import ConfigError, load_config

    (tmp_path / "c.yaml").write_text(
        "members:\n  - email: a@acme.example\nevent_types:\n  - name: X\n"
        "    owner: a@acme.example\n    color: #0069ff\n"
        "webhooks:\n  - url: https://h.example/x\n    events: [invitee.created]\n"
        "    signing_key: #s3cret\n"
    )
    try:
        load_config([tmp_path])
    except ConfigError as exc:
        messages = [str(p) for p in exc.problems]
    assert (
        f"{tmp_path / 'c.yaml'}:6:11: event_types[0].color: expected a string, got an empty "
        "value (null); a '#' after 'color:' starts a YAML comment: quote the value, e.g. "
        'color: "#0069ff"'
    ) in messages
    signing = [m for m in messages if "signing_key" in m]
    assert signing and all("s3cret" not in m for m in signing)


def test_a_403_role_gate_says_owner_or_admin_and_a_plan_gate_does_not() -> None:
    from reconciler.client.errors import error_for

    role = error_for(
        method="GET",
        path="/organization_memberships",
        status=403,
        body={"title": "Permission Denied", "message": "You do not have permission"},
    )
    assert str(role) == (
        "GET /organization_memberships answered 403 Permission Denied: You do not have "
        "permission. Managing an organization (members, other users' event types, organization "
        "webhooks) needs a token of one of its owners or admins"
    )
    plan = error_for(
        method="POST",
        path="/webhook_subscriptions",
        status=403,
        body={
            "title": "Permission Denied",
            "message": "Please upgrade your Calendly account to Standard",
        },
    )
    assert "owners or admins" not in str(plan)


def test_organization_is_any_uri_ending_in_its_id_or_the_bare_id(run: Run, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "organization: http://127.0.0.1:8080/organizations/HCM6XP36DO3X2XMK\n"
        "members:\n  - email: alice@acme.example\n"
    )
    (tmp_path / "b.yaml").write_text("organization: HCM6XP36DO3X2XMK\n")
    result = run("plan", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("No changes. Calendly matches the configuration.\n")
    (tmp_path / "b.yaml").write_text("organization: OTHERORG\n")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert (
        f"{tmp_path / 'b.yaml'}:1:15: organization: conflicting organization OTHERORG (first "
        f"declared as http://127.0.0.1:8080/organizations/HCM6XP36DO3X2XMK at "
        f"{tmp_path / 'a.yaml'}:1:15)"
    ) in result.stderr
