"""Resource kinds, one module each, registered in plan order."""

from __future__ import annotations

from reconciler.client.errors import ClientError
from reconciler.kinds import availability, availability_schedule, event_type, member, webhook
from reconciler.kinds.base import DiffEnv, Kind, PlanError
from reconciler.model import Request

KINDS: dict[str, Kind] = {
    member.NAME: member,
    event_type.NAME: event_type,
    availability.NAME: availability,
    availability_schedule.NAME: availability_schedule,
    webhook.NAME: webhook,
}


def failure_hint(kind: str, request: Request, error: ClientError) -> str:
    """A kind's advice on a failed request, for apply's report ("" when it has none)."""
    hint = getattr(KINDS.get(kind), "failure_hint", None)
    return str(hint(request, error)) if hint is not None else ""


__all__ = ["KINDS", "DiffEnv", "Kind", "PlanError", "failure_hint"]
