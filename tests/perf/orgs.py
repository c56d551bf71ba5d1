"""Generated organizations of any size: a sandbox fixture and a config that manages it.

Shared by `tests/perf/` (exact call counts) and `benchmarks/` (timings). The org is built so
that every read path the plan has is exercised: memberships, pending invitations, event types
(some with a declared availability), and webhooks of all three scopes (organization, user and
group, so the group listing is read too). `lower_bound()` is the fewest GETs a plan can make
for it (NOTES.md §2.3: 100 objects per page), per endpoint.

A share of the declared objects differs from the org (`drift_every`), so the diff produces real
changes rather than comparing identical objects only.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGE = 100
FILE_ITEMS = 1000  # declared event types per config file
TOKEN = "perf-token-0001"
OWNER = "owner@big.example"
GROUP = "Support"
WORKING_HOURS = {"timezone": "UTC", "rules": [
    {"wday": ["monday", "tuesday", "wednesday", "thursday", "friday"],
     "intervals": ["09:00-17:00"]},
]}  # fmt: skip


@dataclass(frozen=True)
class OrgSize:
    """How big the generated organization is.

    `members` counts active memberships (the owner included); `availability` of the
    `event_types` declare an availability; of the `webhooks`, `user_webhooks` are user-scope
    (spread over two users) and `group_webhooks` group-scope, the rest organization-scope.
    """

    members: int = 1000
    pending: int = 20
    event_types: int = 2500
    availability: int = 500
    webhooks: int = 60
    user_webhooks: int = 3
    group_webhooks: int = 2
    drift_every: int = 10  # every n-th declared object differs from the org (0: none)

    def __post_init__(self) -> None:
        if self.members < 3:
            raise ValueError("members must be at least 3 (the owner and two webhook users)")
        if not 0 <= self.availability <= self.event_types:
            raise ValueError("availability must be between 0 and event_types")
        if self.webhooks < self.user_webhooks + self.group_webhooks:
            raise ValueError("webhooks must cover the user- and group-scope ones")

    @property
    def org_webhooks(self) -> int:
        return self.webhooks - self.user_webhooks - self.group_webhooks

    @property
    def webhook_users(self) -> list[str]:
        return [member_email(i) for i in (1, 2)][: min(2, self.user_webhooks)]


def member_email(i: int) -> str:
    return OWNER if i == 0 else f"member{i:05d}@big.example"


def _owner_of(i: int, size: OrgSize) -> str:
    return member_email(i % size.members)


def _event_type_name(i: int) -> str:
    return f"Meeting {i:05d}"


def _drifts(i: int, size: OrgSize) -> bool:
    return size.drift_every > 0 and i % size.drift_every == size.drift_every - 1


def fixture(size: OrgSize) -> dict[str, Any]:
    """The sandbox fixture (reconciler/sandbox/fixture.py's format) of the organization."""
    users: list[dict[str, Any]] = [
        {"email": member_email(i), "name": f"Member {i:05d}", "role": "owner" if i == 0 else "user"}
        for i in range(size.members)
    ]
    event_types = [
        {"owner": _owner_of(i, size), "name": _event_type_name(i), "duration": 30}
        for i in range(size.event_types)
    ]
    return {
        "organization": {"name": "Big", "plan": "enterprise", "stage": "paid"},
        "users": users,
        "invitations": [
            {"email": f"invitee{i:05d}@big.example", "status": "pending"}
            for i in range(size.pending)
        ],
        "groups": [{"name": GROUP, "members": [member_email(1)]}],
        "event_types": event_types,
        "webhooks": [_webhook(i, size) for i in range(size.webhooks)],
        "tokens": [{"name": "perf", "token": TOKEN, "user": OWNER, "scopes": "legacy"}],
    }


def _webhook(i: int, size: OrgSize) -> dict[str, Any]:
    hook: dict[str, Any] = {
        "url": f"https://hooks.big.example/calendly/{i:05d}",
        "events": ["invitee.created", "invitee.canceled"],
        "scope": "organization",
    }
    if i < size.user_webhooks:
        users = size.webhook_users
        hook.update(scope="user", user=users[i % len(users)])
    elif i < size.user_webhooks + size.group_webhooks:
        hook.update(scope="group", group=GROUP)
    return hook


def config_documents(size: OrgSize) -> dict[str, dict[str, Any]]:
    """The config that manages the whole organization, as file name -> YAML document.

    Event types are split into files of `FILE_ITEMS` (the loader reads files up to 1 MiB).
    """
    members = [{"email": member_email(i)} for i in range(size.members)]
    members += [{"email": f"invitee{i:05d}@big.example"} for i in range(size.pending)]
    event_types = []
    for i in range(size.event_types):
        declared: dict[str, Any] = {
            "name": _event_type_name(i),
            "owner": _owner_of(i, size),
            "duration": 45 if _drifts(i, size) else 30,
            "active": True,
        }
        if i < size.availability:
            availability = json.loads(json.dumps(WORKING_HOURS))
            if _drifts(i + 1, size):
                availability["rules"][0]["intervals"] = ["08:00-16:00"]
            declared["availability"] = availability
        event_types.append(declared)
    webhooks = []
    for i in range(size.webhooks):
        hook = _webhook(i, size)
        if _drifts(i, size):
            hook["events"] = ["invitee.created"]
        webhooks.append(hook)
    documents: dict[str, dict[str, Any]] = {
        "members.yaml": {"version": 1, "members": members},
        "webhooks.yaml": {"version": 1, "webhooks": webhooks},
    }
    for n, start in enumerate(range(0, len(event_types), FILE_ITEMS)):
        chunk = event_types[start : start + FILE_ITEMS]
        documents[f"event-types-{n:03d}.yaml"] = {"version": 1, "event_types": chunk}
    return documents


def write_config(size: OrgSize, directory: Path) -> Path:
    """Write the config files into `directory` (JSON, which is YAML: one item a line)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, document in config_documents(size).items():
        (directory / name).write_text(_json_lines(document), encoding="utf-8")
    return directory


def _json_lines(document: dict[str, Any]) -> str:
    parts = []
    for key, value in document.items():
        if isinstance(value, list):
            items = ",\n".join(f"  {json.dumps(item)}" for item in value)
            parts.append(f"{json.dumps(key)}: [\n{items}\n]")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value)}")
    return "{" + ",\n".join(parts) + "}\n"


def lower_bound(size: OrgSize) -> Counter[str]:
    """The fewest GETs a plan of this config can make, per sandbox operation.

    One page per 100 objects of each listing the config needs (at least one page each), one
    availability read per declared availability, and the discovery call (GET /users/me).
    """

    def pages(n: int) -> int:
        return max(1, math.ceil(n / PAGE))

    bound: Counter[str] = Counter()
    bound["GET /users/me"] = 1
    bound["GET /organization_memberships"] = pages(size.members)
    bound["GET /organizations/{uuid}/invitations"] = pages(size.pending)
    bound["GET /event_types"] = pages(size.event_types)
    bound["GET /event_type_availability_schedules"] = size.availability
    listings = []
    if size.org_webhooks:
        listings.append(pages(size.org_webhooks))
    users = size.webhook_users
    for user in users:
        owned = sum(1 for i in range(size.user_webhooks) if users[i % len(users)] == user)
        listings.append(pages(owned))
    if size.group_webhooks:
        bound["GET /groups"] = 1
        listings.append(pages(size.group_webhooks))
    if listings:
        bound["GET /webhook_subscriptions"] = sum(listings)
    return bound


def after_members(size: OrgSize) -> int:
    """Calls that cannot start before the membership listing is complete: availability reads
    (to match an event type's owner URI to the config's owner email) and user-scope webhook
    listings (they name the user by URI)."""
    return size.availability + len(size.webhook_users)


def latency_critical_path(size: OrgSize) -> int:
    """The most calls that must run one after another, each needing the previous answer.

    Real data dependencies, not read_live's order: discovery first; each listing's pages in
    sequence; an availability read needs its event type's URI (the event type listing) and
    its owner's user URI (the membership listing, to match the config's owner email); a user-
    or group-scope webhook listing needs the user (memberships) or group (groups listing).
    """
    bound = lower_bound(size)
    members = bound["GET /organization_memberships"]
    event_types = bound["GET /event_types"]
    chains = [members, event_types, bound["GET /organizations/{uuid}/invitations"]]
    if size.availability:
        chains.append(max(members, event_types) + 1)
    if size.user_webhooks:
        chains.append(members + 1)  # a handful of user-scope webhooks: one page each
    if size.group_webhooks:
        chains.append(bound["GET /groups"] + 1)
    return 1 + max(chains)


def booking_owners(size: OrgSize) -> set[str]:
    """Owners whose bookings a plan of this config reads (reconciler/impact.py), worked out from
    how the config drifts: a changed duration, or hours moved to 08:00-16:00 (which removes
    16:00-17:00). One `GET /scheduled_events` listing each (this org has no bookings)."""
    owners = {_owner_of(i, size) for i in range(size.event_types) if _drifts(i, size)}
    owners |= {_owner_of(i, size) for i in range(size.availability) if _drifts(i + 1, size)}
    return owners
