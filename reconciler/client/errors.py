"""Calendly failures as a small exception tree, chosen from the status code in one place.

Every error carries the request (method and path, never headers), the status and Calendly's
`title` / `message` / `details` / `required_scopes`. Messages are one line and never contain the
token: the client redacts every known secret before an error leaves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from reconciler.errors import ReconcilerError

#: Bodies quoted in messages are cut to this many characters (an HTML error page can be huge).
BODY_QUOTE_MAX = 200


class ClientError(ReconcilerError):
    """Base of everything the API client raises."""


class ReadOnlyViolation(ClientError):
    """A write was attempted through a read-only client (plan, drift and export run read-only)."""


class TransportError(ClientError):
    """The API could not be reached; no request was processed."""


class OutcomeUnknown(ClientError):
    """A write was sent but no answer came back: it may or may not have been applied.

    Never retried blindly: the caller re-reads the object by its natural key to find out.
    """

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class ApiError(ClientError):
    """Calendly answered with an error status."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int,
        title: str = "",
        message: str = "",
        details: list[dict[str, Any]] | None = None,
        required_scopes: list[str] | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.title = title
        self.message = message
        self.details = details or []
        self.required_scopes = required_scopes or []
        super().__init__(self.describe())

    def describe(self) -> str:
        text = f"{self.method} {self.path} answered {self.status}"
        if self.title:
            text += f" {self.title}"
        if self.message:
            text += f": {self.message}"
        details = "; ".join(_format_detail(d) for d in self.details)
        if details:
            text += f" ({details})"
        return text


class BadRequest(ApiError):
    """400: Calendly refused the parameters (`details` says which)."""


class Unauthorized(ApiError):
    """401: the token is missing, invalid, expired or revoked."""

    def describe(self) -> str:
        return (
            f"{super().describe()}. The token is invalid, expired or revoked: check "
            "CALENDLY_TOKEN or --token-file (with --auth oauth, run `calendly-reconciler login`)."
        )


class Forbidden(ApiError):
    """403: the token's user, plan or role may not do this."""

    @property
    def role_gate(self) -> bool:
        """Calendly's role gate ("You do not have permission ..."), not a plan gate ("upgrade")."""
        return "do not have permission" in self.message.lower()

    def describe(self) -> str:
        text = super().describe()
        if self.role_gate:
            text = text.rstrip(".") + (
                ". Managing an organization (members, other users' event types, organization "
                "webhooks) needs a token of one of its owners or admins"
            )
        return text


class InsufficientScope(Forbidden):
    """403 `Insufficient scope`: the token lacks `required_scopes`."""

    def describe(self) -> str:
        scopes = ", ".join(self.required_scopes) or "(not named)"
        return (
            f"{self.method} {self.path} needs the scope {scopes}, which the token was not granted. "
            "Add it to the personal access token (Calendly > Integrations > API & Webhooks) "
            "or re-authorize the OAuth app with it."
        )


class NotFound(ApiError):
    """404: no such object (or no such operation, e.g. DELETE /event_types/{uuid})."""


class Conflict(ApiError):
    """409: the object already exists (e.g. a webhook with the same callback url)."""


class RateLimited(ApiError):
    """429: the per-user rate limit is exhausted and retries ran out."""


class ServerError(ApiError):
    """5xx: Calendly failed."""


class MalformedResponse(ClientError):
    """Calendly answered something that is not the JSON the spec promises."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def error_for(*, method: str, path: str, status: int, body: object) -> ApiError:
    """Build the ApiError subclass for `status` from a (possibly malformed) error body."""
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    scopes = fields.get("required_scopes")
    required_scopes = [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []
    cls: type[ApiError]
    if status == 403 and (required_scopes or fields.get("title") == "Insufficient scope"):
        cls = InsufficientScope
    elif status >= 500:
        cls = ServerError
    else:
        cls = _BY_STATUS.get(status, ApiError)
    raw_details = fields.get("details")
    details = (
        [d for d in raw_details if isinstance(d, dict)] if isinstance(raw_details, list) else []
    )
    message = _text(fields.get("message"))
    if not fields and isinstance(body, str) and body.strip():
        message = quote_body(body)
    return cls(
        method=method,
        path=path,
        status=status,
        title=_text(fields.get("title")),
        message=message,
        details=details,
        required_scopes=required_scopes,
    )


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The response's body when it is a JSON object; None for anything else (HTML, garbage)."""
    try:
        body = response.json()
    except (ValueError, RecursionError):  # JSON and Unicode errors are ValueErrors
        return None
    return body if isinstance(body, dict) else None


def quote_body(body: str) -> str:
    """A short, single-line quote of a response body for an error message."""
    flat = " ".join(body.split())
    if len(flat) > BODY_QUOTE_MAX:
        return flat[:BODY_QUOTE_MAX] + "…"
    return flat


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _format_detail(detail: Mapping[str, Any]) -> str:
    parameter = _text(detail.get("parameter"))
    message = _text(detail.get("message"))
    return f"{parameter}: {message}" if parameter else message
