"""The emulated Calendly auth server (auth.calendly.com): OAuth apps, codes and tokens.

Served by the same `Sandbox` as the API, on the same base URL (point `--auth-url` at it)::

    GET  /oauth/authorize    client_id, response_type=code, redirect_uri, state, scope?,
                             code_challenge + code_challenge_method=S256 (PKCE)
    POST /oauth/token        grant_type=authorization_code (code, redirect_uri, code_verifier)
                             or grant_type=refresh_token (refresh_token)
    POST /oauth/introspect   token  ->  {active, scope, client_id, token_type, exp, iat, owner,
                                         organization}
    POST /oauth/revoke       token

Bodies are form-encoded; the client authenticates with HTTP Basic or `client_id` /
`client_secret` in the body (a `native` app sends only its `client_id` and must use PKCE).
Errors are OAuth-shaped: `{"error": "invalid_grant", "error_description": "..."}` (AUTH.md §2.2,
NOTES.md §5).

There is no login page: /oauth/authorize approves at once as the app's fixture `user` and
redirects to `redirect_uri?code=…&state=…`. Loopback redirect URIs match on any port (RFC 8252
§7.3), so a CLI can listen on a random port.

Minted access tokens carry the app's scopes (or the narrower `scope` asked for at authorize;
a legacy app answers `scope: "default"` and its tokens have every scope), expire after the app's
`access_token_ttl` on the sandbox clock, and refresh tokens rotate and are single use: a second
use answers 400 `invalid_grant` (refresh-token-rotation guide). A refreshed-away access token
stays valid until it expires. Tokens live in memory only, never in the state file.

Logged in the request log like API calls, with every secret form field masked and `token` None.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from reconciler.sandbox.model import Json, Token
from reconciler.sandbox.requestlog import SENSITIVE
from reconciler.sandbox.response import SandboxResponse, json_response
from reconciler.sandbox.scopes import ALL_SCOPES, expand


class Directory(Protocol):
    """What the auth server needs of the sandbox: who an app's user is (core's `Sandbox`)."""

    def user_uri(self, email: str) -> str: ...  # KeyError: not an active member

    @property
    def org_uri(self) -> str: ...


CODE_TTL = 600.0  # "the code expires after 10 minutes" (AUTH.md §2.2)
DEFAULT_ACCESS_TTL = 7200  # access tokens live 2 hours (NOTES.md §5)
LEGACY_SCOPE = "default"
APP_TYPES = ("web", "native")
_SECRET_FIELDS = frozenset({"client_secret", "code", "code_verifier", "refresh_token", "token"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})


class OAuthFixtureError(ValueError):
    """A problem in the fixture's `oauth_apps`, as one line: `where: what`."""


@dataclass(frozen=True)
class OAuthApp:
    name: str
    client_id: str
    client_secret: str | None = field(repr=False)
    user_email: str
    scopes: frozenset[str] | None  # None: a legacy app, all scopes
    redirect_uris: tuple[str, ...]
    type: str = "web"
    access_token_ttl: int = DEFAULT_ACCESS_TTL


@dataclass
class _Code:
    app: OAuthApp
    redirect_uri: str
    challenge: str | None
    scopes: frozenset[str] | None
    expires_at: float
    used: bool = False


@dataclass
class _Access:
    app: OAuthApp
    token: Token
    issued_at: float
    expires_at: float
    revoked: bool = False


@dataclass
class _Refresh:
    app: OAuthApp
    scopes: frozenset[str] | None
    used: bool = False


_Endpoint = Callable[[Directory, dict[str, str], Mapping[str, str]], SandboxResponse]


class OAuthReply:
    """What the core needs: the response, plus the request as the log may show it."""

    def __init__(
        self,
        response: SandboxResponse,
        operation: str | None,
        logged_query: list[tuple[str, str]],
        logged_body: Json | None,
    ) -> None:
        self.response = response
        self.operation = operation
        self.logged_query = logged_query
        self.logged_body = logged_body


