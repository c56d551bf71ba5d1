"""What an export is made of before it becomes text: entries in the config format, with notes.

An `Entry` is one resource of a config section (a member, an event type, a user availability
schedule, a webhook), its fields
already in the config format and in output order. An entry that cannot be declared (a disabled
webhook, a second event type with the same owner and name) is still exported, as a comment, so
nothing is silently dropped. Event types that the API cannot write (not one-on-one) become a
`Listed` line: for reference only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SECTIONS = ("members", "event_types", "availability_schedules", "webhooks")


@dataclass(frozen=True)
class Entry:
    section: str  # one of SECTIONS
    sort_key: tuple[str, ...]
    data: Mapping[str, Any]  # config-format fields, in output order
    owner: str | None = None  # the member it belongs to (for --split-by owner)
    declared: bool = True  # False: written commented out, so plan ignores it
    notes: tuple[str, ...] = ()  # comment lines above the entry
    inline: str | None = None  # a short comment at the end of its first line
    tail: tuple[str, ...] = ()  # comment lines after its fields (declared entries only)
    flow: bool = False  # written on one line, `{email: ..., role: ...}`


@dataclass(frozen=True)
class Listed:
    """A read-only event type, listed as a comment line."""

    sort_key: tuple[str, ...]
    text: str  # `owner/name: kind, state`
    url: str = ""  # its booking page, on a line of its own
    owner: str | None = None


@dataclass(frozen=True)
class Export:
    organization: str | None  # written as `organization:` (None: left to the token)
    entries: tuple[Entry, ...]  # sorted by section, then sort key
    listed: tuple[Listed, ...]  # sorted
    unmanaged_only: bool = False

    def of(self, section: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.section == section)

    def counts(self) -> dict[str, int]:
        """Declared entries per section, and the read-only event types listed."""
        counts = {s: sum(1 for e in self.of(s) if e.declared) for s in SECTIONS}
        counts["commented"] = sum(1 for e in self.entries if not e.declared)
        counts["listed"] = len(self.listed)
        return counts

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.listed
