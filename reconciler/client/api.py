"""CalendlyClient: the only code that speaks HTTP to Calendly.

It adds to an injected `httpx.Client` (so tests pass the sandbox's transport or a MockTransport):
JSON in and out, full pagination, bounded concurrency, the header-driven rate limiter, retries,
error mapping (`client/errors.py`), secret redaction and a read-only mode.

Retry rules, decided in `_should_retry`:
- 429 means the request was not processed: wait for the window reset and retry, any method;
- a connection that could not be opened means nothing was sent: retry, any method;
- GETs are retried on 5xx, timeouts and dropped connections, with exponential backoff;
- a write (POST/PATCH/DELETE) that was sent but got no answer, or a 5xx, raises OutcomeUnknown:
  it may have been applied, and only the caller knows how to check (by natural key);
- a 3xx is an error for every method (never followed, never success): the API does not redirect.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from reconciler.client.errors import (
    ApiError,
    ClientError,
    MalformedResponse,
    OutcomeUnknown,
    ReadOnlyViolation,
    TransportError,
    error_for,
    quote_body,
)
from reconciler.client.ratelimit import RateLimiter
from reconciler.client.secret import Secret, redact

log = logging.getLogger("reconciler.http")

PAGE_SIZE = 100  # the API's maximum `count`: fewest calls per listing
PAGE_TOKEN_MAX = 1024  # longer is not a page token: it would not even fit in a URL
Params = Mapping[str, str | int | bool | None]

# Sending never started: safe to retry any method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class ClientStats:
    """What the client did, for reports, benchmarks and tests."""

    requests: Counter[str] = field(default_factory=Counter)  # by method
    retries: int = 0
    throttled: int = 0  # 429 answers received
    rate_wait_seconds: float = 0.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # for 5xx / network failures on reads
    throttle_attempts: int = 10  # for 429s, which cost nothing but time
    backoff: float = 0.5  # first backoff; doubles each attempt
    backoff_max: float = 30.0


class CalendlyClient:
    """A thin, typed, thread-safe client over an injected `httpx.Client`.

    Args:
        http: carries the base URL, auth and transport.
        read_only: refuse every non-GET before it is sent (plan, drift and export use this).
        max_concurrency: the most requests in flight at once across threads.
        secrets: values to mask in every error message and log line (the token, ...).
        clock, sleep: injectable so tests drive time without waiting.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        read_only: bool = False,
        max_concurrency: int = 8,
        secrets: tuple[Secret, ...] = (),
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.http = http
        self.read_only = read_only
        #: The token's scopes when the auth method tells them (OAuth); None when unknown.
        self.granted_scopes: frozenset[str] | None = None
        self.max_concurrency = max_concurrency
        self.stats = ClientStats()
        self._secrets = secrets
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._gate = threading.BoundedSemaphore(max_concurrency)
        self._stats_lock = threading.Lock()
        self.limiter = RateLimiter(clock=clock, sleep=sleep)

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"<CalendlyClient {self.http.base_url} {mode}>"

    # -- high level -----------------------------------------------------------------------------

    def get(self, path: str, params: Params | None = None) -> Any:
        return self.request("GET", path, params=params)

    def get_resource(self, path: str, params: Params | None = None) -> dict[str, Any]:
        return _resource(self.get(path, params), "GET", path)

    def list_all(self, path: str, params: Params | None = None) -> list[dict[str, Any]]:
        return list(self.iter_collection(path, params))

    def get_collection(self, path: str, params: Params | None = None) -> list[dict[str, Any]]:
        """The `collection` of one GET, for endpoints that answer in one page by design
        (availability schedules, locations): no `count`, no page tokens."""
        return _collection(self.get(path, params), path)

    def iter_collection(self, path: str, params: Params | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a listing: count=100, following page tokens with identical filters.

        Page tokens go stale, so a listing is drained back to back (NOTES.md 2.3).
        """
        query: dict[str, str | int | bool | None] = {**(params or {}), "count": PAGE_SIZE}
        seen: set[str] = set()
        while True:
            body = self.get(path, query)
            yield from _collection(body, path)
            pagination = body.get("pagination")
            token = pagination.get("next_page_token") if isinstance(pagination, dict) else None
            if not token:
                return
            if not isinstance(token, str):
                raise MalformedResponse(f"GET {path} answered a non-string next_page_token")
            if len(token) > PAGE_TOKEN_MAX or not token.isprintable():
                raise MalformedResponse(
                    f"GET {path} answered an unusable next_page_token: {quote_body(token)!r}"
                )
            if token in seen:  # a server that keeps naming the same page: never loop forever
                raise MalformedResponse(
                    f"GET {path} answered the same next_page_token twice: {token!r}"
                )
            seen.add(token)
            query["page_token"] = token

    def post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return _resource(self.request("POST", path, json=body), "POST", path)

    def patch(
        self, path: str, body: Mapping[str, Any], params: Params | None = None
    ) -> dict[str, Any]:
        return _resource(self.request("PATCH", path, json=body, params=params), "PATCH", path)

    def delete(self, path: str) -> None:
        self.request("DELETE", path)

    # -- the request loop -----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one logical request (retrying as the rules above allow); return its JSON."""
        path = to_path(path)
        if _dot_segment(path):
            # httpx would resolve `/event_types/../organization_memberships/X` into another
            # resource than the one the request names: never send such a path.
            raise ClientError(f"refusing {method} {path}: the path has a dot segment")
        if self.read_only and method != "GET":
            raise ReadOnlyViolation(
                f"refusing {method} {path}: this run is read-only (plan never writes)"
            )
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        attempt = throttled = 0
        while True:
            try:
                response = self._send(method, path, query, json)
            except httpx.TransportError as exc:
                attempt += 1
                self._transport_failure(method, path, exc, attempt)
                continue
            if response.status_code == 429:
                throttled += 1
                self._count(throttled=1)
                if throttled >= self._retry.throttle_attempts:
                    raise self._error(method, path, response)
                self._wait_for_window(response)
                continue
            if self._should_retry(method, response) and attempt + 1 < self._retry.attempts:
                attempt += 1
                self._backoff(attempt, method, path, f"answered {response.status_code}")
                continue
            if response.status_code >= 500 and method != "GET":
                raise OutcomeUnknown(
                    self._redact(
                        f"{method} {path} answered {response.status_code}: "
                        "Calendly may or may not have applied it"
                    ),
                    method=method,
                    path=path,
                )
            if response.is_error:
                raise self._error(method, path, response)
            if 300 <= response.status_code < 400:
                raise self._redirected(method, path, response)
            return self._decode(method, path, response)

    def _send(
        self, method: str, path: str, query: dict[str, str], body: Mapping[str, Any] | None
    ) -> httpx.Response:
        ticket = self.limiter.acquire()
        headers: Mapping[str, str] | None = None
        started = time.perf_counter()
        try:
            with self._gate:
                self._count(method=method)
                response = self.http.request(method, path, params=query, json=body)
            headers = response.headers
            self._log(method, path, query, response, started)
            return response
        finally:
            self.limiter.release(ticket, headers)

    def _transport_failure(
        self, method: str, path: str, exc: httpx.TransportError, attempt: int
    ) -> None:
        reason = self._redact(str(exc) or type(exc).__name__)
        if isinstance(exc, _NOT_SENT) or method == "GET":
            if attempt < self._retry.attempts:
                self._backoff(attempt, method, path, reason)
                return
            raise TransportError(
                f"{method} {path}: could not reach {self.http.base_url} after {attempt} "
                f"attempts ({reason})"
            ) from None
        raise OutcomeUnknown(
            f"{method} {path}: the connection failed after the request was sent ({reason}); "
            "Calendly may or may not have applied it",
            method=method,
            path=path,
        ) from None

    def _should_retry(self, method: str, response: httpx.Response) -> bool:
        if response.status_code >= 500:
            return method == "GET"
        if response.status_code == 400:
            # "Race Condition ... Please try the request again." (NOTES.md 2.4): not applied.
            return _title(response) == "Race Condition"
        return False

    def _wait_for_window(self, response: httpx.Response) -> None:
        wait = self.limiter.throttled(response.headers)
        log.info("rate limited (429); waiting %.0f s for the window to reset", wait)

    def _backoff(self, attempt: int, method: str, path: str, reason: str) -> None:
        delay = min(self._retry.backoff * 2 ** (attempt - 1), self._retry.backoff_max)
        delay *= 0.5 + self._rng.random() / 2  # jitter: concurrent retries do not align
        self._count(retries=1)
        log.info("%s %s %s; retry %d in %.1f s", method, path, reason, attempt, delay)
        self._sleep(delay)

    def _decode(self, method: str, path: str, response: httpx.Response) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except (ValueError, RecursionError):  # JSON and Unicode errors are ValueErrors
            quoted = self._redact(quote_body(response.text))
            raise MalformedResponse(
                f"{method} {path} answered {response.status_code} with a body that is not JSON: "
                f"{quoted!r}"
            ) from None

    def _error(self, method: str, path: str, response: httpx.Response) -> ApiError:
        try:
            body: object = response.json()
        except (ValueError, RecursionError):  # JSON and Unicode errors are ValueErrors
            body = response.text
        error = error_for(method=method, path=path, status=response.status_code, body=body)
        error.args = (self._redact(str(error)),)
        return error

    def _redirected(self, method: str, path: str, response: httpx.Response) -> ApiError:
        """A 3xx is never success: the API does not redirect, and following one would send the
        token (and a write's body) somewhere else. Nothing was written at `path`."""
        where = response.headers.get("location", "")
        error = ApiError(
            method=method,
            path=path,
            status=response.status_code,
            title="Redirect",
            message=(f"to {quote_body(where)!r}, " if where else "")
            + "not followed: the request was not carried out",
        )
        error.args = (self._redact(str(error)),)
        return error

    def _redact(self, text: str) -> str:
        return redact(text, self._secrets)

    def _count(self, *, method: str | None = None, retries: int = 0, throttled: int = 0) -> None:
        with self._stats_lock:
            if method:
                self.stats.requests[method] += 1
            self.stats.retries += retries
            self.stats.throttled += throttled
            self.stats.rate_wait_seconds = self.limiter.waited

    def _log(
        self, method: str, path: str, query: dict[str, str], response: httpx.Response, t0: float
    ) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        elapsed = (time.perf_counter() - t0) * 1000
        headers = {
            k: ("Bearer ***" if k.lower() == "authorization" else v)
            for k, v in response.request.headers.items()
        }
        log.debug(
            "%s %s %s -> %d (%.0f ms) request headers %s",
            method,
            path,
            self._redact(json.dumps(query, sort_keys=True)),
            response.status_code,
            elapsed,
            self._redact(json.dumps(headers, sort_keys=True)),
        )


def to_path(path_or_uri: str) -> str:
    """`https://api.calendly.com/event_types/X` → `/event_types/X`; a path is kept as is.

    Calendly's resource URIs are identifiers; requests always go to the configured base URL
    (the sandbox, a proxy, or the real API), never to the host written inside a URI.
    """
    if path_or_uri.startswith("/"):
        return path_or_uri
    return urlsplit(path_or_uri).path or "/"


def _dot_segment(path: str) -> bool:
    segments = path.split("?", 1)[0].replace("\\", "/").split("/")
    return any(s.lower().replace("%2e", ".") in (".", "..") for s in segments)


def _collection(body: object, path: str) -> list[dict[str, Any]]:
    collection = body.get("collection") if isinstance(body, dict) else None
    if not isinstance(collection, list) or not all(isinstance(i, dict) for i in collection):
        raise MalformedResponse(f"GET {path} answered without a `collection` list of objects")
    return collection


def _resource(body: object, method: str, path: str) -> dict[str, Any]:
    resource = body.get("resource") if isinstance(body, dict) else None
    if not isinstance(resource, dict):
        raise MalformedResponse(f"{method} {path} answered without a `resource` object")
    return resource


def _query_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _title(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (ValueError, RecursionError):  # JSON and Unicode errors are ValueErrors
        return ""
    title = body.get("title") if isinstance(body, dict) else None
    return title if isinstance(title, str) else ""
