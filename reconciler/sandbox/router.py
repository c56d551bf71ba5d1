"""The route table: (method, spec path template) → handler and the scope the operation needs.

Route modules register their handlers with a decorator and import nothing above this layer::

    @route("GET", "/event_types/{uuid}", scope="event_types:read")
    def get_event_type(ctx: Ctx) -> Reply: ...

`core` imports every route module once (`ROUTE_MODULES` there) to fill the table, then
dispatches on it; nothing imports `core` back, so adding an endpoint is adding one module (or
one function) and naming it in `ROUTE_MODULES`. The `/_sandbox/` control routes have a table of
their own (`admin_route`): they act on the sandbox itself, skip auth and are never logged.

Anything not in the table (e.g. `DELETE /event_types/{uuid}`, which the live API answers with
404, NOTES.md §6.1) is 404 Resource Not Found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import unquote

from reconciler.sandbox.context import AdminCtx, Ctx, Reply

C = TypeVar("C", Ctx, AdminCtx)


@dataclass(frozen=True)
class Route(Generic[C]):
    method: str
    template: str
    scope: str  # "" for /_sandbox/ routes
    handler: Callable[[C], Reply]
    pattern: re.Pattern[str]

    @property
    def operation(self) -> str:
        return f"{self.method} {self.template}"


_API: list[Route[Ctx]] = []
_ADMIN: list[Route[AdminCtx]] = []


def _pattern(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{regex}$")


def _add(table: list[Route[C]], route: Route[C]) -> None:
    if any(r.method == route.method and r.template == route.template for r in table):
        raise ValueError(f"route registered twice: {route.operation}")
    table.append(route)


def route(
    method: str, template: str, *, scope: str
) -> Callable[[Callable[[Ctx], Reply]], Callable[[Ctx], Reply]]:
    """Register an API operation (the scope is checked by core before the handler runs)."""

    def register(handler: Callable[[Ctx], Reply]) -> Callable[[Ctx], Reply]:
        _add(_API, Route(method, template, scope, handler, _pattern(template)))
        return handler

    return register


def admin_route(
    method: str, template: str
) -> Callable[[Callable[[AdminCtx], Reply]], Callable[[AdminCtx], Reply]]:
    """Register a `/_sandbox/` control route (no auth, no scope, not logged)."""

    def register(handler: Callable[[AdminCtx], Reply]) -> Callable[[AdminCtx], Reply]:
        _add(_ADMIN, Route(method, template, "", handler, _pattern(template)))
        return handler

    return register


def routes() -> tuple[Route[Ctx], ...]:
    return tuple(_API)


def admin_routes() -> tuple[Route[AdminCtx], ...]:
    return tuple(_ADMIN)


def operation_scopes() -> dict[tuple[str, str], str]:
    """(method, spec path template) → the one scope the operation requires."""
    return {(r.method, r.template): r.scope for r in _API}


def _match(table: list[Route[C]], method: str, path: str) -> tuple[Route[C], dict[str, str]] | None:
    found = [
        (len(m.groupdict()), i, candidate, m)
        for i, candidate in enumerate(table)
        if candidate.method == method and (m := candidate.pattern.match(path))
    ]
    if not found:
        return None
    # A literal segment beats a parameter: `/users/me` before `/users/{uuid}`.
    _, _, best, m = min(found, key=lambda f: (f[0], f[1]))
    return best, {k: unquote(v) for k, v in m.groupdict().items()}


def methods_allowed(path: str) -> list[str]:
    """The methods routed for `path` when it is a fixed path (no parameters), else [].

    Calendly answers an unrouted method on a resource with 404 (`DELETE /event_types/{uuid}`,
    NOTES.md §6.1), so only fixed paths such as `/event_types` get a 405 with `Allow` (what
    RFC 9110 prescribes; no live observation either way).
    """
    return sorted(
        r.method for r in _API if "{" not in r.template and r.pattern.match(path) is not None
    )


def match(method: str, path: str) -> tuple[Route[Ctx], dict[str, str]] | None:
    return _match(_API, method, path)


def match_admin(method: str, path: str) -> tuple[Route[AdminCtx], dict[str, str]] | None:
    return _match(_ADMIN, method, path)
