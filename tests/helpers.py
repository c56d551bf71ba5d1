"""Small test doubles shared by the suites."""

from __future__ import annotations

from typing import Any

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


LOCK_URL = "https://calendly-reconciler.invalid/lock/"


PROBE_ID = "00000000-0000-4000-8000-0000000000ff"


def without_lock(entries: list[Any]) -> list[Any]:
    """A request log without the apply lock (reconciler/lock.py) of each apply in it, nor the
    write-scope probes (reconciler/probe.py), which address an object that cannot exist.

    An apply takes the lock with its first write (POST of a subscription at LOCK_URL) and
    releases it with its last (DELETE of that subscription), after every change has ended.
    """
    runs: list[list[Any]] = [[]]
    taken = [False]
    for entry in entries:
        if PROBE_ID in entry.path or any(PROBE_ID in v for _k, v in entry.query):
            continue
        body = entry.body if isinstance(entry.body, dict) else {}
        if entry.method == "POST" and str(body.get("url", "")).startswith(LOCK_URL):
            runs.append([])
            taken.append(entry.status == 201)
            continue
        runs[-1].append(entry)
    out: list[Any] = []
    for run, held in zip(runs, taken, strict=True):
        releases = [
            i
            for i, e in enumerate(run)
            if e.method == "DELETE" and e.path.startswith("/webhook_subscriptions/")
        ]
        if held and releases:
            del run[releases[-1]]
        out.extend(run)
    return out
