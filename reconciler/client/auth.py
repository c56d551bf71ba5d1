"""OAuth for the Calendly API: the token file, refreshing with rotation, and the login pieces.

`OAuthSession` holds the tokens of one OAuth authorization (written by `calendly-reconciler
login`) and `OAuthAuth` puts its access token on every request, refreshing it shortly before it
expires (`REFRESH_AHEAD`) or once after a 401, with `POST {auth}/oauth/token`
(`grant_type=refresh_token`, form-encoded; the client authenticates with HTTP Basic when it has a
secret, as a web app, or sends only `client_id`, as a native app).

The token file is JSON, mode 600: `access_token`, `refresh_token`, `expires_at` (epoch seconds,
on this machine's clock), `scope` (what the token response granted: the scope preflight uses it),
`owner`, `organization`, `client_id` and `generation` (+1 on every write).

Why the write-back is built this way
------------------------------------
Calendly's refresh tokens are single use and rotate: the moment `/oauth/token` answers, the
refresh token on disk is spent and the only copy of its successor is in this process's memory.

1. Refreshes are serialized, across processes, by an exclusive `flock` on `<file>.lock`: a
   separate file, because the token file itself is replaced by rename and a lock held on a
   replaced inode protects nothing. Under the lock the token file is read again: if another run
   already refreshed (the access token on disk is not the one found stale, and is fresh), its
   tokens are adopted and no request is sent. Two runs therefore never spend the same refresh
   token; threads of one run also take a mutex, so a run refreshes once, not once per thread.
2. The new pair is made durable before it is used: written to the sidecar `<file>.new`
   (created 0600, written, fsynced), renamed over the token file (atomic on POSIX), then the
   directory is fsynced so that the rename itself survives a power cut.
3. Every load (under the lock) first recovers a leftover sidecar: if it parses and its
   `generation` is newer than the token file's, it is what a crashed run had received, and it is
   renamed over the token file; a torn or stale sidecar is deleted.

So a crash between the refresh response and the end of the write-back leaves, depending on when
it strikes:
- before the sidecar is complete and fsynced: the token file untouched (the previous pair). Its
  refresh token is spent, but a refresh ahead of expiry leaves the previous access token valid
  until `expires_at`, and a run that finds the refresh refused while that access token still
  works goes on with it. Once it expires, the refusal says to run `login` again. This window,
  from the response until one fsync returns, is the only one that can lose the new pair, and no
  client can close it: the server has already rotated.
- after the sidecar's fsync: the next load promotes the sidecar; nothing is lost.
The token file is never written in place, so it is never half-written.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from reconciler import __version__
from reconciler.client.errors import ClientError, json_object, quote_body
from reconciler.client.secret import Secret, redact

log = logging.getLogger("reconciler.auth")

DEFAULT_AUTH_URL = "https://auth.calendly.com"
REFRESH_AHEAD = 60.0  # seconds before expiry: never start a run's request with a dying token
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
FORMAT_VERSION = 1
LEGACY_SCOPE = (
    "default"  # a pre-2026 token: every scope (scope catalogue, "Backward compatibility")
)
LOGIN_HINT = "run `calendly-reconciler login` to authorize again"

Clock = Callable[[], float]


class AuthError(ClientError):
    """Authentication failed (token file, OAuth server, Scalekit): one line, no secrets."""


class RefreshRefused(AuthError):
    """The auth server refused the refresh token (`invalid_grant`): spent or revoked."""


class CurrentSecret(Secret):
    """A Secret read when needed: for tokens that rotate during a run (redaction keeps up)."""

    __slots__ = ("_get",)

    def __init__(self, get: Callable[[], str]) -> None:
        super().__init__("")
        self._get = get

    def reveal(self) -> str:
        return self._get()

    def __bool__(self) -> bool:
        return bool(self._get())


def default_token_path() -> Path:
    """`$XDG_CONFIG_HOME/calendly-reconciler/oauth-token.json` (XDG default `~/.config`)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "calendly-reconciler" / "oauth-token.json"


