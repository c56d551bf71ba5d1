"""Build a CalendlyClient from connection settings (flags and environment).

The CLI collects `ConnectionSettings`; `open_client` turns them into an `httpx.Client` with the
right base URL and auth, wrapped in a CalendlyClient. Tests pass `transport=` to reach the sandbox
in-process.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import httpx

from reconciler import __version__
from reconciler.client.api import CalendlyClient
from reconciler.client.secret import Secret
from reconciler.errors import UsageError

DEFAULT_API_URL = "https://api.calendly.com"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>`; the token lives in a Secret so it never prints."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


@dataclass(frozen=True)
class ConnectionSettings:
    api_url: str = DEFAULT_API_URL
    token: Secret | None = None
    max_concurrency: int = 8


def read_token(*, env_token: str | None, token_file: Path | None) -> Secret:
    """The personal access token (or OAuth access token): a token file wins over the env."""
    if token_file is not None:
        try:
            value = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"cannot read the token file {token_file}: {exc.strerror}") from None
        if not value:
            raise UsageError(f"the token file {token_file} is empty")
        return Secret(value)
    if env_token and env_token.strip():
        return Secret(env_token.strip())
    raise UsageError(
        "no Calendly token: set CALENDLY_TOKEN (a personal access token) or pass --token-file"
    )


def open_client(
    settings: ConnectionSettings,
    *,
    read_only: bool,
    transport: httpx.BaseTransport | None = None,
) -> CalendlyClient:
    if settings.token is None:
        raise UsageError("no Calendly token: set CALENDLY_TOKEN or pass --token-file")
    http = httpx.Client(
        base_url=settings.api_url,
        auth=BearerAuth(settings.token),
        headers={"User-Agent": f"calendly-reconciler/{__version__}", "Accept": "application/json"},
        timeout=TIMEOUT,
        transport=transport,
        follow_redirects=False,
    )
    return CalendlyClient(
        http,
        read_only=read_only,
        max_concurrency=settings.max_concurrency,
        secrets=(settings.token,),
    )