class _Refused(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def apps_from_fixture(data: Mapping[str, Any]) -> list[OAuthApp]:
    """Parse the fixture's optional `oauth_apps` list (format: fixture.py's docstring)."""
    raw = data.get("oauth_apps") or []
    if not isinstance(raw, list):
        raise OAuthFixtureError("oauth_apps: must be a list")
    apps: list[OAuthApp] = []
    for i, item in enumerate(raw):
        where = f"oauth_apps[{i}]"
        if not isinstance(item, dict):
            raise OAuthFixtureError(f"{where}: must be a mapping")
        apps.append(_app(item, where))
    for key in ("name", "client_id"):
        values = [getattr(a, key) for a in apps]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise OAuthFixtureError(f"oauth_apps: duplicate {key} {dupes[0]!r}")
    return apps


def _app(item: Mapping[str, Any], where: str) -> OAuthApp:
    def text(key: str, required: bool = True) -> str | None:
        value = item.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise OAuthFixtureError(f"{where}.{key}: must be a non-empty string")
        return value

    app_type = item.get("type", "web")
    if app_type not in APP_TYPES:
        raise OAuthFixtureError(f"{where}.type: must be one of: {', '.join(APP_TYPES)}")
    secret = text("client_secret", required=app_type == "web")
    raw_scopes = item.get("scopes", "legacy")
    scopes: frozenset[str] | None = None
    if raw_scopes != "legacy":
        if not isinstance(raw_scopes, list) or not all(isinstance(s, str) for s in raw_scopes):
            raise OAuthFixtureError(f"{where}.scopes: must be 'legacy' or a list of scopes")
        unknown = sorted(set(raw_scopes) - ALL_SCOPES)
        if unknown:
            raise OAuthFixtureError(f"{where}.scopes: unknown scope {unknown[0]!r}")
        scopes = frozenset(raw_scopes)
    uris = item.get("redirect_uris", ["http://127.0.0.1/callback"])
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise OAuthFixtureError(f"{where}.redirect_uris: must be a non-empty list of URLs")
    ttl = item.get("access_token_ttl", DEFAULT_ACCESS_TTL)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 1:
        raise OAuthFixtureError(f"{where}.access_token_ttl: must be a positive integer")
    return OAuthApp(
        name=str(text("name")),
        client_id=str(text("client_id")),
        client_secret=secret,
        user_email=str(text("user")).lower(),
        scopes=scopes,
        redirect_uris=tuple(uris),
        type=app_type,
        access_token_ttl=ttl,
    )


class OAuthServer:
    """Codes, access tokens and refresh tokens of the fixture's OAuth apps (in memory)."""

    def __init__(self, apps: Sequence[OAuthApp], *, clock: Callable[[], float], seed: int) -> None:
        self._apps = {app.client_id: app for app in apps}
        self._clock = clock
        self._rng = random.Random(f"oauth:{seed}")  # deterministic secrets for a given seed
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._minted: dict[str, int] = {}

    def access_token(self, value: str) -> Token | None:
        """The live (unexpired, unrevoked) access token with this value, if any."""
        grant = self._access.get(value)
        if grant is None or grant.revoked or self._clock() >= grant.expires_at:
            return None
        return grant.token

    def handle(
        self,
        sb: Directory,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> OAuthReply:
        routes: dict[tuple[str, str], _Endpoint] = {
            ("GET", "/oauth/authorize"): self._authorize,
            ("POST", "/oauth/token"): self._token,
            ("POST", "/oauth/introspect"): self._introspect,
            ("POST", "/oauth/revoke"): self._revoke,
        }
        route = routes.get((method, path))
        logged: Json | None = None
        try:
            form = dict(query) if method == "GET" else _form(body, headers)
            if method != "GET" and form:
                logged = {k: SENSITIVE if k in _SECRET_FIELDS else v for k, v in form.items()}
            if route is None:
                raise _Refused(404, "not_found", "No such OAuth endpoint.")
            reply = route(sb, form, headers)
        except _Refused as exc:
            reply = _error(exc.status, exc.error, exc.description)
        query_shown = [(k, SENSITIVE if k in _SECRET_FIELDS else v) for k, v in query]
        return OAuthReply(reply, f"{method} {path}" if route else None, query_shown, logged)

    # ---- endpoints -------------------------------------------------------------------------

    def _authorize(
        self, sb: Directory, form: dict[str, str], headers: Mapping[str, str]
    ) -> SandboxResponse:
        app = self._apps.get(form.get("client_id", ""))
        if app is None:
            raise _Refused(400, "invalid_client", "Unknown client_id.")
        redirect_uri = form.get("redirect_uri", "")
        if not any(_redirect_matches(r, redirect_uri) for r in app.redirect_uris):
            # Never redirect to an unregistered URI: the error is shown to the user instead.
            raise _Refused(400, "invalid_request", "The redirect_uri is not registered.")
        state = form.get("state")

        def refuse(error: str, description: str) -> SandboxResponse:
            params = {"error": error, "error_description": description}
            return _redirect(redirect_uri, {**params, **({"state": state} if state else {})})

        if form.get("response_type") != "code":
            return refuse("unsupported_response_type", "Only response_type=code is supported.")
        challenge = form.get("code_challenge")
        if challenge and form.get("code_challenge_method", "plain") != "S256":
            return refuse("invalid_request", "code_challenge_method must be S256.")
        if app.type == "native" and not challenge:
            return refuse("invalid_request", "A native app must use PKCE (code_challenge).")
        scopes = app.scopes
        if form.get("scope"):
            asked = frozenset(form["scope"].split())
            if not asked <= (expand(app.scopes) if app.scopes is not None else ALL_SCOPES):
                return refuse("invalid_scope", "The app is not allowed the requested scopes.")
            scopes = asked
        if _identity(sb, app) is None:
            return refuse("access_denied", "The user is not a member of the organization.")
        code = self._secret("code")
        self._codes[code] = _Code(app, redirect_uri, challenge, scopes, self._clock() + CODE_TTL)
        return _redirect(redirect_uri, {"code": code, **({"state": state} if state else {})})

    def _token(
        self, sb: Directory, form: dict[str, str], headers: Mapping[str, str]
    ) -> SandboxResponse:
        app = self._client(form, headers)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            code = self._codes.get(form.get("code", ""))
            if code is None or code.used or code.app is not app or self._clock() >= code.expires_at:
                raise _Refused(400, "invalid_grant", "The authorization code is invalid.")
            code.used = True  # single use, even when the exchange fails below
            if form.get("redirect_uri") != code.redirect_uri:
                raise _Refused(400, "invalid_grant", "The redirect_uri does not match.")
            if (
                code.challenge is not None
                and _s256(form.get("code_verifier", "")) != code.challenge
            ):
                raise _Refused(400, "invalid_grant", "PKCE verification failed.")
            return self._mint(sb, app, code.scopes)
        if grant == "refresh_token":
            refresh = self._refresh.get(form.get("refresh_token", ""))
            if refresh is None or refresh.app is not app:
                raise _Refused(400, "invalid_grant", "The refresh token is invalid.")
            if refresh.used:
                raise _Refused(400, "invalid_grant", "The refresh token has already been used.")
            refresh.used = True
            return self._mint(sb, app, refresh.scopes)
        raise _Refused(400, "unsupported_grant_type", "Unsupported grant_type.")

    def _introspect(
        self, sb: Directory, form: dict[str, str], headers: Mapping[str, str]
    ) -> SandboxResponse:
        app = self._client(form, headers)
        grant = self._access.get(form.get("token", ""))
        if grant is None or grant.app is not app or self.access_token(grant.token.secret) is None:
            return json_response(200, {"active": False}, {})
        owner, organization = _identity(sb, app) or (None, None)
        body: Json = {
            "active": True,
            "scope": _scope_text(grant.token.scopes),
            "client_id": app.client_id,
            "token_type": "Bearer",
            "exp": int(grant.expires_at),
            "iat": int(grant.issued_at),
            "owner": owner,
            "organization": organization,
        }
        return json_response(200, body, {})

    def _revoke(
        self, sb: Directory, form: dict[str, str], headers: Mapping[str, str]
    ) -> SandboxResponse:
        app = self._client(form, headers)
        value = form.get("token", "")
        if value in self._access and self._access[value].app is app:
            self._access[value].revoked = True
        elif value in self._refresh and self._refresh[value].app is app:
            self._refresh[value].used = True
        return json_response(200, {}, {})

    # ---- helpers ---------------------------------------------------------------------------

    def _client(self, form: dict[str, str], headers: Mapping[str, str]) -> OAuthApp:
        """Authenticate the client: HTTP Basic, or client_id (+ client_secret) in the body."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(basic[6:].strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise _Refused(401, "invalid_client", "Client authentication failed.") from None
            client_id, _, secret = decoded.partition(":")
        app = self._apps.get(client_id or "")
        if app is None:
            raise _Refused(401, "invalid_client", "Client authentication failed.")
        # A web app must prove its secret; a native app has none (and must not send one).
        if (app.client_secret is not None or secret) and not hmac.compare_digest(
            app.client_secret or "", secret or ""
        ):
            raise _Refused(401, "invalid_client", "Client authentication failed.")
        return app

    def _mint(self, sb: Directory, app: OAuthApp, scopes: frozenset[str] | None) -> SandboxResponse:
        identity = _identity(sb, app)
        if identity is None:
            raise _Refused(400, "invalid_grant", "The user is no longer in the organization.")
        owner, organization = identity
        n = self._minted[app.name] = self._minted.get(app.name, 0) + 1
        now = self._clock()
        access = self._secret("at")
        token = Token(
            name=f"{app.name}/{n}", secret=access, user_email=app.user_email, scopes=scopes
        )
        self._access[access] = _Access(app, token, now, now + app.access_token_ttl)
        refresh = self._secret("rt")
        self._refresh[refresh] = _Refresh(app, scopes)
        body: Json = {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "scope": _scope_text(scopes),
            "created_at": int(now),
            "expires_in": app.access_token_ttl,
            "owner": owner,
            "organization": organization,
        }
        return json_response(200, body, {"Cache-Control": "no-store"})

    def _secret(self, kind: str) -> str:
        return f"sbx-oauth-{kind}-{self._rng.getrandbits(128):032x}"


def _identity(sb: Directory, app: OAuthApp) -> tuple[str, str] | None:
    """The app user's URI and organization URI; None when the user is not an active member."""
    try:
        return sb.user_uri(app.user_email), sb.org_uri
    except KeyError:
        return None


def _scope_text(scopes: frozenset[str] | None) -> str:
    return LEGACY_SCOPE if scopes is None else " ".join(sorted(scopes))


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _form(body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if body.strip() and content_type != "application/x-www-form-urlencoded":
        raise _Refused(400, "invalid_request", "The body must be form-encoded.")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise _Refused(400, "invalid_request", "The body must be UTF-8.") from None


def _redirect_matches(registered: str, given: str) -> bool:
    if registered == given:
        return True
    a, b = urlsplit(registered), urlsplit(given)
    if a.hostname is None or b.hostname is None:
        return False
    loopback = a.scheme == b.scheme == "http" and a.netloc.split(":")[0] in _LOOPBACK
    return loopback and a.hostname == b.hostname and (a.path, a.query) == (b.path, b.query)


def _redirect(uri: str, params: Mapping[str, str]) -> SandboxResponse:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    return SandboxResponse(302, {"Location": location}, b"")


def _error(status: int, error: str, description: str) -> SandboxResponse:
    return json_response(status, {"error": error, "error_description": description}, {})
