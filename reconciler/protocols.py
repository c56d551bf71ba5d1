"""What the pipeline needs from the API client, as protocols.

CalendlyClient (reconciler/client/api.py) implements both; the stages depend on these instead
of the class, so each says how little it needs (plan reads; only apply writes) and tests can pass
a small fake.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol


class Reader(Protocol):
    """The read half of CalendlyClient."""

    max_concurrency: int

    def get_resource(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]: ...

    def get_collection(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...

    def list_all(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...

    def iter_collection(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]: ...


class Writer(Reader, Protocol):
    """CalendlyClient as apply uses it: reads, and one request method for writes."""

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> Any: ...
