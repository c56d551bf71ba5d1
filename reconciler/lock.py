"""The apply lock: one apply at a time per organization, held in Calendly itself.

Calendly has no lock primitive, but it has one atomic "create if absent": a webhook
subscription whose callback URL already exists is refused with 409 "Hook with this url already
exists" (NOTES.md 3.5). So the lock is an organization-scope subscription at a fixed URL per
organization, `https://calendly-reconciler.invalid/lock/<organization id>`:
- acquire = POST it (201: held; 409: another apply holds it);
- release = DELETE it (also on failure, Ctrl-C and SIGTERM);
- `.invalid` never resolves (RFC 6761): Calendly can never deliver anything to it, and plans,
  drift and export never show it (`is_lock`).

What it guarantees: while one apply holds the lock, a second apply of the same organization
(same or other config, same or other token) waits (`--lock-timeout`) or stops before it reads
anything, so it never plans from a state the first one is changing. What it does not:
- it needs `webhooks:write` and a plan that allows webhooks (Standard or higher). Without them
  apply warns and runs unlocked; creates stay idempotent (existing.py), and a duplicate raced
  into by a concurrent apply is detected before apply exits and reported, and `plan --dedupe`
  proposes the fix;
- a process killed hard (SIGKILL, a lost runner) leaves the lock behind: the next apply names
  its holder and age; `--break-lock` removes it once it is older than STALE_AFTER;
- it serializes this tool only: edits in the Calendly UI are not locked out (the staleness and
  "absent" checks of saved plans catch those).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.client.errors import (
    ApiError,
    ClientError,
    Conflict,
    NotFound,
    OutcomeUnknown,
)
from reconciler.errors import ReconcilerError
from reconciler.model import uri_id
from reconciler.protocols import Writer

LOCK_HOST = "calendly-reconciler.invalid"
PATH = "/webhook_subscriptions"
#: The event the lock subscribes to. Its family's read scope, event_types:read, is one every plan
#: already needs, and event_type.* needs no paid feature (webhooks are on every plan since
#: 2026-11-03), so the lock asks for nothing the rest of apply does not.
EVENTS = ("event_type.created",)
#: A lock older than this may be broken with --break-lock (an apply at Calendly's rate limit
#: takes minutes, not hours).
STALE_AFTER = dt.timedelta(minutes=30)
POLL_SECONDS = 5.0


class LockHeld(ReconcilerError):
    """Another apply holds the organization's lock."""


def lock_url(organization: str) -> str:
    return f"https://{LOCK_HOST}/lock/{uri_id(organization)}"


def is_lock(item: object) -> bool:
    """Whether a listed webhook subscription is an apply lock (never managed, never shown)."""
    url = item.get("callback_url") if isinstance(item, dict) else None
    return isinstance(url, str) and url.startswith(f"https://{LOCK_HOST}/")


@dataclass
class Lock:
    client: Writer
    organization: str
    uri: str | None  # None: running unlocked (see `warning`)
    warning: str = ""
    waited: bool = False  # another apply held it first: what was read before may have moved

    def release(self) -> str:
        """Remove the lock; never raises (the apply's report must not be lost): a lock that
        could not be removed is returned as a warning."""
        if self.uri is None:
            return ""
        uri, self.uri = self.uri, None
        path = PATH + "/" + uri_id(uri)
        for _attempt in range(3):
            try:
                self.client.request("DELETE", path)
                return ""
            except NotFound:
                return ""  # broken by someone else
            except OutcomeUnknown:
                with contextlib.suppress(ClientError):
                    self.client.request("GET", path)
                    continue  # still there: send the DELETE again
                return ""  # gone (404) or unknown: assume released, as most likely
            except ClientError as exc:
                return (
                    f"could not release the apply lock {uri} ({exc}); remove it with --break-lock"
                )
        return f"could not release the apply lock {uri}; remove it with --break-lock"


