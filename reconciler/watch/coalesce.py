"""Bursts of deliveries become one check per owner.

Saving an event type in the Calendly UI can send several deliveries within a second (and
Calendly retries what it thinks failed). An owner becomes due `quiet` seconds after its latest
delivery, or `max_wait` seconds after its first, so a steady stream is still checked. FULL asks
for a check of the whole organization (a delivery that names no owner, the periodic resync); it
covers every owner that is pending when it runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

FULL = "*"


class Coalescer:
    def __init__(
        self,
        *,
        quiet: float = 1.0,
        max_wait: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self._clock = clock
        self._first: dict[str, float] = {}
        self._last: dict[str, float] = {}
        self._changed = threading.Condition()

    def add(self, key: str) -> None:
        """Note one delivery for `key` (an owner URI, or FULL)."""
        now = self._clock()
        with self._changed:
            self._first.setdefault(key, now)
            self._last[key] = now
            self._changed.notify_all()

    def pending(self) -> list[str]:
        with self._changed:
            return sorted(self._first)

    def take_due(self) -> list[str]:
        """Remove and return the keys that are due now: [FULL] alone when FULL is due."""
        now = self._clock()
        with self._changed:
            due = sorted(k for k in self._first if self._deadline(k) <= now)
            if FULL in due:
                due = sorted(self._first)  # one full check covers everything pending
            for key in due:
                del self._first[key], self._last[key]
            return [FULL] if FULL in due else due

    def next_deadline(self) -> float | None:
        with self._changed:
            return min((self._deadline(k) for k in self._first), default=None)

    def wait(self, timeout: float, stop: threading.Event) -> None:
        """Block until something may be due, `timeout` passes, or `stop` is set (the caller
        must also `wake()` after setting it)."""
        with self._changed:
            if stop.is_set():
                return
            deadline = min((self._deadline(k) for k in self._first), default=None)
            if deadline is not None:
                timeout = min(timeout, max(deadline - self._clock(), 0.0))
            if timeout > 0:
                self._changed.wait(timeout)

    def wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def _deadline(self, key: str) -> float:
        return min(self._last[key] + self.quiet, self._first[key] + self.max_wait)
