"""A fake Scalekit environment in front of the sandbox, as an in-process httpx transport.

It answers the four REST calls the reconciler makes (AUTH.md §1.8) and forwards
`{METHOD} {env}/proxy{path}` to the sandbox with the connected account's Calendly token, the way
Scalekit injects it server-side. It checks what the real one would refuse: the M2M bearer token,
the `connection_name` and `identifier` headers, and the account's status. Every call is logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from reconciler.sandbox import Sandbox

ENV_URL = "https://acme.scalekit.test"
CLIENT_ID = "skc_81234567890"
CLIENT_SECRET = "test-scalekit-secret-9d3e7a61"
IDENTIFIER = "acme-platform-team"
CALENDLY_API = "https://api.calendly.com"


@dataclass
class Account:
    token_name: str  # the sandbox fixture token Scalekit holds for this account
    status: str = "ACTIVE"
    expire_after: int | None = None  # proxied calls before Calendly revokes the account's token
    proxied: int = 0


@dataclass
class FakeScalekit(httpx.BaseTransport):
    sandbox: Sandbox
    accounts: dict[tuple[str, str], Account] = field(default_factory=dict)
    expires_in: int | None = 3600
    log: list[str] = field(default_factory=list)
    proxied_headers: list[dict[str, str]] = field(default_factory=list)
    token_error: tuple[int, str, str] | None = None  # (status, content type, body) for /oauth/token
    _tokens: list[str] = field(default_factory=list)
    _live: set[str] = field(default_factory=set)

    def revoke_tokens(self) -> None:
        """Every M2M token issued so far stops working (as when it expires server-side)."""
        self._live.clear()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "acme.scalekit.test", f"unexpected host {request.url}"
        path = request.url.path
        self.log.append(f"{request.method} {path}")
        if request.method == "POST" and path == "/oauth/token":
            return self._mint(request)
        if not self._authorized(request):
            return _json(401, {"error": "unauthenticated", "message": "token is invalid"})
        if request.method == "GET" and path == "/api/v1/connected_accounts/details":
            return self._details(request)
        if request.method == "POST" and path == "/api/v1/connected_accounts/magic_link":
            body = json.loads(request.content)
            link = f"{ENV_URL}/magicLink/{body['connector']}/{body['identifier']}"
            return _json(200, {"link": link, "expiry": "2026-11-22T12:10:00Z"})
        if path.startswith("/proxy/"):
            return self._proxy(request)
        return _json(404, {"message": "not found"})

    def _mint(self, request: httpx.Request) -> httpx.Response:
        if self.token_error is not None:
            status, content_type, text = self.token_error
            return httpx.Response(status, headers={"Content-Type": content_type}, text=text)
        form = dict(parse_qsl(request.content.decode()))
        expected = {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }
        if form != expected:
            return _json(401, {"error": "invalid_client", "error_description": "bad credentials"})
        token = f"sk-m2m-token-{len(self._tokens) + 1:04d}"
        self._tokens.append(token)
        self._live.add(token)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return _json(200, body)

    def _authorized(self, request: httpx.Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme == "Bearer" and token in self._live

    def _details(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        account = self.accounts.get((params["connector"], params["identifier"]))
        if account is None:
            return _json(404, {"message": "connected account not found"})
        resource = {
            "identifier": params["identifier"],
            "connector": params["connector"],
            "provider": "CALENDLY",
            "status": account.status,
        }
        return _json(200, {"connected_account": resource})

    def _proxy(self, request: httpx.Request) -> httpx.Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.proxied_headers.append(headers)
        key = (headers.get("connection_name", ""), headers.get("identifier", ""))
        account = self.accounts.get(key)
        if account is None:
            return _json(404, {"message": "connected account not found"})
        account.proxied += 1
        if account.expire_after is not None and account.proxied > account.expire_after:
            account.status = "EXPIRED"
        # An account whose Calendly authorization lapsed still gets its (dead) token injected.
        calendly_token = (
            self.sandbox.token(account.token_name)
            if account.status == "ACTIVE"
            else "calendly-token-revoked"
        )
        raw_path = request.url.raw_path.decode("ascii").removeprefix("/proxy")
        forwarded = httpx.Request(
            request.method,
            CALENDLY_API + raw_path,
            headers={
                "Authorization": f"Bearer {calendly_token}",
                "Content-Type": request.headers.get("content-type", "application/json"),
            },
            content=request.content,
        )
        upstream = self.sandbox.transport().handle_request(forwarded)
        return httpx.Response(
            upstream.status_code, headers=upstream.headers, content=upstream.read()
        )


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


def scalekit_env(**overrides: str) -> dict[str, str]:
    env = {
        "CALENDLY_AUTH": "scalekit",
        "SCALEKIT_ENV_URL": ENV_URL,
        "SCALEKIT_CLIENT_ID": CLIENT_ID,
        "SCALEKIT_CLIENT_SECRET": CLIENT_SECRET,
        "SCALEKIT_IDENTIFIER": IDENTIFIER,
    }
    env.update(overrides)
    return env
