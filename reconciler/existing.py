"""Creates are idempotent: just before a create, its natural key is looked up live.

Calendly has no idempotency keys and answers no 409 for a second event type of the same name,
so a retried apply, a saved plan applied twice, or a plan made before someone else created the
object would each make a duplicate (and event types cannot be deleted). `Existing` answers, for
a create request, the live object that already has its natural key:
- invitation: an active membership or a pending invitation with the email;
- event type: the owner's event type (`GET /event_types?user=OWNER`) with the name; an item
  of that listing without `profile` is the owner's (Calendly documents that some have none);
- webhook: the subscription with the callback url in the same scope (and user or group).

Reads are bounded: one listing per kind and owner per apply, shared by every create that needs
it (concurrent creates of one owner wait for the same listing). A found object that holds what
the plan wanted is adopted; one that differs is a conflict (`differences` names the fields).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.client.errors import MalformedResponse
from reconciler.diff import field_changes
from reconciler.kinds import event_type, webhook
from reconciler.kinds.base import describe_fields
from reconciler.model import SENSITIVE, Live, OrgContext, Request, email_key
from reconciler.plan import PLACEHOLDER, Change
from reconciler.protocols import Reader

#: The outcome message of a create whose object already existed as planned.
ADOPTED = "already existed: adopted, not created again"

Listing = list[dict[str, Any]]


class _Once:
    """One listing, read by the first caller; concurrent callers wait for the same answer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: Listing | None = None

    def get(self, read: Callable[[], Listing]) -> Listing:
        with self.lock:
            if self.items is None:
                self.items = read()
            return self.items


class Existing:
    def __init__(self, reader: Reader, organization: str) -> None:
        self.reader = reader
        self.organization = organization
        self._lock = threading.Lock()
        self._listings: dict[tuple[str, tuple[tuple[str, str], ...]], _Once] = {}

    def listing(self, path: str, params: Mapping[str, str]) -> Listing:
        key = (path, tuple(sorted(params.items())))
        with self._lock:
            once = self._listings.setdefault(key, _Once())
        return once.get(lambda: self.reader.list_all(path, params))

    def find(self, request: Request) -> dict[str, Any] | None:
        """The live object that the create `request` would duplicate, or None."""
        body = request.body or {}
        if request.method != "POST" or any(
            isinstance(v, str) and PLACEHOLDER.search(v) for v in body.values()
        ):
            return None  # it names something not created yet: nothing of it can exist
        if request.path.endswith("/invitations"):
            return self._member(request.path, email_key(str(body.get("email", ""))))
        if request.path == "/event_types":
            owner, name = str(body.get("owner", "")), body.get("name")
            items = self.listing("/event_types", {"user": owner})
            return _first(items, lambda i: _same_event_type(i, owner, name))
        if request.path == webhook.PATH:
            query = {"organization": self.organization, "scope": str(body.get("scope"))}
            query.update({k: str(body[k]) for k in ("user", "group") if k in body})
            items = self.listing(webhook.PATH, query)
            return _first(items, lambda i: i.get("callback_url") == body.get("url"))
        return None

    def _member(self, path: str, email: str) -> dict[str, Any] | None:
        members = self.listing("/organization_memberships", {"organization": self.organization})
        found = _first(members, lambda m: _email(m.get("user")) == email)
        if found is not None:
            return found
        pending = self.listing(path, {"status": "pending"})
        return _first(pending, lambda i: _email(i) == email and i.get("status") == "pending")

    def fresh_copies(self, owner: str) -> dict[str, list[str]]:
        """The owner's event types read now (not from the cache): name -> URIs, sorted."""
        copies: dict[str, list[str]] = {}
        for item in self.reader.list_all("/event_types", {"user": owner}):
            name = item.get("name") if isinstance(item, Mapping) else None
            if isinstance(name, str) and _same_event_type(item, owner, name):
                copies.setdefault(name, []).append(str(item.get("uri")))
        return {name: sorted(uris) for name, uris in copies.items()}


def differences(change: Change, found: Mapping[str, Any]) -> str:
    """What the found object holds that the create would not have set ("" when nothing)."""
    ctx = OrgContext("", "")
    try:
        if change.kind == event_type.NAME:
            live: Live = event_type.from_api(found, ctx)
            ignored = {"owner", "name"}
        elif change.kind == webhook.NAME:
            live = webhook.from_api(found, ctx)
            ignored = {"url", "scope", "user", "group"}
            if found.get("state") == "disabled":
                return "state 'disabled' (Calendly stopped delivering to it)"
        else:
            return ""  # a membership or invitation is the member: nothing else to compare
    except MalformedResponse as exc:
        return f"it cannot be read ({exc})"
    wanted = {k: v for k, v in change.after.items() if k not in ignored and v != SENSITIVE}
    if change.kind == event_type.NAME and live.spec.get("active") is False:
        # Calendly creates event types inactive whatever the body says (NOTES.md 7.7): an
        # apply stopped before it set `active` again left exactly this; apply sets it.
        wanted.pop("active", None)
    current = {k: live.spec.get(k) for k in wanted}
    return describe_fields(field_changes(current, wanted))


def _same_event_type(item: Mapping[str, Any], owner: str, name: object) -> bool:
    profile = item.get("profile")
    # Listed `?user=owner`: an item without `profile` is the owner's.
    mine = profile is None or (isinstance(profile, Mapping) and profile.get("owner") == owner)
    return (
        mine
        and item.get("name") == name
        and not item.get("deleted_at")
        and item.get("type") != "AdhocEventType"
    )


def _email(item: object) -> str | None:
    value = item.get("email") if isinstance(item, Mapping) else None
    return email_key(value) if isinstance(value, str) else None


def _first(items: Listing, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    return next((i for i in items if isinstance(i, Mapping) and wanted(i)), None)
