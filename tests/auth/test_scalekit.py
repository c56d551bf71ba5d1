"""`--auth scalekit`: plan and apply of examples/acme through a fake Scalekit proxy in front of
the sandbox, the connected-account check with its authorization link, re-minting on a 401, and
Scalekit's failures as one clear line.
"""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.auth.conftest import SIGNING_KEY, Invoke, writes
from tests.auth.fake_scalekit import (
    CLIENT_SECRET,
    ENV_URL,
    IDENTIFIER,
    Account,
    FakeScalekit,
    scalekit_env,
)

CONFIG = "examples/acme"
LINK = f"{ENV_URL}/magicLink/calendly/{IDENTIFIER}"
READS = [
    "GET /proxy/users/me",
    "GET /proxy/organization_memberships",
    "GET /proxy/organizations/HCM6XP36DO3X2XMK/invitations",
    "GET /proxy/event_types",
    "GET /proxy/webhook_subscriptions",
    "GET /proxy/event_type_availability_schedules",
    "GET /proxy/event_type_availability_schedules",
    "GET /proxy/event_type_availability_schedules",
]


@pytest.fixture
def fake(sandbox: Sandbox) -> FakeScalekit:
    return FakeScalekit(sandbox, {("calendly", IDENTIFIER): Account("reconciler")})


def test_plan_and_apply_through_the_proxy(
    sandbox: Sandbox, fake: FakeScalekit, invoke: Invoke
) -> None:
    plan = invoke(["plan", CONFIG], transport=fake, env=scalekit_env())
    assert plan.exit_code == 0, plan.output
    assert plan.stdout.endswith("Plan: 2 to create, 3 to update, 0 to delete, 1 to replace "
                                "(7 API calls).\n")  # fmt: skip
    assert fake.log[:2] == ["POST /oauth/token", "GET /api/v1/connected_accounts/details"]
    assert sorted(fake.log[2:]) == sorted(READS)
    assert all(
        (h["connection_name"], h["identifier"], h["authorization"])
        == ("calendly", IDENTIFIER, "Bearer sk-m2m-token-0001")
        for h in fake.proxied_headers
    )
    assert {r.token for r in sandbox.requests} == {"reconciler"}  # the account's own token
    assert writes(sandbox) == []

    fake.log.clear()
    apply = invoke(["apply", CONFIG, "--auto-approve"], transport=fake, env=scalekit_env())
    assert apply.exit_code == 0, apply.output
    assert apply.stdout.splitlines()[-1] == "Apply complete: 6 done, 0 failed, 0 skipped."
    assert sorted(writes(sandbox)) == sorted([
        "POST /organizations/HCM6XP36DO3X2XMK/invitations",
        "PATCH /event_types/PEVSCGN5AYKP4V33",
        "POST /event_types",
        "PATCH /event_types/FWACLV3SONNGEOQT",  # active: true again (created inactive)
        "PATCH /event_type_availability_schedules",
        "PATCH /event_type_availability_schedules",
        "DELETE /webhook_subscriptions/d9a7912f-4020-4ded-b4ec-fbb908b00b5f",
        "POST /webhook_subscriptions",
    ])  # fmt: skip
    assert [line for line in fake.log if not line.startswith("GET /proxy/")][:2] == [
        "POST /oauth/token",
        "GET /api/v1/connected_accounts/details",
    ]
    created = next(r for r in sandbox.requests if r.operation == "POST /webhook_subscriptions")
    assert created.body["signing_key"] == "(sensitive)"  # it went through, and is masked
    hooks = sandbox.state()["webhooks"]
    (new,) = [h for h in hooks if h["callback_url"].endswith("/calendly/bookings")]
    assert sandbox.signing_key_matches(new["id"], SIGNING_KEY)

    again = invoke(["plan", CONFIG, "--detailed-exitcode"], transport=fake, env=scalekit_env())
    assert again.exit_code == 0, again.output


def test_flags_work_like_the_variables(
    sandbox: Sandbox, fake: FakeScalekit, invoke: Invoke
) -> None:
    fake.accounts = {("calendly-acme", "other-id"): Account("reconciler")}
    args = [
        "plan", CONFIG, "--auth", "scalekit", "--scalekit-env-url", ENV_URL,
        "--scalekit-client-id", "skc_81234567890", "--scalekit-client-secret", CLIENT_SECRET,
        "--scalekit-connection-name", "calendly-acme", "--scalekit-identifier", "other-id",
    ]  # fmt: skip
    result = invoke(args, transport=fake)
    assert result.exit_code == 0, result.output
    assert {(h["connection_name"], h["identifier"]) for h in fake.proxied_headers} == {
        ("calendly-acme", "other-id")
    }


