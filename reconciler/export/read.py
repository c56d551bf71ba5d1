"""read_org: everything the organization has, for export (GET requests only).

Unlike `live.read_live`, which reads only what a config manages, an export reads it all: every
membership and pending invitation, every event type, the availability of every one-on-one event
type, the webhook subscriptions of every scope (the organization's, each member's, each
group's), and every member's availability schedules. Listings use 100 per page; independent
reads run in parallel on the client's concurrency, while the pages of one listing run back to
back (page tokens go stale).

Live objects are normalized by the kinds' own functions (`member.from_memberships`,
`event_type.from_listing`, `availability.from_schedules`, `webhook.from_api`,
`availability_schedule.from_api`), so the export
sees Calendly exactly as `plan` will.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from reconciler.config.model import Config, Policy
from reconciler.kinds import availability, availability_schedule, event_type, member, webhook
from reconciler.live import discover
from reconciler.model import Live, OrgContext
from reconciler.protocols import Reader

Progress = Callable[[str], None]

#: A config that declares nothing: what `discover` checks when no config is given.
NO_CONFIG = Config(
    organization=None,
    organization_source=None,
    members=(),
    event_types=(),
    webhooks=(),
    policy=Policy(),
    files=(),
)


@dataclass(frozen=True)
class Snapshot:
    """The organization as read for export, normalized as the kinds see it."""

    context: OrgContext
    members: tuple[Live, ...]  # active memberships, then pending invitations
    event_types: tuple[Live, ...]  # every kind (solo or not); one-off and deleted ones excluded
    availability: Mapping[str, Live]  # event type URI -> its schedule (one-on-one types only)
    webhooks: tuple[Live, ...]  # every scope, every state
    schedules: tuple[Live, ...] = ()  # every member's user availability schedules


def read_org(
    reader: Reader,
    *,
    today: dt.date,
    config: Config | None = None,
    progress: Progress | None = None,
) -> Snapshot:
    """Read the whole organization; `config` only checks its `organization:` against the token."""
    ctx = discover(reader, config or NO_CONFIG)
    note = progress or (lambda _message: None)
    org = ctx.organization
    pool = ThreadPoolExecutor(max_workers=max(reader.max_concurrency, 1))
    try:

        def listing(path: str, params: Mapping[str, Any]) -> Future[list[dict[str, Any]]]:
            return pool.submit(reader.list_all, path, params)

        memberships = listing("/organization_memberships", {"organization": org})
        invitations = listing(
            f"/organizations/{ctx.organization_id}/invitations", {"status": "pending"}
        )
        event_types = listing("/event_types", {"organization": org})
        groups = listing("/groups", {"organization": org})

        members = member.from_memberships(memberships.result(), ctx)
        pending = member.from_invitations(invitations.result())
        note(f"read {_count(len(members), 'member')}, {_count(len(pending), 'pending invitation')}")
        for group in groups.result():
            ctx.add_group(group["name"], group["uri"])
        note(f"read {_count(len(ctx.groups), 'group')}")
        # A user- or group-scope listing must name its user or group: one listing each.
        scopes = [
            {"scope": "organization"},
            *({"scope": "user", "user": uri} for _email, uri in sorted(ctx.users.items())),
            *({"scope": "group", "group": uri} for uri in sorted(ctx.group_names)),
        ]
        schedule_reads = [
            pool.submit(reader.get_collection, availability_schedule.PATH, {"user": uri})
            for _email, uri in sorted(ctx.users.items())
        ]
        hook_counter = _Counter(len(scopes), "webhook listings", note)
        hook_listings = [
            _counted(listing(webhook.PATH, {"organization": org, **query}), hook_counter)
            for query in scopes
        ]

        types = event_type.from_listing(event_types.result(), ctx)
        note(f"read {_count(len(types), 'event type')}")
        solo = [t for t in types if event_type.is_solo(t)]
        counter = _Counter(len(solo), "availability schedules", note)
        schedules = [
            (live, _counted(pool.submit(reader.get_collection, *_schedule_query(live)), counter))
            for live in solo
        ]
        by_uri = {
            live.uri: availability.from_schedules(live.key, live.uri, future.result(), today)
            for live, future in schedules
        }
        hooks = [webhook.from_api(item, ctx) for f in hook_listings for item in f.result()]
        user_schedules = [
            availability_schedule.from_api(item, ctx, today)
            for f in schedule_reads
            for item in f.result()
        ]
    except BaseException:
        # A failed read ends the export: queued reads are not worth sending.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    note(f"read {_count(len(hooks), 'webhook subscription')}")
    note(f"read {_count(len(user_schedules), 'availability schedule')}")
    return Snapshot(
        context=ctx,
        members=(*members, *pending),
        event_types=tuple(types),
        availability=by_uri,
        webhooks=tuple(hooks),
        schedules=tuple(user_schedules),
    )


def _schedule_query(live: Live) -> tuple[str, dict[str, str]]:
    return availability.PATH, {"event_type": live.uri}


class _Counter:
    """Reports `read 120/400 availability schedules` as reads finish: for a large organization
    about ten times, for a small one only when all are done."""

    def __init__(self, total: int, noun: str, note: Progress) -> None:
        self.total = total
        self.noun = noun
        self.note = note
        self.done = 0
        self.step = max(50, total // 10)
        self._lock = threading.Lock()

    def tick(self) -> None:
        with self._lock:
            self.done += 1
            if self.done % self.step == 0 or self.done == self.total:
                self.note(f"read {self.done}/{self.total} {self.noun}")


def _counted(future: Future[Any], counter: _Counter) -> Future[Any]:
    future.add_done_callback(lambda f: None if f.cancelled() else counter.tick())
    return future


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
