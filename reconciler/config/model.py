"""The validated configuration, as typed data: what `load_config()` returns.

Values are kept as the user wrote them (after `${ENV}` interpolation); normalization for
comparison with the live API belongs to `reconciler/kinds/`. Every object remembers where it was
declared, so plans and errors can point at `file:line`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.client.secret import Secret
from reconciler.config.problems import Problem

#: The kinds whose undeclared live objects `policy.prune` may remove.
PRUNABLE = ("members", "invitations", "event_types", "webhooks", "availability_schedules")

#: Event type fields the API can write, in display order (POST also takes `owner` and `name`).
#: The buffers and the start-time increment arrived on 2026-11-13 (CHANGES-2026.md).
EVENT_TYPE_FIELDS = (
    "duration",
    "duration_options",
    "start_time_increment",
    "before_buffer",
    "after_buffer",
    "active",
    "color",
    "description",
    "locale",
    "locations",
)


@dataclass(frozen=True, order=True)
class Source:
    """Where something was declared: 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Member:
    email: str  # as written; identity is case-insensitive
    role: str | None  # owner | admin | user; None = unmanaged
    source: Source


@dataclass(frozen=True)
class AvailabilityRule:
    """One rule of the compact config form: several weekdays or one date, with intervals."""

    wdays: tuple[str, ...]  # lower-case weekday names; empty for a date rule
    date: str | None  # YYYY-MM-DD for a date rule
    intervals: tuple[tuple[str, str], ...]  # ("09:00", "12:00"), ...; empty = unavailable
    source: Source


@dataclass(frozen=True)
class Availability:
    timezone: str
    rules: tuple[AvailabilityRule, ...]
    source: Source


@dataclass(frozen=True)
class EventType:
    name: str
    owner: str  # a member's email, as written
    uuid: str | None  # pins a specific live event type
    fields: Mapping[str, Any]  # only the declared keys of EVENT_TYPE_FIELDS
    availability: Availability | None
    protect: bool
    source: Source
    field_sources: Mapping[str, Source] = field(default_factory=dict)
    #: Why it exists, when an `owners:` entry made it (e.g. "dana@… is in group Sales").
    reason: str | None = None


@dataclass(frozen=True)
class OwnerRef:
    """One item of `owners:`: a member's email, or a group or team named by its name."""

    kind: str  # email | group | team
    value: str
    source: Source

    def __str__(self) -> str:
        return self.value if self.kind == "email" else f"{self.kind} {self.value}"


@dataclass(frozen=True)
class Override:
    """The fields of one owner's event type that differ from its `owners:` entry."""

    fields: Mapping[str, Any]  # declared keys of EVENT_TYPE_FIELDS
    availability: Availability | None
    source: Source
    field_sources: Mapping[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    """An event type entry with `owners:`, expanded into one `EventType` per owner at plan
    time (owners/expand.py): groups and teams are only known from the live organization."""

    name: str
    owners: tuple[OwnerRef, ...]
    fields: Mapping[str, Any]
    availability: Availability | None
    protect: bool
    overrides: Mapping[str, Override]  # lower-case email -> override
    source: Source
    field_sources: Mapping[str, Source] = field(default_factory=dict)

    def uses(self, kind: str) -> bool:
        return any(o.kind == kind for o in self.owners)


@dataclass(frozen=True)
class AvailabilitySchedule:
    """A user's named availability schedule: identity = (user, name)."""

    user: str  # a member's email, as written
    name: str
    availability: Availability  # its time zone and rules
    default: bool | None  # None = unmanaged
    source: Source


@dataclass(frozen=True)
class Webhook:
    url: str
    scope: str  # organization | user | group
    user: str | None  # member email when scope == "user"
    group: str | None  # group name or URI when scope == "group"
    events: tuple[str, ...]
    # Write-only: sent on create, never shown or compared. `signing_key.env` is the variable's
    # name when the config says exactly `${NAME}`.
    signing_key: Secret | None
    protect: bool
    source: Source


@dataclass(frozen=True)
class Policy:
    prune: frozenset[str] = frozenset()  # subset of PRUNABLE
    max_delete_fraction: Mapping[str, float] = field(default_factory=dict)  # per prunable kind
    min_admins: int | None = None
    source: Source | None = None
    protect_bookings: bool = False

    DEFAULT_MAX_DELETE_FRACTION = 0.25

    def delete_fraction(self, kind: str) -> float:
        return self.max_delete_fraction.get(kind, self.DEFAULT_MAX_DELETE_FRACTION)


@dataclass(frozen=True)
class Config:
    organization: str | None
    organization_source: Source | None
    members: tuple[Member, ...]
    event_types: tuple[EventType, ...]
    webhooks: tuple[Webhook, ...]
    policy: Policy
    files: tuple[str, ...]  # every file read, in load order
    availability_schedules: tuple[AvailabilitySchedule, ...] = ()
    #: What is worth saying but not wrong (an unset variable when the caller does not need it).
    notes: tuple[Problem, ...] = ()
    #: Entries with `owners:`; `event_types` holds their expansions once they are expanded.
    templates: tuple[Template, ...] = ()
    #: After expansion: event type name -> the group/team entry that claims it (for pruning).
    claims: Mapping[str, str] = field(default_factory=dict)
    #: After expansion: what the plan should say about it (overrides not used, pending owners).
    expansion_warnings: tuple[str, ...] = ()

    def secrets(self) -> tuple[Secret, ...]:
        return tuple(w.signing_key for w in self.webhooks if w.signing_key is not None)
