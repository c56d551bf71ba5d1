"""Drift: where live Calendly differs from the config, with who and when where the API tells.

Every change a plan proposes is a live difference from the config. Who made it comes from the
organization's activity log (Enterprise plans: `GET /activity_log_entries`); elsewhere, or when
the token may not read it, the object's own `updated_at` says at least when.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from reconciler.client.errors import ApiError, Forbidden
from reconciler.model import LiveState
from reconciler.plan import Change, Plan
from reconciler.protocols import Reader

#: Activity log pages read at most when looking for who changed what (newest first).
MAX_LOG_PAGES = 10


def attribute(
    plan: Plan, live: LiveState, reader: Reader, *, only: Iterable[str] | None = None
) -> tuple[Plan, str | None]:
    """Add who/when to changes; return the plan and a note when only `updated_at` was usable.

    `only`: the change ids to attribute (all by default).
    """
    wanted = set(only) if only is not None else {c.id for c in plan.changes}
    uris = {c.uri for c in plan.changes if c.id in wanted and c.uri}
    found, note = _from_activity_log(reader, live.context.organization, uris)
    updated = _updated_at(live)
    changes = []
    for change in plan.changes:
        if change.id not in wanted:
            changes.append(change)
            continue
        attribution = found.get(change.uri or "") or updated.get(change.uri or "")
        changes.append(replace(change, attribution=attribution))
    return plan.with_changes(changes), note


def _from_activity_log(
    reader: Reader, organization: str, uris: set[str]
) -> tuple[dict[str, dict[str, str]], str | None]:
    """The newest activity log entry that mentions each URI, as {by, at, source}."""
    if not uris:
        return {}, None
    found: dict[str, dict[str, str]] = {}
    query = {"organization": organization, "sort": "occurred_at:desc"}
    try:
        for index, entry in enumerate(reader.iter_collection("/activity_log_entries", query)):
            for uri in uris.intersection(_strings(entry.get("details"))) - found.keys():
                found[uri] = {
                    "by": _actor(entry.get("actor")),
                    "at": str(entry.get("occurred_at", "")),
                    "source": "activity_log",
                }
            if found.keys() == uris or index >= MAX_LOG_PAGES * 100:
                break
    except Forbidden as exc:
        why = "the token lacks activity_log:read" if exc.required_scopes else "not on Enterprise"
        return {}, f"who changed what is unknown ({why}); showing when from updated_at"
    except ApiError as exc:
        return {}, f"the activity log could not be read ({exc.status}); showing updated_at"
    return found, None


def _updated_at(live: LiveState) -> dict[str, dict[str, str]]:
    at: dict[str, dict[str, str]] = {}
    for objects in live.objects.values():
        for obj in objects:
            stamp = obj.meta.get("updated_at")
            if stamp and obj.uri not in at:
                at[obj.uri] = {"at": str(stamp), "source": "updated_at"}
    return at


def _strings(value: Any) -> Iterator[str]:
    """Every string inside an entry's details: Calendly does not document their shape."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _actor(actor: Any) -> str:
    if not isinstance(actor, Mapping):
        return "unknown"
    for field in ("alternative_identifier", "display_name", "uri"):
        if isinstance(actor.get(field), str) and actor[field]:
            return str(actor[field])
    return "unknown"


def split(head: Plan, base: Plan) -> tuple[Plan, list[str]]:
    """Label each head change: "drift" if the base config already planned the same change
    (Calendly differed before this config change), "change" if the config change makes it."""
    before = {_signature(c) for c in base.changes}
    head_ids = {c.id for c in head.changes}
    labelled = [
        replace(c, origin="drift" if _signature(c) in before else "change") for c in head.changes
    ]
    absorbed = sorted(c.id for c in base.changes if c.id not in head_ids)
    return head.with_changes(labelled), absorbed


def _signature(change: Change) -> str:
    data = [change.id, str(change.action), change.before, change.after]
    return json.dumps(data, sort_keys=True, default=str)
