"""Checks the schema cannot express: references between resources, duplicates across files,
time zones, intervals, and the webhook URL rule.

They run on the merged entries, which all passed the schema, so shapes are known here.
Duplicates name both places; the problem is on the later declaration.
"""

from __future__ import annotations

import functools
import ipaddress
import zoneinfo
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from reconciler.config.merge import Entry, Merged
from reconciler.config.problems import Problem
from reconciler.config.suggest import did_you_mean
from reconciler.emails import email_key

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
INSECURE_FLAG = "--allow-insecure-webhooks"


def check(merged: Merged, *, allow_insecure_webhooks: bool = False) -> list[Problem]:
    problems = _duplicates(
        merged.members,
        lambda e: email_key(e.value["email"]),
        lambda e: f"member {e.value['email']}",
    )
    problems += _event_types(merged)
    problems += _webhooks(merged, allow_insecure_webhooks)
    return problems


def _duplicates(
    entries: Sequence[Entry],
    identity: Callable[[Entry], Hashable],
    describe: Callable[[Entry], str],
    *sub: str,
) -> list[Problem]:
    """A problem on every entry whose identity an earlier entry already has."""
    first: dict[Hashable, Entry] = {}
    problems = []
    for entry in entries:
        key = identity(entry)
        if key in first:
            where = first[key].at(*sub)
            problems.append(
                entry.problem(f"duplicate {describe(entry)} (first declared at {where})", *sub)
            )
        else:
            first[key] = entry
    return problems


# Event types -----------------------------------------------------------------------------------


def _event_types(merged: Merged) -> list[Problem]:
    entries = merged.event_types
    problems = _duplicates(
        entries,
        lambda e: (email_key(e.value["owner"]), e.value["name"]),
        lambda e: f"event type {e.value['owner']}/{e.value['name']}",
    )
    problems += _duplicates(
        [e for e in entries if "uuid" in e.value],
        lambda e: e.value["uuid"],
        lambda e: f"uuid {e.value['uuid']}",
        "uuid",
    )
    for entry in entries:
        event_type = entry.value
        owner = event_type["owner"]
        if email_key(owner) not in merged.member_emails:
            message = f"unknown owner {owner!r} (an event type's owner must be declared in members)"
            problems.append(entry.problem(message, "owner"))
        options = event_type.get("duration_options")
        if (
            "duration" in event_type
            and options is not None
            and event_type["duration"] not in options
        ):
            listed = ", ".join(str(o) for o in options)
            message = f"duration {event_type['duration']} is not one of duration_options [{listed}]"
            problems.append(entry.problem(message, "duration"))
        if "availability" in event_type:
            problems += _availability(entry)
    return problems


@dataclass(frozen=True)
class _Span:
    start: int  # minutes since midnight
    end: int
    rule: int
    index: int
    text: str


def _availability(entry: Entry) -> list[Problem]:
    availability: dict[str, Any] = entry.value["availability"]
    problems = []
    zone = availability["timezone"]
    if not _known_zone(zone):
        close = did_you_mean(zone, sorted(_zones()), cutoff=0.8)
        hint = f" (did you mean {close!r}?)" if close else ""
        problems.append(
            entry.problem(f"unknown time zone {zone!r}{hint}", "availability", "timezone")
        )
    by_day: dict[str, list[_Span]] = {}
    first_date: dict[str, int] = {}
    for r, rule in enumerate(availability["rules"]):
        at_rule = ("availability", "rules", r)
        if "date" in rule:
            date = rule["date"]
            if date in first_date:
                where = entry.at(*at_rule[:-1], first_date[date], "date")
                problems.append(
                    entry.problem(
                        f"duplicate date {date} (first declared at {where})", *at_rule, "date"
                    )
                )
                days: list[str] = []  # its intervals would only repeat the overlap story
            else:
                first_date[date] = r
                days = [date]
        else:
            wday = rule["wday"]
            days = [wday] if isinstance(wday, str) else list(wday)
        for i, text in enumerate(rule["intervals"]):
            span, message = _span(text, r, i)
            if message:
                problems.append(entry.problem(message, *at_rule, "intervals", i))
            elif span is not None:
                for day in days:
                    by_day.setdefault(day, []).append(span)
    problems += _overlaps(entry, by_day)
    return problems


