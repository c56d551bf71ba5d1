"""Fixtures shared by the suites: a fake clock, the sandbox, clients connected to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reconciler.client import CalendlyClient, Secret
from reconciler.client.connect import BearerAuth
from reconciler.sandbox import Sandbox
from tests.helpers import FakeClock

API = "https://api.calendly.com"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    """The bundled demo organization (examples/sandbox/acme.yaml), on the fake clock."""
    return Sandbox(clock=clock, sleep=clock.sleep)


ClientFactory = Callable[..., CalendlyClient]


@pytest.fixture
def connect(sandbox: Sandbox, clock: FakeClock) -> Iterator[ClientFactory]:
    """`connect(token_name="demo", read_only=False, **client_kwargs)` → a client on the sandbox."""
    opened: list[httpx.Client] = []

    def make(token: str = "demo", *, read_only: bool = False, **kwargs: Any) -> CalendlyClient:
        secret = Secret(sandbox.token(token))
        http = httpx.Client(base_url=API, transport=sandbox.transport(), auth=BearerAuth(secret))
        opened.append(http)
        return CalendlyClient(
            http, read_only=read_only, secrets=(secret,), clock=clock, sleep=clock.sleep, **kwargs
        )

    yield make
    for http in opened:
        http.close()


@pytest.fixture
def harness(sandbox: Sandbox, connect: ClientFactory, tmp_path: Any) -> Any:
    from tests.harness import Harness

    return Harness(sandbox, connect, tmp_path, {"HOOK_KEY": "whsec-test-signing-key-42"})
