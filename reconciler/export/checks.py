"""Will an exported entry load? The published JSON Schema decides, plus the few rules the config
loader checks beyond it (time zones, `duration` among `duration_options`).

Calendly may hold values the config format cannot express (a locale or a location kind the
schema does not list, a time zone the local tz database lacks). The export must still load, so
such a field is left out (unmanaged, which plans to zero) or the entry is written as a comment,
each with a note saying why. Asking the schema itself, rather than copying its enums here, keeps
one source of truth.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Mapping
from typing import Any

from reconciler.config.schema import validator


def schema_errors(section: str, entry: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """(path inside the entry, message) of every schema error of one entry of `section`."""
    errors = validator().iter_errors({section: [dict(entry)]})
    found = {
        (tuple(str(p) for p in list(error.absolute_path)[2:]), one_line(error.message))
        for error in errors
    }
    return sorted(found)


def document_errors(data: Mapping[str, Any]) -> list[str]:
    """Schema errors of top-level keys (`organization`), as messages."""
    return sorted(one_line(e.message) for e in validator().iter_errors(dict(data)))


def known_zone(name: str) -> bool:
    """The config loader's rule: a name of the tz database this machine has."""
    zones = _zones()
    if zones:
        return name in zones
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def one_line(text: str) -> str:
    """Notes are comment lines: a message must not break out of its `#`."""
    return " ".join(text.split())


def fit_schema(
    section: str, data: dict[str, Any], identity: tuple[str, ...]
) -> tuple[dict[str, Any], bool, list[str]]:
    """Leave out the optional fields the schema refuses: (data, still declarable?, notes).

    An error in an `identity` field (or in the entry as a whole) cannot be fixed by leaving
    something out: the entry is then not declarable, and the note says why.
    """
    notes = []
    while errors := schema_errors(section, data):
        fields = {path[0] if path else "" for path, _ in errors}
        if fields & {"", *identity}:
            reasons = "; ".join(message for _, message in errors)
            return data, False, [f"Not declared: it does not fit the config format ({reasons})."]
        for path, message in errors:
            if path[0] in data:
                notes.append(f"{path[0]} is left out (unmanaged): {message}.")
                del data[path[0]]
    return data, True, notes
