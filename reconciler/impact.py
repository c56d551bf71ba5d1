"""Booking impact: the upcoming bookings that each change of a plan touches.

A change can affect bookings when it deactivates an event type (its scheduling link stops
taking bookings), changes its duration or locations (booked meetings keep what they were booked
with), or replaces its availability with one that removes time (booked meetings may now fall
outside the hours). For those changes only, the plan reads the owners' upcoming bookings: one
`GET /scheduled_events?organization=ORG&user=URI&min_start_time=NOW&status=active` listing per
affected owner (100 a page), in parallel, and adds to the change

    impact = {"upcoming": N, "outside": M, "first_outside": ISO time or null, ...}

`outside` counts the bookings the new availability no longer covers (0 for other changes).
Without `scheduled_events:read` the plan says so in a warning and goes on.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from reconciler.client.errors import ApiError, InsufficientScope, MalformedResponse
from reconciler.kinds.wire import Fields, MalformedObject
from reconciler.model import LiveState
from reconciler.plan import Action, Change, Plan
from reconciler.protocols import Reader

PATH = "/scheduled_events"
SCOPE = "scheduled_events:read"
NO_SCOPE = (
    f"booking impact not shown: the token cannot read bookings ({SCOPE}); grant that scope "
    "to see which upcoming bookings a plan touches"
)
#: Event type fields whose change leaves already booked meetings as they were booked.
BOOKED_FIELDS = ("duration", "locations")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def affects_bookings(change: Change) -> bool:
    if change.kind == "event_type":
        if change.action == Action.DELETE:
            return True
        return change.action == Action.UPDATE and (
            deactivates(change) or any(f.path in BOOKED_FIELDS for f in change.fields)
        )
    if change.kind == "availability":
        return change.action == Action.UPDATE and bool(change.before) and removes_time(change)
    return False


def deactivates(change: Change) -> bool:
    return change.action == Action.DELETE or (
        change.after.get("active") is False and change.before.get("active") is not False
    )


def removes_time(change: Change) -> bool:
    """Whether some hour the old availability offered is not offered by the new one."""
    old, new = change.before, change.after
    if old.get("timezone") != new.get("timezone"):
        return True
    new_rules: Mapping[str, list[str]] = new.get("rules") or {}
    for day, spans in (old.get("rules") or {}).items():
        kept = new_rules.get(day)
        if kept is None:  # a date rule dropped: that date falls back to its weekday's hours
            kept = new_rules.get(_weekday(day), [])
        if not _covers(_spans(kept), _spans(spans)):
            return True
    return False


def assess(plan: Plan, live: LiveState, reader: Reader, *, now: dt.datetime) -> Plan:
    """The plan with `impact` on every change that can affect bookings."""
    affected = [c for c in plan.changes if affects_bookings(c) and c.uri]
    if not affected:
        return plan
    users = live.context.users
    owners = sorted({_owner(c) for c in affected if _owner(c) in users})
    since = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    try:
        with ThreadPoolExecutor(
            max_workers=max(min(reader.max_concurrency, len(owners)), 1)
        ) as pool:
            reads = {
                owner: pool.submit(
                    reader.list_all,
                    PATH,
                    {
                        # `user` alone is only allowed for one's own bookings (2023 spec).
                        "organization": live.context.organization,
                        "user": users[owner],
                        "min_start_time": since,
                        "status": "active",
                    },
                )
                for owner in owners
            }
            bookings = {}
            for owner, read in reads.items():
                try:
                    bookings[owner] = _bookings(read.result())
                except MalformedObject as exc:
                    raise MalformedResponse(f"GET {PATH} answered a {exc}") from None
    except InsufficientScope:
        return replace(plan, warnings=tuple(sorted({*plan.warnings, NO_SCOPE})))
    except ApiError as exc:  # e.g. a member's token may not read others' bookings
        # Bookings are advice about the plan, not part of it: their absence is a note.
        note = f"booking impact not shown: {exc}"
        return replace(plan, warnings=tuple(sorted({*plan.warnings, note})))
    urls = {o.uri: o.meta.get("scheduling_url") for o in live.objects.get("event_type", ())}
    ids = {c.id for c in affected}
    changes = [
        replace(c, impact=impact(c, bookings.get(_owner(c), []), urls.get(c.uri or "")))
        if c.id in ids
        else c
        for c in plan.changes
    ]
    return plan.with_changes(changes)


def _owner(change: Change) -> str:
    return change.key.split("/", 1)[0]


Booking = tuple[dt.datetime, dt.datetime, str]  # start, end, event type URI


def _bookings(items: Iterable[Mapping[str, Any]]) -> list[Booking]:
    found = []
    for item in items:
        event = Fields(item, "scheduled event")
        if event.text("status", null=True, missing=True) not in (None, "active"):
            continue
        start, end = (_instant(event, name) for name in ("start_time", "end_time"))
        found.append((start, end, event.uri("event_type")))
    return sorted(found)


def _instant(event: Fields, name: str) -> dt.datetime:
    text = event.text(name) or ""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise event.fail(name, text, "an ISO 8601 time") from None
    if value.tzinfo is None:
        raise event.fail(name, text, "an ISO 8601 time with its offset")
    return value


def impact(change: Change, bookings: Sequence[Booking], url: str | None) -> dict[str, Any]:
    mine = [(start, end) for start, end, uri in bookings if uri == change.uri]
    result: dict[str, Any] = {"upcoming": len(mine), "outside": 0, "first_outside": None}
    if change.kind == "availability":
        zone = str(change.after.get("timezone") or "UTC")
        outside = [start for start, end in mine if not _available(change.after, start, end)]
        result["outside"] = len(outside)
        result["first_outside"] = _iso(outside[0]) if outside else None
        result["timezone"] = zone
    elif deactivates(change) and url:
        result["scheduling_url"] = url
    return result


def _available(spec: Mapping[str, Any], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the availability (its canonical form) covers the whole booking."""
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(str(spec.get("timezone")))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date()
    rules: Mapping[str, list[str]] = spec.get("rules") or {}
    spans = rules.get(day.isoformat())
    if spans is None:
        spans = rules.get(WEEKDAYS[day.weekday()], [])
    begin = local_start.hour * 60 + local_start.minute
    # A booking that ends at midnight (or later) ends at minute 1440 of its first day.
    finish = (local_end.date() - day).days * 1440 + local_end.hour * 60 + local_end.minute
    return any(a <= begin and finish <= b for a, b in _spans(spans))


