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
def harness(
    sandbox: Sandbox, connect: ClientFactory, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Any:
    from tests.harness import Harness

    monkeypatch.chdir(tmp_path)  # configs are named as a user would: config/config.yaml
    return Harness(sandbox, connect, tmp_path, {"HOOK_KEY": "whsec-test-signing-key-42"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite golden files from current output"
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Any, str], None]:
    """`golden(path, text)`: compare with a golden file (rewrite it with --update-golden)."""
    from pathlib import Path

    update = bool(request.config.getoption("--update-golden"))

    def check(path: Any, text: str) -> None:
        file = Path(path)
        if update or not file.exists():
            file.write_text(text, encoding="utf-8")
        assert text == file.read_text(encoding="utf-8"), f"{file} differs (--update-golden)"

    return check


@pytest.fixture
def run(sandbox: Sandbox) -> Callable[..., Any]:
    """Run the CLI in-process against the sandbox: `run("plan", "dir", token="demo")`."""
    import datetime as dt

    from click.testing import CliRunner

    from reconciler.cli import cli
    from reconciler.cli.options import CliEnv

    def invoke(*args: str, token: str = "demo", env: dict[str, str] | None = None,
               input: str | None = None, interactive: bool = False) -> Any:  # fmt: skip
        environ = {
            "CALENDLY_TOKEN": sandbox.token(token),
            "CALENDLY_API_URL": API,
            "NO_COLOR": "1",
            "HOOK_KEY": "whsec-test-signing-key-42",
            **(env or {}),
        }
        obj = CliEnv(
            transport=sandbox.transport(),
            today=lambda: dt.date(2026, 11, 22),
            interactive=lambda: interactive,
            now=lambda: dt.datetime.fromtimestamp(sandbox.now() / 1e6, dt.UTC),  # its clock
        )
        return CliRunner().invoke(cli, list(args), env=environ, obj=obj, input=input)

    return invoke
