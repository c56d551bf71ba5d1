"""What to do when a write's outcome is unknown (the connection dropped after sending, or a 5xx).

Calendly has no idempotency keys, so no write is sent again before looking whether the first
one happened (`confirm`):
- a create (POST): the object is looked up by its natural key (invitation: email; event type:
  owner + name; webhook: url + scope + events; availability schedule: the caller + name);
  found, it is adopted instead of created again;
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
from reconciler.kinds import availability, availability_schedule, event_type, timezones
from reconciler.kinds.wire import Fields
from reconciler.model import OrgContext, Request
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
        email = str(body["email"]).lower()
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
                and _owner(i) == body["owner"]
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
    if request.path == availability_schedule.PATH:
        me = reader.get_resource("/users/me").get("uri")
        items = reader.get_collection(request.path, {"user": me})
        return _first(items, lambda i: i.get("name") == body["name"] and i.get("user") == me)
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
        if request.path.startswith(availability_schedule.PATH + "/"):
            return _schedule_patched(reader, request.path, body)
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
    return value.lower() if isinstance(value, str) else None


def _owner(item: Mapping[str, Any]) -> object:
    profile = item.get("profile")
    return profile.get("owner") if isinstance(profile, Mapping) else None


def _sorted_texts(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return sorted(value)


def _schedule_patched(reader: Reader, path: str, body: Mapping[str, Any]) -> dict[str, Any] | None:
    """A user availability schedule already holds every value the PATCH sets."""
    resource = reader.get_resource(path)
    now = availability.read_spec(Fields(resource, "user availability schedule"), dt.date.min)
    for name, value in body.items():
        if name == "rules":
            sent = Fields({"timezone": None, "rules": value}, "PATCH body")
            done = now["rules"] == availability.read_spec(sent, dt.date.min)["rules"]
        elif name == "timezone":
            done = timezones.same_zone(now["timezone"], value)
        else:
            done = resource.get(name) == value
        if not done:
            return None
    return {"resource": resource}
