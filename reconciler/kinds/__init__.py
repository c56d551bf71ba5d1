"""Resource kinds, one module each, registered in plan order."""

from __future__ import annotations

from reconciler.kinds import availability, event_type, member, webhook
from reconciler.kinds.base import DiffEnv, Kind, PlanError

KINDS: dict[str, Kind] = {
    member.NAME: member,
    event_type.NAME: event_type,
    availability.NAME: availability,
    webhook.NAME: webhook,
}

__all__ = ["KINDS", "DiffEnv", "Kind", "PlanError"]
