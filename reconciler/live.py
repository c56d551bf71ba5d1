"""read_live: the live organization, read with the fewest API calls the config allows.

Only what the config manages (or may prune) is read: listings at 100 per page, one
availability GET per event type whose availability the config declares, webhook listings only
for the scopes the config uses. Independent listings run in parallel; the pages of one listing
run back to back (page tokens go stale).
"""

from __future__ import annotations

import datetime as dt
import queue
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from reconciler.client.errors import MalformedResponse
from reconciler.config.model import Config
from reconciler.diff import match
from reconciler.errors import ReconcilerError
from reconciler.kinds import DiffEnv, availability, event_type, member, webhook
from reconciler.kinds.event_type import key_of
from reconciler.kinds.wire import Fields, MalformedObject, describe
from reconciler.model import Live, LiveState, OrgContext, email_key, uri_id
from reconciler.plan import KIND_ORDER
from reconciler.protocols import Reader

Progress = Callable[[str], None]


def discover_organization(reader: Reader) -> str:
    """The organization the token acts on."""
    with answer_of("GET /users/me"):
        return Fields(reader.get_resource("/users/me"), "user").uri("current_organization")


def discover(reader: Reader, config: Config) -> OrgContext:
    """Who the token belongs to and which organization it acts on (GET /users/me)."""
    with answer_of("GET /users/me"):
        me = Fields(reader.get_resource("/users/me"), "user")
        organization = me.uri("current_organization")
        caller = me.uri("uri")
        email = me.text("email", null=True, missing=True) or ""
    if config.organization and uri_id(config.organization) != uri_id(organization):
        raise ReconcilerError(
            f"the config is for organization {config.organization} "
            f"({config.organization_source}) but the token belongs to {organization}"
        )
    return OrgContext(organization, caller, email_key(email))


