"""The sandbox's OAuth server: codes with PKCE, scoped tokens, expiry, single-use refresh tokens.

These pin the emulator's behaviour independently of the reconciler's OAuth client (the requests
are built by hand), so that tests of the client against it mean something.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from reconciler.client.auth import pkce_pair
from reconciler.sandbox import FixtureError, Sandbox
from tests.auth.conftest import APPS, AUTH, REDIRECT, authorize, oauth_fixture
from tests.helpers import FakeClock

API = "https://api.calendly.com"


def basic(app: str) -> dict[str, str]:
    pair = f"{APPS[app]['client_id']}:{APPS[app]['client_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def post(sandbox: Sandbox, path: str, form: dict[str, str], **headers: str) -> httpx.Response:
    with httpx.Client(transport=sandbox.transport()) as http:
        return http.post(f"{AUTH}{path}", data=form, headers=headers)


def get_me(sandbox: Sandbox, token: str) -> httpx.Response:
    with httpx.Client(transport=sandbox.transport()) as http:
        return http.get(f"{API}/users/me", headers={"Authorization": f"Bearer {token}"})


def exchange(sandbox: Sandbox, app: str = "cli", **form: str) -> httpx.Response:
    code, verifier = authorize(sandbox, app)
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **form,
    }
    return post(sandbox, "/oauth/token", fields, **basic(app))


def tokens(sandbox: Sandbox, app: str = "cli") -> dict[str, Any]:
    response = exchange(sandbox, app)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refresh(sandbox: Sandbox, refresh_token: str, app: str = "cli") -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return post(sandbox, "/oauth/token", form, **basic(app))


def test_the_code_exchange_answers_calendlys_token_response(oauth_sandbox: Sandbox) -> None:
    body = tokens(oauth_sandbox)
    assert set(body) == {
        "token_type", "access_token", "refresh_token", "scope", "created_at", "expires_in",
        "owner", "organization",
    }  # fmt: skip
    assert body["token_type"] == "Bearer"
    assert body["scope"] == " ".join(sorted(APPS["cli"]["scopes"]))
    assert body["expires_in"] == 7200
    assert body["owner"] == oauth_sandbox.user_uri("ben@acme.example")
    assert body["organization"] == oauth_sandbox.org_uri
    assert get_me(oauth_sandbox, body["access_token"]).json()["resource"]["email"] == (
        "ben@acme.example"
    )


def test_minted_tokens_carry_the_apps_scopes(oauth_sandbox: Sandbox) -> None:
    body = tokens(oauth_sandbox, "nohooks")
    with httpx.Client(transport=oauth_sandbox.transport()) as http:
        response = http.delete(
            f"{API}/webhook_subscriptions/whatever",
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["webhooks:write"]
    assert oauth_sandbox.requests[-1].token == "nohooks/1"


def test_a_legacy_app_grants_every_scope_as_default(oauth_sandbox: Sandbox) -> None:
    body = tokens(oauth_sandbox, "legacy")
    assert body["scope"] == "default"
    with httpx.Client(transport=oauth_sandbox.transport()) as http:
        response = http.get(
            f"{API}/activity_log_entries",
            params={"organization": oauth_sandbox.org_uri},
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
    assert response.status_code == 200


def test_a_narrower_scope_at_authorize_narrows_the_token(oauth_sandbox: Sandbox) -> None:
    code, verifier = authorize(oauth_sandbox, "cli", scope="users:read")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    body = post(oauth_sandbox, "/oauth/token", form, **basic("cli")).json()
    assert body["scope"] == "users:read"


def test_access_tokens_expire_on_the_sandbox_clock(
    oauth_sandbox: Sandbox, clock: FakeClock
) -> None:
    body = tokens(oauth_sandbox)
    clock.now += 7199
    assert get_me(oauth_sandbox, body["access_token"]).status_code == 200
    clock.now += 1
    response = get_me(oauth_sandbox, body["access_token"])
    assert response.status_code == 401
    assert response.json()["title"] == "Unauthenticated"


def test_refresh_tokens_rotate_and_are_single_use(oauth_sandbox: Sandbox) -> None:
    first = tokens(oauth_sandbox)
    second = refresh(oauth_sandbox, first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["access_token"] != first["access_token"]
    again = refresh(oauth_sandbox, first["refresh_token"])
    assert (again.status_code, again.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "The refresh token has already been used."},
    )
    assert refresh(oauth_sandbox, rotated["refresh_token"]).status_code == 200
    # The refreshed-away access token keeps working until it expires.
    assert get_me(oauth_sandbox, first["access_token"]).status_code == 200


def test_the_token_endpoint_logs_without_secrets(oauth_sandbox: Sandbox) -> None:
    first = tokens(oauth_sandbox)
    refresh(oauth_sandbox, first["refresh_token"])
    logged = [(r.method, r.path, r.status, r.operation, r.body) for r in oauth_sandbox.requests]
    assert logged[1:] == [
        ("POST", "/oauth/token", 200, "POST /oauth/token", {
            "grant_type": "authorization_code", "code": "(sensitive)",
            "redirect_uri": REDIRECT, "code_verifier": "(sensitive)"}),
        ("POST", "/oauth/token", 200, "POST /oauth/token", {
            "grant_type": "refresh_token", "refresh_token": "(sensitive)"}),
    ]  # fmt: skip
    assert logged[0][:4] == ("GET", "/oauth/authorize", 302, "GET /oauth/authorize")


@pytest.mark.parametrize(
    ("change", "error", "description"),
    [
        ({"code_verifier": "not-the-verifier"}, "invalid_grant", "PKCE verification failed."),
        ({"redirect_uri": "http://127.0.0.1:9/other"}, "invalid_grant",
         "The redirect_uri does not match."),
        ({"code": "made-up"}, "invalid_grant", "The authorization code is invalid."),
        ({"grant_type": "password"}, "unsupported_grant_type", "Unsupported grant_type."),
    ],
)  # fmt: skip
def test_the_code_exchange_refuses(
    oauth_sandbox: Sandbox, change: dict[str, str], error: str, description: str
) -> None:
    response = exchange(oauth_sandbox, **change)
    assert (response.status_code, response.json()) == (
        400,
        {"error": error, "error_description": description},
    )


def test_a_code_is_single_use_and_expires(oauth_sandbox: Sandbox, clock: FakeClock) -> None:
    code, verifier = authorize(oauth_sandbox, "cli")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    assert post(oauth_sandbox, "/oauth/token", form, **basic("cli")).status_code == 200
    assert post(oauth_sandbox, "/oauth/token", form, **basic("cli")).status_code == 400
    code, verifier = authorize(oauth_sandbox, "cli")
    clock.now += 600
    form.update(code=code, code_verifier=verifier)
    assert post(oauth_sandbox, "/oauth/token", form, **basic("cli")).json()["error"] == (
        "invalid_grant"
    )


def test_a_web_app_must_authenticate(oauth_sandbox: Sandbox) -> None:
    code, verifier = authorize(oauth_sandbox, "cli")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_id": APPS["cli"]["client_id"],
    }
    response = post(oauth_sandbox, "/oauth/token", form)
    assert (response.status_code, response.json()) == (
        401,
        {"error": "invalid_client", "error_description": "Client authentication failed."},
    )
    with_secret = {**form, "client_secret": APPS["cli"]["client_secret"]}
    assert post(oauth_sandbox, "/oauth/token", with_secret).status_code == 200


def test_a_native_app_uses_pkce_and_no_secret(oauth_sandbox: Sandbox) -> None:
    code, verifier = authorize(oauth_sandbox, "native")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_id": APPS["native"]["client_id"],
    }
    response = post(oauth_sandbox, "/oauth/token", form)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 600
    params = {
        "client_id": APPS["native"]["client_id"],
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "s",
    }
    with httpx.Client(transport=oauth_sandbox.transport()) as http:
        refused = http.get(f"{AUTH}/oauth/authorize", params=params)
    location = httpx.URL(refused.headers["location"])
    assert dict(location.params) == {
        "error": "invalid_request",
        "error_description": "A native app must use PKCE (code_challenge).",
        "state": "s",
    }


def test_authorize_never_redirects_to_an_unregistered_uri(oauth_sandbox: Sandbox) -> None:
    _, challenge = pkce_pair()
    params = {
        "client_id": APPS["cli"]["client_id"],
        "response_type": "code",
        "redirect_uri": "https://evil.example/callback",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with httpx.Client(transport=oauth_sandbox.transport()) as http:
        response = http.get(f"{AUTH}/oauth/authorize", params=params)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid_request", "error_description": "The redirect_uri is not registered."},
    )


def test_loopback_redirects_match_on_any_port(oauth_sandbox: Sandbox) -> None:
    _, challenge = pkce_pair()
    params = {
        "client_id": APPS["cli"]["client_id"],
        "response_type": "code",
        "redirect_uri": "http://127.0.0.1:49152/callback",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with httpx.Client(transport=oauth_sandbox.transport()) as http:
        response = http.get(f"{AUTH}/oauth/authorize", params=params)
    assert response.status_code == 302
    assert response.headers["location"].startswith("http://127.0.0.1:49152/callback?code=")


def test_an_unknown_scope_at_authorize_is_invalid_scope(oauth_sandbox: Sandbox) -> None:
    _, challenge = pkce_pair()
    params = {
        "client_id": APPS["nohooks"]["client_id"],
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "scope": "users:read webhooks:write",
    }
    with httpx.Client(transport=oauth_sandbox.transport()) as http:
        response = http.get(f"{AUTH}/oauth/authorize", params=params)
    assert httpx.URL(response.headers["location"]).params["error"] == "invalid_scope"


def test_introspection_and_revocation(oauth_sandbox: Sandbox, clock: FakeClock) -> None:
    body = tokens(oauth_sandbox)
    looked = post(
        oauth_sandbox, "/oauth/introspect", {"token": body["access_token"]}, **basic("cli")
    )
    assert looked.json() == {
        "active": True,
        "scope": body["scope"],
        "client_id": APPS["cli"]["client_id"],
        "token_type": "Bearer",
        "exp": int(clock.now) + 7200,
        "iat": int(clock.now),
        "owner": body["owner"],
        "organization": body["organization"],
    }
    revoked = post(oauth_sandbox, "/oauth/revoke", {"token": body["access_token"]}, **basic("cli"))
    assert revoked.status_code == 200
    assert get_me(oauth_sandbox, body["access_token"]).status_code == 401
    looked = post(
        oauth_sandbox, "/oauth/introspect", {"token": body["access_token"]}, **basic("cli")
    )
    assert looked.json() == {"active": False}


@pytest.mark.parametrize(
    ("app", "message"),
    [
        ({"client_id": None}, "oauth_apps[0].client_id: must be a non-empty string"),
        ({"scopes": ["users:read", "no:read"]}, "oauth_apps[0].scopes: unknown scope 'no:read'"),
        ({"type": "spa"}, "oauth_apps[0].type: must be one of: web, native"),
        ({"client_secret": None}, "oauth_apps[0].client_secret: must be a non-empty string"),
        ({"access_token_ttl": 0}, "oauth_apps[0].access_token_ttl: must be a positive integer"),
    ],
)  # fmt: skip
def test_fixture_oauth_apps_are_validated(app: dict[str, Any], message: str) -> None:
    with pytest.raises(FixtureError) as err:
        Sandbox(oauth_fixture(cli=app))
    assert str(err.value) == message


def test_secrets_sent_in_a_query_are_not_logged(oauth_sandbox: Sandbox) -> None:
    with httpx.Client(transport=oauth_sandbox.transport()) as http:
        http.post(f"{AUTH}/oauth/token", params={"client_secret": "leaked-in-query", "x": "1"})
    (entry,) = oauth_sandbox.requests
    assert entry.query == [("client_secret", "(sensitive)"), ("x", "1")]
    assert (entry.status, entry.body) == (401, None)
