"""Calendly through the Scalekit proxy (agent auth): this tool never holds a Calendly token.

A company that connects Calendly in Scalekit gives the reconciler Scalekit client credentials
and the connected account's `identifier`; Scalekit injects the account's Calendly token
server-side. Four REST calls, with httpx directly (no SDK: AUTH.md §1.8):

    POST {env}/oauth/token                  client credentials -> the Scalekit (M2M) token
    GET  {env}/api/v1/connected_accounts/details?connector=NAME&identifier=ID  -> its status
    POST {env}/api/v1/connected_accounts/magic_link  {connector, identifier}  -> {link, expiry}
    {METHOD} {env}/proxy{path}?{query}      headers `connection_name`, `identifier`, bearer

`ScalekitProxyTransport` rewrites every request the Calendly client sends
(`https://api.calendly.com/users/me?x=1` -> `{env}/proxy/users/me?x=1`), so plan and apply run
unchanged; Calendly's status, body and `X-RateLimit-*` headers come back as the proxy passes
them. As the SDK does, a 401 re-mints the Scalekit token once and resends; a second 401 re-checks
the connected account, so an account that lost its Calendly authorization is reported with the
link that fixes it. The status is checked before the first call for the same reason: an account
that is not ACTIVE fails at once, with one message carrying the authorization link.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from reconciler import __version__
from reconciler.client.auth import AuthError, Clock, CurrentSecret, send
from reconciler.client.errors import json_object, quote_body
from reconciler.client.secret import Secret, redact

DEFAULT_CONNECTION_NAME = "calendly"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
REMINT_AHEAD = 30.0  # seconds: re-mint a Scalekit token this long before it expires
_HOP_HEADERS = frozenset(
    {"authorization", "host", "content-length", "transfer-encoding", "connection"}
)


class ScalekitError(AuthError):
    """Scalekit refused, failed, or the connected account cannot be used: one line."""


@dataclass(frozen=True)
class ScalekitSettings:
    env_url: str
    client_id: str
    client_secret: Secret
    identifier: str
    connection_name: str = DEFAULT_CONNECTION_NAME


class ScalekitSession:
    """The Scalekit token (minted, cached, re-minted) and the connected-account calls."""

    def __init__(
        self,
        settings: ScalekitSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.settings = settings
        self.env_url = settings.env_url.rstrip("/")
        self._transport = transport
        self._clock = clock
        self._mutex = threading.Lock()
        self._token: Secret | None = None
        self._expires_at: float | None = None

    def __repr__(self) -> str:
        return f"ScalekitSession({self.env_url!r}, identifier={self.settings.identifier!r})"

    def secrets(self) -> tuple[Secret, ...]:
        return (
            self.settings.client_secret,
            CurrentSecret(lambda: self._token.reveal() if self._token else ""),
        )

    # ---- the Scalekit token ----------------------------------------------------------------

    def token(self) -> Secret:
        with self._mutex:
            expiring = self._expires_at is not None and self._clock() >= self._expires_at
            if self._token is None or expiring:
                self._mint()
            assert self._token is not None
            return self._token

    def remint(self, stale: Secret) -> Secret:
        """A new token after `stale` was refused (unless another thread already re-minted)."""
        with self._mutex:
            if self._token is None or self._token == stale:
                self._mint()
            assert self._token is not None
            return self._token

    def _mint(self) -> None:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret.reveal(),
        }
        response = self._send(httpx.Request("POST", self._url("/oauth/token"), data=form))
        body = json_object(response)
        token = (body or {}).get("access_token")
        if response.status_code in (400, 401, 403):
            raise self._error(
                response,
                "POST /oauth/token",
                "Scalekit refused the client credentials",
                "check SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET",
            )
        if not response.is_success or not isinstance(token, str) or not token:
            raise self._error(response, "POST /oauth/token", "could not get a Scalekit token")
        self._token = Secret(token)
        expires_in = (body or {}).get("expires_in")
        self._expires_at = None
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            self._expires_at = self._clock() + float(expires_in) - REMINT_AHEAD

    # ---- the connected account -------------------------------------------------------------

    def check_account(self) -> None:
        """Raise ScalekitError, with the authorization link, unless the account is ACTIVE."""
        params = {
            "connector": self.settings.connection_name,
            "identifier": self.settings.identifier,
        }
        response = self._control("GET", "/api/v1/connected_accounts/details", params=params)
        if response.status_code == 404:
            status = "not connected yet"
        elif not response.is_success:
            raise self._error(
                response,
                "GET /api/v1/connected_accounts/details",
                "could not check the Scalekit connected account",
            )
        else:
            account = (json_object(response) or {}).get("connected_account")
            raw = account.get("status") if isinstance(account, dict) else None
            if not isinstance(raw, str):
                raise ScalekitError(
                    "Scalekit answered GET /api/v1/connected_accounts/details without a "
                    "connected_account status"
                )
            if raw == "ACTIVE":
                return
            status = f"{raw}, not ACTIVE"
        raise ScalekitError(
            f"the Calendly account connected in Scalekit (connection "
            f"{self.settings.connection_name!r}, identifier {self.settings.identifier!r}) is "
            f"{status}: authorize it at {self.authorization_link()} and run this again"
        )

    def authorization_link(self) -> str:
        body = {"connector": self.settings.connection_name, "identifier": self.settings.identifier}
        response = self._control("POST", "/api/v1/connected_accounts/magic_link", body=body)
        link = (json_object(response) or {}).get("link")
        if not response.is_success or not isinstance(link, str) or not link:
            raise self._error(
                response,
                "POST /api/v1/connected_accounts/magic_link",
                "the connected account needs authorizing, but Scalekit gave no authorization link",
            )
        return link

    # ---- plumbing --------------------------------------------------------------------------

    def proxy_url(self, request: httpx.Request) -> httpx.URL:
        """`{env}/proxy` + the request's path and query, exactly as the client built them."""
        base = httpx.URL(self.env_url)
        prefix = base.raw_path.rstrip(b"/") + b"/proxy"
        return base.copy_with(raw_path=prefix + request.url.raw_path)

    def _control(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """A control-plane call with the Scalekit token, re-minted once on a 401."""
        token = self.token()
        for attempt in (1, 2):
            request = httpx.Request(
                method,
                self._url(path),
                params=params,
                json=body,
                headers={"Authorization": f"Bearer {token.reveal()}"},
            )
            response = self._send(request)
            if response.status_code != 401 or attempt == 2:
                return response
            token = self.remint(token)
        raise AssertionError("unreachable")

    def _send(self, request: httpx.Request) -> httpx.Response:
        request.headers["Accept"] = "application/json"
        request.headers["User-Agent"] = f"calendly-reconciler/{__version__}"
        request.extensions["timeout"] = TIMEOUT.as_dict()
        try:
            return send(request, self._transport)
        except httpx.HTTPError as exc:
            reason = redact(str(exc) or type(exc).__name__, self.secrets())
            raise ScalekitError(f"cannot reach Scalekit at {self.env_url}: {reason}") from None

    def _url(self, path: str) -> str:
        return f"{self.env_url}{path}"

    def _error(
        self, response: httpx.Response, call: str, what: str, hint: str | None = None
    ) -> ScalekitError:
        said = _said(response)
        text = f"{what} ({call} answered {response.status_code}: {said})"
        return ScalekitError(redact(f"{text}: {hint}" if hint else text, self.secrets()))


class ScalekitProxyTransport(httpx.BaseTransport):
    """Sends every Calendly request through `{env}/proxy`, with the Scalekit token."""

    def __init__(self, session: ScalekitSession, inner: httpx.BaseTransport) -> None:
        self.session = session
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        token = self.session.token()
        response = self._inner.handle_request(self._proxied(request, token))
        if response.status_code != 401:
            return response
        _discard(response)
        token = self.session.remint(token)  # the SDK's rule: one re-mint, one resend
        response = self._inner.handle_request(self._proxied(request, token))
        if response.status_code == 401:
            # Scalekit accepted a fresh token, so Calendly refused the account's own token:
            # tell how to re-authorize it when Scalekit knows it is no longer ACTIVE.
            response.read()
            self.session.check_account()
        return response

    def _proxied(self, request: httpx.Request, token: Secret) -> httpx.Request:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        headers["Authorization"] = f"Bearer {token.reveal()}"
        headers["connection_name"] = self.session.settings.connection_name
        headers["identifier"] = self.session.settings.identifier
        return httpx.Request(
            request.method,
            self.session.proxy_url(request),
            headers=headers,
            content=request.read(),
            extensions=request.extensions,
        )

    def close(self) -> None:
        self._inner.close()


def _discard(response: httpx.Response) -> None:
    try:
        response.read()
    finally:
        response.close()


def _said(response: httpx.Response) -> str:
    """What an error body says: its message fields when JSON, else a short quote (HTML...)."""
    body = json_object(response)
    if body is not None:
        parts = [
            str(body[key])
            for key in ("error", "error_description", "message")
            if isinstance(body.get(key), str | int) and str(body[key])
        ]
        if parts:
            return ": ".join(parts)
    return quote_body(response.text) or "(empty body)"
