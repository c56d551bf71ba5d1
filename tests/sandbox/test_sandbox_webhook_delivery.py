"""Webhook deliveries: signed event type events to matching loopback subscriptions, with
Calendly's retries, 410 deleting the subscription, and 24 hours of failures disabling it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.delivery import DeliveryOptions, RetrySchedule
from tests.sandbox.conftest import Api
from tests.sandbox.support import FakeClock, last_id, path_of

HOOK = "http://127.0.0.1:8765/hooks/calendly"
KEY = "whsec-sandbox-delivery-key"


@dataclass
class Receiver:
    """Stands in for the subscriber's server: answers with `statuses` in turn (then 200)."""

    statuses: list[int | None] = field(default_factory=list)
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def __call__(self, url: str, headers: Mapping[str, str], body: bytes) -> int | None:
        self.received.append((url, dict(headers), body))
        return self.statuses.pop(0) if self.statuses else 200

    def events(self) -> list[tuple[str, str]]:
        return [(url, json.loads(body)["event"]) for url, _, body in self.received]


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def dsb(make_sandbox: Callable[..., Sandbox], receiver: Receiver) -> Sandbox:
    """The tiny organization, delivering to `receiver` when `run_due()` is called."""
    schedule = RetrySchedule(first=10, factor=2, total=100)
    return make_sandbox(
        delivery=DeliveryOptions(schedule=schedule, post=receiver, background=False)
    )


