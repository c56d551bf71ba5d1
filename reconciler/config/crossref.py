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

from reconciler.config.document import DataPath
from reconciler.config.merge import Entry, Merged
from reconciler.config.messages import quote
from reconciler.config.model import Source
from reconciler.config.problems import Problem
from reconciler.config.suggest import did_you_mean

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
INSECURE_FLAG = "--allow-insecure-webhooks"


def check(merged: Merged, *, allow_insecure_webhooks: bool = False) -> list[Problem]:
    problems = _duplicates(
        merged.members,
        lambda e: e.value["email"].casefold(),
        lambda e: f"member {e.value['email']}",
    )
    problems += _event_types(merged)
    problems += _webhooks(merged, allow_insecure_webhooks)
    problems += _schedules(merged)
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
    problems = _owner_duplicates(entries)
    problems += _duplicates(
        [e for e in entries if "uuid" in e.value],
        lambda e: e.value["uuid"],
        lambda e: f"uuid {e.value['uuid']}",
        "uuid",
    )
    for entry in entries:
        event_type = entry.value
        if "owners" in event_type:
            problems += _owners(entry, merged.member_emails)
        elif event_type["owner"].casefold() not in merged.member_emails:
            owner = event_type["owner"]
            message = (
                f"unknown owner {quote(owner)} (an event type's owner must be declared in members)"
            )
            problems.append(entry.problem(message, "owner"))
        problems += _durations(entry, event_type, ())
        if "availability" in event_type:
            problems += _availability(entry, "availability")
        for email, override in event_type.get("overrides", {}).items():
            within = ("overrides", email)
            problems += _durations(entry, {**event_type, **override}, within)
            if "availability" in override:
                problems += _availability(entry, *within, "availability")
    return problems


def _owner_duplicates(entries: Sequence[Entry]) -> list[Problem]:
    """One event type per (owner, name): `owner:` entries and the emails listed in `owners:`.

    Members of a group or team are only known at plan time; the plan checks those.
    """
    first: dict[tuple[str, str], Source] = {}
    problems = []
    for entry in entries:
        name = entry.value["name"]
        listed: list[tuple[str, DataPath]]
        if "owners" in entry.value:
            listed = [
                (item, ("owners", index))
                for index, item in enumerate(entry.value["owners"])
                if isinstance(item, str)
            ]
        else:
            listed = [(entry.value["owner"], ())]
        for email, path in listed:
            key = (email.casefold(), name)
            if key in first:
                message = f"duplicate event type {email}/{name} (first declared at {first[key]})"
                problems.append(entry.problem(message, *path))
            else:
                first[key] = entry.at(*path)
    return problems


def _owners(entry: Entry, members: set[str]) -> list[Problem]:
    """Listed owners are declared members; overrides name owners (or possible ones)."""
    problems = []
    owners = entry.value["owners"]
    listed = {item.casefold() for item in owners if isinstance(item, str)}
    for index, item in enumerate(owners):
        if isinstance(item, str) and item.casefold() not in members:
            message = (
                f"unknown owner {quote(item)} (an email in owners must be declared in members; "
                "members of a {group:} or {team:} need not be)"
            )
            problems.append(entry.problem(message, "owners", index))
    expands = any(isinstance(item, dict) for item in owners)
    for email in entry.value.get("overrides", {}):
        if not _is_email(email):
            problems.append(
                entry.problem(f"override key {quote(email)} is not an email", "overrides")
            )
        elif email.casefold() not in listed and not expands:
            shown = ", ".join(item for item in owners if isinstance(item, str))
            message = f"override for {quote(email)}, who is not one of the owners ({shown})"
            problems.append(entry.problem(message, "overrides", email))
    return problems


def _is_email(text: str) -> bool:
    local, _, domain = text.partition("@")
    return bool(local) and "." in domain and " " not in text


def _durations(entry: Entry, event_type: dict[str, Any], within: tuple[str, ...]) -> list[Problem]:
    options = event_type.get("duration_options")
    if "duration" in event_type and options is not None and event_type["duration"] not in options:
        listed = ", ".join(str(o) for o in options)
        message = f"duration {event_type['duration']} is not one of duration_options [{listed}]"
        return [entry.problem(message, *within, "duration")]
    return []


