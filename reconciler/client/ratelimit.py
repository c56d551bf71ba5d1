"""A rate limiter driven by Calendly's `X-RateLimit-*` headers.

Calendly's limit is per user and shared with every other integration of that user, so a fixed
local budget is wrong both ways: the headers are the truth. The limiter lets a request go only
while the server's lowest reported `Remaining` of the window, minus the requests still in
flight, stays above zero; otherwise it waits for `X-RateLimit-Reset`. Whatever order concurrent
requests are counted and answered in, this never causes a 429 of our own, and it uses the
whole budget (bursting to the limit, then waiting for the window to reset, is the fastest
schedule that a fixed-window limit allows).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_POLL = 0.05  # seconds between looks while an answer may change the budget


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

    The server counts concurrent requests in whatever order they reach it, and answers come
    back in any order too, so the newest answer is not the one that knows most: the lowest
    `Remaining` of the window is. Every answer with a higher `Remaining` was counted before
    it, so is already in it; every request still unanswered may not be. The budget is
    therefore the window's lowest `Remaining`, minus the requests in flight, minus those that
    got no answer that says (a failed connection may have reached the server). It never lets
    out more than the server has left, whatever the order; when it is short only because
    older requests are still in flight, it looks again shortly (their answers may show they
    were counted) rather than wait for the window.

    The window's end is the earliest `now + X-RateLimit-Reset` of its answers: each of those
    is at or after the true end (the header is whole seconds, rounded up), so the earliest is
    the closest.
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
        self._mark = 0  # tickets up to here were sent before the current window began
        self._in_flight: set[int] = set()  # tickets after the mark, not yet released
        self._remaining: int | None = None  # the window's lowest Remaining; None: go
        self._remaining_sent = 0  # tickets handed out when that answer arrived
        self._unknown = 0  # answered without rate-limit headers since the mark
        self._limit: int | None = None
        self._reset_at: float | None = None
        self.waited = 0.0  # seconds spent waiting for the budget (for reports and benchmarks)
        self._announced: float | None = None  # the window end a wait was last announced for

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
                    self._in_flight.add(self._sent)
                    return self._sent
                self._announce(wait)
            self.waited += wait
            self._sleep(wait)

    def _announce(self, wait: float) -> None:
        """Say once per window, when the wait is long enough to look like a hang, why."""
        if wait < ANNOUNCE_FROM or self._reset_at is None or self._reset_at == self._announced:
            return
        self._announced = self._reset_at
        remaining = max(self._reset_at - self._clock(), 0.0)
        per = f" ({self._limit} requests per window)" if self._limit else ""
        notice.info("Waiting %.0f s for Calendly's rate limit window to reset%s", remaining, per)

    def release(self, ticket: int, headers: Mapping[str, str] | None) -> None:
        info = RateLimitHeaders.parse(headers or {})
        with self._lock:
            if ticket <= self._mark:
                return  # sent before this window began: it tells about a past one
            self._in_flight.discard(ticket)
            if info.remaining is None:
                self._unknown += 1  # no answer that says: it may have been counted
                return
            if info.limit is not None:
                self._limit = info.limit
            if self._remaining is None or info.remaining < self._remaining:
                self._remaining = info.remaining
                self._remaining_sent = self._sent
            if info.reset is not None:
                reset_at = self._clock() + info.reset
                if self._reset_at is None or reset_at < self._reset_at:
                    self._reset_at = reset_at

    def throttled(self, headers: Mapping[str, str]) -> float:
        """A 429 came back: block new requests until the window resets; return the wait."""
        info = RateLimitHeaders.parse(headers)
        wait = info.reset if info.reset is not None else self._fallback_wait
        with self._lock:
            self._new_window(0)
            self._reset_at = self._clock() + wait
        return wait

    def _new_window(self, remaining: int | None) -> None:
        """Count from `remaining` from now on; answers to requests in flight are ignored."""
        self._mark = self._sent
        self._in_flight.clear()
        self._remaining = remaining
        self._remaining_sent = self._sent
        self._unknown = 0
        self._reset_at = None

    def _wait_needed(self) -> float:
        if self._remaining is None:
            return 0.0
        now = self._clock()
        if self._reset_at is not None and now >= self._reset_at:
            # A new window: its budget is the limit. Requests still in flight may land in it,
            # so they count against it.
            limit = self._limit
            self._new_window(None if limit is None else limit - len(self._in_flight))
            if limit is None:
                return 0.0
        assert self._remaining is not None
        if self._remaining - len(self._in_flight) - self._unknown > 0:
            return 0.0
        to_reset = None if self._reset_at is None else max(self._reset_at - now, 0.0) or 0.001
        # Requests sent before the lowest Remaining arrived may have been counted in it: their
        # answers would give budget back. (Later ones cannot have been.)
        early = any(ticket <= self._remaining_sent for ticket in self._in_flight)
        if to_reset is None or early:
            # Look again shortly: an answer may tell the reset time, or give budget back.
            return _POLL if to_reset is None else min(to_reset, _POLL)
        return to_reset


#: Waits shorter than this are not announced (polls between answers, the window's last second).
ANNOUNCE_FROM = 2.0
notice = logging.getLogger("reconciler.notice")


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
