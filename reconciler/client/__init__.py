"""The Calendly API client: the only package that knows HTTP.

Its names are imported on first use (PEP 562), so that a module needing only `secret` or
`errors` (the config loader, `validate`) does not load httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.client.api import CalendlyClient, ClientStats, RetryPolicy, to_path
    from reconciler.client.connect import ConnectionSettings, open_client, read_token
    from reconciler.client.errors import (
        ApiError,
        BadRequest,
        ClientError,
        Conflict,
        Forbidden,
        InsufficientScope,
        MalformedResponse,
        NotFound,
        OutcomeUnknown,
        RateLimited,
        ReadOnlyViolation,
        ServerError,
        TransportError,
        Unauthorized,
    )
    from reconciler.client.secret import Secret

_WHERE = {
    "ApiError": "reconciler.client.errors",
    "BadRequest": "reconciler.client.errors",
    "CalendlyClient": "reconciler.client.api",
    "ClientError": "reconciler.client.errors",
    "ClientStats": "reconciler.client.api",
    "Conflict": "reconciler.client.errors",
    "ConnectionSettings": "reconciler.client.connect",
    "Forbidden": "reconciler.client.errors",
    "InsufficientScope": "reconciler.client.errors",
    "MalformedResponse": "reconciler.client.errors",
    "NotFound": "reconciler.client.errors",
    "OutcomeUnknown": "reconciler.client.errors",
    "RateLimited": "reconciler.client.errors",
    "ReadOnlyViolation": "reconciler.client.errors",
    "RetryPolicy": "reconciler.client.api",
    "Secret": "reconciler.client.secret",
    "ServerError": "reconciler.client.errors",
    "TransportError": "reconciler.client.errors",
    "Unauthorized": "reconciler.client.errors",
    "open_client": "reconciler.client.connect",
    "read_token": "reconciler.client.connect",
    "to_path": "reconciler.client.api",
}

__all__ = [
    "ApiError",
    "BadRequest",
    "CalendlyClient",
    "ClientError",
    "ClientStats",
    "Conflict",
    "ConnectionSettings",
    "Forbidden",
    "InsufficientScope",
    "MalformedResponse",
    "NotFound",
    "OutcomeUnknown",
    "RateLimited",
    "ReadOnlyViolation",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "TransportError",
    "Unauthorized",
    "open_client",
    "read_token",
    "to_path",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
