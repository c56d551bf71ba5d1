"""What to do when a write's outcome is unknown (the connection dropped after sending, or a 5xx).

Calendly has no idempotency keys, so no write is sent again before looking whether the first
one happened (`confirm`):
- a create (POST): the object is looked up by its natural key (invitation: email; event type:
  owner + name; webhook: url + scope + events); found, it is adopted instead of created again;
- a change (PATCH): the object is read back; if it already holds every value the PATCH sets
  (compared as the diff compares them), it is done;
- a removal (DELETE): the object is read; gone (404), it is done.
Only when the look says "not there" is the write sent again (PATCH and DELETE are idempotent;
a POST is only re-sent after the lookup found nothing).

Whatever an answer read here holds, it never raises anything but a ClientError: a malformed
item simply does not match (or is reported as MalformedResponse by the kinds' parsers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from reconciler.client.errors import NotFound
from reconciler.kinds import availability, event_type, timezones
from reconciler.model import OrgContext, Request, email_key
from reconciler.protocols import Reader

#: Returned by `confirm` for a DELETE whose object is gone: the removal happened.
GONE: dict[str, Any] = {}


def confirm(reader: Reader, request: Request, organization: str) -> dict[str, Any] | None:
    """Whether a write whose outcome is unknown took effect: its answer if so, else None.

    POST and PATCH: `{"resource": object}`; DELETE: `GONE`.
    """
    if request.method == "POST":
        found = find_created(reader, request, organization)
        return {"resource": found} if found is not None else None
    if request.method == "PATCH":
        return find_patched(reader, request)
    if request.method == "DELETE":
        try:
            reader.get_resource(request.path)
        except NotFound:
            return GONE
    return None


def find_created(reader: Reader, request: Request, organization: str) -> dict[str, Any] | None:
    """The object a POST would have created, if it exists now; None if it does not."""
    body = request.wire_body() or {}
    if request.path.endswith("/invitations"):
        email = email_key(str(body["email"]))
        items = reader.list_all(request.path, {"email": body["email"], "status": "pending"})
        return _first(items, lambda i: _lower(i.get("email")) == email)
    if request.path == "/event_types":
        items = reader.list_all("/event_types", {"user": body["owner"]})
        return _first(
            items,
            lambda i: (
                i.get("name") == body["name"]
                and not i.get("deleted_at")
                and i.get("type") != "AdhocEventType"
                # Listed `?user=owner`: an item without `profile` is the owner's.
                and (i.get("profile") is None or _owner(i) == body["owner"])
            ),
        )
    if request.path == "/webhook_subscriptions":
        query = {"organization": organization, "scope": body["scope"]}
        query.update({k: body[k] for k in ("user", "group") if k in body})
        items = reader.list_all("/webhook_subscriptions", query)
        events = sorted(body["events"])
        return _first(
            items,
            lambda i: (
                i.get("callback_url") == body["url"]
                and i.get("scope") == body["scope"]
                and _sorted_texts(i.get("events")) == events
            ),
        )
    return None


def find_patched(reader: Reader, request: Request) -> dict[str, Any] | None:
    """The object a PATCH changes, if it already holds every value the PATCH sets."""
    body = request.wire_body() or {}
    try:
        if request.path.startswith("/event_types/"):
            resource = reader.get_resource(request.path)
            live = event_type.from_api(resource, OrgContext("", ""))
            done = all(live.spec.get(name) == value for name, value in body.items())
            return {"resource": resource} if done else None
        if request.path == availability.PATH:
            uri = request.params.get("event_type", "")
            items = reader.get_collection(availability.PATH, request.params)
            now = availability.from_schedules("", uri, items, dt.date.min)
            wanted = availability.from_schedules("", uri, [body], dt.date.min)
        else:
            return None
    except NotFound:
        return None
    same = (
        timezones.same_zone(now.spec["timezone"], wanted.spec["timezone"])
        and now.spec["rules"] == wanted.spec["rules"]
        and now.meta.get("user") == wanted.meta.get("user")
    )
    return {"resource": items[0]} if same and items else None


def _first(items: list[dict[str, Any]], wanted: Any) -> dict[str, Any] | None:
    return next((item for item in items if isinstance(item, Mapping) and wanted(item)), None)


def _lower(value: object) -> str | None:
    return email_key(value) if isinstance(value, str) else None


def _owner(item: Mapping[str, Any]) -> object:
    profile = item.get("profile")
    return profile.get("owner") if isinstance(profile, Mapping) else None


def _sorted_texts(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return sorted(value)