def _span(text: str, rule: int, index: int) -> tuple[_Span | None, str]:
    # The schema's pattern already guarantees `HH:MM-HH:MM` with hours 00-24, minutes 00-59.
    start_text, end_text = text.split("-")
    start, end = _minutes(start_text), _minutes(end_text)
    if start > 24 * 60 or end > 24 * 60:
        return None, f"interval {text!r}: times must be between 00:00 and 24:00"
    if start >= end:
        return None, f"interval {text!r}: the start must be before the end"
    return _Span(start, end, rule, index, text), ""


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


def _overlaps(entry: Entry, by_day: dict[str, list[_Span]]) -> list[Problem]:
    """One problem per overlapping pair of intervals, listing the days it happens on."""
    pairs: dict[tuple[_Span, _Span], list[str]] = {}
    for day, spans in by_day.items():
        ordered = sorted(spans, key=lambda s: (s.rule, s.index))
        for n, later in enumerate(ordered):
            for earlier in ordered[:n]:
                # Touching intervals (09:00-12:00, 12:00-13:00) do not overlap.
                if earlier.start < later.end and later.start < earlier.end:
                    pairs.setdefault((later, earlier), []).append(day)
    problems = []
    for (later, earlier), days in pairs.items():
        order = {d: WEEKDAYS.index(d) if d in WEEKDAYS else 7 for d in days}
        listed = ", ".join(sorted(days, key=lambda d: (order[d], d)))
        where = entry.at("availability", "rules", earlier.rule, "intervals", earlier.index)
        message = f"interval {later.text!r} overlaps {earlier.text!r} (at {where}) on {listed}"
        path = ("availability", "rules", later.rule, "intervals", later.index)
        problems.append(entry.problem(message, *path))
    return problems


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_zone(name: str) -> bool:
    zones = _zones()
    if zones:
        return name in zones
    try:  # no zone list on this system: ask the loader itself
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# Webhooks --------------------------------------------------------------------------------------


def _webhooks(merged: Merged, allow_insecure: bool) -> list[Problem]:
    entries = merged.webhooks
    problems = _duplicates(entries, _webhook_identity, lambda e: f"webhook {webhook_key(e.value)}")
    for entry in entries:
        webhook = entry.value
        if webhook["scope"] == "user" and email_key(webhook["user"]) not in merged.member_emails:
            message = (
                f"unknown user {webhook['user']!r} "
                "(a user-scope webhook's user must be declared in members)"
            )
            problems.append(entry.problem(message, "user"))
        message = _url_problem(webhook["url"], allow_insecure)
        if message:
            problems.append(entry.problem(message, "url"))
    return problems


def webhook_key(webhook: dict[str, Any]) -> str:
    """The identity as the plan spells it: `organization URL`, `user EMAIL URL`, `group G URL`."""
    scope = webhook["scope"]
    owner = webhook.get(scope, "") if scope in ("user", "group") else ""
    return " ".join(part for part in (scope, owner, webhook["url"]) if part)


def _webhook_identity(entry: Entry) -> Hashable:
    webhook = entry.value
    scope = webhook["scope"]
    owner = webhook.get(scope, "") if scope in ("user", "group") else ""
    return scope, email_key(owner) if scope == "user" else owner, webhook["url"]


def _url_problem(url: str, allow_insecure: bool) -> str:
    try:
        parts = urlsplit(url)
    except ValueError as error:
        return f"invalid URL: {error}"
    if not parts.hostname:
        return "invalid URL: no host"
    if parts.scheme == "https":
        return ""
    if not _is_loopback(parts.hostname):
        return (
            "webhook URLs must use https:// (plain http:// is only accepted for loopback hosts, "
            f"with {INSECURE_FLAG})"
        )
    if allow_insecure:
        return ""
    return f"plain http:// URL: pass {INSECURE_FLAG} to accept it for a local (loopback) receiver"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