@pytest.mark.parametrize(
    ("account", "said"),
    [
        (Account("reconciler", status="PENDING_AUTH"), "is PENDING_AUTH, not ACTIVE"),
        (None, "is not connected yet"),
    ],
)
def test_an_account_that_is_not_active_fails_with_the_authorization_link(
    sandbox: Sandbox, fake: FakeScalekit, invoke: Invoke, account: Account | None, said: str
) -> None:
    fake.accounts = {("calendly", IDENTIFIER): account} if account else {}
    result = invoke(["plan", CONFIG], transport=fake, env=scalekit_env())
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: the Calendly account connected in Scalekit (connection 'calendly', identifier "
        f"'{IDENTIFIER}') {said}: authorize it at {LINK} and run this again"
    )
    assert fake.log == [
        "POST /oauth/token",
        "GET /api/v1/connected_accounts/details",
        "POST /api/v1/connected_accounts/magic_link",
    ]
    assert sandbox.requests == []


def test_a_refused_scalekit_token_is_reminted_once(
    sandbox: Sandbox, fake: FakeScalekit, invoke: Invoke
) -> None:
    original = fake.handle_request
    proxied = 0

    def revoke_after_three(request: httpx.Request) -> httpx.Response:
        nonlocal proxied
        if request.url.path.startswith("/proxy/"):
            proxied += 1
            if proxied == 4:
                fake.revoke_tokens()  # e.g. the Scalekit token expired server-side
        return original(request)

    fake.handle_request = revoke_after_three  # type: ignore[method-assign]
    result = invoke(["plan", CONFIG, "--concurrency", "1"], transport=fake, env=scalekit_env())
    assert result.exit_code == 0, result.output
    assert fake.log[:6] == [
        "POST /oauth/token",
        "GET /api/v1/connected_accounts/details",
        "GET /proxy/users/me",
        "GET /proxy/organization_memberships",
        "GET /proxy/organizations/HCM6XP36DO3X2XMK/invitations",
        "GET /proxy/event_types",
    ]
    assert fake.log.count("POST /oauth/token") == 2
    refused = fake.log.index("POST /oauth/token", 1)
    assert fake.log[refused - 1] == fake.log[refused + 1]  # the refused call, sent again
    assert {h["authorization"] for h in fake.proxied_headers[refused - 1 :]} == {
        "Bearer sk-m2m-token-0002"
    }
    assert len(sandbox.requests) == len(READS)  # nothing reached Calendly twice


def test_an_account_that_loses_calendly_mid_run_is_reported_with_the_link(
    sandbox: Sandbox, fake: FakeScalekit, invoke: Invoke
) -> None:
    fake.accounts[("calendly", IDENTIFIER)].expire_after = 1
    result = invoke(["plan", CONFIG, "--concurrency", "1"], transport=fake, env=scalekit_env())
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: the Calendly account connected in Scalekit (connection 'calendly', identifier "
        f"'{IDENTIFIER}') is EXPIRED, not ACTIVE: authorize it at {LINK} and run this again"
    )


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ((401, "application/json", '{"error": "invalid_client", "error_description": "bad"}'),
         "Scalekit refused the client credentials (POST /oauth/token answered 401: "
         "invalid_client: bad): check SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET"),
        ((502, "text/html", "<html><body><h1>502 Bad Gateway</h1>" + "x" * 300 + "</body></html>"),
         "could not get a Scalekit token (POST /oauth/token answered 502: <html><body><h1>502 "
         "Bad Gateway</h1>" + "x" * 164 + "…)"),
        ((200, "application/json", '{"token_type": "Bearer"}'),
         "could not get a Scalekit token (POST /oauth/token answered 200: "
         '{"token_type": "Bearer"})'),
    ],
)  # fmt: skip
def test_scalekit_failures_are_one_clear_line(
    sandbox: Sandbox,
    fake: FakeScalekit,
    invoke: Invoke,
    error: tuple[int, str, str],
    message: str,
) -> None:
    fake.token_error = error
    result = invoke(["plan", CONFIG], transport=fake, env=scalekit_env())
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert CLIENT_SECRET not in result.output


def test_an_unreachable_scalekit_is_one_clear_line(invoke: Invoke) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    result = invoke(["plan", CONFIG], transport=httpx.MockTransport(down), env=scalekit_env())
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot reach Scalekit at {ENV_URL}: [Errno 111] Connection refused\n"
    )


def test_missing_settings_are_named_together(invoke: Invoke) -> None:
    env = scalekit_env(SCALEKIT_CLIENT_SECRET="", SCALEKIT_IDENTIFIER="")
    result = invoke(["plan", CONFIG], env=env)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --auth scalekit needs SCALEKIT_CLIENT_SECRET, SCALEKIT_IDENTIFIER "
        "(or the matching --scalekit-* flags)\n"
    )


def test_debug_output_never_shows_a_scalekit_secret(
    sandbox: Sandbox, fake: FakeScalekit, invoke: Invoke
) -> None:
    result = invoke(["plan", CONFIG, "--debug"], transport=fake, env=scalekit_env())
    assert result.exit_code == 0, result.output
    assert "debug: GET /users/me" in result.stderr
    for secret in (CLIENT_SECRET, "sk-m2m-token-0001", sandbox.token("reconciler")):
        assert secret not in result.output
