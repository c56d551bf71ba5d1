"""Fixtures for the authentication suites: the demo org with OAuth apps, logins, the CLI."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.cli.options import CliEnv
from reconciler.client.auth import (
    OAuthClient,
    TokenFile,
    TokenSet,
    exchange_code,
    pkce_pair,
    save_login,
)
from reconciler.client.secret import Secret
from reconciler.sandbox import Sandbox, bundled_fixture_path, read_fixture
from tests.helpers import FakeClock

AUTH = "https://auth.calendly.com"
REDIRECT = "http://127.0.0.1:8765/callback"
SIGNING_KEY = "whsec-acme-bookings-5be2c0d17a"

#: What `calendly-reconciler scopes examples/acme --only apply` prints.
APPLY_SCOPES = [
    "availability:write", "event_types:write", "groups:read", "organizations:write",
    "routing_forms:read", "scheduled_events:read", "users:read", "webhooks:write",
]  # fmt: skip

APPS: dict[str, dict[str, Any]] = {
    "cli": {
        "client_id": "sbx-cli-client",
        "client_secret": "sbx-cli-secret-3f9a1c70",
        "user": "ben@acme.example",
        "scopes": APPLY_SCOPES,
    },
    "nohooks": {
        "client_id": "sbx-nohooks-client",
        "client_secret": "sbx-nohooks-secret-77ab02",
        "user": "ben@acme.example",
        "scopes": [s for s in APPLY_SCOPES if s != "webhooks:write"] + ["webhooks:read"],
    },
    "legacy": {
        "client_id": "sbx-legacy-client",
        "client_secret": "sbx-legacy-secret-c41d88",
        "user": "ben@acme.example",
        "scopes": "legacy",
    },
    "native": {
        "client_id": "sbx-native-client",
        "type": "native",
        "user": "ben@acme.example",
        "scopes": APPLY_SCOPES,
        "access_token_ttl": 600,
    },
}


def oauth_fixture(**overrides: dict[str, Any]) -> dict[str, Any]:
    """The bundled demo organization plus the OAuth apps above (and per-test changes)."""
    data = dict(read_fixture(bundled_fixture_path()))
    apps = {name: {**app, **overrides.get(name, {})} for name, app in APPS.items()}
    data["oauth_apps"] = [{"name": name, **app} for name, app in apps.items()]
    return data


@pytest.fixture
def oauth_sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(oauth_fixture(), clock=clock, sleep=clock.sleep)


def app_client(name: str, *, auth_url: str = AUTH) -> OAuthClient:
    app = APPS[name]
    secret = app.get("client_secret")
    return OAuthClient(auth_url, app["client_id"], Secret(secret) if secret else None)


def authorize(sandbox: Sandbox, app: str, *, scope: str | None = None) -> tuple[str, str]:
    """Drive /oauth/authorize as a browser would: (code, code_verifier)."""
    verifier, challenge = pkce_pair()
    params = {
        "client_id": APPS[app]["client_id"],
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "st-1",
        **({"scope": scope} if scope else {}),
    }
    with httpx.Client(transport=sandbox.transport()) as http:
        response = http.get(f"{AUTH}/oauth/authorize", params=params)
    assert response.status_code == 302, response.text
    location = httpx.URL(response.headers["location"])
    assert location.params["state"] == "st-1"
    return location.params["code"], verifier


def login(
    sandbox: Sandbox, clock: FakeClock, path: Path, app: str = "cli", scope: str | None = None
) -> TokenSet:
    """What `login` does, without the loopback listener: a token file for `app`."""
    code, verifier = authorize(sandbox, app, scope=scope)
    tokens = exchange_code(
        app_client(app),
        code=code,
        redirect_uri=REDIRECT,
        verifier=verifier,
        transport=sandbox.transport(),
        clock=clock,
    )
    return save_login(TokenFile(path), tokens)


Invoke = Callable[..., Result]


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """`invoke(args, transport=..., clock=..., env={...})`: run the CLI in-process.

    The environment starts without any CALENDLY_* / SCALEKIT_* variable of the machine.
    """
    for name in list(os.environ):
        if name.startswith(("CALENDLY_", "SCALEKIT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ACME_BOOKINGS_SIGNING_KEY", SIGNING_KEY)

    def run(
        args: Sequence[str],
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        env: dict[str, str] | None = None,
        **cli_env: Any,
    ) -> Result:
        obj = CliEnv(transport=transport, **cli_env)
        if clock is not None:
            obj.clock = clock
        return CliRunner().invoke(cli, list(args), obj=obj, env=env or {})

    yield run
    # --debug attached a handler to the run's (now closed) stderr: detach it.
    logger = logging.getLogger("reconciler")
    for handler in [h for h in logger.handlers if type(h).__name__ == "_DebugHandler"]:
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def writes(sandbox: Sandbox) -> list[str]:
    """The API writes the sandbox received (the auth server's calls are not API writes)."""
    return [
        f"{r.method} {r.path}"
        for r in sandbox.requests
        if r.method != "GET" and not r.path.startswith("/oauth/")
    ]
