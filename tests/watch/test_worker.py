"""The checker thread's schedule: deliveries when they settle, full checks on --resync."""

from __future__ import annotations

import logging

import pytest

from reconciler.errors import ReconcilerError
from reconciler.watch.coalesce import FULL, Coalescer
from reconciler.watch.service import Worker
from tests.helpers import FakeClock

ALICE = "https://api.calendly.com/users/ALICE"


class Checks:
    def __init__(self) -> None:
        self.ran: list[list[str]] = []
        self.fail_with: Exception | None = None

    def __call__(self, keys: list[str]) -> None:
        self.ran.append(keys)
        if self.fail_with is not None:
            raise self.fail_with


def test_resync_runs_a_full_check_at_start_and_then_every_period(clock: FakeClock) -> None:
    checks = Checks()
    queue = Coalescer(quiet=1.0, max_wait=5.0, clock=clock)
    worker = Worker(checks, queue, resync=600, clock=clock)
    assert worker.step() == 600  # FULL queued now, due once quiet
    clock.sleep(1)
    assert worker.step() is None
    assert checks.ran == [[FULL]]
    assert worker.step() == 599
    queue.add(ALICE)
    clock.sleep(1)
    assert worker.step() is None
    assert checks.ran == [[FULL], [ALICE]]
    clock.sleep(598)
    worker.step()
    clock.sleep(1)
    worker.step()
    assert checks.ran == [[FULL], [ALICE], [FULL]]


def test_without_resync_only_deliveries_cause_checks(clock: FakeClock) -> None:
    checks = Checks()
    worker = Worker(checks, Coalescer(clock=clock), resync=None, clock=clock)
    assert worker.step() == 60.0
    clock.sleep(3600)
    assert worker.step() == 60.0
    assert checks.ran == []


def test_a_failed_check_is_logged_and_the_worker_goes_on(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="reconciler.watch")
    checks = Checks()
    queue = Coalescer(clock=clock)
    worker = Worker(checks, queue, resync=None, clock=clock)
    checks.fail_with = ReconcilerError("GET /users/me answered 503")
    queue.add(ALICE)
    clock.sleep(1)
    worker.step()
    checks.fail_with = KeyError("bug")
    queue.add(ALICE)
    clock.sleep(1)
    worker.step()
    assert [(r.getMessage(), r.__dict__["fields"]) for r in caplog.records] == [
        ("check.failed", {"scope": ALICE, "error": "GET /users/me answered 503"}),
        ("check.crashed", {"scope": ALICE, "error": "KeyError('bug')"}),
    ]
    assert checks.ran == [[ALICE], [ALICE]]
