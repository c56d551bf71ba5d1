"""Per-user fixed-window rate limiting with Calendly's `X-RateLimit-*` headers.

Calendly limits are per user, shared by all of that user's tokens (NOTES.md §2.5): 500 requests
per minute on paid plans, 50 on the free plan. Every API response carries `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (whole seconds until the window resets); a
request over the limit gets 429 and no `Retry-After` (Calendly documents none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class _Window:
    started: int  # epoch microseconds
    used: int


@dataclass(frozen=True)
class RateStatus:
    limit: int
    remaining: int
    reset_seconds: int
    exceeded: bool

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }

    def exhausted(self) -> RateStatus:
        """The same window as seen by a 429 (nothing remaining)."""
        return RateStatus(self.limit, 0, self.reset_seconds, True)


class RateLimiter:
    def __init__(self, window_seconds: float) -> None:
        self.window_micros = max(1, round(window_seconds * 1_000_000))
        self._windows: dict[str, _Window] = {}

    def _window(self, key: str, now: int) -> _Window:
        window = self._windows.get(key)
        if window is None or now - window.started >= self.window_micros:
            window = _Window(started=now, used=0)
            self._windows[key] = window
        return window

    def _status(self, window: _Window, limit: int, now: int, exceeded: bool) -> RateStatus:
        left_micros = window.started + self.window_micros - now
        reset = max(1, math.ceil(left_micros / 1_000_000))
        return RateStatus(limit, max(0, limit - window.used), reset, exceeded)

    def hit(self, key: str, limit: int, now: int) -> RateStatus:
        """Count one request for `key`; `exceeded` if it is over the limit (not counted then)."""
        window = self._window(key, now)
        if window.used >= limit:
            return self._status(window, limit, now, True)
        window.used += 1
        return self._status(window, limit, now, False)

    def peek(self, key: str, limit: int, now: int) -> RateStatus:
        """The current window's status without counting (for unauthenticated responses)."""
        return self._status(self._window(key, now), limit, now, False)
