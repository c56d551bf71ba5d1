"""The sandbox's records: plain mutable dataclasses, one per Calendly resource.

Timestamps are integer epoch microseconds; ids are the last segment of the resource URI.
Availability rules are kept in Calendly's canonical API form (see availability.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

ROLES = ("owner", "admin", "user")
PLANS = ("basic", "essentials", "standard", "professional", "teams", "enterprise")
STAGES = ("trial", "free", "paid")


@dataclass
class Organization:
    id: str
    name: str
    plan: str
    stage: str
    created_at: int
    updated_at: int


@dataclass
class User:
    id: str
    email: str
    name: str
    slug: str
    timezone: str
    locale: str
    time_notation: str
    created_at: int
    updated_at: int
    active: bool = True  # False once removed from the organization
    locations: list[Json] = field(default_factory=list)  # MeetingLocation objects


@dataclass
class Membership:
    id: str
    user_id: str
    role: str
    created_at: int
    updated_at: int


@dataclass
class Invitation:
    id: str
    email: str
    status: str  # pending | accepted | declined
    created_at: int
    updated_at: int
    last_sent_at: int | None
    user_id: str | None = None


@dataclass
class Schedule:
    """A user availability schedule (read-only through the API)."""

    id: str
    user_id: str
    name: str
    default: bool
    timezone: str
    rules: list[Json]


@dataclass
class EventTypeAvailability:
    """An event type's availability: `schedule_id` is the schedule it references.

    At creation that is the owner's default schedule (rules copied); the first PATCH gives the
    event type its own custom schedule (a new id, `name` null) with the PATCHed rules.
    """

    schedule_id: str
    name: str | None
    timezone: str
    rules: list[Json]
    user_id: str
    custom: bool = False


@dataclass
class Host:
    user_id: str
    membership_id: str  # the EventTypeMembership id
    created_at: int


@dataclass
class EventType:
    id: str
    owner_id: str
    name: str
    kind: str  # solo | group
    type: str  # StandardEventType | AdhocEventType
    pooling_type: str | None
    active: bool
    admin_managed: bool
    booking_method: str
    color: str
    description: str | None
    duration: int | float
    duration_options: list[int] | None
    internal_note: str | None
    is_paid: bool
    locale: str
    locations: list[Json] | None
    position: int
    secret: bool
    slug: str | None
    scheduling_path: str  # appended to https://calendly.com/
    custom_questions: list[Json]
    hosts: list[Host]
    availability: EventTypeAvailability
    created_at: int
    updated_at: int
    deleted_at: int | None = None
    extra: Json = field(default_factory=dict)  # one-off details (date_setting, timezone)
    # Since 2026-11-13 (CHANGES-2026.md): minutes; the increment is None for one-off types.
    start_time_increment: int | None = 30
    before_buffer: int = 0
    after_buffer: int = 0


@dataclass
class Webhook:
    id: str
    callback_url: str
    events: list[str]
    scope: str  # organization | user | group
    user_id: str | None
    group_id: str | None
    creator_id: str | None
    state: str  # active | disabled
    retry_started_at: int | None
    signing_key_hash: str | None  # "salt$sha256(salt+key)", never the key itself
    created_at: int
    updated_at: int


@dataclass
class Group:
    id: str
    name: str
    created_at: int
    updated_at: int


@dataclass
class GroupRelationship:
    id: str
    group_id: str
    role: str  # member | admin
    owner_type: str  # OrganizationMembership | OrganizationInvitation
    owner_id: str  # the membership or invitation id
    created_at: int
    updated_at: int


@dataclass
class ActivityEntry:
    id: str
    occurred_at: int
    actor_id: str | None
    namespace: str
    action: str
    details: Json


@dataclass(frozen=True)
class Token:
    """An access token from the fixture. `scopes` None means a legacy (all-scope) token."""

    name: str
    secret: str = field(repr=False)
    user_email: str
    scopes: frozenset[str] | None
