"""A plan makes exactly the fewest API calls its config allows (issue 7), counted per endpoint
from the sandbox's request log on generated organizations.

The lower bound (tests/perf/orgs.py): one GET per 100 objects of each listing the config needs
(at least one page each), one availability GET per declared availability, one discovery GET.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import httpx
import pytest

from reconciler.client import CalendlyClient, Secret
from reconciler.client.connect import BearerAuth
from reconciler.config import load_config
from reconciler.diff import diff
from reconciler.impact import assess
from reconciler.live import read_live
from reconciler.sandbox import Sandbox
from tests.conftest import API
from tests.harness import Harness
from tests.helpers import FakeClock
from tests.perf.orgs import TOKEN, OrgSize, booking_owners, fixture, lower_bound, write_config

TODAY = dt.date(2026, 11, 22)
LISTINGS = {
    "GET /organization_memberships",
    "GET /organizations/{uuid}/invitations",
    "GET /event_types",
    "GET /groups",
    "GET /webhook_subscriptions",
}

SIZES = {
    # The issue's example: a big org, a share of it with managed availability.
    "1000 members, 2500 event types": OrgSize(
        members=1000, pending=20, event_types=2500, availability=400, webhooks=60
    ),
    # Page boundaries: exactly full pages, one more than a page, empty listings.
    "page boundaries": OrgSize(
        members=200, pending=0, event_types=101, availability=101, webhooks=105, drift_every=0
    ),
}


def plan_calls(
    size: OrgSize, tmp_path: Path, *, rate_limit: int | None, concurrency: int = 8
) -> tuple[Sandbox, int]:
    clock = FakeClock()
    sandbox = Sandbox(fixture(size), clock=clock, sleep=clock.sleep, rate_limit=rate_limit)
    config = load_config([write_config(size, tmp_path / "config")])
    http = httpx.Client(base_url=API, transport=sandbox.transport(), auth=BearerAuth(Secret(TOKEN)))
    client = CalendlyClient(
        http, read_only=True, max_concurrency=concurrency, clock=clock, sleep=clock.sleep
    )
    with http:
        plan = diff(config, read_live(client, config, today=TODAY), today=TODAY)
    return sandbox, len(plan.changes)


@pytest.mark.parametrize("name", SIZES)
def test_a_plan_makes_exactly_the_lower_bound_of_calls(name: str, tmp_path: Path) -> None:
    size = SIZES[name]
    sandbox, changes = plan_calls(size, tmp_path, rate_limit=1_000_000)
    made = Counter(r.operation for r in sandbox.requests)
    assert made == lower_bound(size)
    assert {r.method for r in sandbox.requests} == {"GET"}
    assert {r.status for r in sandbox.requests} == {200}
    for request in sandbox.requests:
        if request.operation in LISTINGS:
            assert dict(request.query)["count"] == "100", request
    assert (changes > 0) == (size.drift_every > 0)  # the drifted objects are planned


def test_the_bound_for_the_issue_example(tmp_path: Path) -> None:
    """The arithmetic, spelled out once: 1 + 10 + 1 + 25 + 400 + 1 + (1 + 2 + 1) = 442."""
    bound = lower_bound(SIZES["1000 members, 2500 event types"])
    assert dict(bound) == {
        "GET /users/me": 1,
        "GET /organization_memberships": 10,
        "GET /organizations/{uuid}/invitations": 1,
        "GET /event_types": 25,
        "GET /event_type_availability_schedules": 400,
        "GET /groups": 1,
        "GET /webhook_subscriptions": 4,  # organization scope, two users, one group
    }
    assert sum(bound.values()) == 442


def test_under_the_rate_limit_the_count_is_the_same_and_nothing_is_refused(
    tmp_path: Path,
) -> None:
    """442 calls, 300 a window: the limiter waits once, mid-plan, and causes no 429."""
    size = SIZES["1000 members, 2500 event types"]
    sandbox, _ = plan_calls(size, tmp_path, rate_limit=300)
    assert Counter(r.operation for r in sandbox.requests) == lower_bound(size)
    assert {r.status for r in sandbox.requests} == {200}


# `owners:` entries and booking impact (issue 14) ------------------------------------------


def test_an_owners_group_costs_the_group_listing_and_one_relationship_listing(
    harness: Harness,
) -> None:
    """Floor of a plan that declares no availability: discovery, memberships, invitations,
    event types; `{group: Sales}` adds GET /groups and GET /group_relationships, once each."""
    config = harness.config(
        "members:\n  - email: alice@acme.example\n"
        "event_types:\n  - name: Sales Intro\n"
        "    owners: [alice@acme.example, {group: Sales}]\n    duration: 30\n"
    )
    harness.plan(config)
    made = Counter(r.operation for r in harness.sandbox.requests)
    assert made == {
        "GET /users/me": 1,
        "GET /organization_memberships": 1,
        "GET /organizations/{uuid}/invitations": 1,
        "GET /event_types": 1,
        "GET /groups": 1,
        "GET /group_relationships": 1,
    }


def test_booking_reads_are_one_listing_per_affected_owner(tmp_path: Path) -> None:
    """On top of the floor, the booking impact reads one listing per owner with a change that
    can affect bookings, and nothing else (benchmarks/README.md, "Booking reads")."""
    size = SIZES["1000 members, 2500 event types"]
    clock = FakeClock()
    sandbox = Sandbox(fixture(size), clock=clock, sleep=clock.sleep)
    config = load_config([write_config(size, tmp_path / "config")])
    http = httpx.Client(base_url=API, transport=sandbox.transport(), auth=BearerAuth(Secret(TOKEN)))
    client = CalendlyClient(http, read_only=True, clock=clock, sleep=clock.sleep)
    with http:
        live = read_live(client, config, today=TODAY)
        plan = diff(config, live, today=TODAY)
        mark = len(sandbox.requests)
        assessed = assess(plan, live, client, now=dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC))
    reads = sandbox.requests[mark:]
    users = {dict(r.query)["user"] for r in reads}
    assert Counter(r.operation for r in reads) == {"GET /scheduled_events": len(users)}
    assert users == {live.context.users[owner] for owner in booking_owners(size)}
    # 250 duration changes over 100 owners, 40 availability changes removing time over 40 more:
    # 140 listings for 290 changes (the figures benchmarks/README.md quotes).
    assert len(users) == 140
    assert sum(c.impact is not None for c in assessed.changes) == 290
