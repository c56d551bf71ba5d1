"""The watch's subscription: adopted when usable as is, else deleted and created again."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.client import CalendlyClient
from reconciler.client.secret import Secret
from reconciler.errors import ReconcilerError
from reconciler.sandbox import Sandbox
from reconciler.watch.subscription import EVENTS, Subscription, ensure, remove
from tests.conftest import ClientFactory

URL = "https://watch.acme.example/hooks/calendly"
KEY = Secret("whsec-watch-test-key")


def writes(sandbox: Sandbox, since: int) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.body) for r in sandbox.requests[since:] if r.method != "GET"]


def existing(client: CalendlyClient, sandbox: Sandbox, **body: Any) -> str:
    created = client.post(
        "/webhook_subscriptions",
        {
            "url": URL,
            "events": list(EVENTS),
            "organization": sandbox.org_uri,
            "scope": "organization",
            "signing_key": "old-key",
            **body,
        },
    )
    return str(created["uri"])


def hook_id(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


def test_without_one_it_creates_an_organization_subscription_with_our_key(
    sandbox: Sandbox, connect: ClientFactory
) -> None:
    client = connect()
    mark = len(sandbox.requests)
    sub = ensure(client, sandbox.org_uri, URL, KEY, key_is_new=True)
    assert sub.adopted is False
    assert writes(sandbox, mark) == [
        (
            "POST",
            "/webhook_subscriptions",
            {
                "url": URL,
                "events": ["event_type.created", "event_type.deleted", "event_type.updated"],
                "organization": sandbox.org_uri,
                "scope": "organization",
                "signing_key": "(sensitive)",
            },
        )
    ]
    assert sandbox.signing_key_matches(sub.uri, KEY.reveal())


def test_a_usable_one_is_adopted_without_any_write(
    sandbox: Sandbox, connect: ClientFactory
) -> None:
    client = connect()
    uri = existing(client, sandbox, events=[*EVENTS, "invitee.created"])
    mark = len(sandbox.requests)
    assert ensure(client, sandbox.org_uri, URL, KEY, key_is_new=False) == Subscription(uri, True)
    assert writes(sandbox, mark) == []
    assert [(r.method, r.path, dict(r.query)) for r in sandbox.requests[mark:]] == [
        (
            "GET",
            "/webhook_subscriptions",
            {"organization": sandbox.org_uri, "scope": "organization", "count": "100"},
        )
    ]


@pytest.mark.parametrize("why", ["generated key", "disabled", "missing events"])
def test_one_that_cannot_be_used_as_is_is_replaced(
    sandbox: Sandbox, connect: ClientFactory, why: str
) -> None:
    client = connect()
    events = ["event_type.updated"] if why == "missing events" else list(EVENTS)
    old = existing(client, sandbox, events=events)
    if why == "disabled":
        sandbox.disable_webhook(old)
    mark = len(sandbox.requests)
    sub = ensure(client, sandbox.org_uri, URL, KEY, key_is_new=why == "generated key")
    assert sub.adopted is False and sub.uri != old
    assert [(m, p) for m, p, _ in writes(sandbox, mark)] == [
        ("DELETE", f"/webhook_subscriptions/{hook_id(old)}"),
        ("POST", "/webhook_subscriptions"),
    ]
    at_url = [h["id"] for h in sandbox.state()["webhooks"] if h["callback_url"] == URL]
    assert at_url == [hook_id(sub.uri)]
    assert sandbox.signing_key_matches(sub.uri, KEY.reveal())


def test_subscriptions_at_other_urls_are_left_alone(
    sandbox: Sandbox, connect: ClientFactory
) -> None:
    client = connect()
    before = {h["id"] for h in sandbox.state()["webhooks"]}
    sub = ensure(client, sandbox.org_uri, URL, KEY, key_is_new=True)
    after = {h["id"] for h in sandbox.state()["webhooks"]}
    assert after == before | {hook_id(sub.uri)}


def test_a_url_taken_by_a_user_subscription_is_one_clear_error(
    sandbox: Sandbox, connect: ClientFactory
) -> None:
    client = connect()
    existing(client, sandbox, scope="user", user=sandbox.user_uri("alice@acme.example"))
    with pytest.raises(ReconcilerError) as caught:
        ensure(client, sandbox.org_uri, URL, Secret("whsec-new-key-1234"), key_is_new=True)
    assert str(caught.value) == (
        f"cannot subscribe {URL}: another webhook subscription (user or group scope) already "
        "uses this URL; delete it or choose another --public-url"
    )


def test_remove_deletes_it_and_tolerates_it_being_gone(
    sandbox: Sandbox, connect: ClientFactory
) -> None:
    client = connect()
    sub = ensure(client, sandbox.org_uri, URL, KEY, key_is_new=True)
    remove(client, sub)
    remove(client, sub)  # 404 the second time: already what we want
    assert hook_id(sub.uri) not in {h["id"] for h in sandbox.state()["webhooks"]}
