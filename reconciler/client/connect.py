"""Build a CalendlyClient from connection settings (flags and environment).

The CLI collects `ConnectionSettings`; `open_client` turns them into an `httpx.Client` with the
right base URL, auth and transport, wrapped in a CalendlyClient. Three ways to authenticate:

- a personal access token (or any bearer token): `token`, sent as is;
- OAuth (`oauth`): the token file written by `login`, refreshed with rotation (client/auth.py);
  the granted scopes it records become `client.granted_scopes`, for the apply preflight;
- Scalekit (`scalekit`): every call goes through the Scalekit proxy (client/scalekit.py), after
  a check that the connected account is ACTIVE.

Tests pass `transport=` to reach the sandbox (or a fake Scalekit in front of it) in-process; it
also carries the calls to the OAuth server and to Scalekit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from reconciler import __version__
from reconciler.client.api import CalendlyClient
from reconciler.client.auth import Clock, OAuthAuth, OAuthClient, OAuthSession, TokenFile
from reconciler.client.scalekit import ScalekitProxyTransport, ScalekitSession, ScalekitSettings
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
class OAuthSettings:
    token_file: Path
    client: OAuthClient = field(default_factory=OAuthClient)


@dataclass(frozen=True)
class ConnectionSettings:
    api_url: str = DEFAULT_API_URL
    token: Secret | None = None
    max_concurrency: int = 8
    oauth: OAuthSettings | None = None
    scalekit: ScalekitSettings | None = None
    clock: Clock = time.time  # wall clock: token expiry


def read_token(*, env_token: str | None, token_file: Path | None) -> Secret:
    """The personal access token (or OAuth access token): a token file wins over the env."""
    if token_file is not None:
        try:
            value = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or "not a text file"
            raise UsageError(f"cannot read the token file {token_file}: {why}") from None
        if not value:
            raise UsageError(f"the token file {token_file} is empty")
        if _looks_like_oauth_file(value):
            raise UsageError(
                f"the token file {token_file} is an OAuth token file: pass --auth oauth "
                "(or set CALENDLY_AUTH=oauth)"
            )
        return _header_safe(Secret(value), f"the token file {token_file}")
    if env_token and env_token.strip():
        return _header_safe(Secret(env_token.strip()), "CALENDLY_TOKEN")
    raise UsageError(
        "no Calendly token: set CALENDLY_TOKEN (a personal access token) or pass --token-file"
    )


def _header_safe(token: Secret, where: str) -> Secret:
    """A token must fit in an HTTP header: printable ASCII. Anything else (a pasted newline, a
    non-ASCII character) is refused here, before httpx quotes it in an error or crashes."""
    value = token.reveal()
    if not (value.isascii() and value.isprintable()):
        raise UsageError(
            f"{where} holds a character no HTTP header can carry (a line break, a control or "
            "non-ASCII character): check the token"
        )
    return token


def open_client(
    settings: ConnectionSettings,
    *,
    read_only: bool,
    transport: httpx.BaseTransport | None = None,
) -> CalendlyClient:
    auth: httpx.Auth | None = None
    secrets: tuple[Secret, ...] = ()
    session: OAuthSession | None = None
    api_url = settings.api_url
    if settings.scalekit is not None:
        inner = transport or httpx.HTTPTransport()
        scalekit = ScalekitSession(settings.scalekit, transport=inner, clock=settings.clock)
        secrets = scalekit.secrets()
        try:
            scalekit.check_account()
        except BaseException:
            if transport is None:
                inner.close()
            raise
        # The proxy's base is the connector's, api.calendly.com: paths go to {env}/proxy as is.
        transport, api_url = ScalekitProxyTransport(scalekit, inner), DEFAULT_API_URL
    elif settings.oauth is not None:
        session = OAuthSession(
            TokenFile(settings.oauth.token_file),
            settings.oauth.client,
            transport=transport,
            clock=settings.clock,
        )
        session.learn_scopes()
        auth, secrets = OAuthAuth(session), session.secrets()
    elif settings.token is not None:
        auth, secrets = BearerAuth(settings.token), (settings.token,)
    else:
        raise UsageError("no Calendly token: set CALENDLY_TOKEN or pass --token-file")
    secrets += url_secrets(api_url)
    http = httpx.Client(
        base_url=api_url,
        auth=auth,
        headers={"User-Agent": f"calendly-reconciler/{__version__}", "Accept": "application/json"},
        timeout=TIMEOUT,
        transport=transport,
        follow_redirects=False,
    )
    client = CalendlyClient(
        http,
        read_only=read_only,
        max_concurrency=settings.max_concurrency,
        secrets=secrets,
    )
    if session is not None:
        client.granted_scopes = session.granted_scopes
        # A refresh may change the grant (a legacy token migrates to scoped on refresh).
        session.on_change(lambda tokens: setattr(client, "granted_scopes", tokens.granted_scopes))
    return client


def url_secrets(url: str) -> tuple[Secret, ...]:
    """The password of a URL's userinfo (`https://user:PASS@host`), as typed and decoded: a
    Secret each, so that it is masked wherever the URL is shown."""
    try:
        password = urlsplit(url).password
    except ValueError:  # not a URL at all: nothing to hide
        return ()
    if not password:
        return ()
    return tuple(Secret(p) for p in dict.fromkeys((password, unquote(password))))


def _looks_like_oauth_file(text: str) -> bool:
    if not text.startswith("{"):
        return False
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and "refresh_token" in data
