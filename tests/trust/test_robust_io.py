"""Robust reading and writing (issue #11 item 4).

- an event type listed without `profile` is found under its owner, never created again;
- a 3xx answer to a write is a failure, never "done";
- one email normalisation: what validate accepts, the run resolves (no owner that waits forever);
- a path with dot segments is never sent (it would address another resource).
"""

from __future__ import annotations

import pytest

from reconciler.apply import Status, apply
from reconciler.client.errors import ClientError
from reconciler.config.problems import ConfigError
from reconciler.sandbox import Sandbox
from tests.conftest import ClientFactory
from tests.harness import Harness

DEMO = """
members: [{email: dana@acme.example}]
event_types:
  - {name: Product Demo, owner: dana@acme.example, duration: 50}
"""


def test_an_event_type_listed_without_profile_is_updated_not_created(
    harness: Harness, sandbox: Sandbox
) -> None:
    sandbox.set_faults("omit_profile=1")
    plan, result, writes = harness.apply(harness.config(DEMO))
    demo = harness.event_type_id("dana@acme.example", "Product Demo")
    assert [(str(c.action), c.key) for c in plan.changes] == [
        ("update", "dana@acme.example/Product Demo")
    ]
    assert writes == [("PATCH", f"/event_types/{demo}", {}, {"duration": 50})]
    assert result.ok
    assert harness.plan(harness.config(DEMO)).is_empty


def test_a_create_found_under_its_owner_without_profile_is_adopted(
    harness: Harness, sandbox: Sandbox, connect: ClientFactory
) -> None:
    config = harness.config(DEMO.replace("Product Demo", "Fresh Call"))
    plan = harness.plan(config)
    assert [str(c.action) for c in plan.changes] == ["create"]
    assert apply(plan, connect()).ok  # someone else's apply, between our plan and apply
    sandbox.set_faults("omit_profile=1")
    mark = len(sandbox.requests)
    result = apply(plan, connect())
    assert [(o.status, o.message) for o in result.outcomes] == [
        (Status.DONE, "already existed: adopted, not created again")
    ]
    dana = sandbox.user_uri("dana@acme.example")
    listing = ("GET", "/event_types", [("user", dana), ("count", "100")])
    # The look before the create, and the look for racing copies after the apply.
    assert [(r.method, r.path, r.query) for r in sandbox.requests[mark:]] == [listing, listing]
    names = [e["name"] for e in sandbox.state()["event_types"]]
    assert names.count("Fresh Call") == 1


def test_a_redirect_answering_a_write_is_a_failure(harness: Harness, sandbox: Sandbox) -> None:
    demo = harness.event_type_id("dana@acme.example", "Product Demo")
    sandbox.set_faults("redirect=307,methods=PATCH")
    _plan, result, writes = harness.apply(harness.config(DEMO))
    assert [(o.status, o.message) for o in result.outcomes] == [
        (
            Status.FAILED,
            f"PATCH /event_types/{demo} answered 307 Redirect: to "
            f"'https://calendly.com/event_types/{demo}', not followed: the request was not "
            "carried out",
        )
    ]
    assert writes == [("PATCH", f"/event_types/{demo}", {}, {"duration": 50})]
    sandbox.set_faults(None)
    assert [str(c.action) for c in harness.plan(harness.config(DEMO)).changes] == ["update"]


def test_validate_and_the_run_normalise_emails_alike(harness: Harness) -> None:
    with pytest.raises(ConfigError) as caught:
        harness.config(
            """
            members: [{email: straße@acme.example}]
            event_types: [{name: Call, owner: STRASSE@acme.example, duration: 30}]
            """
        )
    assert "unknown owner 'STRASSE@acme.example'" in str(caught.value.lines())


@pytest.mark.parametrize(
    "path",
    [
        "/event_types/../organization_memberships/X",
        "/event_types/%2e%2E/organization_memberships/X",
        "/event_types/.\\../organization_memberships/X",
    ],
)
def test_a_path_with_dot_segments_is_never_sent(
    connect: ClientFactory, sandbox: Sandbox, path: str
) -> None:
    mark = len(sandbox.requests)
    with pytest.raises(ClientError, match="the path has a dot segment"):
        connect().request("DELETE", path)
    assert sandbox.requests[mark:] == []


def test_the_sandbox_faults_for_these_situations_parse_and_round_trip() -> None:
    from reconciler.sandbox.faults import Faults, FaultSpecError

    faults = Faults.parse("redirect=302,omit_profile=1,methods=PATCH+DELETE")
    assert (faults.redirect, faults.omit_profile, faults.active) == (302, True, True)
    assert Faults.coerce(faults.to_json()) == faults
    with pytest.raises(FaultSpecError, match="redirect must be a 3xx status, got 200"):
        Faults.parse("redirect=200")
