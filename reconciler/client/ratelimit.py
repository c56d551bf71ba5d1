"""A rate limiter driven by Calendly's `X-RateLimit-*` headers.

Calendly's limit is per user and shared with every other integration of that user, so a fixed
local budget is wrong both ways: the headers are the truth. The limiter counts the requests it
let out since the newest response it has seen, and lets a request go only while the server's
last reported `Remaining` minus those in-flight requests stays above zero; otherwise it waits
for `X-RateLimit-Reset`. In steady state this never causes a 429, and it uses the whole budget
(bursting to the limit, then waiting for the window to reset, is the fastest schedule that a
fixed-window limit allows).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimitHeaders:
    limit: int | None
    remaining: int | None
    reset: float | None

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> RateLimitHeaders:
        return cls(
            limit=_int(headers.get("x-ratelimit-limit")),
            remaining=_int(headers.get("x-ratelimit-remaining")),
            reset=_float(headers.get("x-ratelimit-reset")),
        )


class RateLimiter:
    """Thread-safe gate in front of every request.

    `acquire()` returns a ticket (the request's sequence number) once the budget allows;
    `release(ticket, headers)` must follow every acquire, with the response headers if any.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        fallback_wait: float = 60.0,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._fallback_wait = fallback_wait
        self._lock = threading.Lock()
        self._sent = 0  # tickets handed out
        self._outstanding = 0  # tickets not yet released (requests in flight)
        self._known_seq = 0  # newest ticket whose response carried headers
        self._known_remaining: int | None = None  # None: no information, go
        self._limit: int | None = None
        self._reset_at: float | None = None
        self.waited = 0.0  # seconds spent waiting for the budget (for reports and benchmarks)

    @property
    def limit(self) -> int | None:
        """The server's X-RateLimit-Limit, once an answer has told it."""
        return self._limit

    def acquire(self) -> int:
        while True:
            with self._lock:
                wait = self._wait_needed()
                if wait <= 0:
                    self._sent += 1
                    self._outstanding += 1
                    return self._sent
            self.waited += wait
            self._sleep(wait)

    def release(self, ticket: int, headers: Mapping[str, str] | None) -> None:
        info = RateLimitHeaders.parse(headers or {})
        with self._lock:
            self._outstanding -= 1
            if info.remaining is None:
                return
            if info.limit is not None:
                self._limit = info.limit
            if ticket < self._known_seq:
                return  # an older answer: a newer one already told us more
            self._known_seq = ticket
            self._known_remaining = info.remaining
            if info.reset is not None:
                self._reset_at = self._clock() + info.reset

    def throttled(self, headers: Mapping[str, str]) -> float:
        """A 429 came back: block new requests until the window resets; return the wait."""
        info = RateLimitHeaders.parse(headers)
        wait = info.reset if info.reset is not None else self._fallback_wait
        with self._lock:
            self._known_seq = self._sent
            self._known_remaining = 0
            self._reset_at = self._clock() + wait
        return wait

    def _wait_needed(self) -> float:
        if self._known_remaining is None:
            return 0.0
        now = self._clock()
        if self._reset_at is not None and now >= self._reset_at:
            # A new window: its budget is the limit. Requests still in flight may land in it,
            # so they count against it.
            self._known_remaining = None if self._limit is None else self._limit - self._outstanding
            self._known_seq = self._sent
            self._reset_at = None
            if self._known_remaining is None:
                return 0.0
        in_flight = self._sent - self._known_seq
        if self._known_remaining - in_flight > 0:
            return 0.0
        if self._reset_at is None:
            # Out of budget and no reset time known yet: wait for an answer to arrive.
            return 0.05
        return max(self._reset_at - now, 0.0) or 0.001


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
