"""Which write scopes a token has, when nothing says (a personal access token).

OAuth tokens tell their scopes (`scopes.preflight`); a personal access token does not, and
since 2026-03 a new one may carry any subset. Without a check, apply would send the writes it
may and stop at the first 403: the organization half-applied. So before the first write, for
each write scope the plan needs, apply sends one request that needs that scope and cannot
change anything: it addresses an object that cannot exist (`PROBE_ID`). Calendly checks the
scope before it looks the object up, so the answer is 403 `Insufficient scope` when the scope
is missing and 404 (or 400) otherwise; either way nothing is written.

Caveat (documented in the README): if Calendly ever looked objects up before checking scopes,
a probe would answer 404 for a missing scope too, and apply would fall back to stopping at the
first 403, as before. At most four requests, one per write scope.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.client.errors import ApiError, ClientError, InsufficientScope
from reconciler.errors import ReconcilerError
from reconciler.model import Request, uri_id
from reconciler.plan import Plan
from reconciler.protocols import Writer
from reconciler.scopes import endpoint, request_scopes

#: An id no Calendly object has (its ids are opaque 16-character strings or UUIDs v4).
PROBE_ID = "00000000-0000-4000-8000-0000000000ff"

_PROBES: dict[str, Callable[[str], Request]] = {
    "organizations:write": lambda org: Request(
        "DELETE", f"/organizations/{uri_id(org)}/invitations/{PROBE_ID}"
    ),
    "event_types:write": lambda org: Request("PATCH", f"/event_types/{PROBE_ID}", body={}),
    "availability:write": lambda org: Request(
        "PATCH",
        "/event_type_availability_schedules",
        params={"event_type": f"https://api.calendly.com/event_types/{PROBE_ID}"},
        body={},
    ),
    "webhooks:write": lambda org: Request("DELETE", f"/webhook_subscriptions/{PROBE_ID}"),
}


def probe_write_scopes(plan: Plan, client: Writer) -> None:
    """Raise, before any write, naming each write scope the plan needs and the token lacks."""
    needed: dict[str, list[str]] = {}
    for change in plan.changes:
        for request in change.requests:
            for scope in request_scopes(request):
                if scope.endswith(":write"):
                    needed.setdefault(scope, []).append(endpoint(request.method, request.path))
    missing = []
    for scope in sorted(needed):
        probe = _PROBES.get(scope)
        if probe is None:
            continue
        request = probe(plan.organization or "")
        try:
            client.request(request.method, request.path, params=request.params, json=request.body)
        except InsufficientScope:
            missing.append(scope)
        except (ApiError, ClientError):
            pass  # 404 / 400: the scope is there (or the probe says nothing: apply as before)
    if missing:
        lines = [f"  {s}: {', '.join(sorted(set(needed[s])))}" for s in missing]
        one = len(missing) == 1
        raise ReconcilerError(
            f"the token lacks {len(missing)} {'scope' if one else 'scopes'} that this apply "
            "needs (a request that needs it and cannot change anything was refused); nothing "
            "was changed:\n" + "\n".join(lines) + f"\nAdd {'it' if one else 'them'} to the "
            "personal access token (Calendly > Integrations > API & Webhooks)."
        )
