"""Users' availability schedules as export entries.

A schedule is written with its user, name, time zone, `default: true` when it is the user's
default (a non-default is left unmanaged: the API cannot be told `default: false`), and its
rules in the compact form event type availability uses. A schedule of someone who is not a
declared member, or one the config format cannot hold (a time zone this machine does not know),
is written as a comment with the reason. The config identifies a schedule by (user, name): when
a user has several with one name, the first (the default, else by URI) is declared and the
others are comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any

from reconciler.export.checks import fit_schema, known_zone
from reconciler.export.event_types import compact_rules
from reconciler.export.model import Entry
from reconciler.model import Live, uri_id

SECTION = "availability_schedules"
IDENTITY = ("user", "name", "timezone", "rules")


def schedule_entries(
    schedules: Iterable[Live], *, members: Set[str], declared_keys: Set[str] = frozenset()
) -> list[Entry]:
    """One entry per schedule; `declared_keys`: (user/name) keys a config already declares."""
    seen: set[str] = set(declared_keys)
    entries = []
    ranked = sorted(schedules, key=lambda s: (s.key, not s.spec.get("default"), uri_id(s.uri)))
    for live in ranked:
        entries.append(_entry(live, members, taken=live.key in seen))
        seen.add(live.key)
    return entries


def _entry(live: Live, members: Set[str], *, taken: bool) -> Entry:
    spec = live.spec
    user, name = str(spec["user"]), str(spec["name"])
    data: dict[str, Any] = {"user": user, "name": name, "timezone": spec["timezone"]}
    if spec.get("default"):
        data["default"] = True
    data["rules"] = compact_rules(spec["rules"])
    sort_key = (user, name.casefold(), name, uri_id(live.uri))
    if user not in members:
        note = f"Not declared: its user {user} is not a member of the organization."
        return Entry(SECTION, sort_key, data, declared=False, notes=(note,))
    if taken:
        note = (
            f'Not declared: {user} has another schedule named "{name}", and the config '
            "identifies a schedule by user and name."
        )
        return Entry(SECTION, sort_key, data, owner=user, declared=False, notes=(note,))
    if not known_zone(str(spec["timezone"])):
        note = f"Not declared: this machine's tz database has no time zone {spec['timezone']!r}."
        return Entry(SECTION, sort_key, data, owner=user, declared=False, notes=(note,))
    data, declared, notes = fit_schema(SECTION, data, IDENTITY)
    return Entry(SECTION, sort_key, data, owner=user, declared=declared, notes=tuple(notes))