def _spans(texts: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for text in texts:
        start, end = text.split("-")
        spans.append((_minutes(start), _minutes(end)))
    return spans


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _covers(new: list[tuple[int, int]], old: list[tuple[int, int]]) -> bool:
    return all(any(a <= start and end <= b for a, b in new) for start, end in old)


def _weekday(day: str) -> str:
    try:
        return WEEKDAYS[dt.date.fromisoformat(day).weekday()]
    except ValueError:
        return day


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- in words, for the text and markdown plans ----------------------------------------------


def describe(change: Change) -> str | None:
    """One line: what the change does to upcoming bookings."""
    data = change.impact
    if data is None:
        return None
    upcoming, outside = int(data.get("upcoming", 0)), int(data.get("outside", 0))
    bookings = _count(upcoming, "upcoming booking")
    if change.kind == "availability":
        if outside:
            first = _local(str(data.get("first_outside")), str(data.get("timezone") or "UTC"))
            verb = "falls" if outside == 1 else "fall"
            return (
                f"{_count(outside, 'upcoming booking')} {verb} outside the new hours; first {first}"
            )
        return f"{bookings}, all inside the new hours" if upcoming else "no upcoming bookings"
    url = data.get("scheduling_url")
    if deactivates(change):
        text = f"{bookings} stay booked" if upcoming else "no upcoming bookings"
        stops = f"{url} stops" if url else "its scheduling link stops"
        return f"{text}; {stops} taking new bookings"
    if not upcoming:
        return "no upcoming bookings"
    if upcoming == 1:
        return "1 upcoming booking: it keeps the duration and location it was booked with"
    return f"{bookings}: they keep the duration and location they were booked with"


def _local(iso: str, zone: str) -> str:
    """`Tue 2026-12-08 16:00 America/New_York`."""
    try:
        tz: dt.tzinfo = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz, zone = dt.UTC, "UTC"
    when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(tz)
    return f"{when:%a %Y-%m-%d %H:%M} {zone}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
