"""The per-request contexts handed to route handlers, with the parsing helpers they share.

`Ctx` is what an API handler sees (the caller, the query, the body, the store); `AdminCtx` is
what a `/_sandbox/` control handler sees (the store plus `Control`, the few sandbox-wide
operations such as the request log and faults). Both live below the route modules, so handlers
never need to import `core`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from reconciler.sandbox.errors import ApiError, Collector, denied, invalid_param, not_found
from reconciler.sandbox.faults import Faults
from reconciler.sandbox.model import ActivityEntry, EventType, Json, Token, User
from reconciler.sandbox.pagination import ListQuery, PageTokens
from reconciler.sandbox.requestlog import RequestLogEntry
from reconciler.sandbox.store import Store
from reconciler.sandbox.util import parse_iso
from reconciler.sandbox.views import Views

ADMIN_ROLES = frozenset({"owner", "admin"})
_ID = re.compile(r"^[^/\s]+$")


@dataclass(frozen=True)
class Reply:
    status: int
    body: Json | None = None


@dataclass
class Ctx:
    store: Store
    views: Views
    page_tokens: PageTokens
    method: str
    path: str
    query: Sequence[tuple[str, str]]
    raw_body: bytes
    base_url: str
    now: int
    caller: User
    token: Token
    params: dict[str, str] = field(default_factory=dict)
    changed: bool = False

    # ---- request data ----------------------------------------------------------------------

    def q(self, name: str) -> str | None:
        """First value of a query parameter (None if absent)."""
        return next((v for k, v in self.query if k == name), None)

    def time_bounds(self, errors: Collector, names: tuple[str, str]) -> dict[str, int]:
        """The ISO 8601 date-time filters among `names` that were given, as microseconds; a
        malformed one is added to `errors`."""
        bounds: dict[str, int] = {}
        for name in names:
            raw = self.q(name)
            if raw is None:
                continue
            value = parse_iso(raw)
            if value is None:
                errors.add(name, "must be an ISO 8601 date-time")
            else:
                bounds[name] = value
        return bounds

    def q_all(self, name: str) -> list[str]:
        """All values of a (possibly repeated or comma-separated) array query parameter."""
        out: list[str] = []
        for key, value in self.query:
            if key in (name, f"{name}[]"):
                out.extend(v for v in value.split(",") if v)
        return out

    def q_bool(self, name: str) -> bool | None:
        raw = self.q(name)
        if raw is None:
            return None
        if raw not in ("true", "false"):
            raise invalid_param(name, "must be a boolean (true or false)")
        return raw == "true"

    def json(self) -> Json:
        """The body as a JSON object (an empty body counts as {})."""
        return json_object(self.raw_body)

    def list_query(self) -> ListQuery:
        return ListQuery(self.base_url, self.path, self.query, self.now)

    # ---- references (full URIs in queries and bodies) --------------------------------------

    def ref_id(self, value: Any, collection: str, parameter: str) -> str:
        """The id in `https://<any host>/<collection>/<id>`; 400 if `value` is not such a URI."""
        if isinstance(value, str):
            parts = urlsplit(value.strip())
            segments = parts.path.split("/")
            if (
                parts.scheme in ("http", "https")
                and parts.netloc
                and len(segments) == 3
                and segments[1] == collection
                and _ID.match(segments[2])
            ):
                return segments[2]
        raise invalid_param(parameter, f"must be a valid {collection} URI")

    def ref_user(self, value: Any, parameter: str) -> User:
        user = self.store.active_user(self.ref_id(value, "users", parameter))
        if user is None:
            raise not_found(parameter)
        return user

    def ref_org(self, value: Any, parameter: str) -> None:
        if self.ref_id(value, "organizations", parameter) != self.store.org.id:
            raise not_found(parameter)

    def require(self, *names: str) -> dict[str, str]:
        """Required query parameters: one 400 naming all that are missing."""
        errors = Collector()
        found: dict[str, str] = {}
        for name in names:
            value = self.q(name)
            if value is None or value == "":
                errors.add(name, "is missing")
            else:
                found[name] = value
        errors.raise_if_any()
        return found

    # ---- caller ----------------------------------------------------------------------------

    @property
    def role(self) -> str:
        return self.store.role_of(self.caller.id) or "user"

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    def require_admin(self, message: str | None = None) -> None:
        if not self.is_admin:
            raise denied(message) if message else denied()

    def may_manage(self, owner: User) -> None:
        """Writing a member's resources needs that member or an admin (NOTES.md §7.8)."""
        if owner.id != self.caller.id and not self.is_admin:
            raise denied()

    # ---- writes ----------------------------------------------------------------------------

    def record(self, namespace: str, action: str, details: Json) -> None:
        """Note a successful write in the activity log (and mark the state as changed)."""
        add_activity(self.store, self.now, self.caller.id, namespace, action, details)
        self.changed = True


def json_object(raw: bytes) -> Json:
    """A request body as a JSON object (an empty body counts as {}); 400 otherwise."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_param("body", "must be valid JSON") from None
    if not isinstance(data, dict):
        raise invalid_param("body", "must be a JSON object")
    return data


def visible_event_type(ctx: Ctx, event_type_id: str, parameter: str | None = None) -> EventType:
    """An event type of a current member (404 otherwise, naming `parameter` if given)."""
    et = ctx.store.event_types.get(event_type_id)
    if et is None or ctx.store.active_user(et.owner_id) is None:
        raise not_found(parameter)
    return et


# ---- the /_sandbox/ control routes ----------------------------------------------------------


class Control(Protocol):
    """What a control route may ask of the sandbox beyond its store (core's `Sandbox`)."""

    @property
    def requests(self) -> list[RequestLogEntry]: ...

    @property
    def counters(self) -> Json: ...

    def reset_log(self) -> None: ...

    def state(self) -> Json: ...

    @property
    def faults(self) -> Faults: ...

    def set_faults(self, faults: Faults | str | Mapping[str, Any] | None) -> Faults: ...


@dataclass
class AdminCtx:
    store: Store
    views: Views
    control: Control
    now: int
    raw_body: bytes
    params: dict[str, str] = field(default_factory=dict)
    changed: bool = False  # set by a handler that wrote to the store (core persists it)

    def json(self) -> Json:
        return json_object(self.raw_body)


def add_activity(
    store: Store, now: int, actor_id: str | None, namespace: str, action: str, details: Json
) -> None:
    entry_id = store.mint("activity_log_entries")
    store.activity[entry_id] = ActivityEntry(
        id=entry_id,
        occurred_at=now,
        actor_id=actor_id,
        namespace=namespace,
        action=action,
        details=details,
    )


def missing(parameter: str) -> ApiError:
    return invalid_param(parameter, "is missing")