@contextmanager
def answer_of(request: str) -> Iterator[None]:
    """Parse what `request` answered: whatever is wrong with it becomes one MalformedResponse.

    The kinds check every field they read (kinds/wire.py) and say what is wrong; anything
    they did not foresee still ends here as one line naming the request, never a traceback.
    """
    try:
        yield
    except MalformedObject as exc:
        raise MalformedResponse(f"{request} answered a {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
        raise MalformedResponse(
            f"{request} answered something that cannot be read "
            f"({type(exc).__name__}: {describe(str(exc))})"
        ) from None


def read_live(
    reader: Reader, config: Config, *, today: dt.date, progress: Progress | None = None
) -> LiveState:
    ctx = discover(reader, config)
    note = progress or (lambda _message: None)
    needs = _needs(config)
    org = ctx.organization
    objects: dict[str, list[Live]] = {kind: [] for kind in KIND_ORDER if kind in needs}
    with ThreadPoolExecutor(max_workers=max(reader.max_concurrency, 1)) as pool:

        def listing(path: str, params: Mapping[str, Any]) -> Future[list[dict[str, Any]]]:
            return pool.submit(reader.list_all, path, params)

        members = listing("/organization_memberships", {"organization": org})
        invitations = (
            listing(f"/organizations/{ctx.organization_id}/invitations", {"status": "pending"})
            if "invitations" in needs
            else None
        )
        event_types = (
            _Stream(pool, reader, "/event_types", {"organization": org})
            if "event_type" in needs
            else None
        )
        groups = (
            listing("/groups", {"organization": org})
            if any(w.group for w in config.webhooks)
            else None
        )
        with answer_of("GET /organization_memberships"):
            objects["member"] = member.from_memberships(members.result(), ctx)
        note(f"read {len(objects['member'])} members")
        if invitations is not None:
            with answer_of(f"GET /organizations/{ctx.organization_id}/invitations"):
                objects["member"].extend(member.from_invitations(invitations.result()))
        if groups is not None:
            with answer_of("GET /groups"):
                for item in groups.result():
                    group = Fields(item, "group")
                    ctx.add_group(group.required_text("name"), group.uri("uri"))
        hooks = [
            listing(webhook.PATH, {"organization": org, **query})
            for query in (webhook.scopes_to_read(config, ctx) if "webhook" in needs else [])
        ]
        if event_types is not None:
            objects["event_type"], objects["availability"] = _read_event_types(
                pool, reader, config, event_types, ctx, today
            )
            note(f"read {len(objects['event_type'])} event types")
        for hook_listing in hooks:
            with answer_of(f"GET {webhook.PATH}"):
                objects["webhook"].extend(
                    webhook.from_api(item, ctx) for item in hook_listing.result()
                )
    return LiveState(
        context=ctx,
        objects={kind: tuple(items) for kind, items in objects.items()},
        read_kinds=frozenset(objects),
    )


def _needs(config: Config) -> set[str]:
    """The kinds that the config manages or may prune ("invitations": pending ones too)."""
    prune = config.policy.prune
    needs = {"member"}  # memberships map emails to users for every other kind
    if config.members or "invitations" in prune:
        needs.add("invitations")
    if config.event_types or "event_types" in prune:
        needs.update({"event_type", "availability"})
    if config.webhooks or "webhooks" in prune:
        needs.add("webhook")
    return needs


class _Stream:
    """A listing drained back to back by a worker; its items are handed over as they arrive."""

    def __init__(
        self, pool: ThreadPoolExecutor, reader: Reader, path: str, params: Mapping[str, Any]
    ) -> None:
        self._items: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._drained = pool.submit(self._drain, reader, path, params)

    def _drain(self, reader: Reader, path: str, params: Mapping[str, Any]) -> None:
        try:
            for item in reader.iter_collection(path, params):
                self._items.put(item)
        finally:
            self._items.put(None)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while (item := self._items.get()) is not None:
            yield item
        self._drained.result()  # raises the listing's error, if it failed


def _read_event_types(
    pool: ThreadPoolExecutor,
    reader: Reader,
    config: Config,
    stream: _Stream,
    ctx: OrgContext,
    today: dt.date,
) -> tuple[list[Live], list[Live]]:
    """The event types, and one availability GET per live event type that a declared
    availability will be compared with.

    Each availability GET is sent as soon as its event type is listed, not after the whole
    listing, so the reads overlap the listing's remaining pages. Which event type a declaration
    means is decided as before, once the listing is complete (its uuid pin, else the only one
    with its key); a read is wasted only when a second event type with the same key turns up
    later (an ambiguity, which the diff reports as a problem).
    """
    declared = [d for d in config.event_types if d.availability is not None]
    pinned = {uri_id(d.uuid) for d in declared if d.uuid}
    keys = {key_of(d.owner, d.name) for d in declared if not d.uuid}
    live_event_types: list[Live] = []
    seen: set[str] = set()  # keys listed so far
    reads: dict[str, Future[list[dict[str, Any]]]] = {}  # live URI -> its availability GET
    for item in stream:
        with answer_of("GET /event_types"):
            listed = event_type.from_listing([item], ctx)
        for live in listed:
            live_event_types.append(live)
            first_of_key = live.key in keys and live.key not in seen
            seen.add(live.key)
            if (first_of_key or uri_id(live.uri) in pinned) and live.uri not in reads:
                params = {"event_type": live.uri}
                reads[live.uri] = pool.submit(reader.get_collection, availability.PATH, params)
    live_event_types = _owners_of_orphans(pool, reader, config, live_event_types, ctx)
    schedules = []
    for key, uri in _availability_targets(config, live_event_types, ctx, today):
        with answer_of(f"GET {availability.PATH}"):
            # Usually read while the listing streamed in; else (a pin elsewhere changed which
            # object a key means) read now.
            read = reads.get(uri) or pool.submit(
                reader.get_collection, availability.PATH, {"event_type": uri}
            )
            schedules.append(availability.from_schedules(key, uri, read.result(), today))
    return live_event_types, schedules


def _owners_of_orphans(
    pool: ThreadPoolExecutor,
    reader: Reader,
    config: Config,
    listed: list[Live],
    ctx: OrgContext,
) -> list[Live]:
    """Event types listed without `profile` (Calendly documents that some have none) have no
    owner in the organization listing: list each declared owner's event types (`?user=`,
    whose items that user owns) to find theirs, so that the plan never creates a second one.
    Costs one listing per declared owner, only when such an event type exists.
    """
    if all(live.meta.get("owner_uri") for live in listed):
        return listed
    owners = sorted({ctx.users[o] for o in (email_key(e.owner) for e in config.event_types)
                     if o in ctx.users})  # fmt: skip
    listings = {o: pool.submit(reader.list_all, "/event_types", {"user": o}) for o in owners}
    found: dict[str, Live] = {}
    for owner, listing in listings.items():
        with answer_of("GET /event_types"):
            for item in listing.result():
                if isinstance(item, Mapping) and item.get("profile") is None:
                    for live in event_type.from_listing([item], ctx, listed_for=owner):
                        found[live.uri] = live
    return [found.get(live.uri, live) if not live.meta.get("owner_uri") else live
            for live in listed]  # fmt: skip


def _availability_targets(
    config: Config, live_event_types: list[Live], ctx: OrgContext, today: dt.date
) -> list[tuple[str, str]]:
    """(key, URI) of the live event type each declared availability is compared with.

    Decided by the diff's own matching (a `uuid:` pin, else the key), so that the schedules
    read are exactly the ones the diff compares; ambiguity and absence are the diff's to report.
    """
    env = DiffEnv(ctx=ctx, policy=config.policy, today=today)
    desired = event_type.desired(config, env)
    declared = {
        want.key
        for want, entry in zip(desired, config.event_types, strict=True)
        if entry.availability is not None
    }
    pairs, _missing, _leftovers = match(desired, live_event_types, env)
    return [(want.key, have.uri) for want, have in pairs if want.key in declared]
