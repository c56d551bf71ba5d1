"""`login`: authorization code with PKCE on a loopback redirect, driven without a browser.

The test's "browser" (CliEnv.open_url, called for --open) asks the sandbox's authorize
endpoint, then follows its redirect to the real listener `login` opened on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.auth.conftest import APPS, Invoke, writes
from tests.helpers import FakeClock

URL_LINE = re.compile(r"^  (https://auth\.calendly\.com/oauth/authorize\?\S+)$", re.M)


def browser(
    sandbox: Sandbox, *, visits: list[str], answer: Callable[[httpx.URL], str] | None = None
) -> Callable[[str], None]:
    """Approve at the sandbox, then go where it redirects (or where `answer` says)."""

    def open_url(url: str) -> None:
        visits.append(url)
        with httpx.Client(transport=sandbox.transport()) as http:
            approved = http.get(url)
        location = approved.headers["location"]
        if answer is not None:
            location = answer(httpx.URL(url))
        with httpx.Client(trust_env=False) as http:  # the real loopback listener
            assert http.get(location).status_code == 200

    return open_url


def login_env(app: str = "cli") -> dict[str, str]:
    env = {"CALENDLY_CLIENT_ID": APPS[app]["client_id"]}
    if "client_secret" in APPS[app]:
        env["CALENDLY_CLIENT_SECRET"] = APPS[app]["client_secret"]
    return env


def test_login_writes_a_token_file_that_plan_uses(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "config" / "token.json"
    visits: list[str] = []
    result = invoke(
        ["login", "--open", "--token-file", str(path)],
        transport=oauth_sandbox.transport(),
        clock=clock,
        env=login_env(),
        open_url=browser(oauth_sandbox, visits=visits),
    )
    assert result.exit_code == 0, result.output
    (url,) = visits
    assert URL_LINE.findall(result.stderr) == [url]
    query = dict(httpx.URL(url).params)
    assert re.fullmatch(r"http://127\.0\.0\.1:[1-9]\d*/callback", query["redirect_uri"])
    assert set(query) == {
        "client_id", "response_type", "redirect_uri", "code_challenge", "code_challenge_method",
        "state",
    }  # fmt: skip
    assert (query["client_id"], query["response_type"], query["code_challenge_method"]) == (
        "sbx-cli-client",
        "code",
        "S256",
    )
    saved = json.loads(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert saved["scope"] == " ".join(sorted(APPS["cli"]["scopes"]))
    assert saved["owner"] == oauth_sandbox.user_uri("ben@acme.example")
    assert (saved["client_id"], saved["generation"], saved["expires_at"]) == (
        "sbx-cli-client",
        1,
        clock.now + 7200,
    )
    assert result.stderr.splitlines()[-3:] == [
        f"Logged in as {saved['owner']}; tokens saved to {path}.",
        f"Granted scopes: {saved['scope']}",
        f"Use them with: calendly-reconciler plan CONFIG --auth oauth --token-file {path}",
    ]
    for secret in (saved["access_token"], saved["refresh_token"], APPS["cli"]["client_secret"]):
        assert secret not in result.output
    exchange = oauth_sandbox.requests[-1]
    assert (exchange.path, exchange.status, exchange.body) == (
        "/oauth/token",
        200,
        {
            "grant_type": "authorization_code",
            "code": "(sensitive)",
            "redirect_uri": query["redirect_uri"],
            "code_verifier": "(sensitive)",
        },
    )

    oauth_sandbox.reset_log()
    plan = invoke(
        ["plan", "examples/acme", "--auth", "oauth", "--token-file", str(path)],
        transport=oauth_sandbox.transport(),
        clock=clock,
    )
    assert plan.exit_code == 0, plan.output
    assert {r.token for r in oauth_sandbox.requests} == {"cli/1"}
    assert writes(oauth_sandbox) == []


def test_login_asks_for_the_scopes_given(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    visits: list[str] = []
    result = invoke(
        ["login", "--open", "--token-file", str(path), "--scope", "users:read event_types:read"],
        transport=oauth_sandbox.transport(),
        clock=clock,
        env=login_env(),
        open_url=browser(oauth_sandbox, visits=visits),
    )
    assert result.exit_code == 0, result.output
    assert httpx.URL(visits[0]).params["scope"] == "users:read event_types:read"
    assert json.loads(path.read_text())["scope"] == "event_types:read users:read"


def test_a_native_app_logs_in_and_refreshes_without_a_secret(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "token.json"
    result = invoke(
        ["login", "--open", "--token-file", str(path)],
        transport=oauth_sandbox.transport(),
        clock=clock,
        env=login_env("native"),
        open_url=browser(oauth_sandbox, visits=[]),
    )
    assert result.exit_code == 0, result.output
    clock.now += 600  # the native app's tokens live 10 minutes
    oauth_sandbox.reset_log()
    plan = invoke(  # no CALENDLY_CLIENT_ID: the token file remembers the client
        ["plan", "examples/acme", "--auth", "oauth", "--token-file", str(path)],
        transport=oauth_sandbox.transport(),
        clock=clock,
    )
    assert plan.exit_code == 0, plan.output
    refresh = oauth_sandbox.requests[0]
    assert (refresh.path, refresh.status, refresh.body) == (
        "/oauth/token",
        200,
        {
            "grant_type": "refresh_token",
            "refresh_token": "(sensitive)",
            "client_id": "sbx-native-client",
        },
    )
    assert {r.token for r in oauth_sandbox.requests[1:]} == {"native/2"}


def redirect_with(**params: str) -> Callable[[httpx.URL], str]:
    def answer(url: httpx.URL) -> str:
        values = {**params}
        if values.get("state") == "SAME":
            values["state"] = url.params["state"]
        return f"{url.params['redirect_uri']}?{urlencode(values)}"

    return answer


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (redirect_with(error="access_denied", error_description="The user said no.",
                       state="SAME"),
         "Error: the authorization was refused (access_denied: The user said no.)"),
        (redirect_with(code="some-code", state="forged"),
         "Error: the redirect's state does not match this login (a stale or forged redirect); "
         "run `calendly-reconciler login` again"),
        (redirect_with(state="SAME"), "Error: the redirect carried no authorization code"),
    ],
)  # fmt: skip
def test_a_bad_redirect_is_one_clear_error(
    oauth_sandbox: Sandbox,
    clock: FakeClock,
    invoke: Invoke,
    tmp_path: Path,
    answer: Callable[[httpx.URL], str],
    message: str,
) -> None:
    path = tmp_path / "token.json"
    result = invoke(
        ["login", "--open", "--token-file", str(path)],
        transport=oauth_sandbox.transport(),
        clock=clock,
        env=login_env(),
        open_url=browser(oauth_sandbox, visits=[], answer=answer),
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == message
    assert not path.exists()
    assert [r.path for r in oauth_sandbox.requests] == ["/oauth/authorize"]  # no exchange


def test_login_gives_up_after_the_timeout(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(
        ["login", "--timeout", "0", "--token-file", str(tmp_path / "t.json")], env=login_env()
    )
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert re.fullmatch(
        r"Error: no authorization came back to http://127\.0\.0\.1:\d+/callback within 0 s; "
        r"run `calendly-reconciler login` again",
        last,
    ), last


def test_login_needs_a_client_id(invoke: Invoke) -> None:
    result = invoke(["login"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: login needs the OAuth app's client id: set CALENDLY_CLIENT_ID or pass --client-id\n"
    )


def test_a_wrong_client_secret_fails_the_exchange_in_one_line(
    oauth_sandbox: Sandbox, clock: FakeClock, invoke: Invoke, tmp_path: Path
) -> None:
    result = invoke(
        ["login", "--open", "--token-file", str(tmp_path / "t.json")],
        transport=oauth_sandbox.transport(),
        clock=clock,
        env={**login_env(), "CALENDLY_CLIENT_SECRET": "wrong-secret-value"},
        open_url=browser(oauth_sandbox, visits=[]),
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: the Calendly auth server refused the OAuth client (invalid_client: Client "
        "authentication failed.): check CALENDLY_CLIENT_ID and CALENDLY_CLIENT_SECRET"
    )
    assert "wrong-secret-value" not in result.output
