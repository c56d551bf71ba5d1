"""After apply: read back what was written and name every declared field Calendly did not keep.

Calendly answers 2xx to writes whose fields it silently ignores (NOTES.md 7.6: unknown or
read-only fields, and `active` on create). A plan run tomorrow would show the difference as
drift; this check says it now, by field name, while the user still knows what they applied.

Cost: one GET per event type written (`GET /event_types/{uuid}`) and one per availability
written (`GET /event_type_availability_schedules?event_type=URI`), in parallel. Members and
webhooks are not read back: an invitation carries only the email, and webhook writes answer
with the subscription itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from reconciler.apply import ApplyResult, Status
from reconciler.client.errors import ClientError
from reconciler.config.model import EVENT_TYPE_FIELDS
from reconciler.kinds import availability, event_type, timezones
from reconciler.kinds.wire import MalformedObject
from reconciler.model import OrgContext, uri_id
from reconciler.plan import Action, Change
from reconciler.protocols import Reader

#: What a read-back compares of an event type: what the plan declares and the API can write.
COMPARED = ("name", *EVENT_TYPE_FIELDS)


def check(result: ApplyResult, reader: Reader, *, today: dt.date) -> list[str]:
    """One warning per written object whose declared fields Calendly did not all keep."""
    targets = []
    for outcome in result.outcomes:
        change = outcome.change
        if outcome.status != Status.DONE or change.action == Action.DELETE:
            continue
        uri = change.uri or result.created.get(f"event_type:{change.key}")
        if change.kind in (event_type.NAME, availability.NAME) and uri:
            targets.append((change, uri))
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=max(min(reader.max_concurrency, len(targets)), 1)) as pool:
        reads = [pool.submit(_check, change, uri, reader, today) for change, uri in targets]
        return [warning for read in reads if (warning := read.result())]


def _check(change: Change, uri: str, reader: Reader, today: dt.date) -> str:
    try:
        if change.kind == event_type.NAME:
            item = reader.get_resource(f"/event_types/{uri_id(uri)}")
            # Owner emails are not compared (the owner cannot change): no member list needed.
            kept = event_type.from_api(item, OrgContext("", "")).spec
            lost = _lost(change.after, kept, COMPARED)
        else:
            schedules = reader.get_collection(availability.PATH, {"event_type": uri})
            kept = availability.from_schedules(change.key, uri, schedules, today).spec
            lost = _lost_availability(change.after, kept)
    except (ClientError, MalformedObject) as exc:
        return f"{change.kind} {change.key}: could not read it back to check it ({exc})"
    if not lost:
        return ""
    return (
        f"{change.kind} {change.key}: Calendly did not keep "
        + "; ".join(f"{name} (sent {_show(sent)}, has {_show(has)})" for name, sent, has in lost)
        + "; the next plan will show it again"
    )


def _lost(
    sent: Mapping[str, Any], kept: Mapping[str, Any], names: tuple[str, ...]
) -> list[tuple[str, Any, Any]]:
    return [(n, sent[n], kept.get(n)) for n in names if n in sent and sent[n] != kept.get(n)]


def _lost_availability(
    sent: Mapping[str, Any], kept: Mapping[str, Any]
) -> list[tuple[str, Any, Any]]:
    lost = []
    if not timezones.same_zone(str(sent.get("timezone")), str(kept.get("timezone"))):
        lost.append(("timezone", sent.get("timezone"), kept.get("timezone")))
    rules, has = sent.get("rules") or {}, kept.get("rules") or {}
    lost.extend(
        (f"rules.{day}", spans, has.get(day))
        for day, spans in rules.items()
        if has.get(day) != spans
    )
    return lost


def _show(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) or "unavailable"  # an availability day's intervals
    return json.dumps(value, ensure_ascii=False)
