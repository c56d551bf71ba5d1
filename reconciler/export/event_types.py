"""Event types (with their availability) as export entries.

- One-on-one (`kind: solo`) event types become entries; other kinds are read-only through the
  API and are only listed, as comments.
- Fields are written as `event_type.from_api` normalized them, so that plan compares equal
  values. Absent values (no description, no duration options, no locations, no locale) are
  left out: the field is then unmanaged, which plans to zero just as well, and the YAML stays
  short. Every field that has a value is written, because leaving it out would stop managing it.
- Availability is written in the compact rule form: weekdays with the same intervals share one
  rule, days off are left out (an undeclared weekday is unavailable), future dates follow.
- The config identifies an event type by (owner, name), so when Calendly has several with the
  same owner and name, one is declared with a `uuid:` pin and the others are written as
  commented-out entries with their own pins: nothing is dropped, and the config still loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import Any

from reconciler.config.model import EVENT_TYPE_FIELDS
from reconciler.export.checks import fit_schema, known_zone
from reconciler.export.model import Entry, Listed
from reconciler.kinds import availability, event_type
from reconciler.model import Live, uri_id

SECTION = "event_types"
#: Without these the entry means nothing: an error in them comments the whole entry out.
IDENTITY = ("name", "owner", "uuid")


def event_type_entries(
    event_types: Iterable[Live],
    schedules: Mapping[str, Live],
    *,
    members: Set[str],
    declared_keys: Set[str] = frozenset(),
) -> tuple[list[Entry], list[Listed]]:
    """Entries for the one-on-one event types, lines for the others.

    `members`: the emails that are declared members (an owner must be one). `declared_keys`:
    (owner/name) keys a config already declares (with `--unmanaged-only`): a live event type with
    the same key can only be added as a comment.
    """
    by_key: dict[str, list[Live]] = {}
    listed = []
    for live in event_types:
        if event_type.is_solo(live):
            by_key.setdefault(live.key, []).append(live)
        else:
            listed.append(_listed(live, members))
    entries = []
    for key, same in by_key.items():
        ranked = sorted(same, key=_rank)
        for rank, live in enumerate(ranked):
            entry = _entry(live, schedules.get(live.uri), members)
            if len(ranked) > 1 or key in declared_keys:
                entry = _duplicate(entry, live, rank, len(ranked), key in declared_keys)
            entries.append(entry)
    return entries, listed


def _rank(live: Live) -> tuple[bool, str, str]:
    """Which of several same-named event types is declared: an active one, the plainest slug."""
    return (not live.spec["active"], str(live.meta.get("slug") or ""), uri_id(live.uri))


def _entry(live: Live, schedule: Live | None, members: Set[str]) -> Entry:
    spec = live.spec
    data: dict[str, Any] = {"name": spec["name"], "owner": spec["owner"]}
    for name in EVENT_TYPE_FIELDS:
        value = spec.get(name)
        if value is not None and value != "" and value != []:
            data[name] = value
    notes: list[str] = []
    if schedule is None or not schedule.spec.get("timezone"):
        notes.append(
            "Calendly returned no availability schedule for it: availability is unmanaged."
        )
    else:
        data["availability"] = {
            "timezone": schedule.spec["timezone"],
            "rules": compact_rules(schedule.spec["rules"]),
        }
    sort_key = (spec["owner"], spec["name"].casefold(), spec["name"])
    owner = spec["owner"]
    if owner not in members:
        note = f"Not declared: its owner {owner} is not a member of the organization."
        return Entry(SECTION, sort_key, data, declared=False, notes=(note,))
    data, declared, found = fit(data)
    notes.extend(found)
    return Entry(SECTION, sort_key, data, owner=owner, declared=declared, notes=tuple(notes))


def fit(data: dict[str, Any]) -> tuple[dict[str, Any], bool, list[str]]:
    """Leave out the fields that would not load; (data, still declarable?, notes)."""
    data, declared, notes = fit_schema(SECTION, data, IDENTITY)
    if not declared:
        return data, declared, notes
    options = data.get("duration_options")
    if options is not None and "duration" in data and data["duration"] not in options:
        notes.append(
            f"duration_options {options} are left out (unmanaged): they do not include the "
            f"duration {data['duration']}, which the config format requires."
        )
        del data["duration_options"]
    zone = data.get("availability", {}).get("timezone")
    if zone is not None and not known_zone(zone):
        notes.append(
            f"availability is left out (unmanaged): this machine's tz database has no time zone "
            f"{zone!r}."
        )
        del data["availability"]
    return data, True, notes


def compact_rules(rules: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The canonical rule set (every weekday, then dates) in the config's compact form."""
    by_intervals: dict[tuple[str, ...], list[str]] = {}
    for day in availability.WEEKDAYS:
        spans = tuple(rules.get(day) or ())
        if spans:  # a day off is left out: undeclared weekdays are unavailable
            by_intervals.setdefault(spans, []).append(day)
    compact: list[dict[str, Any]] = [
        {"wday": days[0] if len(days) == 1 else days, "intervals": list(spans)}
        for spans, days in by_intervals.items()
    ]
    compact.extend(
        {"date": date, "intervals": list(spans)}
        for date, spans in sorted(rules.items())
        if date not in availability.WEEKDAYS
    )
    return compact


def _duplicate(entry: Entry, live: Live, rank: int, count: int, taken: bool) -> Entry:
    """Pin one of several same-named event types by uuid; the others become comments."""
    data = {"name": entry.data["name"], "owner": entry.data["owner"], "uuid": uri_id(live.uri)}
    data.update((k, v) for k, v in entry.data.items() if k not in data)
    owner, name = live.spec["owner"], live.spec["name"]
    slug = live.meta.get("slug")
    rename = (
        "To manage it too, uncomment it and give it a new name: with its `uuid:` pin, apply "
        "renames it in Calendly."
    )
    if taken:
        notes = (
            f'The config already declares an event type "{name}" of {owner}; this one '
            f"(slug {slug}) has the same owner and name, so it is only a comment. {rename}",
        )
        declared = False
    elif rank == 0:
        others = (
            "the other follows as a comment"
            if count == 2
            else f"the {count - 1} others follow as comments"
        )
        notes = (
            f'Calendly has {count} one-on-one event types named "{name}" of {owner}. The config '
            "identifies an event type by owner and name, so this one is declared, pinned by "
            f"`uuid:`, and {others} below.",
        )
        declared = entry.declared
    else:
        notes = (f'Another event type named "{name}" of {owner} (slug {slug}). {rename}',)
        declared = False
    return Entry(
        entry.section,
        (*entry.sort_key, str(rank)),
        data,
        owner=entry.owner,
        declared=declared,
        notes=(*notes, *entry.notes),
    )


def _listed(live: Live, members: Set[str]) -> Listed:
    spec, meta = live.spec, live.meta
    kind = meta.get("kind") or "unknown kind of"
    pooling = f" ({meta['pooling_type']})" if meta.get("pooling_type") else ""
    state = "active" if spec["active"] else "inactive"
    owner = spec["owner"]
    return Listed(
        sort_key=(owner, spec["name"].casefold(), spec["name"], uri_id(live.uri)),
        text=f"{owner}/{spec['name']}: {kind} event type{pooling}, {state}",
        url=str(meta.get("scheduling_url") or ""),
        owner=owner if owner in members else None,
    )
