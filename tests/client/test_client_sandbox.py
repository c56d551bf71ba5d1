"""CalendlyClient against the sandbox: the behaviours the foundation promises, by request log.

Aspects: pagination across pages with identical filters, 401, 403 with required scopes, 404,
409, 429 with recovery, 5xx retry on reads, no blind retry of a write, read-only mode, and the
token never appearing in an error.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.client import (
    CalendlyClient,
    Conflict,
    InsufficientScope,
    NotFound,
    OutcomeUnknown,
    ReadOnlyViolation,
    Secret,
    Unauthorized,
)
from reconciler.client.connect import BearerAuth
from reconciler.sandbox import Sandbox
from tests.conftest import API, ClientFactory
from tests.helpers import FakeClock


def big_org(event_types: int) -> dict[str, Any]:
    return {
        "organization": {"name": "Big", "plan": "enterprise", "stage": "paid"},
        "users": [{"email": "owner@big.example", "name": "Owner", "role": "owner"}],
        "event_types": [
            {"owner": "owner@big.example", "name": f"Type {i:03d}", "duration": 30}
            for i in range(event_types)
        ],
        "tokens": [{"name": "demo", "token": "big-token-0001", "user": "owner@big.example",
                    "scopes": "legacy"}],
    }  # fmt: skip


def client_for(sandbox: Sandbox, clock: FakeClock, token: str = "demo") -> CalendlyClient:
    secret = Secret(sandbox.token(token))
    http = httpx.Client(base_url=API, transport=sandbox.transport(), auth=BearerAuth(secret))
    return CalendlyClient(http, secrets=(secret,), clock=clock, sleep=clock.sleep)


def test_pagination_drains_every_page_with_identical_filters(clock: FakeClock) -> None:
    sandbox = Sandbox(big_org(230), clock=clock, sleep=clock.sleep)
    client = client_for(sandbox, clock)
    org = client.get_resource("/users/me")["current_organization"]
    items = client.list_all("/event_types", {"organization": org, "sort": "name:asc"})
    assert [i["name"] for i in items] == [f"Type {i:03d}" for i in range(230)]
    pages = [r for r in sandbox.requests if r.path == "/event_types"]
    assert len(pages) == 3
    assert [r.status for r in pages] == [200, 200, 200]
    for page in pages:
        filters = {k: v for k, v in page.query if k != "page_token"}
        assert filters == {"organization": org, "sort": "name:asc", "count": "100"}
    assert "page_token" not in dict(pages[0].query)
    assert all("page_token" in dict(p.query) for p in pages[1:])


def test_an_invalid_token_is_unauthorized(sandbox: Sandbox, clock: FakeClock) -> None:
    http = httpx.Client(
        base_url=API, transport=sandbox.transport(), auth=BearerAuth(Secret("not-a-token-xyz"))
    )
    client = CalendlyClient(http, secrets=(Secret("not-a-token-xyz"),), clock=clock)
    with pytest.raises(Unauthorized) as err:
        client.get("/users/me")
    assert str(err.value) == (
        "GET /users/me answered 401 Unauthenticated: The access token is invalid. The token is "
        "invalid, expired or revoked: check CALENDLY_TOKEN or --token-file (with --auth oauth, "
        "run `calendly-reconciler login`)."
    )


def test_a_missing_scope_names_the_scope(connect: ClientFactory) -> None:
    client = connect("no-scopes")
    with pytest.raises(InsufficientScope) as err:
        client.get("/users/me")
    assert err.value.status == 403
    assert err.value.required_scopes == ["users:read"]
    assert str(err.value) == (
        "GET /users/me needs the scope users:read, which the token was not granted. Add it to "
        "the personal access token (Calendly > Integrations > API & Webhooks) or re-authorize "
        "the OAuth app with it."
    )


def test_not_found(connect: ClientFactory) -> None:
    with pytest.raises(NotFound) as err:
        connect().get("/event_types/NOPE")
    assert str(err.value) == (
        "GET /event_types/NOPE answered 404 Resource Not Found: "
        "The server could not find the requested resource."
    )


def test_conflict_on_a_duplicate_webhook_url(connect: ClientFactory, sandbox: Sandbox) -> None:
    client = connect()
    body = {
        "url": "https://hooks.acme.example/calendly/bookings",
        "events": ["invitee.created"],
        "organization": sandbox.org_uri,
        "scope": "organization",
    }
    with pytest.raises(Conflict) as err:
        client.post("/webhook_subscriptions", body)
    assert str(err.value) == (
        "POST /webhook_subscriptions answered 409 Already Exists: Hook with this url already exists"
    )


def test_a_429_waits_for_the_window_and_recovers(clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, sleep=clock.sleep, rate_limit=5, rate_window=60)
    other = client_for(sandbox, clock, "admin")  # another integration of the same user (ben)
    for _ in range(5):
        other.get("/users/me")
    client = client_for(sandbox, clock, "reconciler")
    assert client.get_resource("/users/me")["email"] == "ben@acme.example"
    mine = [r for r in sandbox.requests if r.token == "reconciler"]
    assert [r.status for r in mine] == [429, 200]
    assert client.stats.throttled == 1
    assert clock.slept == [60.0]


def test_the_limiter_prevents_429s_in_steady_state(clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, sleep=clock.sleep, rate_limit=5, rate_window=60)
    client = client_for(sandbox, clock)
    for _ in range(12):
        client.get("/users/me")
    assert {r.status for r in sandbox.requests} == {200}
    assert client.stats.throttled == 0
    assert len(clock.slept) == 2  # two waits for a fresh window, no 429


def test_server_errors_on_reads_are_retried(sandbox: Sandbox, connect: ClientFactory) -> None:
    sandbox.set_faults("seed=3,5xx=0.6,codes=500+502+503")
    client = connect()
    assert client.get_resource("/users/me")["email"] == "alice@acme.example"
    statuses = [r.status for r in sandbox.requests]
    assert statuses[-1] == 200
    assert len(statuses) > 1 and all(s >= 500 for s in statuses[:-1])
    assert client.stats.retries == len(statuses) - 1


def test_a_write_whose_answer_is_lost_is_not_sent_again(
    sandbox: Sandbox, connect: ClientFactory
) -> None:
    sandbox.set_faults("seed=1,commit_drop=1.0,methods=writes")
    client = connect()
    with pytest.raises(OutcomeUnknown):
        client.post(f"/organizations/{sandbox.org_uri.rsplit('/', 1)[1]}/invitations",
                    {"email": "zoe@acme.example"})  # fmt: skip
    posts = [r for r in sandbox.requests if r.method == "POST"]
    assert [(r.status, r.fault) for r in posts] == [(None, "commit_drop")]
    sandbox.set_faults(None)
    pending = client.list_all(
        f"/organizations/{sandbox.org_uri.rsplit('/', 1)[1]}/invitations",
        {"email": "zoe@acme.example"},
    )
    assert [i["email"] for i in pending] == ["zoe@acme.example"]  # it had been applied


def test_a_5xx_on_a_write_is_an_unknown_outcome_not_a_retry(
    sandbox: Sandbox, connect: ClientFactory
) -> None:
    sandbox.set_faults("seed=1,5xx=1.0,codes=503,methods=writes")
    with pytest.raises(OutcomeUnknown) as err:
        connect().delete("/webhook_subscriptions/whatever")
    assert str(err.value) == (
        "DELETE /webhook_subscriptions/whatever answered 503: "
        "Calendly may or may not have applied it"
    )
    assert len([r for r in sandbox.requests if r.method == "DELETE"]) == 1


def test_read_only_mode_sends_nothing_but_gets(sandbox: Sandbox, connect: ClientFactory) -> None:
    client = connect(read_only=True)
    client.get("/users/me")
    with pytest.raises(ReadOnlyViolation):
        client.post("/event_types", {"name": "x"})
    assert [r.method for r in sandbox.requests] == ["GET"]


def test_no_error_message_contains_the_token(sandbox: Sandbox, connect: ClientFactory) -> None:
    token = sandbox.token("no-webhooks-write")
    client = connect("no-webhooks-write")
    messages = []
    for call in (
        lambda: client.delete("/webhook_subscriptions/x"),
        lambda: client.get("/event_types/NOPE"),
        lambda: client.post("/event_types", {}),
    ):
        with pytest.raises(Exception) as err:
            call()
        messages.append(str(err.value) + repr(err.value))
    assert messages and all(token not in m for m in messages)
