"""Shared fixtures for the sandbox tests: a fake clock, sandboxes and API clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.sandbox.support import BASE, FakeClock, Spec, tiny


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_sandbox(clock: FakeClock) -> Callable[..., Sandbox]:
    def make(fixture: Any = None, **kwargs: Any) -> Sandbox:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("sleep", clock.sleep)
        return Sandbox(tiny() if fixture is None else fixture, **kwargs)

    return make


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """The tiny organization."""
    return make_sandbox()


@pytest.fixture
def acme(clock: FakeClock) -> Sandbox:
    """The bundled demo organization."""
    return Sandbox(clock=clock, sleep=clock.sleep)


Api = Callable[..., httpx.Client]


@pytest.fixture
def api() -> Iterator[Api]:
    """`api(sandbox, "token name")` → an httpx client talking to the sandbox in-process."""
    clients: list[httpx.Client] = []

    def make(sandbox: Sandbox, token: str | None = None, base_url: str = BASE) -> httpx.Client:
        headers = {"Authorization": f"Bearer {sandbox.token(token)}"} if token else {}
        client = httpx.Client(transport=sandbox.transport(), base_url=base_url, headers=headers)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The vendored spec subset, ready to validate response bodies."""
    return Spec()
