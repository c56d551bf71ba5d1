"""The organization webhook subscription that brings `event_type.*` deliveries to the watch.

Calendly cannot change a subscription, nor show its signing key (NOTES.md §3.5). So an existing
subscription at the public URL is adopted only when it can be trusted to be ours as is: active,
with every event we need, and a signing key we were given (CALENDLY_WATCH_SIGNING_KEY) rather
than one generated for this run. Anything else is deleted and created again, which also frees
the URL (Calendly refuses a second subscription with the same URL with 409).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.client.errors import ApiError, NotFound
from reconciler.client.secret import Secret, redact
from reconciler.errors import ReconcilerError
from reconciler.model import uri_id
from reconciler.protocols import Writer
from reconciler.watch.logs import event

PATH = "/webhook_subscriptions"
EVENTS = ("event_type.created", "event_type.deleted", "event_type.updated")


@dataclass(frozen=True)
class Subscription:
    uri: str
    adopted: bool


def ensure(
    client: Writer, organization: str, url: str, key: Secret, *, key_is_new: bool
) -> Subscription:
    """Adopt the subscription at `url` when it is usable, else (re)create it."""
    query = {"organization": organization, "scope": "organization"}
    for hook in client.list_all(PATH, query):
        if hook.get("callback_url") != url:
            continue
        why = _unusable(hook, key_is_new=key_is_new)
        if why is None:
            event("subscription.adopted", subscription=hook.get("uri"), url=url)
            return Subscription(str(hook["uri"]), adopted=True)
        event("subscription.replacing", subscription=hook.get("uri"), reason=why)
        _delete(client, str(hook.get("uri", "")))
    body = {
        "url": url,
        "events": list(EVENTS),
        "organization": organization,
        "scope": "organization",
        "signing_key": key.reveal(),
    }
    try:
        created = client.request("POST", PATH, json=body)
    except ApiError as exc:
        raise ReconcilerError(redact(_refused(exc, url), [key])) from None
    resource = created.get("resource") if isinstance(created, Mapping) else None
    uri = resource.get("uri") if isinstance(resource, Mapping) else None
    if not isinstance(uri, str) or not uri:
        raise ReconcilerError(f"POST {PATH} answered without the new subscription's uri")
    event("subscription.created", subscription=uri, url=url, events=list(EVENTS))
    return Subscription(uri, adopted=False)


def remove(client: Writer, subscription: Subscription) -> None:
    """--unsubscribe-on-exit: delete the subscription (already gone is fine)."""
    _delete(client, subscription.uri)
    event("subscription.deleted", subscription=subscription.uri)


def _unusable(hook: Mapping[str, Any], *, key_is_new: bool) -> str | None:
    if key_is_new:
        return "its signing key cannot be read back; this run generated a new one"
    if hook.get("state") != "active":
        return f"it is {hook.get('state')}"
    events = hook.get("events")
    missing = sorted(set(EVENTS) - set(events if isinstance(events, list) else []))
    if missing:
        return f"it lacks {', '.join(missing)}"
    return None


def _delete(client: Writer, uri: str) -> None:
    with contextlib.suppress(NotFound):  # already gone: what we wanted
        client.request("DELETE", f"{PATH}/{uri_id(uri)}")


def _refused(exc: ApiError, url: str) -> str:
    if exc.status == 409:
        return (
            f"cannot subscribe {url}: another webhook subscription (user or group scope) "
            "already uses this URL; delete it or choose another --public-url"
        )
    if exc.status == 403 and "upgrade" in exc.message.lower():
        return f"cannot subscribe {url}: {exc.message}"
    return f"cannot subscribe {url}: {exc}"
