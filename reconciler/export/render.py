"""One exported file as YAML text: a header saying what it is, `version: 1`, the sections.

Entries that cannot be declared are written as commented-out YAML right where they would sort,
so a reader sees them next to their relatives (the second "Intro Call", a disabled webhook).
Read-only event types close the event_types section as a list of comment lines.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.export.model import SECTIONS, Entry, Listed
from reconciler.export.yamltext import (
    INDENT,
    comment_block,
    commented,
    flow_mapping,
    list_item_lines,
    scalar,
)

WIDTH = 100  # the project's line length

INTRO = {
    "members": (
        "Members: identity is the email (case-insensitive). The API cannot change roles, so plan "
        "reports a different role as a warning. A pending invitation counts as a member."
    ),
    "event_types": (
        "One-on-one event types: identity is (owner, name). A field left out is unmanaged. "
        "Availability replaces the whole rule set on a change: a weekday not listed is "
        "unavailable."
    ),
    "availability_schedules": (
        "Users' availability schedules: identity is (user, name). A change replaces the whole "
        "rule set (a weekday not listed is unavailable) and reaches every event type that uses "
        "the schedule. Calendly only lets a token create and change its own user's schedules."
    ),
    "webhooks": (
        "Webhook subscriptions: identity is (scope, user or group, url); the API cannot change "
        "one, so any change is a replace. Calendly never returns signing keys: to send one when "
        "a subscription is next created, uncomment its `signing_key:` and set the variable."
    ),
}
LISTED_INTRO = (
    "Not one-on-one, so read-only through the API: listed for reference, not declared "
    "(change them in Calendly)."
)


@dataclass(frozen=True)
class FileSpec:
    path: str  # relative to the output directory; "" for stdout
    about: str  # what the file holds: the first line of its header
    entries: tuple[Entry, ...]
    listed: tuple[Listed, ...] = ()
    organization: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.listed and self.organization is None


def render_file(spec: FileSpec, *, unmanaged_only: bool, schema: str | None = None) -> str:
    lines: list[str] = []
    if schema is not None:
        lines += [f"# yaml-language-server: $schema={schema}", "#"]
    lines += comment_block(_wrap(spec.about, ""), "")
    lines += comment_block(_wrap(_header(unmanaged_only), ""), "")
    lines.append("version: 1")
    if spec.organization is not None:
        lines.append(f"organization: {scalar(spec.organization)}")
    if spec.is_empty:
        lines += ["", "# Nothing to export."]
    for section in SECTIONS:
        entries = [e for e in spec.entries if e.section == section]
        listed = spec.listed if section == "event_types" else ()
        if entries or listed:
            lines += ["", *_section(section, entries, listed)]
    return "\n".join(lines) + "\n"


def _header(unmanaged_only: bool) -> str:
    if unmanaged_only:
        return (
            "Exported by `calendly-reconciler export --unmanaged-only`: what Calendly has and "
            "the config does not declare. Add it to the config to manage it; plan then shows "
            "no changes for it. Nothing is removed from Calendly unless a `policy: prune:` "
            "list says so."
        )
    return (
        "Exported by `calendly-reconciler export`: plan on it shows no changes. Only the fields "
        "written here are managed: a field left out keeps its value in Calendly. Nothing is "
        "removed from Calendly unless a `policy: prune:` list says so."
    )


def _section(section: str, entries: Sequence[Entry], listed: Sequence[Listed]) -> list[str]:
    lines = comment_block(_wrap(INTRO[section], ""), "")
    if entries:
        declared = any(e.declared for e in entries)
        lines.append(f"{section}:" if declared else f"{section}: []")
        separate = not all(e.flow for e in entries)
        for n, entry in enumerate(entries):
            if n and (separate or entry.notes):
                lines.append("")
            lines += _entry(entry)
    if listed:
        indent = INDENT if entries else ""
        if entries:
            lines.append("")
        lines += comment_block(_wrap(LISTED_INTRO, indent), indent)
        for item in listed:
            lines.append(f"{indent}#   {item.text}")
            if item.url:
                lines.append(f"{indent}#     {item.url}")
    return lines


def _entry(entry: Entry) -> list[str]:
    notes = [line for note in entry.notes for line in _wrap(note, INDENT)]
    if entry.flow:
        body = [f"{INDENT}- {flow_mapping(entry.data)}"]
    else:
        body = list_item_lines(entry.data, INDENT)
    if entry.inline:
        body[0] += f"  # {entry.inline}"
    if not entry.declared:
        body = commented(body)
    else:
        body += comment_block(entry.tail, INDENT * 2)
    return [*comment_block(notes, INDENT), *body]


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, width=WIDTH - len(indent) - 2, break_long_words=False, break_on_hyphens=False
    )
