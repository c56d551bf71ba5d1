"""Availability rules: validation and Calendly's canonical form.

Calendly answers with its own canonical form (DESIGN.md §3, NOTES.md §3.4): one `wday` rule for
each of the seven days, sunday..saturday in that order, days off as `intervals: []`, intervals
sorted by `from`, then the `date` rules sorted by date. A PATCH replaces the whole rule set, so a
weekday that is not sent becomes unavailable.

Choices where the spec is silent (documented here, tested in tests/sandbox):
- overlapping or touching intervals of one day are merged (09:00-12:00 + 12:00-17:00 → 09:00-17:00),
  and two rules for the same weekday or date are combined;
- `to` may be `24:00` (end of day); `from` must be earlier than `to`;
- dates must be real calendar dates, returned zero-padded (YYYY-MM-DD); past dates are accepted
  on event type availability (no page says otherwise), while user availability schedules refuse
  them (`check_week`, CHANGES-2026.md).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from reconciler.sandbox.errors import Collector
from reconciler.sandbox.model import Json

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_TIME = re.compile(r"^(\d\d):(\d\d)$")
# The spec's AvailabilityRule.date pattern (month and day may omit the leading zero).
_DATE = re.compile(r"^(\d{4})-(0?[1-9]|1[012])-(0?[1-9]|[12][0-9]|3[01])$")


def _minutes(value: Any, *, allow_24: bool) -> int | None:
    if not isinstance(value, str):
        return None
    m = _TIME.match(value)
    if not m:
        return None
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        return None
    return hours * 60 + minutes


def _hhmm(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def _parse_intervals(
    raw: Any, where: str, errors: Collector, *, lenient: bool
) -> list[tuple[int, int]]:
    if not isinstance(raw, list):
        errors.add(f"{where}.intervals", "must be an array")
        return []
    out: list[tuple[int, int]] = []
    for i, item in enumerate(raw):
        at = f"{where}.intervals[{i}]"
        if lenient and isinstance(item, str) and "-" in item:
            start_text, _, end_text = item.partition("-")
            item = {"from": start_text.strip(), "to": end_text.strip()}
        if not isinstance(item, dict):
            errors.add(at, "must be an object with from and to")
            continue
        start = _minutes(item.get("from"), allow_24=False)
        end = _minutes(item.get("to"), allow_24=True)
        if start is None:
            errors.add(f"{at}.from", "must be a time in 24h HH:MM format")
        if end is None:
            errors.add(f"{at}.to", "must be a time in 24h HH:MM format")
        if start is not None and end is not None:
            if start >= end:
                errors.add(at, "from must be earlier than to")
            else:
                out.append((start, end))
    return out


def _merge(intervals: list[tuple[int, int]]) -> list[Json]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [{"from": _hhmm(s), "to": _hhmm(e)} for s, e in merged]


def parse_rules(raw: Any, where: str, errors: Collector, *, lenient: bool = False) -> list[Json]:
    """Validate a rules array and return it in canonical form.

    `lenient` (fixtures only) also accepts `wday` as a list of days, intervals written as
    "09:00-17:00" and a missing `type` (inferred from `wday`/`date`).
    """
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        errors.add(where, "must be an array")
        return canonical({}, {})
    by_day: dict[str, list[tuple[int, int]]] = {}
    by_date: dict[str, list[tuple[int, int]]] = {}
    for i, rule in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(rule, dict):
            errors.add(at, "must be an object")
            continue
        kind = rule.get("type")
        if kind is None and lenient:
            kind = "date" if "date" in rule else "wday"
        if kind not in ("wday", "date"):
            errors.add(f"{at}.type", "must be one of: wday, date")
            continue
        if "intervals" not in rule:
            errors.add(f"{at}.intervals", "is missing")
            continue
        intervals = _parse_intervals(rule["intervals"], at, errors, lenient=lenient)
        if kind == "wday":
            days = rule.get("wday")
            day_list = days if lenient and isinstance(days, list) else [days]
            for day in day_list:
                if day is None:
                    errors.add(f"{at}.wday", "is missing")
                elif day not in WEEKDAYS:
                    errors.add(f"{at}.wday", f"must be one of: {', '.join(WEEKDAYS)}")
                else:
                    by_day.setdefault(day, []).extend(intervals)
        else:
            value = rule.get("date")
            if isinstance(value, date):  # YAML fixtures: an unquoted 2026-12-24
                value = value.isoformat()
            if value is None:
                errors.add(f"{at}.date", "is missing")
                continue
            day_text = _parse_date(value)
            if day_text is None:
                errors.add(f"{at}.date", "must be a date in YYYY-MM-DD format")
            else:
                by_date.setdefault(day_text, []).extend(intervals)
    return canonical(by_day, by_date)


def check_week(raw: Any, where: str, earliest: date, errors: Collector) -> None:
    """The stricter rules of user availability schedules (CHANGES-2026.md): exactly one `wday`
    rule for each day of the week, and no `date` rule before `earliest`. Call it with the raw
    rules after `parse_rules` has reported their shape problems."""
    if not isinstance(raw, list):
        return
    seen: dict[str, int] = {}
    for i, rule in enumerate(raw):
        if not isinstance(rule, dict):
            continue
        if rule.get("type") == "wday" and rule.get("wday") in WEEKDAYS:
            seen[rule["wday"]] = seen.get(rule["wday"], 0) + 1
        elif rule.get("type") == "date":
            day = _parse_date(rule.get("date"))
            if day is not None and date.fromisoformat(day) < earliest:
                errors.add(f"{where}[{i}].date", f"must not be before {earliest.isoformat()}")
    missing = [day for day in WEEKDAYS if day not in seen]
    twice = [day for day in WEEKDAYS if seen.get(day, 0) > 1]
    if missing or twice:
        problems = [f"missing: {', '.join(missing)}"] if missing else []
        problems += [f"more than once: {', '.join(twice)}"] if twice else []
        errors.add(
            where,
            "must include exactly one wday rule for each day of the week, sunday through "
            f"saturday ({'; '.join(problems)})",
        )


def _parse_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = _DATE.match(value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def canonical(
    by_day: dict[str, list[tuple[int, int]]], by_date: dict[str, list[tuple[int, int]]]
) -> list[Json]:
    rules: list[Json] = [
        {"type": "wday", "intervals": _merge(by_day.get(day, [])), "wday": day} for day in WEEKDAYS
    ]
    rules.extend(
        {"type": "date", "intervals": _merge(by_date[d]), "date": d} for d in sorted(by_date)
    )
    return rules


def working_hours() -> list[Json]:
    """The default schedule of a new user: Monday to Friday, 09:00-17:00."""
    weekdays = {day: [(9 * 60, 17 * 60)] for day in WEEKDAYS[1:6]}
    return canonical(weekdays, {})
