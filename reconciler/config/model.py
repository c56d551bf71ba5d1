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

#: The kinds whose undeclared live objects `policy.prune` may remove.
PRUNABLE = ("members", "invitations", "event_types", "webhooks")

#: Event type fields the API can write, in display order (POST also takes `owner` and `name`).
EVENT_TYPE_FIELDS = (
    "duration",
    "duration_options",
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
        # A saved plan keeps file and line only: column 0 means "not known".
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"


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

    def secrets(self) -> tuple[Secret, ...]:
        return tuple(w.signing_key for w in self.webhooks if w.signing_key is not None)
