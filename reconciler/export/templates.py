"""`export --templates`: identical event types of several owners folded into one entry.

Adopting a big organization otherwise means one YAML block per rep for the same "Sales Intro".
Event types whose exported fields (name included, owner excepted) are all equal become one
entry with `owners:` (reconciler/owners.py), which plans to exactly the event types it replaces.
Pinned (`uuid:`) and commented-out entries stay as they are: a pin means one object.
"""

from __future__ import annotations

import json
from dataclasses import replace

from reconciler.export.model import SECTIONS, Entry, Export


def fold(export: Export) -> Export:
    same: dict[str, list[Entry]] = {}
    for entry in export.entries:
        data = entry.data
        if entry.section != "event_types" or not entry.declared or "uuid" in data:
            continue
        rest = {k: v for k, v in data.items() if k != "owner"}
        same.setdefault(json.dumps(rest, sort_keys=True, default=str), []).append(entry)
    folded: list[Entry] = []
    gone: set[int] = set()
    for entries in same.values():
        if len(entries) < 2:
            continue
        first = entries[0]
        owners = sorted(str(e.data["owner"]) for e in entries)
        data = {"name": first.data["name"], "owners": owners}
        data.update((k, v) for k, v in first.data.items() if k not in ("name", "owner"))
        notes = [f"{len(owners)} identical event types, one per owner, as one entry."]
        notes += [n for e in entries for n in e.notes if n not in notes]
        folded.append(
            Entry("event_types", (owners[0], *first.sort_key[1:]), data, notes=tuple(notes))
        )
        gone.update(id(e) for e in entries)
    if not folded:
        return export
    entries = [e for e in export.entries if id(e) not in gone] + folded
    entries.sort(key=lambda e: (SECTIONS.index(e.section), e.sort_key))
    return replace(export, entries=tuple(entries))
