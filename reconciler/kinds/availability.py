"""Event type availability: the whole rule set of one event type, compared semantically.

The semantics live here once and the `availability_schedule` kind (a user's named schedules)
uses them too: `declared_spec` (config → canonical), `read_spec` (API → canonical), `align`
(time zone spellings), `api_rules` (canonical → the API's seven weekday rules and dates).

Both sides are brought to one form before comparing: every weekday present (a weekday the
config does not list is unavailable, because the PATCH replaces the whole set), intervals per
day sorted and merged when they touch or overlap, dates in the past dropped (Calendly only
keeps future dates), and time zones compared by their tz database data, so that `US/Eastern`
and `America/New_York` are the same zone. The PATCH always sends the complete rule set.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reconciler.config.model import Availability, Config
from reconciler.kinds import timezones
from reconciler.kinds.base import DiffEnv
from reconciler.kinds.event_type import key_of
from reconciler.kinds.wire import Fields
from reconciler.model import Desired, Live, Request
from reconciler.plan import Action, Change, FieldChange

NAME = "availability"

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
API_WEEKDAY_ORDER = ("sunday", *WEEKDAYS[:-1])
PATH = "/event_type_availability_schedules"


def desired(config: Config, env: DiffEnv) -> list[Desired]:
    result = []
    for event_type in config.event_types:
        declared = event_type.availability
        if declared is None:
            continue
        key = key_of(event_type.owner, event_type.name)
        spec = declared_spec(declared, f"{NAME} {key}", env)
        result.append(Desired(NAME, key, spec, source=declared.source))
    return result


def declared_spec(declared: Availability, what: str, env: DiffEnv) -> dict[str, Any]:
    """`{timezone, rules}` of a declared rule set, canonical; past dates are warned about."""
    per_day: dict[str, list[tuple[int, int]]] = {day: [] for day in WEEKDAYS}
    dates: dict[str, list[tuple[int, int]]] = {}
    for rule in declared.rules:
        spans = [(minutes(a), minutes(b)) for a, b in rule.intervals]
        for day in rule.wdays:
            per_day[day].extend(spans)
        if rule.date is not None:
            dates.setdefault(rule.date, []).extend(spans)
    for past in sorted(d for d in dates if d < env.today.isoformat()):
        env.warnings.append(
            f"{what}: the date {past} is in the past and is ignored ({declared.source})"
        )
    return {"timezone": declared.timezone, "rules": canonical_rules(per_day, dates, env.today)}


def from_schedules(
    key: str, uri: str, schedules: Sequence[Mapping[str, Any]], today: dt.date
) -> Live:
    """The event type's schedule from GET /event_type_availability_schedules."""
    rule = _pick(schedules, uri)
    spec: dict[str, Any] = {"timezone": "", "rules": canonical_rules({}, {}, today)}
    user = None
    if rule is not None:
        spec = read_spec(rule, today)
        user = rule.optional_uri("user")
    return Live(NAME, key, spec, uri=uri, meta={"user": user})


def read_spec(rule: Fields, today: dt.date) -> dict[str, Any]:
    """`{timezone, rules}` of an API object holding `timezone` and `rules`, canonical."""
    per_day: dict[str, list[tuple[int, int]]] = {day: [] for day in WEEKDAYS}
    dates: dict[str, list[tuple[int, int]]] = {}
    timezone = rule.text("timezone", null=True) or ""
    for item in rule.children("rules", "rule", null=True):
        spans = [_span(interval) for interval in item.children("intervals", "interval")]
        kind = item.choice("type", ("wday", "date"))
        if kind == "wday":
            per_day[item.choice("wday", API_WEEKDAY_ORDER)].extend(spans)
        else:
            dates.setdefault(_date(item), []).extend(spans)
    return {"timezone": timezone, "rules": canonical_rules(per_day, dates, today)}


def _pick(schedules: Sequence[Mapping[str, Any]], uri: str) -> Fields | None:
    """The host schedule (one-on-one event types have exactly one)."""
    for index, schedule in enumerate(schedules, 1):
        label = f"availability #{index} of event type ({uri})"
        rule = Fields(schedule, label, label=label).data.get("availability_rule")
        if isinstance(rule, Mapping):
            return Fields(rule, "availability_rule", label=f"availability_rule of {label}")
        if rule is not None:
            raise Fields(schedule, label, label=label).fail(
                "availability_rule", rule, "an object or null"
            )
    return None


