"""A local emulator of the Calendly API v2 (the sandbox).

Independent of the reconciler's own code (it never imports kinds/diff/plan/config/client/apply/
render), so tests against it can catch the client's bugs. Typical use::

    from reconciler.sandbox import Sandbox
    sb = Sandbox("examples/sandbox/acme.yaml", clock=fake_clock)
    client = httpx.Client(transport=sb.transport(), base_url="https://api.calendly.com",
                          headers={"Authorization": f"Bearer {sb.token('demo')}"})
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
