"""Fixtures: the bundled demo organization, and clear one-line errors for bad fixtures."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import FixtureError, Sandbox, bundled_fixture_path, read_fixture
from tests.sandbox.support import TINY

REPO = Path(__file__).resolve().parents[2]


def test_bundled_fixture_is_the_example() -> None:
    example = REPO / "examples" / "sandbox" / "acme.yaml"
    assert bundled_fixture_path().read_bytes() == example.read_bytes()


def test_acme_is_a_realistic_company() -> None:
    state = Sandbox().state()
    users = state["users"]
    roles = sorted(m["role"] for m in state["memberships"])
    assert 10 <= len(users) <= 20
    assert roles.count("owner") == 1 and 2 <= roles.count("admin") <= 4
    assert len({u["timezone"].split("/")[0] for u in users}) >= 3  # America, Europe, Asia
    assert all(u["email"].endswith("@acme.example") for u in users)
    assert (state["organization"]["plan"], state["organization"]["stage"]) == ("enterprise", "paid")
    kinds = [et["kind"] for et in state["event_types"]]
    assert kinds.count("group") == 1 and kinds.count("solo") >= 6
    assert sum(1 for et in state["event_types"] if not et["active"]) >= 2
    assert {h["scope"] for h in state["webhooks"]} == {"organization", "user"}
    assert [i["status"] for i in state["invitations"]].count("pending") == 1
    assert {g["name"] for g in state["groups"]} == {"Sales", "Support"}
    tokens = read_fixture(bundled_fixture_path())["tokens"]
    assert tokens[0]["name"] == "demo" and tokens[0]["scopes"] == "legacy"


def _broken(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(TINY)
    target: Any = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("organization", _DELETE, "organization: is required (a mapping with name, plan, stage)"),
        (
            "organization.plan",
            "gold",
            "organization.plan: must be one of: basic, essentials, "
            "standard, professional, teams, enterprise",
        ),
        ("users.0.role", "admin", "users: exactly one user must have role owner (found 0)"),
        ("users.1.role", "owner", "users: exactly one user must have role owner (found 2)"),
        (
            "users.1.email",
            "owner@tiny.example",
            "users[1].email: duplicate user owner@tiny.example",
        ),
        (
            "users.1.timezone",
            "Europe/Atlantis",
            "users[1].timezone: 'Europe/Atlantis' is not an IANA time zone",
        ),
        (
            "event_types.0.owner",
            "ghost@tiny.example",
            "event_types[0].owner: 'ghost@tiny.example' is not a user of the fixture",
        ),
        (
            "event_types.0.color",
            "#FFFFFF",
            "event_types[0].color: must be a lowercase hex color like #0069ff",
        ),
        ("event_types.0.duration", 0, "event_types[0].duration: must be between 1 and 720"),
        (
            "event_types.2.hosts",
            [],
            "event_types[2].hosts: a group event type needs a list of hosts",
        ),
        (
            "webhooks.1.url",
            "https://hooks.tiny.example/org",
            "webhooks[1].url: duplicate webhook url https://hooks.tiny.example/org",
        ),
        (
            "webhooks.0.events",
            ["invitee.exploded"],
            "webhooks[0].events[0]: unknown event 'invitee.exploded'",
        ),
        (
            "invitations.0.email",
            "owner@tiny.example",
            "invitations[0].email: owner@tiny.example is already a member",
        ),
        (
            "groups.0.members",
            ["stranger@tiny.example"],
            "groups[0].members[0]: 'stranger@tiny.example' is neither a user "
            "nor a pending invitation",
        ),
        (
            "tokens.0.scopes",
            ["everything:write"],
            "tokens[0].scopes: unknown scope 'everything:write'",
        ),
        ("tokens.1.token", "tok-owner", "tokens[1].token: duplicate token value"),
    ],
)
def test_fixture_errors_are_one_line(path: str, value: Any, message: str) -> None:
    with pytest.raises(FixtureError) as info:
        Sandbox(_broken(path, value))
    assert str(info.value) == message
    assert "tok-owner" not in str(info.value)


def test_yaml_errors_point_at_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("organization:\n  name: [unclosed\n")
    with pytest.raises(FixtureError, match=r"bad.yaml:3:1: "):
        Sandbox(bad)
    with pytest.raises(FixtureError, match=r"missing.yaml: cannot read fixture"):
        Sandbox(tmp_path / "missing.yaml")


def test_fixture_conveniences() -> None:
    data = copy.deepcopy(TINY)
    data["users"][0]["availability"] = {
        "timezone": "US/Pacific",
        "rules": [
            {"wday": ["monday", "wednesday"], "intervals": ["08:00-12:00", "13:00-16:00"]},
            {"date": "2026-12-25", "intervals": []},
        ],
    }
    state = Sandbox(data).state()
    schedule = state["schedules"][0]
    assert schedule["timezone"] == "America/Los_Angeles"
    assert [
        r.get("wday", r.get("date"))
        for r in schedule["rules"]
        if r["intervals"] or r["type"] == "date"
    ] == [
        "monday",
        "wednesday",
        "2026-12-25",
    ]