def subscribe(api: Api, sb: Sandbox, url: str = HOOK, **body: Any) -> str:
    answer = api(sb, "owner").post(
        "/webhook_subscriptions",
        json={
            "url": url,
            "events": ["event_type.created", "event_type.updated", "event_type.deleted"],
            "organization": sb.org_uri,
            "scope": "organization",
            "signing_key": KEY,
            **body,
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["resource"]["uri"])


def event_type_uri(api: Api, sb: Sandbox, name: str) -> str:
    listing = api(sb, "owner").get("/event_types", params={"organization": sb.org_uri})
    return next(str(e["uri"]) for e in listing.json()["collection"] if e["name"] == name)


def patch(api: Api, sb: Sandbox, uri: str, body: dict[str, Any], token: str = "owner") -> None:
    assert api(sb, token).patch(path_of(uri), json=body).status_code == 200


def outcomes(sb: Sandbox) -> list[tuple[int, int | None, str]]:
    assert sb.deliveries is not None
    return [(a.attempt, a.status, a.outcome) for a in sb.deliveries.log]


def run_due(sb: Sandbox) -> float | None:
    assert sb.deliveries is not None
    return sb.deliveries.run_due()


def test_an_update_is_delivered_signed_to_the_subscription(
    dsb: Sandbox, api: Api, receiver: Receiver, clock: FakeClock
) -> None:
    hook = subscribe(api, dsb)
    chat = event_type_uri(api, dsb, "Chat")
    patch(api, dsb, chat, {"duration": 45})
    assert receiver.received == []  # queued under the lock, sent by run_due
    clock.advance(2)
    assert run_due(dsb) is None
    [(url, headers, body)] = receiver.received
    assert url == HOOK
    stamp = str(int(clock.now))
    digest = hmac.new(KEY.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": "Calendly",
        "Calendly-Webhook-Signature": f"t={stamp},v1={digest}",
    }
    delivery = json.loads(body)
    assert set(delivery) == {"event", "created_at", "created_by", "payload"}
    assert delivery["event"] == "event_type.updated"
    assert delivery["created_by"] == dsb.user_uri("owner@tiny.example")
    payload = delivery["payload"]
    assert (payload["uri"], payload["duration"]) == (chat, 45)
    assert payload["profile"]["owner"] == dsb.user_uri("owner@tiny.example")
    assert "description_html" not in payload
    assert outcomes(dsb) == [(1, 200, "delivered")]
    assert dsb.deliveries is not None and dsb.deliveries.log[0].subscription == last_id(hook)


def test_only_matching_subscriptions_get_it_and_a_no_op_update_sends_nothing(
    dsb: Sandbox, api: Api, receiver: Receiver
) -> None:
    mine = "http://127.0.0.1:8765/member"
    subscribe(api, dsb, url=mine, scope="user", user=dsb.user_uri("member@tiny.example"))
    subscribe(api, dsb, url="http://localhost:8765/created-only", events=["event_type.created"])
    crew = "http://127.0.0.1:8765/crew"
    group = api(dsb, "owner").get("/groups", params={"organization": dsb.org_uri})
    subscribe(api, dsb, url=crew, scope="group", group=group.json()["collection"][0]["uri"])
    patch(api, dsb, event_type_uri(api, dsb, "Chat"), {"duration": 45})  # owner's
    patch(api, dsb, event_type_uri(api, dsb, "Member Call"), {"duration": 20})
    patch(api, dsb, event_type_uri(api, dsb, "Member Call"), {"duration": 20})  # no change
    run_due(dsb)
    assert receiver.events() == [
        (mine, "event_type.updated"),
        (crew, "event_type.updated"),
    ]


def test_created_and_deleted_event_types_are_delivered(
    dsb: Sandbox, api: Api, receiver: Receiver
) -> None:
    subscribe(api, dsb)
    owner = dsb.user_uri("owner@tiny.example")
    created = api(dsb, "owner").post("/event_types", json={"owner": owner, "name": "New Call"})
    assert created.status_code == 201
    uri = created.json()["resource"]["uri"]
    deleted = api(dsb).post(f"/_sandbox/event_types/{last_id(uri)}/delete")
    assert deleted.status_code == 204
    assert api(dsb, "owner").get(path_of(uri)).status_code == 404
    run_due(dsb)
    assert receiver.events() == [(HOOK, "event_type.created"), (HOOK, "event_type.deleted")]
    gone = json.loads(receiver.received[1][2])["payload"]
    assert gone == {
        "uri": uri,
        "name": "New Call",
        "profile": {"type": "User", "owner": owner},
        "deleted_at": gone["deleted_at"],
    }


def test_failures_are_retried_with_back_off_then_the_subscription_is_disabled(
    dsb: Sandbox, api: Api, receiver: Receiver, clock: FakeClock
) -> None:
    hook = subscribe(api, dsb)
    patch(api, dsb, event_type_uri(api, dsb, "Chat"), {"duration": 45})
    receiver.statuses = [500, 302, None, 404, 503]
    start = clock.now
    assert run_due(dsb) == start + 10
    state = api(dsb, "owner").get(path_of(hook)).json()["resource"]
    assert (state["state"], state["retry_started_at"] is not None) == ("active", True)
    assert run_due(dsb) == start + 10  # not due yet: nothing sent
    due_times = []
    for _ in range(4):  # 10, 20, 40, then the rest of the 100 s
        clock.now = run_due(dsb) or clock.now
        due_times.append(clock.now - start)
    assert due_times == [10, 30, 70, 100]
    assert run_due(dsb) is None
    assert outcomes(dsb) == [
        (1, 500, "retrying"),
        (2, 302, "retrying"),
        (3, None, "retrying"),
        (4, 404, "retrying"),
        (5, 503, "disabled"),
    ]
    assert api(dsb, "owner").get(path_of(hook)).json()["resource"]["state"] == "disabled"


def test_a_retry_that_succeeds_stops_the_retries(
    dsb: Sandbox, api: Api, receiver: Receiver, clock: FakeClock
) -> None:
    subscribe(api, dsb)
    patch(api, dsb, event_type_uri(api, dsb, "Chat"), {"duration": 45})
    receiver.statuses = [500]
    clock.now = run_due(dsb) or 0
    assert run_due(dsb) is None
    assert outcomes(dsb) == [(1, 500, "retrying"), (2, 200, "delivered")]
    first, second = (h["Calendly-Webhook-Signature"] for _, h, _ in receiver.received)
    assert first != second  # signed afresh: a retry hours later is not a stale replay


def test_410_gone_deletes_the_subscription_without_retrying(
    dsb: Sandbox, api: Api, receiver: Receiver
) -> None:
    hook = subscribe(api, dsb)
    patch(api, dsb, event_type_uri(api, dsb, "Chat"), {"duration": 45})
    receiver.statuses = [410]
    assert run_due(dsb) is None
    assert outcomes(dsb) == [(1, 410, "gone")]
    assert api(dsb, "owner").get(path_of(hook)).status_code == 404


def test_nothing_is_sent_off_this_machine(dsb: Sandbox, api: Api, receiver: Receiver) -> None:
    subscribe(api, dsb, url="https://hooks.tiny.example/watch")
    patch(api, dsb, event_type_uri(api, dsb, "Chat"), {"duration": 45})
    assert run_due(dsb) is None
    assert receiver.received == []
    assert outcomes(dsb) == [(0, None, "skipped")]


def test_callback_urls_https_anywhere_plain_http_only_on_loopback(sb: Sandbox, api: Api) -> None:
    for url, status in (
        ("http://hooks.tiny.example/x", 400),
        ("http://10.0.0.1/x", 400),
        ("http://127.0.0.1:9/x", 201),
        ("http://localhost/y", 201),
        ("https://hooks.tiny.example/z", 201),
    ):
        answer = api(sb, "owner").post(
            "/webhook_subscriptions",
            json={
                "url": url,
                "events": ["event_type.updated"],
                "organization": sb.org_uri,
                "scope": "organization",
            },
        )
        assert answer.status_code == status, url
        if status == 400:
            assert answer.json()["details"] == [
                {
                    "parameter": "url",
                    "message": "must be an https URL (plain http only for 127.0.0.1 or localhost)",
                }
            ]


def test_signing_keys_stay_in_memory_only(dsb: Sandbox, api: Api) -> None:
    subscribe(api, dsb)
    assert KEY not in json.dumps(dsb.state())


def test_without_delivery_options_nothing_is_queued(sb: Sandbox, api: Api) -> None:
    subscribe(api, sb)
    patch(api, sb, event_type_uri(api, sb, "Chat"), {"duration": 45})
    assert sb.deliveries is None


def test_a_real_post_reaches_a_loopback_server() -> None:
    """post_http against a real socket: status back, no redirect followed."""
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from threading import Thread

    from reconciler.sandbox.delivery import post_http

    seen: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(302 if self.path == "/moved" else 202)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert post_http(f"{base}/hook", {"X": "1"}, b"{}") == 202
        assert post_http(f"{base}/moved", {}, b"[]") == 302
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [b"{}", b"[]"]
    closed = httpx.URL(base).port
    assert post_http(f"http://127.0.0.1:{closed}/hook", {}, b"{}") is None
    assert post_http("http://127.0.0.1:port/hook", {}, b"{}") is None


def test_an_availability_change_is_an_event_type_update(
    dsb: Sandbox, api: Api, receiver: Receiver
) -> None:
    subscribe(api, dsb)
    chat = event_type_uri(api, dsb, "Chat")
    rules = [{"type": "wday", "wday": "monday", "intervals": [{"from": "09:00", "to": "12:00"}]}]
    answer = api(dsb, "owner").patch(
        "/event_type_availability_schedules",
        params={"event_type": chat},
        json={"availability_rule": {"timezone": "UTC", "rules": rules}},
    )
    assert answer.status_code == 200, answer.text
    run_due(dsb)
    assert receiver.events() == [(HOOK, "event_type.updated")]
    assert json.loads(receiver.received[0][2])["payload"]["uri"] == chat