def acquire(
    client: Writer,
    organization: str,
    *,
    timeout: float = 0.0,
    break_stale: bool = False,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    granted: frozenset[str] | None = None,
) -> Lock:
    """Take the lock, waiting up to `timeout` seconds for another apply to release it.

    `granted`: the token's scopes when known (OAuth); without webhooks:write nothing is tried.
    """
    if granted is not None and "webhooks:write" not in granted:
        return Lock(client, organization, None, _unavailable("the token lacks webhooks:write"))
    deadline = clock() + timeout
    body = {
        "url": lock_url(organization),
        "events": list(EVENTS),
        "organization": organization,
        "scope": "organization",
    }
    unseen = unknown = 0
    waited = False
    started = clock()
    while True:
        try:
            answer = client.request("POST", PATH, json=body)
        except Conflict:
            holder = _holder(client, organization)
            if holder is None:
                unseen += 1
                if unseen < 3:
                    continue  # released between our POST and the look: try again
                raise LockHeld(
                    f"Calendly refuses the lock's URL {lock_url(organization)} as taken, but no "
                    "organization subscription has it; nothing was changed"
                ) from None
            waited = True
            age = _age(holder, clock)
            if break_stale and age is not None and age > STALE_AFTER:
                with contextlib.suppress(NotFound):  # someone else broke it first
                    client.request("DELETE", PATH + "/" + uri_id(str(holder.get("uri"))))
                continue
            if clock() < deadline:
                sleep(min(POLL_SECONDS, max(deadline - clock(), 0.0)))
                continue
            raise LockHeld(_held(holder, age)) from None
        except ApiError as exc:  # 403 (scope, plan, role), 400 (an event family's scope), ...
            return Lock(client, organization, None, _unavailable(f"{exc.status} {exc.title}"))
        except OutcomeUnknown as exc:
            # Calendly may have made it: a lock at our URL made since our first try is ours
            # (the same window as any create whose answer was lost, recovery.py).
            unknown += 1
            holder = _holder(client, organization)
            if holder is None:
                if unknown < 3:
                    continue  # not made: try again
                return Lock(client, organization, None, _unavailable(str(exc)))
            age = _age(holder, clock)
            if age is not None and age <= _since(started, clock):
                return Lock(client, organization, str(holder.get("uri")), waited=waited)
            raise LockHeld(_held(holder, age)) from None
        resource = answer.get("resource") if isinstance(answer, dict) else None
        uri = resource.get("uri") if isinstance(resource, dict) else None
        return Lock(client, organization, str(uri) if uri else None, waited=waited)


def _holder(client: Writer, organization: str) -> dict[str, Any] | None:
    items = client.list_all(PATH, {"organization": organization, "scope": "organization"})
    url = lock_url(organization)
    return next((i for i in items if i.get("callback_url") == url), None)


def _age(holder: dict[str, Any], clock: Callable[[], float]) -> dt.timedelta | None:
    created = holder.get("created_at")
    try:
        since = dt.datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.datetime.fromtimestamp(clock(), dt.UTC) - since


#: Clock skew tolerated between this machine and Calendly when a lock whose creation was not
#: answered is recognised as ours by its age.
SKEW = dt.timedelta(seconds=60)


def _since(started: float, clock: Callable[[], float]) -> dt.timedelta:
    return dt.timedelta(seconds=clock() - started) + SKEW


def _held(holder: dict[str, Any], age: dt.timedelta | None) -> str:
    minutes = f"{int(age.total_seconds() // 60)} min" if age is not None else "an unknown time"
    creator = holder.get("creator") or "an unknown user"
    stale = age is not None and age > STALE_AFTER
    advice = (
        "it is stale: if no apply is running, run again with --break-lock"
        if stale
        else f"wait for it (--lock-timeout SECONDS), or, if no apply is running, break it with "
        f"--break-lock once it is older than {int(STALE_AFTER.total_seconds() // 60)} min"
    )
    return (
        f"another apply holds this organization's lock (taken {minutes} ago by {creator}, "
        f"{holder.get('uri')}); nothing was changed: {advice}"
    )


def _unavailable(why: str) -> str:
    return (
        f"could not take the apply lock ({why}; the lock is a webhook subscription, which needs "
        "webhooks:write and a Standard plan or higher): running unlocked, so a concurrent "
        "apply is detected afterwards, not prevented"
    )