@dataclass(frozen=True)
class OAuthClient:
    """The OAuth app: where its auth server is and how it authenticates."""

    auth_url: str = DEFAULT_AUTH_URL
    client_id: str | None = None
    client_secret: Secret | None = None  # None: a native (public) app, PKCE only

    def endpoint(self, name: str) -> str:
        return f"{self.auth_url.rstrip('/')}/oauth/{name}"


@dataclass(frozen=True)
class TokenSet:
    """One generation of the token file. Secrets are Secret: repr never shows them."""

    access_token: Secret
    refresh_token: Secret
    expires_at: float | None  # None: unknown, refreshed only after a 401
    scope: str | None = None
    owner: str | None = None
    organization: str | None = None
    client_id: str | None = None
    generation: int = 0

    @property
    def granted_scopes(self) -> frozenset[str] | None:
        """The scopes granted, or None when unknown or legacy (all of them)."""
        if self.scope is None or self.scope.strip() == LEGACY_SCOPE:
            return None
        return frozenset(self.scope.replace(",", " ").split())

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "token_type": "Bearer",
            "access_token": self.access_token.reveal(),
            "refresh_token": self.refresh_token.reveal(),
            "expires_at": self.expires_at,
            "scope": self.scope,
            "owner": self.owner,
            "organization": self.organization,
            "client_id": self.client_id,
            "generation": self.generation,
        }

    @classmethod
    def from_json(cls, data: object, where: str) -> TokenSet:
        if not isinstance(data, dict):
            raise AuthError(f"{where} is not an OAuth token file (a JSON object); {LOGIN_HINT}")
        problems = [
            key
            for key in ("access_token", "refresh_token")
            if not isinstance(data.get(key), str) or not data[key]
        ]
        expires_at = data.get("expires_at")
        if expires_at is not None and (
            not isinstance(expires_at, int | float) or isinstance(expires_at, bool)
        ):
            problems.append("expires_at")
        generation = data.get("generation", 0)
        if not isinstance(generation, int) or isinstance(generation, bool):
            problems.append("generation")
        if problems:
            raise AuthError(
                f"{where} has no valid {', '.join(problems)}: it is not an OAuth token file "
                f"written by `calendly-reconciler login`; {LOGIN_HINT}"
            )
        return cls(
            access_token=Secret(data["access_token"]),
            refresh_token=Secret(data["refresh_token"]),
            expires_at=float(expires_at) if expires_at is not None else None,
            scope=_optional_text(data.get("scope")),
            owner=_optional_text(data.get("owner")),
            organization=_optional_text(data.get("organization")),
            client_id=_optional_text(data.get("client_id")),
            generation=generation,
        )

    @classmethod
    def from_response(
        cls, body: Mapping[str, Any], *, now: float, previous: TokenSet | None, client_id: str
    ) -> TokenSet:
        """The token endpoint's answer; what it leaves out is kept from the previous set."""
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not isinstance(access, str) or not access:
            raise AuthError("the Calendly auth server answered without an access_token")
        if not isinstance(refresh, str) or not refresh:
            if previous is None:
                raise AuthError("the Calendly auth server answered without a refresh_token")
            refresh = previous.refresh_token.reveal()
        expires_in = body.get("expires_in")
        expires_at: float | None = None
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            # Our clock, not the server's `created_at`: expiry is judged on this machine.
            expires_at = now + float(expires_in)

        def kept(key: str) -> str | None:
            value = _optional_text(body.get(key))
            return value if value is not None or previous is None else getattr(previous, key)

        return cls(
            access_token=Secret(access),
            refresh_token=Secret(refresh),
            expires_at=expires_at,
            scope=kept("scope"),
            owner=kept("owner"),
            organization=kept("organization"),
            client_id=client_id,
            generation=(previous.generation + 1) if previous else 1,
        )


