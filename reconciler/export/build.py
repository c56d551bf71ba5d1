"""build_export: a snapshot of the organization → the entries of the exported config.

Members are written by email with their role (a pending invitation, which counts as declared,
by email only); webhooks by scope with `user:` (an email) or `group:` (a name), and without a
signing key, which Calendly never returns. Event types are built in `event_types.py`. Whatever
cannot be declared is written as a comment saying why, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any

from reconciler.config.model import Config
from reconciler.export.checks import document_errors, fit_schema
from reconciler.export.event_types import event_type_entries
from reconciler.export.model import SECTIONS, Entry, Export
from reconciler.export.read import Snapshot
from reconciler.export.schedules import schedule_entries
from reconciler.kinds import availability_schedule
from reconciler.kinds.event_type import key_of
from reconciler.model import Live, OrgContext, email_key

#: Written under every declared webhook: a live `${VAR}` would make plan fail while it is unset.
SIGNING_KEY_LINE = "signing_key: ${WEBHOOK_SIGNING_KEY}  # Calendly never returns signing keys"


def build_export(snapshot: Snapshot, *, config: Config | None = None) -> Export:
    """The export of `snapshot`; with `config` (unmanaged-only), entries that fit beside it."""
    members = member_entries(snapshot.members)
    declared = {str(e.data["email"]) for e in members if e.declared}
    declared_keys: set[str] = set()
    schedule_keys: set[str] = set()
    if config is not None:
        declared |= {email_key(m.email) for m in config.members}
        declared_keys = {key_of(e.owner, e.name) for e in config.event_types}
        schedule_keys = {
            availability_schedule.key_of(s.user, s.name) for s in config.availability_schedules
        }
    event_types, listed = event_type_entries(
        snapshot.event_types,
        snapshot.availability,
        members=declared,
        declared_keys=declared_keys,
    )
    webhooks = webhook_entries(snapshot.webhooks, snapshot.context, members=declared)
    schedules = schedule_entries(snapshot.schedules, members=declared, declared_keys=schedule_keys)
    entries = sorted(
        [*members, *event_types, *schedules, *webhooks],
        key=lambda e: (SECTIONS.index(e.section), e.sort_key),
    )
    organization = snapshot.context.organization
    # The organization pins the config to the org it came from; an unmanaged-only export is
    # added to a config that already says (or leaves out) which organization it is for.
    keep = config is None and not document_errors({"organization": organization})
    return Export(
        organization=organization if keep else None,
        entries=tuple(entries),
        listed=tuple(sorted(listed, key=lambda item: item.sort_key)),
        unmanaged_only=config is not None,
    )


def member_entries(members: Iterable[Live]) -> list[Entry]:
    entries = []
    for live in members:
        email = str(live.spec["email"])
        pending = live.meta.get("status") == "pending"
        data: dict[str, Any] = {"email": email}
        if not pending and live.spec.get("role"):
            data["role"] = live.spec["role"]
        data, ok, notes = fit_schema("members", data, ("email",))
        entries.append(
            Entry(
                "members",
                (email,),
                data,
                declared=ok,
                notes=tuple(notes),
                inline="invitation pending (counts as declared)" if pending else None,
                flow=True,
            )
        )
    return entries


def webhook_entries(webhooks: Iterable[Live], ctx: OrgContext, *, members: Set[str]) -> list[Entry]:
    entries = []
    for live in webhooks:
        spec = live.spec
        data: dict[str, Any] = {"url": spec["url"], "scope": spec["scope"]}
        for field in ("user", "group"):
            if field in spec:
                data[field] = spec[field]
        data["events"] = list(spec["events"])
        # The specific reason first: it says more than a schema message would.
        notes = _undeclarable(live, ctx, members)
        ok = not notes
        if ok:
            data, ok, notes = fit_schema("webhooks", data, tuple(data))
        user = data.get("user")
        entries.append(
            Entry(
                "webhooks",
                (live.key,),
                data,
                owner=user if spec["scope"] == "user" and user in members else None,
                declared=ok,
                notes=tuple(notes),
                tail=(SIGNING_KEY_LINE,) if ok else (),
            )
        )
    return entries


def _undeclarable(live: Live, ctx: OrgContext, members: Set[str]) -> list[str]:
    """Why a subscription can only be a comment (empty: it can be declared)."""
    spec = live.spec
    if live.meta.get("state") == "disabled":
        return [
            "Not declared: Calendly disabled this subscription (deliveries kept failing), and "
            "plan would replace a declared disabled subscription. Uncomment it to have apply "
            "recreate it."
        ]
    if spec["scope"] == "user" and spec.get("user") not in members:
        return [f"Not declared: its user {spec.get('user')} is not a member of the organization."]
    if spec["scope"] == "group" and spec.get("group") not in ctx.groups:
        return [f"Not declared: its group {spec.get('group')} is not a group of the organization."]
    if not str(spec["url"]).startswith("https://"):
        return [
            "Not declared: the config format takes https:// URLs (plain http:// only for a "
            "loopback host, with --allow-insecure-webhooks)."
        ]
    return []
