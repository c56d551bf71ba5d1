"""A write whose outcome is unknown is never sent again before looking whether it happened.

Aspects, each on the sandbox's request log: a PATCH of an event type or of an availability
whose answer was lost after it was applied is read back, not re-sent; a DELETE whose answer was
lost is confirmed gone by a GET; a PATCH that really failed is re-sent only after each look;
the lookup that adopts a lost create never adopts another owner's event type nor trips on a
malformed item; a create answered without the new object's uri fails clearly and the next
apply finishes the work without duplicating it; the follow-up PATCH that re-sets `active`
survives a lost answer too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from reconciler import recovery
from reconciler.apply import Status, apply
from reconciler.client import CalendlyClient, Secret
from reconciler.client.connect import BearerAuth
from reconciler.model import Request
from reconciler.sandbox import Sandbox
from tests.conftest import API
from tests.harness import Harness
from tests.helpers import FakeClock

Rewrite = Callable[[httpx.Request, dict[str, Any]], dict[str, Any]]


def client_with(sandbox: Sandbox, clock: FakeClock, rewrite: Rewrite) -> CalendlyClient:
    """A client whose answers to writes pass through `rewrite` (on their JSON body)."""
    inner = sandbox.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        response.read()
        if request.method == "GET" or not response.content:
            return response
        body = rewrite(request, json.loads(response.content))
        return httpx.Response(response.status_code, json=body, headers=response.headers)

    secret = Secret(sandbox.token("demo"))
    http = httpx.Client(
        base_url=API, transport=httpx.MockTransport(handle), auth=BearerAuth(secret)
    )
    return CalendlyClient(http, secrets=(secret,), clock=clock, sleep=clock.sleep)


def log(sandbox: Sandbox, since: int = 0) -> list[tuple[str, str, str | None, int | None]]:
    """(method, path, fault, status) of what apply sent, reads of listings left out."""
    return [
        (r.method, r.path, r.fault, r.status)
        for r in sandbox.requests[since:]
        if not (r.method == "GET" and dict(r.query).get("count"))
    ]


def test_a_lost_patch_is_read_back_not_sent_again(harness: Harness, sandbox: Sandbox) -> None:
    intro = harness.event_type_id("alice@acme.example", "Intro Call")
    config = harness.config("members: [{email: alice@acme.example}]\n"
        "event_types:\n  - {name: Intro Call, owner: alice@acme.example, "
                            "duration: 45, color: '#ABCDEF'}\n")  # fmt: skip
    sandbox.set_faults("seed=1,commit_drop=1.0,methods=PATCH")
    mark = len(sandbox.requests)
    _, result, _ = harness.apply(config)
    assert [(o.status, o.message) for o in result.outcomes] == [(Status.DONE, "")]
    assert log(sandbox, mark)[-2:] == [
        ("PATCH", f"/event_types/{intro}", "commit_drop", None),
        ("GET", f"/event_types/{intro}", None, 200),
    ]
    sandbox.set_faults(None)
    assert harness.plan(config).changes == ()


def test_a_lost_availability_patch_is_read_back(harness: Harness, sandbox: Sandbox) -> None:
    config = harness.config("""
    members: [{email: chloe@acme.example}]
    event_types:
      - name: Partner Intro
        owner: chloe@acme.example
        availability:
          timezone: Europe/Paris
          rules: [{wday: [monday, friday], intervals: ["08:00-12:00"]}]
    """)
    sandbox.set_faults("seed=1,commit_drop=1.0,methods=PATCH")
    mark = len(sandbox.requests)
    _, result, _ = harness.apply(config)
    assert [o.status for o in result.outcomes] == [Status.DONE]
    path = "/event_type_availability_schedules"
    assert log(sandbox, mark)[-2:] == [
        ("PATCH", path, "commit_drop", None),
        ("GET", path, None, 200),
    ]
    sandbox.set_faults(None)
    assert harness.plan(config).changes == ()


def test_a_lost_delete_is_confirmed_gone(harness: Harness, sandbox: Sandbox) -> None:
    crm = harness.webhook_id("https://crm.acme.example/integrations/calendly")
    config = harness.config("""
    webhooks:
      - url: https://hooks.acme.example/calendly/bookings
        scope: organization
        events: [invitee.created, invitee.canceled, invitee_no_show.created]
    policy: {prune: [webhooks], max_delete_fraction: 1}
    """)
    sandbox.set_faults("seed=1,commit_drop=1.0,methods=DELETE")
    mark = len(sandbox.requests)
    _, result, _ = harness.apply(config)
    assert [(o.change.action, o.status) for o in result.outcomes] == [("delete", Status.DONE)]
    assert log(sandbox, mark)[-2:] == [
        ("DELETE", f"/webhook_subscriptions/{crm}", "commit_drop", None),
        ("GET", f"/webhook_subscriptions/{crm}", None, 404),
    ]


def test_a_patch_that_did_not_happen_is_sent_again_only_after_each_look(
    harness: Harness, sandbox: Sandbox
) -> None:
    intro = harness.event_type_id("alice@acme.example", "Intro Call")
    config = harness.config(
        "members: [{email: alice@acme.example}]\n"
        "event_types:\n  - {name: Intro Call, owner: alice@acme.example, duration: 45}\n"
    )
    sandbox.set_faults("seed=1,5xx=1.0,codes=503,methods=PATCH")
    mark = len(sandbox.requests)
    _, result, _ = harness.apply(config)
    assert [(o.status, o.message) for o in result.outcomes] == [
        (
            Status.FAILED,
            f"PATCH /event_types/{intro} failed 4 times, each checked afterwards: it was not "
            f"applied (last: PATCH /event_types/{intro} answered 503: Calendly may or may not "
            "have applied it)",
        )
    ]
    patch = ("PATCH", f"/event_types/{intro}", "503", 503)
    look = ("GET", f"/event_types/{intro}", None, 200)
    assert log(sandbox, mark)[-8:] == [patch, look, patch, look, patch, look, patch, look]


class Listing:
    """A reader whose every listing answers `items`."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def list_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.items

    def get_resource(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        raise AssertionError("not used")

    def get_collection(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        raise AssertionError("not used")


ALICE = "https://api.calendly.com/users/ALICE"
BEN = "https://api.calendly.com/users/BEN"


def test_a_lost_create_adopts_only_exactly_what_it_would_have_created() -> None:
    create = Request("POST", "/event_types", body={"owner": ALICE, "name": "Sync"})
    mine = {"uri": "u1", "name": "Sync", "profile": {"owner": ALICE}, "deleted_at": None}
    others = [
        {"uri": "u2", "name": "Sync", "profile": {"owner": BEN}},  # a team type ALICE hosts
        {"uri": "u4", "name": "Sync", "profile": "x"},
        {"uri": "u5", "name": "Sync", "profile": {"owner": ALICE}, "deleted_at": "2026-01-01"},
        {"uri": "u6", "name": "Sync", "profile": {"owner": ALICE}, "type": "AdhocEventType"},
    ]
    assert recovery.find_created(Listing(others), create, "org") is None
    assert recovery.find_created(Listing([*others, mine]), create, "org") == mine
    # Listed `?user=ALICE`: one without `profile` (Calendly documents some) is ALICE's.
    no_profile = {"uri": "u3", "name": "Sync", "profile": None}
    assert recovery.find_created(Listing([*others, no_profile]), create, "org") == no_profile

    hook = Request(
        "POST",
        "/webhook_subscriptions",
        body={"url": "https://h.example/x", "scope": "organization", "events": ["b", "a"]},
    )
    malformed: list[Any] = [
        {"callback_url": "https://h.example/x", "scope": "organization", "events": "ab"},
        {"callback_url": "https://h.example/x", "scope": "organization", "events": [1, None]},
        {"callback_url": "https://h.example/x", "scope": "user", "events": ["a", "b"]},
        {"callback_url": "https://h.example/x", "scope": "organization"},
    ]
    assert recovery.find_created(Listing(malformed), hook, "org") is None
    good = {"callback_url": "https://h.example/x", "scope": "organization", "events": ["a", "b"]}
    assert recovery.find_created(Listing([*malformed, good]), hook, "org") == good

    invite = Request("POST", "/organizations/O/invitations", body={"email": "Quinn@acme.example"})
    odd: list[Any] = [{"email": None}, {"email": 5}, {"email": ["quinn@acme.example"]}, {}]
    assert recovery.find_created(Listing(odd), invite, "org") is None
    found = {"email": "quinn@acme.example"}
    assert recovery.find_created(Listing([*odd, found]), invite, "org") == found


NEW_TYPE = """
members: [{email: dana@acme.example}]
event_types:
  - name: Pricing Review
    owner: dana@acme.example
    active: true
    availability:
      timezone: America/Chicago
      rules: [{wday: friday, intervals: ["10:00-11:00"]}]
"""


def test_a_create_answered_without_its_uri_fails_clearly_and_is_not_duplicated(
    harness: Harness, sandbox: Sandbox, clock: FakeClock
) -> None:
    def no_uri(request: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        if request.url.path == "/event_types":
            body["resource"].pop("uri")
        return body

    config = harness.config(NEW_TYPE)
    plan = harness.plan(config)
    result = apply(plan, client_with(sandbox, clock, no_uri))
    assert [(o.change.kind, o.status, o.message) for o in result.outcomes] == [
        (
            "event_type",
            Status.FAILED,
            "POST /event_types succeeded but answered without the new object's `uri`; "
            "plan again to see it",
        ),
        (
            "availability",
            Status.SKIPPED,
            "depends on event_type:dana@acme.example/Pricing Review, which failed",
        ),
    ]
    again, second, _ = harness.apply(config)
    # Calendly created it inactive and the lost answer kept apply from setting `active` again:
    # the next plan does it.
    assert [(c.kind, str(c.action)) for c in again.changes] == [
        ("event_type", "update"),
        ("availability", "update"),
    ]
    assert second.ok
    names = [e["name"] for e in sandbox.state()["event_types"]]
    assert names.count("Pricing Review") == 1


def test_the_follow_up_patch_of_active_survives_a_lost_answer(
    harness: Harness, sandbox: Sandbox, clock: FakeClock
) -> None:
    """Calendly has been seen to create event types inactive whatever the body said."""
    created: list[str] = []

    def inactive(request: httpx.Request, body: dict[str, Any]) -> dict[str, Any]:
        if request.method == "POST" and request.url.path == "/event_types":
            body["resource"]["active"] = False  # what Calendly answers
            created.append(body["resource"]["uri"].rsplit("/", 1)[1])
        return body

    config = harness.config(NEW_TYPE)
    plan = harness.plan(config)
    sandbox.set_faults("seed=1,commit_drop=1.0,methods=PATCH")
    mark = len(sandbox.requests)
    result = apply(plan, client_with(sandbox, clock, inactive))
    assert [(o.change.kind, o.status, o.message) for o in result.outcomes] == [
        ("event_type", Status.DONE, "set active again: Calendly ignored it on create"),
        ("availability", Status.DONE, ""),
    ]
    [new] = created
    assert (
        "PATCH", f"/event_types/{new}", "commit_drop", None
    ) in log(sandbox, mark)  # fmt: skip
    assert ("GET", f"/event_types/{new}", None, 200) in log(sandbox, mark)
    assert [r.method for r in sandbox.requests[mark:] if r.path == f"/event_types/{new}"] == [
        "PATCH",
        "GET",
    ]


def test_a_malformed_read_back_fails_the_change_clearly(
    harness: Harness, sandbox: Sandbox, clock: FakeClock
) -> None:
    intro = harness.event_type_id("alice@acme.example", "Intro Call")
    config = harness.config(
        "members: [{email: alice@acme.example}]\n"
        "event_types:\n  - {name: Intro Call, owner: alice@acme.example, duration: 45}\n"
    )
    plan = harness.plan(config)
    inner = sandbox.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        response.read()
        if request.method == "GET" and request.url.path == f"/event_types/{intro}":
            body = json.loads(response.content)
            body["resource"]["duration"] = "45 minutes"
            return httpx.Response(200, json=body)
        return response

    secret = Secret(sandbox.token("demo"))
    http = httpx.Client(
        base_url=API, transport=httpx.MockTransport(handle), auth=BearerAuth(secret)
    )
    client = CalendlyClient(http, secrets=(secret,), clock=clock, sleep=clock.sleep)
    sandbox.set_faults("seed=1,commit_drop=1.0,methods=PATCH")
    result = apply(plan, client)
    assert [(o.status, o.message) for o in result.outcomes] == [
        (
            Status.FAILED,
            f"malformed event type (https://api.calendly.com/event_types/{intro}): `duration` is "
            "the string '45 minutes', expected a number or null",
        )
    ]