@dataclass(frozen=True)
class _Span:
    start: int  # minutes since midnight
    end: int
    rule: int
    index: int
    text: str


def _availability(entry: Entry, *at: str) -> list[Problem]:
    """Time zone and rules at `at` in the entry (an event type's `availability`, or a user
    availability schedule itself)."""
    availability: dict[str, Any] = entry.value
    for part in at:  # e.g. ("overrides", EMAIL, "availability")
        availability = availability[part]
    problems = []
    zone = availability["timezone"]
    if not _known_zone(zone):
        close = did_you_mean(zone, sorted(_zones()), cutoff=0.8)
        hint = f" (did you mean {close!r}?)" if close else ""
        problems.append(entry.problem(f"unknown time zone {quote(zone)}{hint}", *at, "timezone"))
    by_day: dict[str, list[_Span]] = {}
    first_date: dict[str, int] = {}
    for r, rule in enumerate(availability["rules"]):
        at_rule: tuple[str | int, ...] = (*at, "rules", r)
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
    problems += _overlaps(entry, by_day, at)
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


#: Overlap problems listed per availability: a pathological rule set would list n² pairs.
MAX_OVERLAPS = 100


def _overlaps(entry: Entry, by_day: dict[str, list[_Span]], at: tuple[str, ...]) -> list[Problem]:
    """One problem per overlapping pair of intervals, listing the days it happens on."""
    pairs: dict[tuple[_Span, _Span], list[str]] = {}
    found = 0
    for day, spans in by_day.items():
        # By start time, the intervals that overlap one are the next ones starting before its
        # end: O(n log n + overlaps) rather than every pair, and the overlaps are capped.
        ordered = sorted(spans, key=lambda s: (s.start, s.rule, s.index))
        for n, first in enumerate(ordered):
            for m in range(n + 1, len(ordered)):
                other = ordered[m]
                if other.start >= first.end:  # touching (09:00-12:00, 12:00-13:00) is fine
                    break
                found += 1
                if found > MAX_OVERLAPS:
                    break
                later, earlier = sorted((first, other), key=lambda s: (s.rule, s.index))[::-1]
                pairs.setdefault((later, earlier), []).append(day)
    problems = []
    if found > MAX_OVERLAPS:
        message = f"more than {MAX_OVERLAPS} overlapping intervals: only the first are listed"
        problems.append(entry.problem(message, *at, "rules"))
    for (later, earlier), days in pairs.items():
        order = {d: WEEKDAYS.index(d) if d in WEEKDAYS else 7 for d in days}
        listed = ", ".join(sorted(days, key=lambda d: (order[d], d)))
        where = entry.at(*at, "rules", earlier.rule, "intervals", earlier.index)
        message = f"interval {later.text!r} overlaps {earlier.text!r} (at {where}) on {listed}"
        path: tuple[str | int, ...] = (*at, "rules", later.rule, "intervals", later.index)
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


# User availability schedules ------------------------------------------------------------------


def _schedules(merged: Merged) -> list[Problem]:
    entries = merged.availability_schedules
    problems = _duplicates(
        entries,
        lambda e: (e.value["user"].casefold(), e.value["name"]),
        lambda e: f"availability schedule {e.value['user']}/{e.value['name']}",
    )
    problems += _duplicates(
        [e for e in entries if e.value.get("default") is True],
        lambda e: e.value["user"].casefold(),
        lambda e: f"default schedule for {e.value['user']}",
        "default",
    )
    for entry in entries:
        user = entry.value["user"]
        if user.casefold() not in merged.member_emails:
            message = f"unknown user {user!r} (a schedule's user must be declared in members)"
            problems.append(entry.problem(message, "user"))
        problems += _availability(entry)
    return problems


# Webhooks --------------------------------------------------------------------------------------


def _webhooks(merged: Merged, allow_insecure: bool) -> list[Problem]:
    entries = merged.webhooks
    problems = _duplicates(entries, _webhook_identity, lambda e: f"webhook {webhook_key(e.value)}")
    for entry in entries:
        webhook = entry.value
        if webhook["scope"] == "user" and webhook["user"].casefold() not in merged.member_emails:
            message = (
                f"unknown user {quote(webhook['user'])} "
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
    return scope, owner.casefold() if scope == "user" else owner, webhook["url"]


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
