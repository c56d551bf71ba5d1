"""A failure skips what depends on it, and nothing else."""

from __future__ import annotations

from reconciler.apply import Status
from tests.harness import Harness

CONFIG = """
members: [{email: alice@acme.example}, {email: dana@acme.example}]
event_types:
  - name: Intro Call
    owner: alice@acme.example
    duration: 50
  - name: Pricing Review
    owner: dana@acme.example
    availability:
      timezone: UTC
      rules: [{wday: monday, intervals: ["09:00-10:00"]}]
"""


def test_a_failed_create_skips_its_availability_only(harness: Harness) -> None:
    harness.sandbox.set_faults("seed=1,5xx=1.0,codes=500,methods=POST")
    plan, result, writes = harness.apply(harness.config(CONFIG))
    outcomes = {(o.change.kind, o.change.key): (o.status, o.message) for o in result.outcomes}
    assert outcomes == {
        ("event_type", "alice@acme.example/Intro Call"): (Status.DONE, ""),
        ("event_type", "dana@acme.example/Pricing Review"): (
            Status.FAILED,
            "POST /event_types failed 4 times, each checked afterwards: it was not applied "
            "(last: POST /event_types answered 500: Calendly may or may not have applied it)",
        ),
        ("availability", "dana@acme.example/Pricing Review"): (
            Status.SKIPPED,
            "depends on event_type:dana@acme.example/Pricing Review, which failed",
        ),
    }
    assert not result.ok
    assert len(plan.changes) == 3
    # The lost create was looked up by owner and name before each re-send (never re-sent
    # blindly), and once more after the last attempt, so that the report says what happened.
    dana = harness.sandbox.user_uri("dana@acme.example")
    creates = [
        (r.method, r.path, dict(r.query))
        for r in harness.sandbox.requests
        if r.path == "/event_types" and (r.method == "POST" or dict(r.query).get("user") == dana)
    ]
    lookup = ("GET", "/event_types", {"user": dana, "count": "100"})
    post = ("POST", "/event_types", {})
    # (first: the look that makes a create idempotent, before the first send)
    assert creates == [lookup, post, lookup, post, lookup, post, lookup, post, lookup]
    assert [w[0] for w in writes].count("PATCH") == 1
