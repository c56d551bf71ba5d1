"""Small test doubles shared by the suites."""

from __future__ import annotations

NOW = 1_795_348_800.0  # 2026-11-22T12:00:00Z


class FakeClock:
    """A clock that only moves when something sleeps: time-dependent code without waiting.

    Shared by a sandbox and a client, a client that waits for a rate-limit window really lets
    the sandbox's window pass.
    """

    def __init__(self, start: float = NOW) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
