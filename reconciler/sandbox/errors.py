"""Calendly-shaped API errors raised by the sandbox's route handlers.

A handler raises `ApiError`; the core turns it into the JSON body Calendly sends:
`{"title", "message", "details"?}` (ErrorResponse) or, for a missing scope,
`{"title", "message", "required_scopes"}` (InsufficientScopeError). Titles and messages are
the ones in NOTES.md §2.4 and the 2023 spec's examples.
"""

from __future__ import annotations

from typing import Any

INVALID_ARGUMENT = "Invalid Argument"
INVALID_MESSAGE = "The supplied parameters are invalid."
PERMISSION_DENIED = "Permission Denied"
NO_PERMISSION = "You do not have permission to access this resource."
NOT_FOUND_TITLE = "Resource Not Found"
NOT_FOUND_MESSAGE = "The server could not find the requested resource."
SCOPE_TITLE = "Insufficient scope"
SCOPE_MESSAGE = "This operation requires the scopes listed in the 'required_scopes' array."

Detail = dict[str, str]


class ApiError(Exception):
    """An error response: HTTP status plus Calendly's error body."""

    def __init__(
        self,
        status: int,
        title: str,
        message: str,
        details: list[Detail] | None = None,
        *,
        required_scopes: list[str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {message}")
        self.status = status
        self.title = title
        self.message = message
        self.details = details
        self.required_scopes = required_scopes

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "message": self.message}
        if self.required_scopes is not None:
            out["required_scopes"] = list(self.required_scopes)
        if self.details:
            out["details"] = [dict(d) for d in self.details]
        return out


def detail(parameter: str, message: str) -> Detail:
    return {"parameter": parameter, "message": message}


def invalid(*details: Detail) -> ApiError:
    """400 Invalid Argument with one `details` entry per offending parameter."""
    return ApiError(400, INVALID_ARGUMENT, INVALID_MESSAGE, list(details) or None)


def invalid_param(parameter: str, message: str) -> ApiError:
    return invalid(detail(parameter, message))


def not_found(parameter: str | None = None) -> ApiError:
    details = [detail(parameter, "not found")] if parameter else None
    return ApiError(404, NOT_FOUND_TITLE, NOT_FOUND_MESSAGE, details)


def denied(message: str = NO_PERMISSION) -> ApiError:
    return ApiError(403, PERMISSION_DENIED, message)


def insufficient_scope(scope: str) -> ApiError:
    return ApiError(403, SCOPE_TITLE, SCOPE_MESSAGE, required_scopes=[scope])


class Collector:
    """Collects validation problems so one 400 names every offending parameter."""

    def __init__(self) -> None:
        self.details: list[Detail] = []

    def add(self, parameter: str, message: str) -> None:
        self.details.append(detail(parameter, message))

    def raise_if_any(self) -> None:
        if self.details:
            raise invalid(*self.details)
