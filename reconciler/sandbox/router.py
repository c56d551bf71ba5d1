"""The route table: (method, spec path template) → handler, with each operation's scope.

Anything not in the table (e.g. `DELETE /event_types/{uuid}`, which the live API answers with
404, NOTES.md §6.1) is 404 Resource Not Found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from reconciler.sandbox import routes_availability as av
from reconciler.sandbox import routes_event_types as et
from reconciler.sandbox import routes_groups as groups
from reconciler.sandbox import routes_org as org
from reconciler.sandbox import routes_webhooks as hooks
from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.scopes import OPERATION_SCOPES

Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]

    @property
    def scope(self) -> str:
        return OPERATION_SCOPES[(self.method, self.template)]

    @property
    def operation(self) -> str:
        return f"{self.method} {self.template}"


def _route(method: str, template: str, handler: Handler) -> Route:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return Route(method, template, handler, re.compile(f"^{regex}$"))


ROUTES: tuple[Route, ...] = (
    _route("GET", "/users/me", org.get_me),
    _route("GET", "/users/{uuid}", org.get_user),
    _route("GET", "/organizations/{uuid}", org.get_organization),
    _route("GET", "/organization_memberships", org.list_memberships),
    _route("GET", "/organization_memberships/{uuid}", org.get_membership),
    _route("DELETE", "/organization_memberships/{uuid}", org.delete_membership),
    _route("GET", "/organizations/{uuid}/invitations", org.list_invitations),
    _route("POST", "/organizations/{uuid}/invitations", org.create_invitation),
    _route("GET", "/organizations/{org_uuid}/invitations/{uuid}", org.get_invitation),
    _route("DELETE", "/organizations/{org_uuid}/invitations/{uuid}", org.revoke_invitation),
    _route("GET", "/event_types", et.list_event_types),
    _route("POST", "/event_types", et.create_event_type),
    _route("GET", "/event_types/{uuid}", et.get_event_type),
    _route("PATCH", "/event_types/{uuid}", et.update_event_type),
    _route("POST", "/one_off_event_types", et.create_one_off_event_type),
    _route("GET", "/event_type_memberships", et.list_event_type_memberships),
    _route("GET", "/event_type_availability_schedules", av.get_event_type_availability),
    _route("PATCH", "/event_type_availability_schedules", av.update_event_type_availability),
    _route("GET", "/user_availability_schedules", av.list_user_schedules),
    _route("GET", "/user_availability_schedules/{uuid}", av.get_user_schedule),
    _route("GET", "/locations", av.list_locations),
    _route("GET", "/webhook_subscriptions", hooks.list_webhooks),
    _route("POST", "/webhook_subscriptions", hooks.create_webhook),
    _route("GET", "/webhook_subscriptions/{webhook_uuid}", hooks.get_webhook),
    _route("DELETE", "/webhook_subscriptions/{webhook_uuid}", hooks.delete_webhook),
    _route("GET", "/sample_webhook_data", hooks.sample_webhook_data),
    _route("GET", "/groups", groups.list_groups),
    _route("GET", "/groups/{uuid}", groups.get_group),
    _route("GET", "/group_relationships", groups.list_group_relationships),
    _route("GET", "/group_relationships/{uuid}", groups.get_group_relationship),
    _route("GET", "/activity_log_entries", groups.list_activity),
)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        if route.method != method:
            continue
        m = route.pattern.match(path)
        if m:
            return route, {k: unquote(v) for k, v in m.groupdict().items()}
    return None
