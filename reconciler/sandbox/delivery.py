"""Webhook deliveries: what Calendly POSTs to subscription callback URLs when an event type changes.

From CHANGES-2026.md ("Webhooks") and the webhook docs (developer.calendly.com, "Webhooks",
"Webhook Errors", "Webhook Timeouts"):
- an event type created or updated through the API (its availability too), or deleted (the
  web UI's delete, here `POST /_sandbox/event_types/{uuid}/delete`: the API has none), is
  delivered to every active subscription that lists the event and covers the event type's
  owner (organization scope: all; user scope: that user; group scope: the group's members);
- the body is `{event, created_at, created_by, payload}`: `created_by` is the subscription's
  creator, `payload` the event type as the API shows it minus `description_html`
  (EventTypePayload); a deleted event type is gone, so its payload is what is left of it
  (uri, name, owner profile, deleted_at);
- `Calendly-Webhook-Signature: t=TIMESTAMP,v1=HEX` where HEX is the HMAC-SHA256 of
  `TIMESTAMP + "." + body` keyed by the subscription's signing key, signed afresh at each
  attempt; no header when the subscription has no key;
- a 2xx answer is a success; redirects and every other status, and timeouts (10 s to connect,
  15 s to read) are failures, retried with exponential back-off for 24 hours, after which the
  subscription is `disabled` (`retry_started_at` says since when); a 410 Gone deletes the
  subscription at once and is not retried.

The emulator sends nothing off this machine: only loopback callback URLs (the sandbox accepts
`http://127.0.0.1…` and `http://localhost…` for this) are delivered to; others are logged as
skipped. Signing keys are kept in memory only (`Store.signing_keys`): after a restart from a
state file, existing subscriptions are delivered to unsigned.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from reconciler.sandbox.context import AdminCtx, Reply, add_activity
from reconciler.sandbox.errors import not_found
from reconciler.sandbox.model import ActivityEntry, EventType, Json, Webhook
from reconciler.sandbox.router import admin_route
from reconciler.sandbox.store import Store
from reconciler.sandbox.util import iso, to_micros
from reconciler.sandbox.views import Views

log = logging.getLogger("reconciler.sandbox.delivery")

SIGNATURE_HEADER = "Calendly-Webhook-Signature"
#: Activity log (namespace, action) → the webhook event. A new availability changes the event
#: type's `updated_at`, so it counts as an update (inferred: Calendly does not say).
EVENTS = {
    ("EventType", "Create"): "event_type.created",
    ("EventType", "Update"): "event_type.updated",
    ("EventType", "Delete"): "event_type.deleted",
    ("EventTypeAvailability", "Update"): "event_type.updated",
}
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 15.0

#: post(url, headers, body) -> the status answered, or None when nothing usable came back.
Post = Callable[[str, Mapping[str, str], bytes], int | None]


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential back-off: `first` seconds, then doubling, for `total` seconds in all."""

    first: float = 60.0
    factor: float = 2.0
    total: float = 86_400.0

    def delays(self) -> Iterator[float]:
        """Seconds to wait before each retry, until `total` seconds after the first attempt."""
        delay, spent = self.first, 0.0
        while spent + delay < self.total:
            yield delay
            spent += delay
            delay *= self.factor
        if spent < self.total:
            yield self.total - spent


@dataclass(frozen=True)
class DeliveryOptions:
    """`Sandbox(delivery=DeliveryOptions())` turns deliveries on (`sandbox serve` does).

    `background=False` leaves sending to explicit `Sandbox.deliveries.run_due()` calls, so tests
    drive it with a fake clock and a fake `post`.
    """

    schedule: RetrySchedule = RetrySchedule()
    post: Post | None = None
    background: bool = True


@dataclass(frozen=True)
class Attempt:
    """One line of the delivery log (`GET /_sandbox/deliveries`)."""

    subscription: str
    event: str
    url: str
    attempt: int
    status: int | None
    outcome: str  # delivered | retrying | gone | disabled | skipped
    at: str

    def to_json(self) -> Json:
        return {
            "subscription": self.subscription,
            "event": self.event,
            "url": self.url,
            "attempt": self.attempt,
            "status": self.status,
            "outcome": self.outcome,
            "at": self.at,
        }


