"""The plan: immutable, sorted, versioned data (JSON format_version "1").

A change carries the exact API requests that apply will send, in order. Values that only exist
after an earlier change ran (the URI of an event type created in the same apply, the user URI of
someone who has not joined yet) appear as placeholders `<known after apply: KIND KEY>`; apply
substitutes them, and each placeholder makes the change depend on the change that produces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from reconciler.client.secret import Secret
from reconciler.config.model import Source
from reconciler.model import Request

FORMAT_VERSION = "1"

#: Kinds in plan and apply order (members exist before they own event types; an event type
#: exists before its availability is set).
KIND_ORDER = ("member", "event_type", "availability", "availability_schedule", "webhook")

PLACEHOLDER = re.compile(r"<known after apply: (\w+) ([^<>]+)>")


def placeholder(kind: str, key: str) -> str:
    return f"<known after apply: {kind} {key}>"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"


ACTION_ORDER = tuple(Action)


@dataclass(frozen=True)
class FieldChange:
    """One changed field: `path` is the field name, or `rules.monday` for nested fields."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    kind: str
    action: Action
    key: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    fields: tuple[FieldChange, ...] = ()
    reason: str | None = None  # why a replace, or how a delete is done
    source: Source | None = None
    uri: str | None = None  # the live object this change writes
    requests: tuple[Request, ...] = ()
    protect: bool = False
    fingerprint: str | None = None  # of the live object the change was computed from
    #: With `plan --base`: "change" when the config change makes it, "drift" when Calendly
    #: already differed from the base config. None in a plain plan.
    origin: str | None = None
    #: For drift: who changed the live object and when, where the API can tell:
    #: {"by": email or URI, "at": ISO time, "source": "activity_log" | "updated_at"}.
    attribution: Mapping[str, str] | None = None
    #: The upcoming bookings this change touches (reconciler/impact.py): {"upcoming": N,
    #: "outside": M, "first_outside": ISO time or None, ...}; None when it touches none.
    impact: Mapping[str, Any] | None = None

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.key}"

    def depends_on(self) -> tuple[str, ...]:
        """Ids of the changes whose results this change's requests need."""
        found: set[str] = set()
        for request in self.requests:
            for match in PLACEHOLDER.finditer(_request_text(request)):
                kind, key = match.groups()
                found.add(f"{'member' if kind == 'user' else kind}:{key}")
        found.discard(self.id)
        return tuple(sorted(found))

    def secrets(self) -> dict[str, Secret]:
        return {n: s for r in self.requests for n, s in r.secrets.items()}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "action": str(self.action),
            "key": self.key,
            "before": dict(self.before),
            "after": dict(self.after),
        }
        if self.fields:
            data["fields"] = [{"path": f.path, "old": f.old, "new": f.new} for f in self.fields]
        if self.reason:
            data["reason"] = self.reason
        if self.source:
            data["source"] = {"file": self.source.file, "line": self.source.line}
        if self.uri:
            data["uri"] = self.uri
        data["requests"] = [r.to_dict() for r in self.requests]
        if self.protect:
            data["protect"] = True
        if self.fingerprint:
            data["fingerprint"] = self.fingerprint
        if self.origin:
            data["origin"] = self.origin
        if self.attribution:
            data["attribution"] = dict(self.attribution)
        if self.impact is not None:
            data["impact"] = dict(self.impact)
        return data


def change_from_dict(data: Mapping[str, Any], requests: tuple[Request, ...]) -> Change:
    """The inverse of Change.to_dict; the caller rebuilds the requests (secrets need care)."""
    source = data.get("source")
    return Change(
        kind=data["kind"],
        action=Action(data["action"]),
        key=data["key"],
        before=data.get("before") or {},
        after=data.get("after") or {},
        fields=tuple(
            FieldChange(f["path"], f.get("old"), f.get("new")) for f in data.get("fields", ())
        ),
        reason=data.get("reason"),
        source=Source(source["file"], source["line"], 0) if source else None,
        uri=data.get("uri"),
        requests=requests,
        protect=bool(data.get("protect", False)),
        fingerprint=data.get("fingerprint"),
        origin=data.get("origin"),
        attribution=data.get("attribution"),
        impact=data.get("impact"),
    )


def sort_key(change: Change) -> tuple[int, str, int]:
    return (KIND_ORDER.index(change.kind), change.key, ACTION_ORDER.index(change.action))


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = ()
    unmanaged: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    organization: str | None = None

    @classmethod
    def build(
        cls,
        changes: Iterable[Change],
        *,
        warnings: Iterable[str] = (),
        unmanaged: Mapping[str, Iterable[str]] | None = None,
        organization: str | None = None,
    ) -> Plan:
        """The one place where plan order is decided."""
        return cls(
            changes=tuple(sorted(changes, key=sort_key)),
            warnings=tuple(sorted(set(warnings))),
            unmanaged={k: tuple(sorted(v)) for k, v in sorted((unmanaged or {}).items()) if v},
            organization=organization,
        )

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def summary(self) -> dict[str, int]:
        counts = {str(a): 0 for a in Action}
        for change in self.changes:
            counts[str(change.action)] += 1
        return counts

    def request_count(self) -> int:
        return sum(len(c.requests) for c in self.changes)

    def with_changes(self, changes: Iterable[Change]) -> Plan:
        return replace(self, changes=tuple(sorted(changes, key=sort_key)))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "organization": self.organization,
            "changes": [c.to_dict() for c in self.changes],
            "summary": self.summary(),
            "warnings": list(self.warnings),
        }
        if self.unmanaged:
            data["unmanaged"] = {k: list(v) for k, v in self.unmanaged.items()}
        return data


def _request_text(request: Request) -> str:
    parts = [request.path, *request.params.values()]
    parts.extend(str(v) for v in (request.body or {}).values())
    return " ".join(parts)
