"""The request log and counters: what the sandbox was asked, for tests and demos.

Entries never hold secrets: the token is logged by its fixture NAME, and a `signing_key` in a
request body is replaced by "(sensitive)".
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reconciler.sandbox.model import Json

SENSITIVE = "(sensitive)"
_SECRET_FIELDS = frozenset({"signing_key"})


@dataclass(frozen=True)
class RequestLogEntry:
    """One API request as the sandbox saw it.

    `status` is what the client received, None if the connection was dropped (`fault` then says
    "drop": not applied, or "commit_drop": applied, then dropped). `operation` is the matched
    route, e.g. "PATCH /event_types/{uuid}" (None when no route matched).
    """

    seq: int
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    status: int | None
    token: str | None
    fault: str | None
    operation: str | None
    at: str

    def to_json(self) -> Json:
        return {
            "seq": self.seq,
            "method": self.method,
            "path": self.path,
            "query": [list(pair) for pair in self.query],
            "body": self.body,
            "status": self.status,
            "token": self.token,
            "fault": self.fault,
            "operation": self.operation,
            "at": self.at,
        }


def redact_body(raw: bytes) -> Any:
    """The request body as JSON with secrets masked; text if not JSON; None if empty."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return raw[:2000].decode("utf-8", "replace")
    return _mask(data)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: SENSITIVE if k in _SECRET_FIELDS else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


@dataclass
class Counters:
    requests: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)
    by_operation: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    writes_applied: int = 0

    def count(self, entry: RequestLogEntry, applied_write: bool) -> None:
        self.requests += 1
        self.by_status["dropped" if entry.status is None else str(entry.status)] += 1
        self.by_method[entry.method] += 1
        if entry.operation:
            self.by_operation[entry.operation] += 1
        if entry.fault:
            self.faults[entry.fault] += 1
        if applied_write:
            self.writes_applied += 1

    def to_json(self) -> Json:
        return {
            "requests": self.requests,
            "by_status": dict(sorted(self.by_status.items())),
            "by_method": dict(sorted(self.by_method.items())),
            "by_operation": dict(sorted(self.by_operation.items())),
            "faults": dict(sorted(self.faults.items())),
            "writes_applied": self.writes_applied,
        }