@dataclass
class _Job:
    hook_id: str
    url: str
    event: str
    body: bytes
    first_at: float
    due: float
    delays: Iterator[float]
    attempt: int = 0


class Deliveries:
    """The outbox: jobs published under the sandbox's lock, sent outside it."""

    def __init__(
        self,
        store: Store,
        views: Views,
        lock: threading.RLock,
        *,
        options: DeliveryOptions,
        clock: Callable[[], float],
        persist: Callable[[], None],
    ) -> None:
        self._store = store
        self._views = views
        self._lock = lock
        self._options = options
        self._post = options.post or post_http
        self._clock = clock
        self._persist = persist
        self._jobs: list[_Job] = []
        self._log: list[Attempt] = []
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    # ---- publishing (called by core under the sandbox's lock, after a successful write) -----

    def publish(self, entries: Sequence[ActivityEntry]) -> None:
        """Queue one delivery per matching subscription for each event type entry."""
        for entry in entries:
            event = EVENTS.get((entry.namespace, entry.action))
            if event is None or entry.details.get("changes") == []:
                continue  # not an event type change, or an update that changed nothing
            found = self._subject(entry)
            if found is None:
                continue
            owner_id, payload = found
            for hook in self._subscribers(event, owner_id):
                body = {
                    "event": event,
                    "created_at": iso(entry.occurred_at),
                    "created_by": self._views.user_uri(hook.creator_id or owner_id),
                    "payload": payload,
                }
                self._queue(hook, event, json.dumps(body).encode())
        with self._wake:
            self._wake.notify_all()

    def _subject(self, entry: ActivityEntry) -> tuple[str, Json] | None:
        uri = str(entry.details.get("event_type", ""))
        et = self._store.event_types.get(uri.rsplit("/", 1)[-1])
        if et is not None:
            payload = self._views.event_type(et)
            payload.pop("description_html", None)  # EventTypePayload omits it
            return et.owner_id, payload
        owner = str(entry.details.get("owner", ""))
        if entry.action != "Delete" or not owner:
            return None
        return owner.rsplit("/", 1)[-1], {
            "uri": uri,
            "name": entry.details.get("name"),
            "profile": {"type": "User", "owner": owner},
            "deleted_at": iso(entry.occurred_at),
        }

    def _subscribers(self, event: str, owner_id: str) -> list[Webhook]:
        hooks = []
        for hook in self._store.webhooks.values():
            if hook.state != "active" or event not in hook.events:
                continue
            if hook.scope == "user" and hook.user_id != owner_id:
                continue
            if hook.scope == "group" and not self._in_group(owner_id, hook.group_id):
                continue
            hooks.append(hook)
        return sorted(hooks, key=lambda h: (h.created_at, h.id))

    def _in_group(self, user_id: str, group_id: str | None) -> bool:
        membership = self._store.membership_of(user_id)
        return membership is not None and any(
            rel.group_id == group_id
            and rel.owner_type == "OrganizationMembership"
            and rel.owner_id == membership.id
            for rel in self._store.relationships.values()
        )

    def _queue(self, hook: Webhook, event: str, body: bytes) -> None:
        now = self._clock()
        if not is_loopback(hook.callback_url):
            self._record(hook.id, event, hook.callback_url, 0, None, "skipped", now)
            return
        delays = self._options.schedule.delays()
        self._jobs.append(_Job(hook.id, hook.callback_url, event, body, now, now, delays))

    # ---- sending ---------------------------------------------------------------------------

    def run_due(self) -> float | None:
        """Send every delivery that is due; return when the next one is (None: nothing left)."""
        with self._lock:
            now = self._clock()
            due = [j for j in self._jobs if j.due <= now]
            self._jobs = [j for j in self._jobs if j.due > now]
        for job in sorted(due, key=lambda j: j.due):
            with self._lock:
                hook = self._store.webhooks.get(job.hook_id)
                key = self._store.signing_keys.get(job.hook_id)
            if hook is None or hook.state != "active":
                continue  # deleted or disabled meanwhile: Calendly stops too
            job.attempt += 1
            status = self._post(job.url, self._headers(key, job.body), job.body)
            with self._lock:
                self._settle(job, hook, status)
        with self._lock:
            return min((j.due for j in self._jobs), default=None)

    def _headers(self, key: str | None, body: bytes) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": "Calendly"}
        if key:
            stamp = str(int(self._clock()))
            digest = hmac.new(key.encode(), stamp.encode() + b"." + body, hashlib.sha256)
            headers[SIGNATURE_HEADER] = f"t={stamp},v1={digest.hexdigest()}"
        return headers

    def _settle(self, job: _Job, hook: Webhook, status: int | None) -> None:
        now = self._clock()
        if status is not None and 200 <= status < 300:
            outcome = "delivered"
        elif status == 410:
            outcome = "gone"
            self._store.webhooks.pop(hook.id, None)
            self._store.signing_keys.pop(hook.id, None)
            self._persist()
        else:
            if hook.retry_started_at is None:
                hook.retry_started_at = to_micros(job.first_at)
                self._persist()
            delay = next(job.delays, None)
            if delay is None:
                outcome = "disabled"
                hook.state, hook.updated_at = "disabled", to_micros(now)
                self._persist()
            else:
                outcome = "retrying"
                job.due = now + delay
                self._jobs.append(job)
        self._record(hook.id, job.event, job.url, job.attempt, status, outcome, now)

    def _record(
        self,
        hook_id: str,
        event: str,
        url: str,
        attempt: int,
        status: int | None,
        outcome: str,
        now: float,
    ) -> None:
        at = iso(to_micros(now))
        self._log.append(Attempt(hook_id, event, url, attempt, status, outcome, at))

    @property
    def log(self) -> list[Attempt]:
        with self._lock:
            return list(self._log)

    # ---- the background thread -------------------------------------------------------------

    def start(self) -> None:
        if self._options.background and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(READ_TIMEOUT + CONNECT_TIMEOUT)
            self._thread = None

    def _loop(self) -> None:
        while True:
            try:
                next_due = self.run_due()
            except Exception:  # a bug: say so, keep delivering the rest
                log.exception("webhook delivery failed")
                next_due = None
            with self._wake:
                if self._stopping:
                    return
                wait = 1.0 if next_due is None else max(next_due - self._clock(), 0.0)
                if wait > 0:
                    self._wake.wait(min(wait, 1.0))


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post_http(url: str, headers: Mapping[str, str], body: bytes) -> int | None:
    """One POST, no redirects followed (Calendly counts them as failures)."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    try:
        connection = kind(parts.hostname or "", parts.port, timeout=CONNECT_TIMEOUT)
    except ValueError:  # a port that is not a number: nothing can be sent
        return None
    try:
        connection.connect()
        if connection.sock is not None:
            connection.sock.settimeout(READ_TIMEOUT)
        path = parts.path or "/"
        target = f"{path}?{parts.query}" if parts.query else path
        connection.request("POST", target, body, {**headers, "Content-Length": str(len(body))})
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


# ---- the web UI's delete, which the API lacks ------------------------------------------------


@admin_route("POST", "/_sandbox/event_types/{uuid}/delete")
def delete_event_type(ctx: AdminCtx) -> Reply:
    """Someone deletes an event type in the Calendly web UI (activity log actor: none)."""
    et: EventType | None = ctx.store.event_types.get(ctx.params["uuid"])
    if et is None:
        raise not_found()
    del ctx.store.event_types[et.id]
    details: dict[str, Any] = {
        "event_type": ctx.views.uri("event_types", et.id),
        "name": et.name,
        "owner": ctx.views.user_uri(et.owner_id),
    }
    add_activity(ctx.store, ctx.now, None, "EventType", "Delete", details)
    ctx.changed = True
    return Reply(204)
