"""Chaos: seeded applies of a 65-change plan under injected faults converge, without duplicates.

For each seed, on a fresh sandbox and a fake clock (the client's waits advance it, nothing
sleeps): faults are switched on (429 bursts, 5xx, dropped connections, commit-then-drop on
writes, on reads and writes alike), the config is planned and applied; then the faults are
switched off and, if the plan is not empty yet, apply runs once more. After that:

- the plan is empty, and the sandbox's raw state holds exactly what the config declares
  (checked on the stored objects, not through the reconciler's own diff);
- no event type (owner + name), webhook (url) or pending invitation (email) exists twice;
- nothing the plan did not target was deleted or changed (memberships, users, groups,
  schedules, other event types, the user-scoped webhook), and the targeted event types changed
  only in the fields the plan wrote.

Seeds run at concurrency 1, so each one replays the exact same request sequence (a failing
seed reproduces); a few more run at concurrency 6, where interleavings vary but the same
invariants must hold. `pytest -s` prints each seed, its fault mix and the faults it survived.
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from reconciler.apply import ApplyResult, Status, apply
from reconciler.config import Config
from reconciler.diff import diff
from reconciler.live import read_live
from reconciler.model import uri_id
from reconciler.plan import Action, Plan
from reconciler.sandbox import Sandbox
from tests.conftest import ClientFactory
from tests.harness import TODAY, Harness

SIGNING_KEY = "whsec-test-signing-key-42"  # the harness's HOOK_KEY

MEMBERS = [
    "alice", "ben", "laura", "chloe", "dana", "ethan", "gabriel", "fatima", "hana", "isaac",
    "jia", "mateo", "karan", "nora", "owen",
]  # fmt: skip
NEW_MEMBERS = [f"new{i:02d}@acme.example" for i in range(20)]
NEW_EVENT_TYPES = [  # (owner, name, timezone, weekday, interval)
    (owner, f"Chaos Call {i}", zone, day, f"09:00-1{i % 8}:30")
    for i, (owner, zone, day) in enumerate(
        [
            ("alice", "America/New_York", "monday"),
            ("chloe", "Europe/Paris", "tuesday"),
            ("dana", "America/Chicago", "wednesday"),
            ("ethan", "America/Los_Angeles", "thursday"),
            ("fatima", "Europe/Berlin", "friday"),
            ("gabriel", "America/Sao_Paulo", "monday"),
            ("hana", "Asia/Tokyo", "tuesday"),
            ("isaac", "Europe/London", "wednesday"),
            ("jia", "Asia/Singapore", "thursday"),
            ("karan", "Asia/Kolkata", "friday"),
        ]
    )
]
UPDATED_EVENT_TYPES = [  # (owner, name): duration changes; every other one gets availability
    ("alice", "Intro Call"),
    ("chloe", "Partner Intro"),
    ("dana", "Discovery Call"),
    ("dana", "Product Demo"),
    ("ethan", "Technical Deep Dive"),
    ("gabriel", "Conversa de Descoberta"),
    ("fatima", "Quarterly Business Review"),
    ("fatima", "Onboarding Kickoff"),
    ("hana", "Support Session (APAC)"),
    ("laura", "Candidate Screen"),
]
BOOKINGS = "https://hooks.acme.example/calendly/bookings"  # replaced: its events change
CRM = "https://crm.acme.example/integrations/calendly"  # deleted: not declared, prune is on
NEW_HOOKS = [f"https://hooks.acme.example/chaos/{i}" for i in range(8)]
HOOK_EVENTS = ["invitee.canceled", "invitee.created"]


def chaos_config() -> str:
    lines = ["members:"]
    lines += [f"  - email: {name}@acme.example" for name in MEMBERS]
    lines += [f"  - email: {email}" for email in NEW_MEMBERS]
    lines.append("event_types:")
    for owner, name, zone, day, span in NEW_EVENT_TYPES:
        lines += [
            f"  - name: {name}",
            f"    owner: {owner}@acme.example",
            "    duration: 30",
            "    active: true",
            "    availability:",
            f"      timezone: {zone}",
            f"      rules: [{{wday: {day}, intervals: ['{span}']}}]",
        ]
    for i, (owner, name) in enumerate(UPDATED_EVENT_TYPES):
        lines += [
            f"  - name: {name}",
            f"    owner: {owner}@acme.example",
            f"    duration: {50 + i}",
        ]
        if i % 2 == 0:
            lines += [
                "    availability:",
                "      timezone: Asia/Tokyo",
                "      rules: [{wday: friday, intervals: ['10:00-11:00']}]",
            ]
    lines += [
        "webhooks:",
        f"  - {{url: '{BOOKINGS}', scope: organization, events: [invitee.created],"
        " signing_key: '${HOOK_KEY}'}",
    ]
    lines += [
        f"  - {{url: '{url}', scope: organization, events: [{', '.join(HOOK_EVENTS)}]}}"
        for url in NEW_HOOKS
    ]
    lines += ["policy:", "  prune: [webhooks]", "  max_delete_fraction: 1"]
    return "\n".join(lines) + "\n"


#: Fault mixes, cycled over the seeds. Every mix has commit-then-drop on writes.
MIXES = {
    "mixed": "429=0.06,burst=3,5xx=0.06,drop=0.04,commit_drop=0.25",
    "bursts": "429=0.12,burst=3,5xx=0.03,drop=0.03,commit_drop=0.2",
    "5xx": "429=0.02,burst=2,5xx=0.2,codes=500+502+503,drop=0.02,commit_drop=0.2",
    "drops": "429=0.02,burst=2,5xx=0.02,drop=0.15,commit_drop=0.35",
}
SEEDS = [(seed, 1) for seed in range(24)] + [(seed, 6) for seed in range(100, 104)]


def faults_for(seed: int) -> tuple[str, str]:
    name = list(MIXES)[seed % len(MIXES)]
    return name, f"seed={seed},latency=0,{MIXES[name]},methods=all"


@dataclass
class Row:
    seed: int
    concurrency: int
    mix: str
    first: Counter[str]
    faults: dict[str, int]
    rerun: int  # changes left for the second apply (0: the first apply converged)


@pytest.fixture(scope="module")
def summary() -> Iterator[list[Row]]:
    rows: list[Row] = []
    yield rows
    out = sys.stdout
    out.write(f"\nchaos: {len(rows)} seeded applies of a {CHANGES}-change plan\n")
    out.write("seed conc mix     first apply (done/failed/skipped)  re-run  faults survived\n")
    for r in rows:
        faults = " ".join(f"{k}={v}" for k, v in sorted(r.faults.items()))
        first = f"{r.first['done']}/{r.first['failed']}/{r.first['skipped']}"
        out.write(f"{r.seed:>4} {r.concurrency:>4} {r.mix:<7} {first:<34} {r.rerun:>6}  {faults}\n")
    total: Counter[str] = Counter()
    for r in rows:
        total.update(r.faults)
    out.write("total faults survived: " + ", ".join(f"{k}={v}" for k, v in sorted(total.items())))
    out.write("\n")


CHANGES = 65  # asserted below: the plan the seeds apply


def plan_of(connect: ClientFactory, config: Config, *, seed: int, concurrency: int) -> Plan:
    client = connect(read_only=True, max_concurrency=concurrency, rng=random.Random(seed))
    return diff(config, read_live(client, config, today=TODAY), today=TODAY)


def run_apply(
    connect: ClientFactory, config: Config, *, seed: int, concurrency: int
) -> tuple[Plan, ApplyResult]:
    plan = plan_of(connect, config, seed=seed, concurrency=concurrency)
    result = apply(plan, connect(max_concurrency=concurrency, rng=random.Random(seed)))
    return plan, result


@pytest.mark.parametrize(("seed", "concurrency"), SEEDS, ids=[f"seed{s}-c{c}" for s, c in SEEDS])
def test_apply_under_faults_converges_without_duplicates_or_losses(
    harness: Harness,
    sandbox: Sandbox,
    connect: ClientFactory,
    summary: list[Row],
    seed: int,
    concurrency: int,
) -> None:
    config = harness.config(chaos_config())
    before = sandbox.state()
    mix, spec = faults_for(seed)
    sandbox.set_faults(spec)

    plan, first = run_apply(connect, config, seed=seed, concurrency=concurrency)
    assert len(plan.changes) == CHANGES, plan.summary()
    assert {o.status for o in first.outcomes} <= set(Status)
    assert len(first.outcomes) == CHANGES and not first.interrupted  # all accounted for
    for outcome in first.outcomes:  # a failure is only a write that was checked not applied
        if outcome.status == Status.FAILED:
            assert re.search(
                r" failed 4 times, each checked afterwards: it was not applied \(last: .*"
                r"may or may not have applied it\)$",
                outcome.message,
            ), outcome.message
    survived = dict(sandbox.counters["faults"])

    sandbox.set_faults(None)
    left, second = run_apply(connect, config, seed=seed, concurrency=concurrency)
    assert second.ok, [(o.change.id, o.message) for o in second.outcomes]
    final = plan_of(connect, config, seed=seed, concurrency=concurrency)
    assert final.changes == (), [c.to_dict() for c in final.changes]

    summary.append(
        Row(
            seed,
            concurrency,
            mix,
            Counter(str(o.status) for o in first.outcomes),
            survived,
            len(left.changes),
        )
    )
    after = sandbox.state()
    assert_declared_state(sandbox, after)
    assert_no_duplicates(after)
    assert_nothing_else_touched(before, after, plan)


def test_the_chaos_plan_has_every_kind_of_change(harness: Harness) -> None:
    plan = harness.plan(harness.config(chaos_config()))
    counts = Counter((c.kind, str(c.action)) for c in plan.changes)
    assert counts == {
        ("member", "create"): 20,
        ("event_type", "create"): 10,
        ("event_type", "update"): 10,
        ("availability", "update"): 15,  # 10 new event types + 5 updated ones
        ("webhook", "create"): 8,
        ("webhook", "replace"): 1,
        ("webhook", "delete"): 1,
    }
    assert sum(counts.values()) == CHANGES
    kinds = {c.action for c in plan.changes}
    assert kinds == {Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE}


# ---- the invariants, on the sandbox's stored state -----------------------------------------


def _users(state: dict[str, Any]) -> dict[str, str]:
    return {u["id"]: u["email"] for u in state["users"]}


def _event_types(state: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    emails = _users(state)
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in state["event_types"]:
        if item["deleted_at"] is None:
            found.setdefault((emails[item["owner_id"]], item["name"]), []).append(item)
    return found


def _weekly(rules: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        r["wday"]: [f"{i['from']}-{i['to']}" for i in r["intervals"]]
        for r in rules
        if r["type"] == "wday" and r["intervals"]
    }


def assert_declared_state(sandbox: Sandbox, state: dict[str, Any]) -> None:
    event_types = _event_types(state)
    for owner, name, zone, day, span in NEW_EVENT_TYPES:
        [item] = event_types[(f"{owner}@acme.example", name)]
        assert (item["duration"], item["active"]) == (30, True), name
        assert item["availability"]["timezone"] == zone
        assert _weekly(item["availability"]["rules"]) == {day: [span]}
    for i, (owner, name) in enumerate(UPDATED_EVENT_TYPES):
        [item] = event_types[(f"{owner}@acme.example", name)]
        assert item["duration"] == 50 + i, name
        if i % 2 == 0:
            assert item["availability"]["timezone"] == "Asia/Tokyo"
            assert _weekly(item["availability"]["rules"]) == {"friday": ["10:00-11:00"]}
    pending = sorted(i["email"] for i in state["invitations"] if i["status"] == "pending")
    assert pending == sorted([*NEW_MEMBERS, "priya@acme.example"])
    org_hooks = {
        h["callback_url"]: sorted(h["events"])
        for h in state["webhooks"]
        if h["scope"] == "organization"
    }
    assert org_hooks == {
        BOOKINGS: ["invitee.created"],
        **{url: HOOK_EVENTS for url in NEW_HOOKS},
    }
    bookings = next(h["id"] for h in state["webhooks"] if h["callback_url"] == BOOKINGS)
    assert sandbox.signing_key_matches(bookings, SIGNING_KEY)


def assert_no_duplicates(state: dict[str, Any]) -> None:
    twice = {key: len(items) for key, items in _event_types(state).items() if len(items) > 1}
    assert twice == {}, f"duplicate event types: {twice}"
    urls = Counter(h["callback_url"] for h in state["webhooks"])
    assert [u for u, n in urls.items() if n > 1] == [], "duplicate webhooks"
    emails = Counter(i["email"] for i in state["invitations"] if i["status"] == "pending")
    assert [e for e, n in emails.items() if n > 1] == [], "duplicate invitations"


#: What a PATCH of an event type (fields) and of its availability may change.
_ET_WRITABLE = {"duration", "active", "updated_at"}


def assert_nothing_else_touched(before: dict[str, Any], after: dict[str, Any], plan: Plan) -> None:
    for table in ("organization", "users", "memberships", "schedules", "groups"):
        assert after[table] == before[table], f"{table} changed"
    assert after["group_relationships"] == before["group_relationships"]
    invitations = {i["id"]: i for i in after["invitations"]}
    for invitation in before["invitations"]:
        assert invitations.get(invitation["id"]) == invitation, invitation["email"]

    patched = {uri_id(c.uri) for c in plan.changes if c.kind == "event_type" and c.uri}
    scheduled = {uri_id(c.uri) for c in plan.changes if c.kind == "availability" and c.uri}
    event_types = {e["id"]: e for e in after["event_types"]}
    for old in before["event_types"]:
        new = event_types.get(old["id"])
        assert new is not None and new["deleted_at"] is None, f"{old['name']} was deleted"
        may_change = (_ET_WRITABLE if old["id"] in patched else set()) | (
            {"availability"} if old["id"] in scheduled else set()
        )
        unexpected = sorted(k for k in old if k not in may_change and new[k] != old[k])
        assert unexpected == [], f"{old['name']}: {unexpected} changed"

    removed = {uri_id(c.uri) for c in plan.changes if c.kind == "webhook" and c.uri}
    hooks = {h["id"]: h for h in after["webhooks"]}
    for hook in before["webhooks"]:
        if hook["id"] in removed:
            assert hook["id"] not in hooks  # replaced or deleted, as planned
        else:
            assert hooks.get(hook["id"]) == hook, hook["callback_url"]
    assert {h["callback_url"] for h in before["webhooks"] if h["id"] in removed} == {BOOKINGS, CRM}
