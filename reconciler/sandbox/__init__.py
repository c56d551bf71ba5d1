"""A local emulator of the Calendly API v2 (the sandbox).

Independent of the reconciler's own code (it never imports kinds/diff/plan/config/client/apply/
render), so tests against it can catch the client's bugs. Typical use::

    from reconciler.sandbox import Sandbox
    sb = Sandbox("examples/sandbox/acme.yaml", clock=fake_clock)
    client = httpx.Client(transport=sb.transport(), base_url="https://api.calendly.com",
                          headers={"Authorization": f"Bearer {sb.token('demo')}"})

Besides the API it emulates (router.py lists its routes; each `routes_*.py` registers its own),
it answers control routes under `/_sandbox/`, never part of the public API: no auth, no faults,
not logged. In-process, `sb.control(method, path, body)` calls them and returns their JSON.

    GET    /_sandbox/requests | /_sandbox/counters | /_sandbox/state | /_sandbox/faults
    POST   /_sandbox/reset-log                      clear the request log and counters
    POST   /_sandbox/faults                         {"spec": "..."} or a mapping (faults.py)
    POST   /_sandbox/invitations/{uuid}/accept      {"name"?, "timezone"?}: a new member
    POST   /_sandbox/invitations/{uuid}/decline
    POST   /_sandbox/webhook_subscriptions/{uuid}/disable
    POST   /_sandbox/event_types/{uuid}/delete      the web UI's delete (delivery.py)
    POST   /_sandbox/groups/{group}/members         {"user": EMAIL|URI, "role"?: member|admin}
    DELETE /_sandbox/groups/{group}/members/{user}
    POST   /_sandbox/teams/{team}/members           {"user": EMAIL|URI}
    DELETE /_sandbox/teams/{team}/members/{user}
    POST   /_sandbox/scheduled_events               {"event_type": URI, "start_time": ISO,
                                                     "host"?, "invitee"?: {name, email},
                                                     "status"?: active|canceled}

`{group}`/`{team}` are an id or a name, `{user}` an email or a user id (routes_admin.py,
routes_admin_org.py).
"""

from __future__ import annotations

from reconciler.sandbox.core import DEFAULT_URI_BASE, Sandbox
from reconciler.sandbox.errors import ApiError
from reconciler.sandbox.faults import Faults, FaultSpecError
from reconciler.sandbox.fixture import FixtureError, bundled_fixture_path, read_fixture
from reconciler.sandbox.requestlog import RequestLogEntry
from reconciler.sandbox.response import Drop, SandboxResponse
from reconciler.sandbox.router import operation_scopes

__all__ = [
    "DEFAULT_URI_BASE",
    "ApiError",
    "Drop",
    "FaultSpecError",
    "Faults",
    "FixtureError",
    "RequestLogEntry",
    "Sandbox",
    "SandboxResponse",
    "bundled_fixture_path",
    "operation_scopes",
    "read_fixture",
]
