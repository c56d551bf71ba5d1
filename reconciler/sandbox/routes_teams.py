"""Teams (release notes 2026-10-30): read-only, `GET /teams` and `GET /teams/{team_uuid}`.

A Team is `{uri, name, organization, scheduling_url, created_at, updated_at}` (NOTES.md §3.6).
The API lists no team members: `GET /teams?user=URI` (the teams that user belongs to) is the
only way to learn membership, so the sandbox offers nothing more. Choices where the sources are
silent: `organization` is optional (it must be the caller's organization when given), the list
is sorted by creation, and teams of the organization are visible to every member.
"""

from __future__ import annotations

from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import not_found
from reconciler.sandbox.model import Team
from reconciler.sandbox.pagination import paginate
from reconciler.sandbox.router import route


@route("GET", "/teams", scope="organizations:read")
def list_teams(ctx: Ctx) -> Reply:
    if ctx.q("organization") is not None:
        ctx.ref_org(ctx.q("organization"), "organization")
    user = ctx.ref_user(ctx.q("user"), "user") if ctx.q("user") is not None else None
    rows = [t for t in ctx.store.teams.values() if user is None or user.id in t.member_ids]
    page, pagination = paginate(
        rows, lambda t: (t.created_at, t.id), ctx.list_query(), ctx.page_tokens
    )
    return Reply(200, {"collection": [ctx.views.team(t) for t in page], "pagination": pagination})


@route("GET", "/teams/{team_uuid}", scope="organizations:read")
def get_team(ctx: Ctx) -> Reply:
    team: Team | None = ctx.store.teams.get(ctx.params["team_uuid"])
    if team is None:
        raise not_found()
    return Reply(200, {"resource": ctx.views.team(team)})
