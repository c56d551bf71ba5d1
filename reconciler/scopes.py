"""Which OAuth scope each API request needs, and the preflight check before apply.

The table is the reconciler's own, written from Calendly's scope catalogue
(shared/seeds/004_e450c6126910d539.txt) with the spec's paths where the catalogue's are wrong
(`/organizations/{uuid}/invitations`, not `/organization_invitations`;
`PATCH /event_type_availability_schedules?event_type=URI`, not `.../{uuid}`). It deliberately
does not import the sandbox's table: the two are written independently so that each catches the
other's mistakes (tests/auth compares them through real runs).

Two rules of the catalogue apply on top of the table:
- `x:write` includes `x:read` (`expand`);
- a webhook subscription also needs the read scope of every event family it subscribes to
  (`invitee.created` -> `scheduled_events:read`, ...): `EVENT_FAMILY_SCOPES`.

`preflight(plan, granted)` runs before apply asks for confirmation: when the token's scopes are
known (OAuth) it stops the apply, before any write, naming every missing scope and the calls
that need it. `config_calls(config)` is the offline view behind `calendly-reconciler scopes`:
which calls plan may read and apply may write for a config (see its docstring).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconciler.config.model import Config
from reconciler.errors import ReconcilerError
from reconciler.model import Request
from reconciler.plan import PLACEHOLDER, Plan

#: (method, path template) -> the scope the call requires. `{id}` stands for one path segment.
ENDPOINT_SCOPES: Mapping[tuple[str, str], str] = {
    ("GET", "/users/me"): "users:read",
    ("GET", "/users/{id}"): "users:read",
    ("GET", "/organizations/{id}"): "organizations:read",
    ("GET", "/organization_memberships"): "organizations:read",
    ("GET", "/organization_memberships/{id}"): "organizations:read",
    ("DELETE", "/organization_memberships/{id}"): "organizations:write",
    ("GET", "/organizations/{id}/invitations"): "organizations:read",
    ("POST", "/organizations/{id}/invitations"): "organizations:write",
    ("GET", "/organizations/{id}/invitations/{id}"): "organizations:read",
    ("DELETE", "/organizations/{id}/invitations/{id}"): "organizations:write",
    ("GET", "/event_types"): "event_types:read",
    ("GET", "/event_types/{id}"): "event_types:read",
    ("POST", "/event_types"): "event_types:write",
    ("PATCH", "/event_types/{id}"): "event_types:write",
    ("POST", "/one_off_event_types"): "event_types:write",
    ("GET", "/event_type_available_times"): "event_types:read",
    ("GET", "/event_type_memberships"): "event_types:read",
    ("GET", "/event_type_availability_schedules"): "availability:read",
    ("PATCH", "/event_type_availability_schedules"): "availability:write",
    ("GET", "/user_availability_schedules"): "availability:read",
    ("GET", "/user_availability_schedules/{id}"): "availability:read",
    ("POST", "/user_availability_schedules"): "availability:write",
    ("PATCH", "/user_availability_schedules/{id}"): "availability:write",
    ("GET", "/user_busy_times"): "availability:read",
    ("GET", "/locations"): "locations:read",
    ("GET", "/webhook_subscriptions"): "webhooks:read",
    ("GET", "/webhook_subscriptions/{id}"): "webhooks:read",
    ("POST", "/webhook_subscriptions"): "webhooks:write",
    ("DELETE", "/webhook_subscriptions/{id}"): "webhooks:write",
    ("GET", "/sample_webhook_data"): "webhooks:read",
    ("GET", "/groups"): "groups:read",
    ("GET", "/groups/{id}"): "groups:read",
    ("GET", "/group_relationships"): "groups:read",
    ("GET", "/group_relationships/{id}"): "groups:read",
    ("GET", "/activity_log_entries"): "activity_log:read",
    ("GET", "/teams"): "organizations:read",
    ("GET", "/teams/{id}"): "organizations:read",
    ("GET", "/scheduled_events"): "scheduled_events:read",
}

#: Webhook event family (before the dot) -> the read scope that receiving it needs.
EVENT_FAMILY_SCOPES: Mapping[str, str] = {
    "invitee": "scheduled_events:read",
    "invitee_no_show": "scheduled_events:read",
    "event_type": "event_types:read",
    "routing_form_submission": "routing_forms:read",
    "contact": "contacts:read",
    "meeting_recap": "meeting_recaps:read",
}

_PATTERNS = [
    (method, template, re.compile("^" + re.escape(template).replace(r"\{id\}", "[^/]+") + "$"))
    for method, template in ENDPOINT_SCOPES
]


def endpoint(method: str, path: str) -> str:
    """`DELETE /webhook_subscriptions/ab12` -> `DELETE /webhook_subscriptions/{id}`."""
    return " ".join(_key(method, path))


def required_scopes(method: str, path: str, events: Iterable[str] = ()) -> frozenset[str]:
    """The scopes one call needs (`events`: of a webhook subscription it creates)."""
    key = _key(method, path)
    found = {ENDPOINT_SCOPES[key]}
    if key == ("POST", "/webhook_subscriptions"):
        found.update(s for e in events if (s := event_scope(e)) is not None)
    return frozenset(found)


def _key(method: str, path: str) -> tuple[str, str]:
    path = PLACEHOLDER.sub("x", path.split("?", 1)[0])
    for known_method, template, pattern in _PATTERNS:
        if known_method == method and pattern.match(path):
            return method, template
    # A call the table does not know is a bug here, not the user's problem: keep the traceback.
    raise LookupError(f"no scope is known for {method} {path}: add it to reconciler/scopes.py")


def event_scope(event: str) -> str | None:
    return EVENT_FAMILY_SCOPES.get(event.partition(".")[0])


def expand(granted: Iterable[str]) -> frozenset[str]:
    """A grant plus what it implies: `x:write` includes `x:read`."""
    out = set(granted)
    out.update(s.removesuffix(":write") + ":read" for s in list(out) if s.endswith(":write"))
    return frozenset(out)


def minimal(scopes: Iterable[str]) -> tuple[str, ...]:
    """The fewest scopes that grant `scopes`: `x:read` is dropped when `x:write` is there."""
    wanted = set(scopes)
    return tuple(
        sorted(s for s in wanted if not (s.endswith(":read") and s[:-5] + ":write" in wanted))
    )


def request_scopes(request: Request) -> frozenset[str]:
    events = (request.body or {}).get("events") or ()
    return required_scopes(request.method, request.path, [e for e in events if isinstance(e, str)])


def preflight(plan: Plan, granted: frozenset[str] | None) -> None:
    """Raise a ReconcilerError naming every missing scope, when the granted scopes are known.

    `granted` is None when the token's scopes cannot be known (a personal access token, a
    legacy OAuth token, Scalekit): then the API's own 403s speak, one clear line each.
    """
    if granted is None:
        return
    have = expand(granted)
    missing: dict[str, dict[str, int]] = {}
    for change in plan.changes:
        for request in change.requests:
            for scope in sorted(request_scopes(request) - have):
                calls = missing.setdefault(scope, {})
                call = endpoint(request.method, request.path)
                calls[call] = calls.get(call, 0) + 1
    if not missing:
        return
    lines = [
        f"  {scope}: "
        + ", ".join(f"{c} ({n} calls)" if n > 1 else c for c, n in sorted(calls.items()))
        for scope, calls in sorted(missing.items())
    ]
    one = len(missing) == 1
    raise ReconcilerError(
        f"the token lacks {len(missing)} {'scope' if one else 'scopes'} that this apply needs; "
        "nothing was changed:\n" + "\n".join(lines) + f"\nGrant {'it' if one else 'them'} to "
        "the OAuth app and run `calendly-reconciler login` again "
        "(`calendly-reconciler scopes PATH...` lists every scope a config needs)."
    )


@dataclass(frozen=True)
class Call:
    """A call plan or apply may make, as `scopes` shows it."""

    method: str
    path: str  # the template, `{id}` for path parameters
    events: tuple[str, ...] = ()  # for POST /webhook_subscriptions

    def display(self) -> str:
        return f"{self.method} {self.path}"

    def scopes(self) -> frozenset[str]:
        return required_scopes(self.method, self.path, self.events)


@dataclass(frozen=True)
class ConfigCalls:
    plan: tuple[Call, ...]  # what plan reads
    apply: tuple[Call, ...]  # what apply reads (as plan does) and may write


def config_calls(config: Config) -> ConfigCalls:
    """Every call plan may read and apply may write for `config`, offline.

    Derived from what the config declares and what its policy prunes, the way `live.read_live`
    and the kinds decide (tests/auth checks it against real runs on the sandbox):
    - plan reads the caller (`/users/me`) and the memberships always; pending invitations when
      members are declared or invitations pruned; event types, and the upcoming bookings of
      the changes that can affect them, when any are declared or pruned; availability when an
      event type declares one; groups when a webhook or an `owners:` entry names a group (and
      its members), teams when an `owners:` entry names one; webhook subscriptions when
      webhooks are declared or pruned; the declared users' availability schedules, and the
      event types that use a schedule that changes;
    - apply may invite declared members, remove pruned members and invitations, create and
      update declared event types (deactivate pruned ones), replace availability, create
      or delete (replace, prune) webhook subscriptions with the declared events, and create
      or update the caller's availability schedules; then it reads back the event types and
      availability it wrote.
    """
    prune = config.policy.prune
    reads = [Call("GET", "/users/me"), Call("GET", "/organization_memberships")]
    writes: list[Call] = []
    if config.members or "invitations" in prune:
        reads.append(Call("GET", "/organizations/{id}/invitations"))
    if config.members:
        writes.append(Call("POST", "/organizations/{id}/invitations"))
    if "members" in prune:
        writes.append(Call("DELETE", "/organization_memberships/{id}"))
    if "invitations" in prune:
        writes.append(Call("DELETE", "/organizations/{id}/invitations/{id}"))
    templates = config.templates  # `owners:` entries (reconciler/owners.py)
    if config.event_types or templates or "event_types" in prune:
        reads.append(Call("GET", "/event_types"))
        # Booking impact (impact.py); without the scope the plan only says it cannot tell.
        reads.append(Call("GET", "/scheduled_events"))
        writes.append(Call("PATCH", "/event_types/{id}"))
    if config.event_types or templates:
        writes.append(Call("POST", "/event_types"))
        writes.append(Call("GET", "/event_types/{id}"))  # read back after apply (readback.py)
    if any(e.availability is not None for e in config.event_types) or any(
        t.availability is not None for t in templates
    ):
        reads.append(Call("GET", "/event_type_availability_schedules"))
        writes.append(Call("PATCH", "/event_type_availability_schedules"))
    if any(w.group for w in config.webhooks) or any(t.uses("group") for t in templates):
        reads.append(Call("GET", "/groups"))
    if any(t.uses("group") for t in templates):
        reads.append(Call("GET", "/group_relationships"))
    if any(t.uses("team") for t in templates):
        reads.append(Call("GET", "/teams"))
    if config.webhooks or "webhooks" in prune:
        reads.append(Call("GET", "/webhook_subscriptions"))
        writes.append(Call("DELETE", "/webhook_subscriptions/{id}"))
    if config.webhooks:
        events = sorted({e for w in config.webhooks for e in w.events})
        writes.append(Call("POST", "/webhook_subscriptions", tuple(events)))
    if config.availability_schedules:
        reads.append(Call("GET", "/user_availability_schedules"))
        if Call("GET", "/event_types") not in reads:  # the event types a change reaches
            reads.append(Call("GET", "/event_types"))
        writes.append(Call("POST", "/user_availability_schedules"))
        writes.append(Call("PATCH", "/user_availability_schedules/{id}"))
    return ConfigCalls(tuple(reads), tuple(reads + writes))
