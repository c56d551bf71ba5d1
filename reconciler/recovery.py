"""What to do when a write's outcome is unknown (the connection dropped after sending).

Calendly has no idempotency keys, so a create is never re-sent blindly: first the object is
looked up by its natural key (invitation: email; event type: owner + name; webhook: url + scope),
and only if it is not there is the request sent again. PATCH and DELETE are idempotent (the
same body, the same target), so they are simply sent again; a DELETE that then answers 404 had
already happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from reconciler.model import Request


class Lookup(Protocol):
    def list_all(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...


def find_created(reader: Lookup, request: Request, organization: str) -> dict[str, Any] | None:
    """The object a POST would have created, if it exists now; None if it does not."""
    body = request.wire_body() or {}
    if request.path.endswith("/invitations"):
        items = reader.list_all(request.path, {"email": body["email"], "status": "pending"})
        return _first(items, lambda i: str(i.get("email", "")).lower() == body["email"].lower())
    if request.path == "/event_types":
        items = reader.list_all("/event_types", {"user": body["owner"]})
        return _first(items, lambda i: i.get("name") == body["name"] and not i.get("deleted_at"))
    if request.path == "/webhook_subscriptions":
        query = {"organization": organization, "scope": body["scope"]}
        query.update({k: body[k] for k in ("user", "group") if k in body})
        items = reader.list_all("/webhook_subscriptions", query)
        events = sorted(body["events"])
        return _first(
            items,
            lambda i: (
                i.get("callback_url") == body["url"] and sorted(i.get("events", [])) == events
            ),
        )
    return None


def _first(items: list[dict[str, Any]], wanted: Any) -> dict[str, Any] | None:
    return next((item for item in items if wanted(item)), None)