_CLOCK = re.compile(r"([01]?[0-9]|2[0-4]):([0-5][0-9])")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _span(interval: Fields) -> tuple[int, int]:
    start, end = (_clock(interval, name) for name in ("from", "to"))
    return start, end


def _clock(interval: Fields, name: str) -> int:
    text = interval.text(name) or ""
    if not _CLOCK.fullmatch(text) or minutes(text) > 24 * 60:
        raise interval.fail(name, text, 'a time "hh:mm"')
    return minutes(text)


def _date(rule: Fields) -> str:
    text = rule.text("date") or ""
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return _iso_date(text)
    except ValueError:
        raise rule.fail("date", text, 'a date "YYYY-MM-DD"') from None


def canonical_rules(
    per_day: Mapping[str, list[tuple[int, int]]],
    dates: Mapping[str, list[tuple[int, int]]],
    today: dt.date,
) -> dict[str, list[str]]:
    rules = {day: [span_text(s) for s in merge(per_day.get(day, []))] for day in WEEKDAYS}
    for date in sorted(d for d in dates if d >= today.isoformat()):
        rules[date] = [span_text(s) for s in merge(dates[date])]
    return rules


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge intervals that overlap or touch: 09-12 + 12-13 is 09-13."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def minutes(text: str) -> int:
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def clock(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def span_text(span: tuple[int, int]) -> str:
    return f"{clock(span[0])}-{clock(span[1])}"


def _iso_date(text: str) -> str:
    year, month, day = (int(p) for p in text.split("-"))
    return dt.date(year, month, day).isoformat()


def align(desired: Desired, live: Live) -> Mapping[str, Any]:
    """Equivalent time zone spellings are not a difference: compare with the live spelling."""
    if timezones.same_zone(desired.spec["timezone"], live.spec["timezone"]):
        return {**desired.spec, "timezone": live.spec["timezone"]}
    return desired.spec


def create(desired: Desired, env: DiffEnv) -> None:
    """The event type is new (or not read): its schedule is set right after it is created."""
    _patch(desired, None, (), env)


def update(desired: Desired, live: Live, fields: tuple[FieldChange, ...], env: DiffEnv) -> None:
    if fields:
        _patch(desired, live, fields, env)


def _patch(
    desired: Desired, live: Live | None, fields: tuple[FieldChange, ...], env: DiffEnv
) -> None:
    if desired.key in env.readonly_event_types:
        if fields:
            env.warnings.append(
                f"availability {desired.key}: belongs to an event type the API cannot change; "
                "change its schedule in Calendly"
            )
        return
    owner = desired.key.split("/", 1)[0]
    body = {
        "availability_rule": {
            "timezone": desired.spec["timezone"],
            "rules": api_rules(desired.spec["rules"]),
            "user": env.user_uri(owner),
        },
        "availability_setting": "host",
    }
    request = Request(
        "PATCH", PATH, params={"event_type": env.event_type_uri(desired.key)}, body=body
    )
    env.changes.append(
        Change(
            NAME,
            Action.UPDATE,
            desired.key,
            dict(live.spec) if live else {},
            dict(desired.spec),
            fields=fields,
            source=desired.source,
            uri=live.uri if live else None,
            requests=(request,),
        )
    )


def api_rules(rules: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The canonical form as the API's rule list: seven weekday rules, then date rules."""
    result: list[dict[str, Any]] = [
        {"type": "wday", "wday": day, "intervals": _api_intervals(rules.get(day, []))}
        for day in API_WEEKDAY_ORDER
    ]
    result.extend(
        {"type": "date", "date": date, "intervals": _api_intervals(spans)}
        for date, spans in rules.items()
        if date not in WEEKDAYS
    )
    return result


def _api_intervals(spans: Iterable[str]) -> list[dict[str, str]]:
    return [dict(zip(("from", "to"), s.split("-"), strict=True)) for s in spans]


def delete(live: Live, env: DiffEnv) -> bool:
    return False  # every event type has a schedule: there is nothing to delete