class TokenFile:
    """The token file, its sidecar and its lock file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sidecar = path.with_name(path.name + ".new")
        self.lock_path = path.with_name(path.name + ".lock")

    def __repr__(self) -> str:
        return f"TokenFile({str(self.path)!r})"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive lock (released on close, so also when a process dies)."""
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:  # no directory: nobody has logged in here
            raise AuthError(self._missing()) from None
        except OSError as exc:
            raise AuthError(f"cannot lock the OAuth token file {self.path}: {_why(exc)}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def load(self) -> TokenSet:
        """The current tokens, a leftover sidecar recovered first. Call with the lock held."""
        self._recover()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AuthError(self._missing()) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError(f"cannot read the OAuth token file {self.path}: {_why(exc)}") from None
        return _parse(text, str(self.path))

    def save(self, tokens: TokenSet) -> None:
        """Sidecar, fsync, rename, fsync the directory. Call with the lock held."""
        payload = (json.dumps(tokens.to_json(), indent=2) + "\n").encode("utf-8")
        try:
            fd = os.open(self.sidecar, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(fd, 0o600)  # O_CREAT's mode only applies to a file it creates
                _write_all(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self.sidecar, self.path)
            _fsync_dir(self.path.parent)
        except OSError as exc:
            with contextlib.suppress(OSError):
                self.sidecar.unlink()
            raise AuthError(f"cannot write the OAuth token file {self.path}: {_why(exc)}") from None

    def _missing(self) -> str:
        return (
            f"no OAuth token file at {self.path}: run `calendly-reconciler login` first "
            "(or pass --token-file)"
        )

    def _recover(self) -> None:
        try:
            text = self.sidecar.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError):
            text = ""
        try:
            candidate: TokenSet | None = _parse(text, str(self.sidecar))
        except AuthError:
            candidate = None  # torn: the crash came before its fsync; the token file stands
        try:
            current: TokenSet | None = _parse(self.path.read_text(encoding="utf-8"), "")
        except (OSError, UnicodeDecodeError, AuthError):
            current = None
        if candidate is not None and (current is None or candidate.generation > current.generation):
            log.info("recovering the OAuth tokens a previous run saved in %s", self.sidecar)
            os.replace(self.sidecar, self.path)
            _fsync_dir(self.path.parent)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.sidecar.unlink()


class OAuthSession:
    """The tokens of one OAuth authorization, refreshed as they expire (thread-safe)."""

    def __init__(
        self,
        file: TokenFile,
        client: OAuthClient,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.file = file
        self._transport = transport
        self._clock = clock
        self._mutex = threading.Lock()
        self._listeners: list[Callable[[TokenSet], None]] = []
        self._refused: AuthError | None = None  # a refused refresh, while the token still works
        with file.locked():
            self._tokens = file.load()
        client_id = client.client_id or self._tokens.client_id
        if not client_id:
            raise AuthError(
                "OAuth needs the app's client id to refresh tokens: set CALENDLY_CLIENT_ID "
                "(and CALENDLY_CLIENT_SECRET for a web app) or pass --client-id"
            )
        self.client = replace(client, client_id=client_id)

    def __repr__(self) -> str:
        return f"OAuthSession({self.file!r})"

    @property
    def tokens(self) -> TokenSet:
        return self._tokens

    @property
    def granted_scopes(self) -> frozenset[str] | None:
        return self._tokens.granted_scopes

    def secrets(self) -> tuple[Secret, ...]:
        """What to mask in every message: the current tokens and the client secret."""
        found: list[Secret] = [
            CurrentSecret(lambda: self._tokens.access_token.reveal()),
            CurrentSecret(lambda: self._tokens.refresh_token.reveal()),
        ]
        if self.client.client_secret is not None:
            found.append(self.client.client_secret)
        return tuple(found)

    def on_change(self, listener: Callable[[TokenSet], None]) -> None:
        self._listeners.append(listener)

    def learn_scopes(self) -> None:
        """When the token file does not say which scopes were granted, ask introspection."""
        if self._tokens.scope is not None or self.client.client_secret is None:
            return
        body = _token_endpoint(
            self.client,
            "introspect",
            {"token": self._tokens.access_token.reveal()},
            purpose="introspect the OAuth token",
            transport=self._transport,
            masks=self.secrets(),
        )
        scope = body.get("scope")
        if body.get("active") is True and isinstance(scope, str):
            self._set(replace(self._tokens, scope=scope))

    def usable_token(self) -> Secret:
        """The access token, refreshed first when it expires within REFRESH_AHEAD seconds."""
        tokens = self._tokens
        if self._due(tokens):
            if self._refused is not None and not self._expired(tokens):
                return tokens.access_token  # refresh refused earlier; it still works for now
            tokens = self.refresh(tokens.access_token)
        return tokens.access_token

    def refresh(self, stale: Secret, *, rejected: bool = False) -> TokenSet:
        """Replace `stale` (expiring, or `rejected` by a 401) with a fresh access token."""
        with self._mutex, self.file.locked():
            on_disk = self.file.load()
            if on_disk.access_token != stale and not self._due(on_disk):
                self._set(on_disk)  # another run or thread refreshed meanwhile
                return on_disk
            if self._refused is not None and not rejected and not self._expired(on_disk):
                return on_disk
            try:
                body = _token_endpoint(
                    self.client,
                    "token",
                    {
                        "grant_type": "refresh_token",
                        "refresh_token": on_disk.refresh_token.reveal(),
                    },
                    purpose="refresh the OAuth token",
                    transport=self._transport,
                    masks=(*self.secrets(), on_disk.access_token, on_disk.refresh_token),
                )
            except RefreshRefused as exc:
                if rejected or self._expired(on_disk):
                    raise
                # The refresh token is spent (see the module docstring), but the access token
                # has not expired: finish what can be finished with it.
                log.warning("%s; using the current access token until it expires", exc)
                self._refused = exc
                self._set(on_disk)
                return on_disk
            fresh = TokenSet.from_response(
                body, now=self._clock(), previous=on_disk, client_id=str(self.client.client_id)
            )
            self.file.save(fresh)  # durable before it is used: the old refresh token is spent
            self._refused = None
            self._set(fresh)
            log.info("refreshed the OAuth access token (generation %d)", fresh.generation)
            return fresh

    def _set(self, tokens: TokenSet) -> None:
        changed = tokens is not self._tokens
        self._tokens = tokens
        if changed:
            for listener in self._listeners:
                listener(tokens)

    def _due(self, tokens: TokenSet) -> bool:
        return tokens.expires_at is not None and self._clock() >= tokens.expires_at - REFRESH_AHEAD

    def _expired(self, tokens: TokenSet) -> bool:
        return tokens.expires_at is not None and self._clock() >= tokens.expires_at


class OAuthAuth(httpx.Auth):
    """`Authorization: Bearer <access token>`, refreshed ahead of expiry and once after a 401."""

    requires_request_body = True  # a request may be sent twice

    def __init__(self, session: OAuthSession) -> None:
        self.session = session

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.session.usable_token()
        request.headers["Authorization"] = f"Bearer {token.reveal()}"
        response = yield request
        if response.status_code == 401:
            fresh = self.session.refresh(token, rejected=True).access_token
            request.headers["Authorization"] = f"Bearer {fresh.reveal()}"
            yield request

    def __repr__(self) -> str:
        return "OAuthAuth(***)"


# ---- login: authorization code with PKCE ----------------------------------------------------


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge), RFC 7636."""
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    client: OAuthClient, *, redirect_uri: str, challenge: str, state: str, scope: str | None
) -> str:
    params = {
        "client_id": client.client_id or "",
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
    }
    if scope:
        params["scope"] = scope
    return f"{client.endpoint('authorize')}?{urlencode(params)}"


def exchange_code(
    client: OAuthClient,
    *,
    code: str,
    redirect_uri: str,
    verifier: str,
    transport: httpx.BaseTransport | None = None,
    clock: Clock = time.time,
) -> TokenSet:
    body = _token_endpoint(
        client,
        "token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        purpose="exchange the authorization code",
        transport=transport,
        masks=(Secret(code), Secret(verifier)),
    )
    return TokenSet.from_response(body, now=clock(), previous=None, client_id=str(client.client_id))


def save_login(file: TokenFile, tokens: TokenSet) -> TokenSet:
    """Write a fresh login's tokens (newer than anything in the file); return what was saved."""
    try:
        file.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise AuthError(f"cannot create {file.path.parent}: {_why(exc)}") from None
    with file.locked():
        try:
            generation = file.load().generation + 1
        except AuthError:
            generation = 1
        saved = replace(tokens, generation=generation)
        file.save(saved)
    return saved


# ---- the auth server's endpoints ------------------------------------------------------------


def _token_endpoint(
    client: OAuthClient,
    name: str,
    form: dict[str, str],
    *,
    purpose: str,
    transport: httpx.BaseTransport | None,
    masks: tuple[Secret, ...],
) -> dict[str, Any]:
    """POST a form to `{auth}/oauth/{name}`; the JSON answer, or one clear AuthError."""
    url = client.endpoint(name)
    headers = {"Accept": "application/json", "User-Agent": f"calendly-reconciler/{__version__}"}
    data = dict(form)
    if client.client_secret is not None:  # a web app: HTTP Basic (AUTH.md §2.2)
        pair = f"{client.client_id}:{client.client_secret.reveal()}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    else:  # a native app: client_id in the body
        data["client_id"] = client.client_id or ""
    masks = (*masks, *((client.client_secret,) if client.client_secret else ()))
    request = httpx.Request(
        "POST", url, data=data, headers=headers, extensions={"timeout": TIMEOUT.as_dict()}
    )
    try:
        response = send(request, transport)
    except httpx.HTTPError as exc:
        reason = redact(str(exc) or type(exc).__name__, masks)
        raise AuthError(
            f"cannot reach the Calendly auth server to {purpose}: {url}: {reason}"
        ) from None
    log.debug("POST %s (%s) -> %d", url, purpose, response.status_code)
    body = json_object(response)
    if response.is_success and body is not None:
        return body
    raise _refusal(response, body, url, purpose, masks)


def _refusal(
    response: httpx.Response,
    body: dict[str, Any] | None,
    url: str,
    purpose: str,
    masks: tuple[Secret, ...],
) -> AuthError:
    error = _optional_text((body or {}).get("error")) or ""
    description = _optional_text((body or {}).get("error_description")) or ""
    said = f"{error}: {description}" if error and description else error or description
    if not said:
        said = quote_body(response.text) or "(empty body)"
    status = response.status_code
    if response.is_success:
        text = f"could not {purpose}: POST {url} answered {status} with a body that is not JSON"
        return AuthError(redact(f"{text}: {said}", masks))
    if error == "invalid_grant" and purpose.startswith("refresh"):
        text = (
            f"the Calendly auth server refused the OAuth refresh token ({said}): it was already "
            f"used or has been revoked; {LOGIN_HINT}"
        )
        return RefreshRefused(redact(text, masks))
    if error == "invalid_client" or status == 401:
        text = (
            f"the Calendly auth server refused the OAuth client ({said}): check "
            "CALENDLY_CLIENT_ID and CALENDLY_CLIENT_SECRET"
        )
        return AuthError(redact(text, masks))
    return AuthError(redact(f"could not {purpose}: POST {url} answered {status}: {said}", masks))


def send(request: httpx.Request, transport: httpx.BaseTransport | None) -> httpx.Response:
    """Send one request and read its body (a shared transport is used, never closed)."""
    if transport is None:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as http:
            return http.send(request)
    response = transport.handle_request(request)
    try:
        response.read()
    finally:
        response.close()
    return response


def _parse(text: str, where: str) -> TokenSet:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AuthError(
            f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}): it is not an "
            f"OAuth token file written by `calendly-reconciler login`; {LOGIN_HINT}"
        ) from None
    return TokenSet.from_json(data, where)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
