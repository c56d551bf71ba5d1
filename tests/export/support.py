"""Helpers for the export tests: running the CLI on a sandbox, and a generated large org."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.cli.options import CliEnv
from reconciler.sandbox import Sandbox
from tests.helpers import FakeClock

TODAY = date(2026, 11, 22)
API = "https://api.calendly.com"
DATA = Path(__file__).parent / "data"


def make_sandbox(fixture: str | Path | dict[str, Any] | None = None) -> Sandbox:
    """A sandbox on a fake clock, with a rate limit no test run reaches.

    The CLI's client runs on the real clock: a sandbox 429 would make it really wait.
    """
    clock = FakeClock()
    return Sandbox(fixture, clock=clock, sleep=clock.sleep, rate_limit=1_000_000)


def run(sandbox: Sandbox, *args: str | Path, token: str = "demo", **env: str) -> Result:
    """`calendly-reconciler ARGS` against the sandbox, with stdout and stderr kept apart."""
    runner = CliRunner()
    return runner.invoke(
        cli,
        [str(a) for a in args],
        obj=CliEnv(transport=sandbox.transport(), today=lambda: TODAY),
        env={"CALENDLY_TOKEN": sandbox.token(token), "CALENDLY_API_URL": API, **env},
    )


def plan_json(sandbox: Sandbox, *paths: str | Path) -> dict[str, Any]:
    result = run(sandbox, "plan", *paths, "--format", "json", "--detailed-exitcode")
    assert result.exit_code in (0, 2), result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def writes(sandbox: Sandbox) -> list[str]:
    """Every request the sandbox saw that was not a GET (there must be none)."""
    return [f"{r.method} {r.path}" for r in sandbox.requests if r.method != "GET"]


# A generated organization with hundreds of objects -----------------------------------------------

TIMEZONES = ["America/New_York", "Europe/Berlin", "Asia/Tokyo", "US/Pacific", "UTC"]
LOCALES = ["en", "de", "fr", "es", "pt"]
COLORS = ["#0069ff", "#17e885", "#e55cff", "#ff4f00"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DESCRIPTIONS = [
    None,
    "Plain words.",
    "Agenda: intro, demo, questions",
    "Two lines.\nThe second one: with a colon.",
    'Quotes "inside" and a # hash, a trailing backslash \\',
    "yes",
    "2026-12-24",
    "Ünïcödé — émojis 🎉 and CJK 会议",
    "  indented first line\nand more",
]


def big_fixture(*, users: int = 320, event_types: int = 440, seed: int = 5) -> dict[str, Any]:
    """A fixture with `users` members, `event_types` event types and every shape export meets.

    Duplicates of owner and name, group event types, inactive ones, custom availability with
    past and future dates, weekdays sharing intervals, all webhook scopes and a disabled
    subscription, pending invitations that belong to a group.
    """
    rng = random.Random(seed)
    emails = [f"user{n:03d}@big.example" for n in range(users)]
    fixture_users: list[dict[str, Any]] = []
    for n, email in enumerate(emails):
        user: dict[str, Any] = {
            "email": email,
            "name": f"User {n:03d}",
            "role": "owner" if n == 0 else ("admin" if n % 25 == 1 else "user"),
            "timezone": TIMEZONES[n % len(TIMEZONES)],
        }
        fixture_users.append(user)
    pending = [f"invitee{n:02d}@big.example" for n in range(12)]
    groups = [
        {
            "name": f"Team {g}",
            "members": emails[1 + g * 10 : 1 + g * 10 + 8] + pending[g : g + 1],
            "admins": [emails[1]],
        }
        for g in range(6)
    ]
    types: list[dict[str, Any]] = []
    for n in range(event_types):
        owner = emails[rng.randrange(users)]
        item: dict[str, Any] = {
            "owner": owner,
            "name": f"Meeting {n:03d}" if n % 7 else f"Call: {n % 3} #{n}",
            "duration": rng.choice([15, 30, 45, 60]),
            "color": rng.choice(COLORS),
            "locale": rng.choice(LOCALES),
            "active": n % 9 != 0,
        }
        if n % 5 == 0:
            item["duration_options"] = sorted({item["duration"], 90})
        description = DESCRIPTIONS[n % len(DESCRIPTIONS)]
        if description is not None:
            item["description"] = description
        if n % 4 == 0:
            item["locations"] = [{"kind": "zoom_conference"}]
        elif n % 4 == 1:
            item["locations"] = [
                {"kind": "physical", "location": "1 Main St, Springfield", "additional_info": "2F"}
            ]
        if n % 3 == 0:
            item["availability"] = _availability(rng, n)
        if n % 40 == 7:
            item["kind"] = "group"
            item["pooling_type"] = "collective" if n % 80 == 7 else "round_robin"
            item["hosts"] = [owner, emails[(emails.index(owner) + 1) % users]]
        types.append(item)
        if n % 45 == 3:  # a second one-on-one event type with the same owner and name
            twin = {k: v for k, v in item.items() if k not in ("kind", "pooling_type", "hosts")}
            twin["duration"] = 20
            twin.pop("duration_options", None)
            types.append(twin)
    webhooks: list[dict[str, Any]] = [
        {
            "url": f"https://hooks.big.example/org/{n}",
            "scope": "organization",
            "events": ["invitee.created", "invitee.canceled"][: 1 + n % 2],
            **({"state": "disabled"} if n == 3 else {}),
            **({"signing_key": "sekret"} if n == 0 else {}),
        }
        for n in range(5)
    ]
    webhooks += [
        {
            "url": f"https://hooks.big.example/user/{n}",
            "scope": "user",
            "user": emails[n * 31 + 2],
            "events": ["invitee.created", "meeting_recap.created"],
        }
        for n in range(6)
    ]
    webhooks += [
        {
            "url": f"https://hooks.big.example/group/{n}",
            "scope": "group",
            "group": f"Team {n}",
            "events": ["invitee_no_show.created"],
        }
        for n in range(4)
    ]
    return {
        "organization": {"name": "Big Org"},
        "users": fixture_users,
        "invitations": [{"email": e, "status": "pending"} for e in pending],
        "groups": groups,
        "event_types": types,
        "webhooks": webhooks,
        "tokens": [{"name": "demo", "token": "big-demo-token", "user": emails[0]}],
    }


def _availability(rng: random.Random, n: int) -> dict[str, Any]:
    days = rng.sample(WEEKDAYS, k=rng.randrange(1, 7))
    rules: list[dict[str, Any]] = [
        {"wday": day, "intervals": ["09:00-12:00", "13:00-17:00"] if n % 2 else ["08:30-16:00"]}
        for day in days
    ]
    rules.append({"wday": "saturday", "intervals": ["10:00-11:00", "11:00-12:30"]})  # merged
    rules.append({"type": "date", "date": "2026-01-05", "intervals": []})  # past: dropped
    rules.append({"type": "date", "date": f"2026-12-{1 + n % 28:02d}", "intervals": []})
    rules.append({"type": "date", "date": "2027-01-04", "intervals": ["10:00-24:00"]})
    return {"timezone": TIMEZONES[n % len(TIMEZONES)], "rules": rules}
