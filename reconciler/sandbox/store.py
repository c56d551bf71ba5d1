"""The sandbox's in-memory state: one organization and everything in it.

`Store` owns the records, mints deterministic ids (a per-kind counter hashed with the seed, so
the same fixture and seed always give the same URIs and a reloaded state keeps counting), answers
the lookups the route handlers need, and (de)serializes itself to the JSON state file. It holds
no locks: the `Sandbox` core serializes access.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reconciler.sandbox.model import (
    ActivityEntry,
    Booking,
    EventType,
    EventTypeAvailability,
    Group,
    GroupRelationship,
    Host,
    Invitation,
    Json,
    Membership,
    Organization,
    Schedule,
    Team,
    User,
    Webhook,
)
from reconciler.sandbox.util import short_id, uuid_id

STATE_FORMAT = 1

# Kinds whose ids look like UUIDs (as observed live for webhooks, NOTES.md §2.1); the rest get
# Calendly's classic 16-character ids. Clients must treat both as opaque.
_UUID_KINDS = frozenset({"webhook_subscriptions", "activity_log_entries"})


@dataclass
class Store:
    seed: int
    org: Organization
    users: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)
    event_types: dict[str, EventType] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    relationships: dict[str, GroupRelationship] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    bookings: dict[str, Booking] = field(default_factory=dict)
    activity: dict[str, ActivityEntry] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    #: Webhook signing keys by subscription id, to sign deliveries (delivery.py). In memory
    #: only: never in the state file, never returned (the state keeps salted hashes).
    signing_keys: dict[str, str] = field(default_factory=dict, repr=False)

    # ---- ids -------------------------------------------------------------------------------

    def mint(self, kind: str) -> str:
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        make = uuid_id if kind in _UUID_KINDS else short_id
        return make(self.seed, kind, n)

    # ---- lookups ---------------------------------------------------------------------------

    def active_user(self, user_id: str) -> User | None:
        user = self.users.get(user_id)
        return user if user is not None and user.active else None

    def user_by_email(self, email: str) -> User | None:
        """The active member with this email (case-insensitive)."""
        wanted = email.strip().lower()
        for user in self.users.values():
            if user.active and user.email.lower() == wanted:
                return user
        return None

    def membership_of(self, user_id: str) -> Membership | None:
        for membership in self.memberships.values():
            if membership.user_id == user_id:
                return membership
        return None

    def role_of(self, user_id: str) -> str | None:
        membership = self.membership_of(user_id)
        return membership.role if membership else None

    def default_schedule(self, user_id: str) -> Schedule | None:
        for schedule in self.schedules.values():
            if schedule.user_id == user_id and schedule.default:
                return schedule
        return None

    def pending_invitation(self, email: str) -> Invitation | None:
        wanted = email.strip().lower()
        for invitation in self.invitations.values():
            if invitation.status == "pending" and invitation.email.lower() == wanted:
                return invitation
        return None

    def group_by_name(self, name: str) -> Group | None:
        return next((g for g in self.groups.values() if g.name == name), None)

    def visible_event_types(self) -> list[EventType]:
        """Standard event types of current members (removed users' types are not listed)."""
        return [
            et
            for et in self.event_types.values()
            if et.type == "StandardEventType" and self.active_user(et.owner_id) is not None
        ]

    # ---- persistence -----------------------------------------------------------------------

    def to_json(self) -> Json:
        def table(records: dict[str, Any]) -> list[Json]:
            return [asdict(r) for r in records.values()]

        return {
            "format": STATE_FORMAT,
            "seed": self.seed,
            "counters": dict(sorted(self.counters.items())),
            "organization": asdict(self.org),
            "users": table(self.users),
            "memberships": table(self.memberships),
            "invitations": table(self.invitations),
            "schedules": table(self.schedules),
            "event_types": table(self.event_types),
            "webhooks": table(self.webhooks),
            "groups": table(self.groups),
            "group_relationships": table(self.relationships),
            "teams": table(self.teams),
            "bookings": table(self.bookings),
            "activity_log": table(self.activity),
        }

    @classmethod
    def from_json(cls, data: Json) -> Store:
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"unsupported state format {data.get('format')!r}")
        store = cls(seed=int(data["seed"]), org=Organization(**data["organization"]))
        store.counters = {str(k): int(v) for k, v in data["counters"].items()}
        store.users = {r["id"]: User(**r) for r in data["users"]}
        store.memberships = {r["id"]: Membership(**r) for r in data["memberships"]}
        store.invitations = {r["id"]: Invitation(**r) for r in data["invitations"]}
        store.schedules = {r["id"]: Schedule(**r) for r in data["schedules"]}
        for raw in data["event_types"]:
            record = dict(raw)
            record["hosts"] = [Host(**h) for h in record["hosts"]]
            record["availability"] = EventTypeAvailability(**record["availability"])
            store.event_types[record["id"]] = EventType(**record)
        store.webhooks = {r["id"]: Webhook(**r) for r in data["webhooks"]}
        store.groups = {r["id"]: Group(**r) for r in data["groups"]}
        store.relationships = {r["id"]: GroupRelationship(**r) for r in data["group_relationships"]}
        # Later additions: absent from state files written before them.
        store.teams = {r["id"]: Team(**r) for r in data.get("teams", [])}
        store.bookings = {r["id"]: Booking(**r) for r in data.get("bookings", [])}
        store.activity = {r["id"]: ActivityEntry(**r) for r in data["activity_log"]}
        return store


def save_atomically(path: Path, data: Json) -> None:
    """Write JSON to `path` via a temporary file + rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
