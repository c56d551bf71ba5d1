"""The connection options of plan/apply/export: --auth token|oauth|scalekit and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from tests.auth.conftest import APPS, Invoke, login, writes
from tests.helpers import FakeClock

CONFIG = "examples/acme"


def test_a_personal_access_token_works_as_before(
    sandbox: Sandbox, invoke: Invoke, tmp_path: Path
) -> None:
    by_env = invoke(
        ["plan", CONFIG],
        transport=sandbox.transport(),
        env={"CALENDLY_TOKEN": sandbox.token("demo")},
    )
    assert by_env.exit_code == 0, by_env.output
    token_file = tmp_path / "pat.txt"
    token_file.write_text(sandbox.token("readonly") + "\n")
    by_file = invoke(
        ["plan", CONFIG, "--token-file", str(token_file)], transport=sandbox.transport()
    )
    assert by_file.exit_code == 0, by_file.output
    assert {r.token for r in sandbox.requests} == {"demo", "readonly"}


def test_an_oauth_token_file_without_auth_oauth_says_so(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    login(oauth_sandbox, clock, path)
    result = invoke(
        ["plan", CONFIG, "--token-file", str(path)], transport=oauth_sandbox.transport()
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the token file {path} is an OAuth token file: pass --auth oauth (or set "
        "CALENDLY_AUTH=oauth)\n"
    )


def test_oauth_defaults_to_the_login_token_file(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "calendly-reconciler" / "oauth-token.json"
    path.parent.mkdir()
    login(oauth_sandbox, clock, path)
    result = invoke(
        ["plan", CONFIG],
        transport=oauth_sandbox.transport(),
        clock=clock,
        env={"CALENDLY_AUTH": "oauth", "XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no OAuth token file at {path}: run `calendly-reconciler login` first (or pass "
               "--token-file)"),
        ("<html>", "{path} is not valid JSON (line 1, column 1): it is not an OAuth token file "
                   "written by `calendly-reconciler login`; run `calendly-reconciler login` to "
                   "authorize again"),
        ('{"access_token": "a", "refresh_token": "b"}',
         "OAuth needs the app's client id to refresh tokens: set CALENDLY_CLIENT_ID (and "
         "CALENDLY_CLIENT_SECRET for a web app) or pass --client-id"),
    ],
)  # fmt: skip
def test_oauth_problems_are_one_clear_line(
    invoke: Invoke, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "token.json"
    if content is not None:
        path.write_text(content)
    result = invoke(["plan", CONFIG, "--auth", "oauth", "--token-file", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message.format(path=path)}\n"


def test_an_unknown_auth_method_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke(["plan", CONFIG, "--auth", "password"])
    assert result.exit_code == 1
    assert "Invalid value for '--auth': 'password' is not one of 'token', 'oauth', 'scalekit'." in (
        result.stderr
    )


def test_debug_masks_every_oauth_secret_across_a_refresh(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    first = login(oauth_sandbox, clock, path)
    clock.now += 7200
    result = invoke(
        ["plan", CONFIG, "--auth", "oauth", "--token-file", str(path), "--debug"],
        transport=oauth_sandbox.transport(),
        clock=clock,
        env={"CALENDLY_CLIENT_SECRET": APPS["cli"]["client_secret"]},
    )
    assert result.exit_code == 0, result.output
    assert "debug: POST https://auth.calendly.com/oauth/token (refresh the OAuth token) -> 200" in (
        result.stderr
    )
    assert "debug: refreshed the OAuth access token (generation 2)" in result.stderr
    assert '"authorization": "Bearer ***"' in result.stderr
    second = json.loads(path.read_text())
    for secret in (
        first.access_token.reveal(),
        first.refresh_token.reveal(),
        second["access_token"],
        second["refresh_token"],
        APPS["cli"]["client_secret"],
    ):
        assert secret not in result.output


def test_scopes_are_introspected_when_the_token_file_does_not_say(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    login(oauth_sandbox, clock, path, app="nohooks")
    data = json.loads(path.read_text())
    del data["scope"]
    path.write_text(json.dumps(data))
    oauth_sandbox.reset_log()
    result = invoke(
        ["apply", CONFIG, "--auto-approve", "--auth", "oauth", "--token-file", str(path)],
        transport=oauth_sandbox.transport(),
        clock=clock,
        env={"CALENDLY_CLIENT_SECRET": APPS["nohooks"]["client_secret"]},
    )
    assert result.exit_code == 1
    assert "Error: the token lacks 1 scope that this apply needs" in result.stderr
    assert oauth_sandbox.requests[0].operation == "POST /oauth/introspect"
    assert writes(oauth_sandbox) == []


def test_oauth_without_any_login_says_to_log_in(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(
        ["plan", CONFIG], env={"CALENDLY_AUTH": "oauth", "XDG_CONFIG_HOME": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no OAuth token file at {tmp_path}/calendly-reconciler/oauth-token.json: run "
        "`calendly-reconciler login` first (or pass --token-file)\n"
    )
