"""Groups and group relationships (read-only, from the fixture) and the activity log.

The activity log (Enterprise plan only, admins and the owner: 2023 spec examples) records one
entry per successful write with the acting user. Entries follow the 2023 spec's `Entry` schema:
`namespace` and `action` match `^[A-Za-z0-9\\-_]+$`, e.g. `EventType` / `Update`, and
`fully_qualified_name` is `EventType.Update`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import Collector, denied, invalid_param, not_found
from reconciler.sandbox.model import ActivityEntry, GroupRelationship
from reconciler.sandbox.pagination import paginate, parse_sort, sort_key
from reconciler.sandbox.router import route
from reconciler.sandbox.util import iso


@route("GET", "/groups", scope="groups:read")
def list_groups(ctx: Ctx) -> Reply:
    ctx.ref_org(ctx.require("organization")["organization"], "organization")
    page, pagination = paginate(
        list(ctx.store.groups.values()),
        lambda g: (g.created_at, g.id),
        ctx.list_query(),
        ctx.page_tokens,
    )
    return Reply(200, {"collection": [ctx.views.group(g) for g in page], "pagination": pagination})


@route("GET", "/groups/{uuid}", scope="groups:read")
def get_group(ctx: Ctx) -> Reply:
    group = ctx.store.groups.get(ctx.params["uuid"])
    if group is None:
        raise not_found()
    return Reply(200, {"resource": ctx.views.group(group)})


def _owner_filter(ctx: Ctx, value: str) -> tuple[str, str]:
    """A membership or invitation URI → (owner_type, id)."""
    parts = urlsplit(value)
    segments = parts.path.split("/")
    if parts.scheme in ("http", "https") and parts.netloc:
        if len(segments) == 3 and segments[1] == "organization_memberships" and segments[2]:
            return "OrganizationMembership", segments[2]
        if (
            len(segments) == 5
            and segments[1] == "organizations"
            and segments[3] == "invitations"
            and segments[4]
        ):
            return "OrganizationInvitation", segments[4]
    raise invalid_param("owner", "must be an organization membership or invitation URI")


@route("GET", "/group_relationships", scope="groups:read")
def list_group_relationships(ctx: Ctx) -> Reply:
    if ctx.q("organization") is not None:
        ctx.ref_org(ctx.q("organization"), "organization")
    owner = _owner_filter(ctx, ctx.q("owner") or "") if ctx.q("owner") is not None else None
    group_id = None
    if ctx.q("group") is not None:
        group_id = ctx.ref_id(ctx.q("group"), "groups", "group")
        if group_id not in ctx.store.groups:
            raise not_found("group")

    def wanted(rel: GroupRelationship) -> bool:
        if owner is not None and (rel.owner_type, rel.owner_id) != owner:
            return False
        return group_id is None or rel.group_id == group_id

    rows = [r for r in ctx.store.relationships.values() if wanted(r)]
    page, pagination = paginate(
        rows, lambda r: (r.created_at, r.id), ctx.list_query(), ctx.page_tokens
    )
    return Reply(
        200,
        {"collection": [ctx.views.group_relationship(r) for r in page], "pagination": pagination},
    )


@route("GET", "/group_relationships/{uuid}", scope="groups:read")
def get_group_relationship(ctx: Ctx) -> Reply:
    rel = ctx.store.relationships.get(ctx.params["uuid"])
    if rel is None:
        raise not_found()
    return Reply(200, {"resource": ctx.views.group_relationship(rel)})


# ---- activity log --------------------------------------------------------------------------

_ACTIVITY_SORT = ("occurred_at", "action", "namespace", "actor.uri", "actor.display_name")


@route("GET", "/activity_log_entries", scope="activity_log:read")
def list_activity(ctx: Ctx) -> Reply:
    if ctx.store.org.plan != "enterprise":
        raise denied("Please upgrade your Calendly account to Enterprise.")
    ctx.require_admin()
    ctx.ref_org(ctx.require("organization")["organization"], "organization")
    errors = Collector()
    bounds = ctx.time_bounds(errors, ("min_occurred_at", "max_occurred_at"))
    search = ctx.q("search_term")
    if search is not None and len(search) > 300:
        errors.add("search_term", "must be at most 300 characters")
    errors.raise_if_any()
    actors = {ctx.ref_id(a, "users", "actor") for a in ctx.q_all("actor")}
    namespaces, actions = set(ctx.q_all("namespace")), set(ctx.q_all("action"))
    order = parse_sort(",".join(ctx.q_all("sort")) or None, _ACTIVITY_SORT, "occurred_at:desc")
    views = ctx.views

    def wanted(entry: ActivityEntry) -> bool:
        if actors and entry.actor_id not in actors:
            return False
        if namespaces and entry.namespace not in namespaces:
            return False
        if actions and entry.action not in actions:
            return False
        if entry.occurred_at < bounds.get("min_occurred_at", entry.occurred_at):
            return False
        if entry.occurred_at > bounds.get("max_occurred_at", entry.occurred_at):
            return False
        if search:
            text = repr(views.activity_entry(entry)).lower()
            return all(term in text for term in search.lower().split())
        return True

    def key(entry: ActivityEntry) -> tuple[object, ...]:
        actor = ctx.store.users.get(entry.actor_id or "")
        values = {
            "occurred_at": entry.occurred_at,
            "action": entry.action,
            "namespace": entry.namespace,
            "actor.uri": views.user_uri(actor.id) if actor else "",
            "actor.display_name": actor.name if actor else "",
        }
        return sort_key([(values[f], desc) for f, desc in order], entry.id)

    rows = [e for e in ctx.store.activity.values() if wanted(e)]
    page, pagination = paginate(rows, key, ctx.list_query(), ctx.page_tokens, max_count=1000)
    newest = max((e.occurred_at for e in page), default=None)
    return Reply(
        200,
        {
            "collection": [views.activity_entry(e) for e in page],
            "pagination": pagination,
            "last_event_time": iso(newest) if newest is not None else None,
            "total_count": len(rows),
            "exceeds_max_total_count": False,
        },
    )
