"""Sections of all files merged into one desired state, each entry remembering its file.

Lists concatenate in file order; `organization` may be repeated but must agree; each `policy`
key may be set in one file only. Only entries that passed the schema (and interpolation) take
part: the later stages can then rely on their shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.config.document import DataPath, Document
from reconciler.config.model import Source
from reconciler.config.problems import Problem
from reconciler.emails import email_key

RESOURCE_SECTIONS = ("members", "event_types", "webhooks")


@dataclass(frozen=True)
class Entry:
    """A value of one file: a resource (list item), the organization, a policy key."""

    document: Document
    path: DataPath
    value: Any

    @property
    def source(self) -> Source:
        return self.document.source(self.path)

    def at(self, *sub: str | int) -> Source:
        """Where a part of this entry is, e.g. `entry.at("owner")`."""
        return self.document.source((*self.path, *sub))

    def problem(self, message: str, *sub: str | int) -> Problem:
        return self.document.problem((*self.path, *sub), message)


@dataclass
class Merged:
    files: list[str] = field(default_factory=list)
    organization: Entry | None = None
    members: list[Entry] = field(default_factory=list)
    event_types: list[Entry] = field(default_factory=list)
    webhooks: list[Entry] = field(default_factory=list)
    policy: dict[str, Entry] = field(default_factory=dict)
    policy_source: Source | None = None
    # Every email written under `members`, valid or not: an event type whose owner is a member
    # with a typo in their role must not also get an "unknown owner" problem.
    member_emails: set[str] = field(default_factory=set)


def merge(documents: Sequence[Document]) -> tuple[Merged, list[Problem]]:
    merged = Merged(files=[d.file for d in documents])
    problems: list[Problem] = []
    for document in documents:
        data = document.data
        for section in RESOURCE_SECTIONS:
            items = data.get(section)
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                if section == "members" and isinstance(item, dict):
                    email = item.get("email")
                    if isinstance(email, str):
                        merged.member_emails.add(email_key(email))
                if document.is_clean((section, index)):
                    getattr(merged, section).append(Entry(document, (section, index), item))
        if "organization" in data and document.is_clean(("organization",)):
            problems.extend(
                _organization(merged, Entry(document, ("organization",), data["organization"]))
            )
        policy = data.get("policy")
        if isinstance(policy, dict):
            if merged.policy_source is None:
                merged.policy_source = document.source(("policy",))
            for key, value in policy.items():
                if document.is_clean(("policy", key)):
                    problems.extend(_policy_key(merged, Entry(document, ("policy", key), value)))
    return merged, problems


def _organization(merged: Merged, entry: Entry) -> list[Problem]:
    first = merged.organization
    if first is None:
        merged.organization = entry
        return []
    if first.value == entry.value:
        return []
    message = (
        f"conflicting organization {entry.value} "
        f"(first declared as {first.value} at {first.source})"
    )
    return [entry.problem(message)]


def _policy_key(merged: Merged, entry: Entry) -> list[Problem]:
    key = str(entry.path[-1])
    first = merged.policy.get(key)
    if first is None:
        merged.policy[key] = entry
        return []
    pos = first.document.key_pos(first.path)
    where = f"{first.document.file}:{pos.line}:{pos.col}"
    message = f"duplicate policy key {key!r} (first declared at {where})"
    return [entry.document.problem(entry.path, message, at_key=True)]
