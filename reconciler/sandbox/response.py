"""What the sandbox answers: a response (status, headers, body) or a dropped connection."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.sandbox.model import Json


@dataclass(frozen=True)
class SandboxResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Drop:
    """The connection is closed without a response. `applied`: the write happened first."""

    applied: bool


def json_response(status: int, body: Json | None, headers: Mapping[str, str]) -> SandboxResponse:
    out = dict(headers)
    if body is None:
        return SandboxResponse(status, out, b"")
    out["Content-Type"] = "application/json; charset=utf-8"
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return SandboxResponse(status, out, payload)


class Handles(Protocol):
    """What the transport adapters (transport.py, server.py) need of a sandbox."""

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        *,
        base_url: str | None = None,
    ) -> SandboxResponse | Drop: ...
