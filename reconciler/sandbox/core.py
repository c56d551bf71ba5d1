"""The `Sandbox`: a thread-safe, in-memory emulator of the Calendly API v2.

One entry point, independent of transport::

    sb.handle(method, path, query, headers, body, base_url=...) -> SandboxResponse | Drop

and two adapters on top of it: `sb.transport()` (an httpx transport for in-process use) and
`sb.serve(port)` (a stdlib HTTP server on 127.0.0.1).

Order of processing for an API request: fault decision (seeded) → injected latency (slept
OUTSIDE the lock, so concurrent requests overlap) → authentication (401) → the user's rate-limit
window (429) → injected faults (drop / 5xx / 429 burst) → route (404 if none) → scope (403
`Insufficient scope`) → handler → state file written if the request changed anything →
commit-then-drop for writes if injected. `/_sandbox/` routes skip all of that (no auth, no
faults, no rate limit, not logged); so do the auth server's `/oauth/` routes (routes_oauth.py),
which are logged, secrets masked.

Routes come from the table in router.py, filled by the route modules (`ROUTE_MODULES` below)
when this module imports them. Layers, each importing only those below it: model/util/errors →
store/views/availability/faults/... → context → router → routes_* → core → transport/server
(which see the core only through the `Handles` protocol).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.sandbox import (
    routes_admin,
    routes_availability,
    routes_event_types,
    routes_groups,
    routes_one_off,
    routes_org,
    routes_webhooks,
)
from reconciler.sandbox.context import AdminCtx, Ctx, Reply
from reconciler.sandbox.errors import ApiError, insufficient_scope, not_found
from reconciler.sandbox.faults import Decision, FaultInjector, Faults
from reconciler.sandbox.fixture import (
    FixtureError,
    bundled_fixture_path,
    load_fixture,
    load_tokens,
    read_fixture,
)
from reconciler.sandbox.model import Json, Token, User
from reconciler.sandbox.pagination import PageTokens
from reconciler.sandbox.ratelimit import RateLimiter, RateStatus
from reconciler.sandbox.requestlog import Counters, RequestLogEntry, redact_body
from reconciler.sandbox.response import Drop, SandboxResponse, json_response
from reconciler.sandbox.router import Route, match, match_admin, methods_allowed
from reconciler.sandbox.routes_oauth import OAuthFixtureError, OAuthServer, apps_from_fixture
from reconciler.sandbox.scopes import expand
from reconciler.sandbox.store import Store, save_atomically
from reconciler.sandbox.util import iso, to_micros
from reconciler.sandbox.views import Views
from reconciler.sandbox.webhook_terms import signing_key_matches

if TYPE_CHECKING:
    from reconciler.sandbox.server import SandboxServer
    from reconciler.sandbox.transport import SandboxTransport

# Importing these fills the route table (router.py); none of them imports this module.
ROUTE_MODULES = (
    routes_org,
    routes_event_types,
    routes_one_off,
    routes_availability,
    routes_webhooks,
    routes_groups,
    routes_admin,
)

DEFAULT_URI_BASE = "https://api.calendly.com"
log = logging.getLogger("reconciler.sandbox")


_FAULT_BODIES: dict[int, Json] = {
    429: {
        "title": "Too Many Requests",
        "message": "You have exceeded the rate limit. Please try again later.",
    },
    500: {
        "title": "Internal Server Error",
        "message": "The server encountered an unexpected condition that prevented it from "
        "fulfilling the request.",
    },
    502: {"title": "Bad Gateway", "message": "The server received an invalid response upstream."},
    503: {
        "title": "Service Unavailable",
        "message": "The service is temporarily unavailable. Please try again later.",
    },
}


def _omit_profiles(body: Any) -> None:
    """The `omit_profile` fault: event types answered without `profile` (NOTES.md 3.1)."""
    items = body.get("collection") if isinstance(body, dict) else None
    resource = body.get("resource") if isinstance(body, dict) else None
    for item in [*(items if isinstance(items, list) else []), resource]:
        if isinstance(item, dict):
            item.pop("profile", None)


class Sandbox:
    """An emulated Calendly organization.

    `fixture` is a YAML path, an already-parsed mapping, or None for the bundled demo fixture.
    With `state_path`, the organization is loaded from that JSON file when it exists (tokens
    still come from the fixture) and written back atomically after every successful write.
    """

    def __init__(
        self,
        fixture: str | Path | Mapping[str, Any] | None = None,
        *,
        state_path: str | Path | None = None,
        uri_base: str = DEFAULT_URI_BASE,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        seed: int = 0,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
        page_token_ttl: float = 300.0,
        faults: Faults | str | Mapping[str, Any] | None = None,
    ) -> None:
        data: Mapping[str, Any]
        if isinstance(fixture, Mapping):
            data = fixture
        else:
            data = read_fixture(fixture if fixture is not None else bundled_fixture_path())
        self.state_path = Path(state_path) if state_path is not None else None
        if self.state_path is not None and self.state_path.exists():
            try:
                store = Store.from_json(json.loads(self.state_path.read_text("utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise FixtureError(f"{self.state_path}: cannot load state: {exc}") from None
            tokens = load_tokens(data)
        else:
            loaded = load_fixture(data, seed)
            store, tokens = loaded.store, loaded.tokens
        self._store = store
        self._tokens: dict[str, Token] = {t.secret: t for t in tokens}
        self._token_names: dict[str, Token] = {t.name: t for t in tokens}
        try:  # OAuth apps, like tokens, always come from the fixture (routes_oauth.py)
            apps = apps_from_fixture(data)
        except OAuthFixtureError as exc:
            raise FixtureError(str(exc)) from None
        self._oauth = OAuthServer(apps, clock=clock, seed=store.seed)
        self.uri_base = uri_base.rstrip("/")
        self._views = Views(store, self.uri_base)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.RLock()
        if rate_limit is not None and rate_limit < 1:
            raise ValueError("rate_limit must be at least 1")
        self._rate_limit = rate_limit
        self._limiter = RateLimiter(rate_window)
        self._page_tokens = PageTokens(store.seed, page_token_ttl)
        self._injector = FaultInjector(Faults.coerce(faults))
        self._log: list[RequestLogEntry] = []
        self._counters = Counters()
        self._seq = 0
        if self.state_path is not None and not self.state_path.exists():
            self._persist()

    # ---- convenience for tests and demos ---------------------------------------------------

    @property
    def org_uri(self) -> str:
        return self._views.org_uri()

    def user_uri(self, email: str) -> str:
        with self._lock:
            user = self._store.user_by_email(email)
            if user is None:
                raise KeyError(email)
            return self._views.user_uri(user.id)

    def token(self, name: str) -> str:
        """The bearer token value of the fixture token called `name`."""
        return self._token_names[name].secret

    @property
    def token_names(self) -> list[str]:
        return list(self._token_names)

    def now(self) -> int:
        return to_micros(self._clock())

    # ---- adapters --------------------------------------------------------------------------

    def transport(self) -> SandboxTransport:
        from reconciler.sandbox.transport import SandboxTransport

        return SandboxTransport(self)

    def serve(self, port: int = 0) -> SandboxServer:
        """An HTTP server on 127.0.0.1 (not started: call `.start()` or `.serve_forever()`)."""
        from reconciler.sandbox.server import SandboxServer

        return SandboxServer(self, port)

    # ---- the entry point -------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        *,
        base_url: str | None = None,
    ) -> SandboxResponse | Drop:
        method = method.upper()
        path = path.split("?", 1)[0] or "/"
        lowered = {k.lower(): v for k, v in headers.items()}
        if base_url is None:
            base_url = f"http://{lowered['host']}" if "host" in lowered else self.uri_base
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            with self._lock:
                return self._handle_admin(method, path, body)
        if path.startswith("/oauth/"):  # the auth server: no API auth, rate limit or faults
            with self._lock:
                return self._handle_oauth(method, path, list(query), lowered, body)
        with self._lock:
            decision = self._injector.decide(method)
        if decision.latency > 0:
            self._sleep(decision.latency)  # outside the lock: concurrent requests overlap
        with self._lock:
            return self._handle_api(method, path, list(query), lowered, body, base_url, decision)

    def _limit(self) -> int:
        if self._rate_limit is not None:
            return self._rate_limit
        # NOTES.md §2.5: 500 requests/user/minute on paid plans, 50 on the free plan.
        return 50 if self._store.org.plan == "basic" else 500

    def _authenticate(self, header: str | None) -> tuple[Token, User] | None:
        if not header:
            return None
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = self._tokens.get(value.strip()) or self._oauth.access_token(value.strip())
        if token is None:
            return None
        user = self._store.user_by_email(token.user_email)
        return (token, user) if user is not None else None

    def _handle_api(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        base_url: str,
        decision: Decision,
    ) -> SandboxResponse | Drop:
        now = to_micros(self._clock())
        found = match(method, path)
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": query,
            "body": redact_body(body),
            "token": None,
            "fault": None,
            "operation": found[0].operation if found else None,
            "at": iso(now),
        }
        auth = self._authenticate(headers.get("authorization"))
        if auth is None:
            rate = self._limiter.peek("anonymous", self._limit(), now)
            error = ApiError(401, "Unauthenticated", "The access token is invalid")
            return self._finish(entry, json_response(401, error.body(), rate.headers()), False)
        token, user = auth
        entry["token"] = token.name
        rate = self._limiter.hit(user.id, self._limit(), now)
        if rate.exceeded:
            return self._finish(entry, self._fault_response(429, rate), False)
        if decision.drop:
            entry["fault"] = "drop"
            return self._finish(entry, Drop(applied=False), False)
        if decision.status is not None:
            entry["fault"] = str(decision.status)
            return self._finish(entry, self._fault_response(decision.status, rate), False)
        headers_out = rate.headers()
        if decision.redirect:  # a misrouted proxy or load balancer: nothing is applied
            entry["fault"] = str(decision.redirect)
            moved = {**headers_out, "Location": f"https://calendly.com{path}"}
            return self._finish(entry, json_response(decision.redirect, {}, moved), False)
        if found is None:
            return self._finish(entry, self._unrouted(method, path, headers_out), False)
        route, params = found
        if token.scopes is not None and route.scope not in expand(token.scopes):
            error = insufficient_scope(route.scope)
            return self._finish(entry, json_response(403, error.body(), headers_out), False)
        ctx = Ctx(
            store=self._store,
            views=self._views,
            page_tokens=self._page_tokens,
            method=method,
            path=path,
            query=query,
            raw_body=body,
            base_url=base_url.rstrip("/"),
            now=now,
            caller=user,
            token=token,
            params=params,
        )
        reply = self._run(route, ctx)
        if self._injector.faults.omit_profile and path.startswith("/event_types"):
            _omit_profiles(reply.body)
        applied = ctx.changed and 200 <= reply.status < 300
        if applied:
            self._persist()
        if applied and decision.commit_drop:
            entry["fault"] = "commit_drop"
            return self._finish(entry, Drop(applied=True), True)
        return self._finish(entry, json_response(reply.status, reply.body, headers_out), applied)

    def _unrouted(self, method: str, path: str, headers: dict[str, str]) -> SandboxResponse:
        """404, or 405 with `Allow` for a fixed path routed for other methods (router.py)."""
        allowed = methods_allowed(path)
        if not allowed:
            return json_response(404, not_found().body(), headers)
        error = ApiError(405, "Method Not Allowed", f"{method} is not allowed on {path}.")
        return json_response(405, error.body(), {**headers, "Allow": ", ".join(allowed)})

    def _run(self, route: Route[Ctx], ctx: Ctx) -> Reply:
        """The handler's reply; a Calendly-shaped 500 (logged) if the handler itself fails."""
        try:
            return route.handler(ctx)
        except ApiError as exc:
            return Reply(exc.status, exc.body())
        except Exception:
            log.exception("sandbox handler failed: %s %s", ctx.method, ctx.path)
            return Reply(500, _FAULT_BODIES[500])

    def _handle_admin(self, method: str, path: str, body: bytes) -> SandboxResponse:
        found = match_admin(method, path)
        if found is None:
            return json_response(404, not_found().body(), {})
        route, params = found
        ctx = AdminCtx(self._store, self._views, self, self.now(), body, params)
        try:
            reply = route.handler(ctx)
        except ApiError as exc:
            reply = Reply(exc.status, exc.body())
        if ctx.changed and 200 <= reply.status < 300:
            self._persist()
        return json_response(reply.status, reply.body, {})

    def _handle_oauth(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> SandboxResponse | Drop:
        reply = self._oauth.handle(self, method, path, query, headers, body)
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": reply.logged_query,  # secrets masked
            "body": reply.logged_body,
            "token": None,
            "fault": None,
            "operation": reply.operation,
            "at": iso(to_micros(self._clock())),
        }
        return self._finish(entry, reply.response, False)

    def _fault_response(self, status: int, rate: RateStatus) -> SandboxResponse:
        # Injected 429s look exactly like real ones: same headers, nothing remaining.
        headers = (rate.exhausted() if status == 429 else rate).headers()
        return json_response(status, dict(_FAULT_BODIES[status]), headers)

    def _finish(
        self, entry: dict[str, Any], result: SandboxResponse | Drop, applied: bool
    ) -> SandboxResponse | Drop:
        self._seq += 1
        status = result.status if isinstance(result, SandboxResponse) else None
        record = RequestLogEntry(seq=self._seq, status=status, **entry)
        self._log.append(record)
        self._counters.count(record, applied)
        return result

    def _persist(self) -> None:
        if self.state_path is not None:
            save_atomically(self.state_path, self._store.to_json())

    # ---- request log -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestLogEntry]:
        with self._lock:
            return list(self._log)

    @property
    def counters(self) -> Json:
        with self._lock:
            return self._counters.to_json()

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._counters = Counters()
            self._seq = 0

    def state(self) -> Json:
        """The organization as stored in the state file (no secrets: hashes only)."""
        with self._lock:
            state: Json = json.loads(json.dumps(self._store.to_json()))
            return state

    # ---- faults ----------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._injector.faults

    def set_faults(self, faults: Faults | str | Mapping[str, Any] | None) -> Faults:
        """Replace the fault configuration (restarting its random sequence from its seed)."""
        parsed = Faults.coerce(faults)
        with self._lock:
            self._injector.configure(parsed)
        return parsed

    # ---- test and demo controls (also under /_sandbox/) -----------------------------------

    def accept_invitation(
        self, ref: str, *, name: str | None = None, timezone: str | None = None
    ) -> Json:
        """The invitee accepts (by invitation id, URI or email): a new member with role user.

        Returns the updated invitation resource. Raises `ApiError` (404/400) when there is no
        such pending invitation or the time zone is not valid.
        """
        with self._lock:
            resource = routes_admin.accept_invitation(
                self._store, self._views, self.now(), ref, name=name, timezone=timezone
            )
            self._persist()
            return resource

    def decline_invitation(self, ref: str) -> Json:
        with self._lock:
            resource = routes_admin.decline_invitation(self._store, self._views, self.now(), ref)
            self._persist()
            return resource

    def disable_webhook(self, ref: str) -> Json:
        """Calendly gave up delivering: `state: disabled`, retrying since 24 hours (NOTES §4.3)."""
        with self._lock:
            hook = routes_admin.find_webhook(self._store, ref)
            if routes_admin.disable_webhook(hook, self.now()):
                self._persist()
            return self._views.webhook(hook)

    def signing_key_matches(self, ref: str, key: str) -> bool:
        """Whether webhook `ref` (id or URI) was created with signing key `key`."""
        with self._lock:
            hook = routes_admin.find_webhook(self._store, ref)
            return signing_key_matches(hook.signing_key_hash, key)
