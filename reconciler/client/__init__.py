"""The Calendly API client: the only package that knows HTTP."""

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
