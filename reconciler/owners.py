"""`owners:` entries: who owns them (read at plan time), and their expansion into event types.

An event type entry with `owners:` stands for one ordinary event type per owner, keyed
`EMAIL/NAME`. Emails are listed; `{group: NAME}` and `{team: NAME}` are expanded from the live
organization, so a member who joins the group gets the event type in the next plan, and (with
`prune: [event_types]`) one who leaves has theirs deactivated.

Reading costs (only when an entry uses them):
- groups: `GET /groups` (already read when a webhook names a group) and one
  `GET /group_relationships?group=URI` listing per group named;
- teams: `GET /teams`, then one `GET /teams?user=URI` per organization member, because the API
  has no "members of a team" endpoint (CHANGES-2026.md, Teams). That is N calls for N members,
  sent in parallel; prefer groups for big organizations.

`resolve` does the reading (I/O); `expand` is pure, so the diff can repeat it on the same data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from reconciler.config.model import Config, EventType, OwnerRef, Template
from reconciler.kinds.base import PlanError
from reconciler.kinds.wire import Fields
from reconciler.model import Membership, OrgContext, email_key

Listing = Callable[[str, Mapping[str, Any]], "Future[list[dict[str, Any]]]"]

RELATIONSHIPS = "/group_relationships"
TEAMS = "/teams"


def uses(config: Config, kind: str) -> bool:
    return any(t.uses(kind) for t in config.templates)


def refs(config: Config, kind: str) -> list[OwnerRef]:
    """The distinct groups (or teams) named, first mention first."""
    seen: dict[str, OwnerRef] = {}
    for template in config.templates:
        for ref in template.owners:
            if ref.kind == kind:
                seen.setdefault(ref.value, ref)
    return list(seen.values())


def resolve(config: Config, ctx: OrgContext, listing: Listing) -> Membership:
    """Read the members of the groups and teams named (`ctx.groups` is already filled)."""
    members: dict[str, tuple[str, ...]] = {}
    pending: dict[str, tuple[str, ...]] = {}
    problems: list[str] = []
    groups = refs(config, "group")
    teams = refs(config, "team")
    team_list = listing(TEAMS, {}) if teams else None
    reads = {}
    for ref in groups:
        uri = ctx.groups.get(ref.value)
        if uri is None:
            problems.append(_unknown(ref, ctx.groups))
            continue
        params = {"organization": ctx.organization, "group": uri}
        reads[str(ref)] = listing(RELATIONSHIPS, params)
    for key, read in reads.items():
        joined, invited = _group_members(read.result(), ctx)
        members[key] = joined
        if invited:
            pending[key] = invited
    if team_list is not None:
        by_name = {}
        for item in team_list.result():
            team = Fields(item, "team")
            by_name[team.required_text("name")] = team.uri("uri")
        wanted = {}
        for ref in teams:
            if ref.value in by_name:
                wanted[by_name[ref.value]] = str(ref)
            else:
                problems.append(_unknown(ref, by_name))
        members.update(_team_members(wanted, ctx, listing))
    if problems:
        raise PlanError(problems)
    return Membership(members, pending)


def _unknown(ref: OwnerRef, known: Iterable[str]) -> str:
    names = ", ".join(sorted(known)) or "none"
    return f"{ref.source}: owners: unknown {ref.kind} {ref.value!r} (the organization has: {names})"


def _group_members(
    relationships: list[dict[str, Any]], ctx: OrgContext
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Members (not admins: they manage the group without belonging to it) of one group."""
    joined, invited = set(), set()
    for item in relationships:
        relationship = Fields(item, "group relationship")
        if relationship.text("role", null=True, missing=True) != "member":
            continue
        owner = relationship.child("owner", "owner")
        user = owner.optional_child("user", "user")
        if user is not None:
            uri = user.uri("uri")
            email = ctx.emails.get(uri) or email_key(user.text("email") or "")
            if email:
                joined.add(email)
        else:  # an invitation: not a user yet
            invitee = owner.text("email", null=True, missing=True)
            if invitee:
                invited.add(email_key(invitee))
    return tuple(sorted(joined)), tuple(sorted(invited))


def _team_members(
    wanted: Mapping[str, str], ctx: OrgContext, listing: Listing
) -> dict[str, tuple[str, ...]]:
    """team key -> members, from one `GET /teams?user=URI` per organization member."""
    found: dict[str, set[str]] = {key: set() for key in wanted.values()}
    if not wanted:
        return {}
    reads = {uri: listing(TEAMS, {"user": uri}) for uri in sorted(ctx.emails)}
    for user_uri, read in reads.items():
        for item in read.result():
            key = wanted.get(Fields(item, "team").uri("uri"))
            if key is not None:
                found[key].add(ctx.emails[user_uri])
    return {key: tuple(sorted(emails)) for key, emails in found.items()}


def expand(config: Config, membership: Membership) -> Config:
    """The config with every `owners:` entry replaced by its event types (pure)."""
    if not config.templates:
        return config
    problems: list[str] = []
    warnings: list[str] = []
    seen: dict[tuple[str, str], str] = {
        (email_key(e.owner), e.name): str(e.source) for e in config.event_types
    }
    expansions: list[EventType] = []
    claims: dict[str, str] = dict(config.claims)
    for template in config.templates:
        owners = _owners(template, membership, warnings)
        for email, override in sorted(template.overrides.items()):
            if email not in owners:
                warnings.append(
                    f"event_type {email}/{template.name}: the override at {override.source} "
                    f"is not used: {email} is not one of the owners ({_listing(template)})"
                )
        for email, reason in owners.items():
            key = (email, template.name)
            if key in seen:
                problems.append(
                    f"{template.source}: event type {email}/{template.name} is also declared "
                    f"at {seen[key]}" + (f" ({reason})" if reason else "")
                )
                continue
            seen[key] = str(template.source)
            expansions.append(_event_type(template, email, reason))
        if template.uses("group") or template.uses("team"):
            claims[template.name] = f"{_listing(template)}, {template.source}"
    if problems:
        raise PlanError(problems)
    return replace(
        config,
        event_types=config.event_types + tuple(expansions),
        templates=(),
        claims=claims,
        expansion_warnings=tuple(warnings),
    )


def _owners(template: Template, membership: Membership, warnings: list[str]) -> dict[str, str]:
    """email -> why it is an owner ("" when listed by email), in the entry's order."""
    owners: dict[str, str] = {}
    for ref in template.owners:
        if ref.kind == "email":
            owners.setdefault(email_key(ref.value), "")
            continue
        for email in membership.members.get(str(ref), ()):
            owners.setdefault(email, f"{email} is in {ref}")
        for email in membership.pending.get(str(ref), ()):
            warnings.append(
                f"event_type {email}/{template.name}: {email} is invited into {ref} but has "
                "not joined the organization yet; their event type is created once they have"
            )
    return owners


def _event_type(template: Template, email: str, reason: str) -> EventType:
    override = template.overrides.get(email)
    fields = dict(template.fields)
    sources = dict(template.field_sources)
    availability = template.availability
    if override is not None:
        fields.update(override.fields)
        sources.update(override.field_sources)
        availability = override.availability or availability
    return EventType(
        name=template.name,
        owner=email,
        uuid=None,
        fields=fields,
        availability=availability,
        protect=template.protect,
        source=template.source,
        field_sources=sources,
        reason=reason or None,
    )


def _listing(template: Template) -> str:
    return "owners: " + ", ".join(str(ref) for ref in template.owners)
