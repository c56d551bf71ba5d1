"""The ASGI app: health for probes; a delivery is verified before anything else happens."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest

from reconciler.client.secret import Secret
from reconciler.watch.app import MAX_BODY, WebhookApp
from reconciler.watch.coalesce import FULL
from reconciler.watch.signature import sign

KEY = Secret("whsec-watch-test-key")
NOW = 1_795_348_800
ALICE = "https://api.calendly.com/users/ALICE"


def delivery(event: str = "event_type.updated", owner: str | None = ALICE) -> bytes:
    payload: dict[str, object] = {"uri": "https://api.calendly.com/event_types/ET1"}
    if owner:
        payload["profile"] = {"type": "User", "owner": owner, "name": "Alice"}
    body = {"event": event, "created_at": "2026-11-22T12:00:00Z", "payload": payload}
    return json.dumps(body).encode()


class Fixture:
    def __init__(self) -> None:
        self.queued: list[str] = []
        self.healthy = True
        self.app = WebhookApp(
            path="/hooks/calendly",
            key=KEY,
            queue=self.queued.append,
            healthy=lambda: self.healthy,
            clock=lambda: NOW,
        )

    def send(self, method: str, path: str, body: bytes = b"", **headers: str) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://watch") as http:
                return await http.request(method, path, content=body, headers=headers)

        return asyncio.run(go())

    def post(self, body: bytes, signature: str | None) -> httpx.Response:
        headers = {"Calendly-Webhook-Signature": signature} if signature else {}
        return self.send("POST", "/hooks/calendly", body, **headers)


@pytest.fixture
def fx() -> Fixture:
    return Fixture()


def test_health_answers_for_probes(fx: Fixture) -> None:
    assert (fx.send("GET", "/healthz").status_code, fx.send("GET", "/healthz").json()) == (
        200,
        {"status": "ok"},
    )
    fx.healthy = False
    assert fx.send("GET", "/healthz").status_code == 503
    assert fx.send("POST", "/healthz").status_code == 405


def test_a_verified_delivery_queues_its_owner_and_is_answered_at_once(fx: Fixture) -> None:
    body = delivery()
    answer = fx.post(body, sign(KEY, NOW, body))
    assert (answer.status_code, answer.json()) == (202, {"status": "accepted"})
    assert fx.queued == [ALICE]


def test_a_delivery_without_an_owner_asks_for_a_full_check(fx: Fixture) -> None:
    body = delivery("event_type.deleted", owner=None)
    assert fx.post(body, sign(KEY, NOW, body)).status_code == 202
    assert fx.queued == [FULL]


def test_a_team_event_type_asks_for_a_full_check(fx: Fixture) -> None:
    body = json.dumps(
        {
            "event": "event_type.updated",
            "payload": {"profile": {"type": "Team", "owner": "https://api.calendly.com/teams/T"}},
        }
    ).encode()
    assert fx.post(body, sign(KEY, NOW, body)).status_code == 202
    assert fx.queued == [FULL]


def test_other_events_are_acknowledged_and_ignored(fx: Fixture) -> None:
    body = delivery("invitee.created")
    assert fx.post(body, sign(KEY, NOW, body)).json() == {"status": "ignored"}
    assert fx.queued == []


def test_forged_stale_or_unsigned_deliveries_get_a_4xx_trigger_nothing_and_are_not_logged(
    fx: Fixture, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="reconciler.watch")
    body = delivery()
    forged = sign(Secret("guessed-key"), NOW, body)
    assert fx.post(body, forged).status_code == 403
    assert fx.post(body, sign(KEY, NOW - 600, body)).status_code == 403
    assert fx.post(body, None).status_code == 400
    assert fx.post(body, "t=1,v1=zz").status_code == 400
    signed_garbage = b"not json"
    assert fx.post(signed_garbage, sign(KEY, NOW, signed_garbage)).status_code == 400
    assert fx.post(b"x" * (MAX_BODY + 1), None).status_code == 413
    assert fx.queued == []
    records = [(r.getMessage(), r.__dict__["fields"]) for r in caplog.records]
    assert records == [
        ("delivery.rejected", {"reason": "signature does not match", "status": 403}),
        ("delivery.rejected", {"reason": "timestamp outside the replay window", "status": 403}),
        (
            "delivery.rejected",
            {"reason": "no Calendly-Webhook-Signature header", "status": 400},
        ),
        (
            "delivery.rejected",
            {"reason": "malformed Calendly-Webhook-Signature header: bad v1", "status": 400},
        ),
        ("delivery.rejected", {"reason": "body is not JSON", "status": 400}),
        ("delivery.rejected", {"reason": "body too large", "status": 413}),
    ]
    assert "ET1" not in caplog.text and "whsec" not in caplog.text


def test_other_paths_and_methods(fx: Fixture) -> None:
    assert fx.send("POST", "/elsewhere", delivery()).status_code == 404
    assert fx.send("GET", "/hooks/calendly").status_code == 405
    assert fx.queued == []
