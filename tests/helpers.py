"""Small test doubles shared by the suites."""

from __future__ import annotations


class FakeClock:
    """A clock that only moves when something sleeps: time-dependent code without waiting."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
