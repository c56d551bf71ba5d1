"""The writable fields of an event type: validation shared by POST/PATCH /event_types and the
fixture loader, and the defaults Calendly gives a new event type.

`start_time_increment` (5..720 minutes, default 30) and `before_buffer` / `after_buffer` (one of
BUFFERS, default 0) are writable since 2026-11-13 (CHANGES-2026.md); like every other field, a
PATCH that omits them keeps their current values.

Each field has one small checker; `writable_fields` runs those of the fields present in a body
and returns the cleaned values, collecting every problem so one 400 names them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from reconciler.sandbox.errors import ApiError, Collector
from reconciler.sandbox.model import EventTypeAvailability, Json, User
from reconciler.sandbox.store import Store

LOCALES = ("de", "en", "es", "fr", "it", "nl", "pt", "uk")
LOCATION_KINDS = (
    "ask_invitee",
    "custom",
    "google_conference",
    "gotomeeting_conference",
    "inbound_call",
    "microsoft_teams_conference",
    "outbound_call",
    "physical",
    "webex_conference",
    "zoom_conference",
)
LOCATION_FIELDS = ("kind", "location", "additional_info", "phone_number")
BUFFERS = (0, 5, 10, 15, 30, 45, 60, 90, 120, 150, 180)
DEFAULT_INCREMENT = 30
_COLOR = re.compile(r"^#[a-f\d]{6}$")
DEFAULT_COLOR = "#0069ff"
# Calendly gives every new event type this one optional question.
DEFAULT_QUESTION: Json = {
    "name": "Please share anything that will help prepare for our meeting.",
    "type": "text",
    "position": 0,
    "enabled": True,
    "required": False,
    "answer_choices": [],
    "include_other": False,
}


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_duration(value: Any, parameter: str, errors: Collector) -> None:
    if not is_int(value):
        errors.add(parameter, "must be an integer")
    elif not 1 <= value <= 720:
        errors.add(parameter, "must be between 1 and 720")


def clean_locations(raw: Any, parameter: str, errors: Collector) -> list[Json] | None:
    if not isinstance(raw, list):
        errors.add(parameter, "must be an array")
        return None
    out: list[Json] = []
    for i, item in enumerate(raw):
        at = f"{parameter}[{i}]"
        if not isinstance(item, dict):
            errors.add(at, "must be an object")
            continue
        location = clean_location(item, at, errors)
        if location is not None:
            out.append(location)
    return out or None


def clean_location(item: Json, at: str, errors: Collector) -> Json | None:
    kind = item.get("kind")
    if kind not in LOCATION_KINDS:
        errors.add(f"{at}.kind", f"must be one of: {', '.join(LOCATION_KINDS)}")
        return None
    cleaned: Json = {"kind": kind}
    for name in LOCATION_FIELDS[1:]:
        if name in item and item[name] is not None:
            if not isinstance(item[name], str):
                errors.add(f"{at}.{name}", "must be a string")
            else:
                cleaned[name] = item[name]
    return cleaned


# ---- one checker per field: (value, errors) → cleaned value (or None after an error) -------


def _name(value: Any, errors: Collector) -> Any:
    if not isinstance(value, str):
        errors.add("name", "must be a string")
    elif not value.strip():
        errors.add("name", "must be filled")
    return value


def _active(value: Any, errors: Collector) -> Any:
    if not isinstance(value, bool):
        errors.add("active", "must be a boolean")
    return value


def _description(value: Any, errors: Collector) -> Any:
    if value is not None and not isinstance(value, str):
        errors.add("description", "must be a string")
    return value or None


def _duration(value: Any, errors: Collector) -> Any:
    check_duration(value, "duration", errors)
    return value


def _duration_options(value: Any, errors: Collector) -> Any:
    if not isinstance(value, list):
        errors.add("duration_options", "must be an array")
        return None
    before = len(errors.details)
    for i, option in enumerate(value):
        check_duration(option, f"duration_options[{i}]", errors)
    if len(value) > 4:
        errors.add("duration_options", "must have at most 4 options")
    elif len(errors.details) == before and len(set(value)) != len(value):
        errors.add("duration_options", "must be unique")
    return list(value) or None


def _color(value: Any, errors: Collector) -> Any:
    if not isinstance(value, str) or not _COLOR.match(value):
        errors.add("color", "must be a lowercase hex color like #0069ff")
    return value


def _locale(value: Any, errors: Collector) -> Any:
    if value not in LOCALES:
        errors.add("locale", f"must be one of: {', '.join(LOCALES)}")
    return value


def _locations(value: Any, errors: Collector) -> Any:
    return None if value is None else clean_locations(value, "locations", errors)


def _increment(value: Any, errors: Collector) -> Any:
    if not is_int(value) or not 5 <= value <= 720:
        errors.add("start_time_increment", "must be a whole number between 5 and 720")
    return value


def _buffer(name: str) -> Callable[[Any, Collector], Any]:
    def check(value: Any, errors: Collector) -> Any:
        if not is_int(value) or value not in BUFFERS:
            errors.add(name, f"must be one of: {', '.join(map(str, BUFFERS))}")
        return value

    return check


_CHECKERS: dict[str, Callable[[Any, Collector], Any]] = {
    "name": _name,
    "active": _active,
    "description": _description,
    "duration": _duration,
    "duration_options": _duration_options,
    "color": _color,
    "locale": _locale,
    "locations": _locations,
    "start_time_increment": _increment,
    "before_buffer": _buffer("before_buffer"),
    "after_buffer": _buffer("after_buffer"),
}


def writable_fields(body: Json, errors: Collector) -> Json:
    """Validate the writable fields present in a POST/PATCH body; return them cleaned."""
    out: Json = {}
    for name, check in _CHECKERS.items():
        if name in body:
            before = len(errors.details)
            value = check(body[name], errors)
            if len(errors.details) == before:
                out[name] = value
    if (
        not errors.details
        and out.get("duration_options")
        and "duration" in out
        and out["duration"] not in out["duration_options"]
    ):
        errors.add("duration", "must be one of duration_options")
    return out


def new_availability(store: Store, user: User) -> EventTypeAvailability:
    """A new event type's availability: (a copy of) its owner's default schedule."""
    schedule = store.default_schedule(user.id)
    if schedule is None:  # cannot happen for fixture or accepted users; be safe anyway
        raise ApiError(500, "Internal Server Error", "The user has no default schedule.")
    return EventTypeAvailability(
        schedule_id=schedule.id,
        name=schedule.name,
        timezone=schedule.timezone,
        rules=[{**r, "intervals": [dict(i) for i in r["intervals"]]} for r in schedule.rules],
        user_id=user.id,
    )
