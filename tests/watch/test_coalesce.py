"""Bursts of deliveries become one check per owner; a steady stream is still checked."""

from __future__ import annotations

import pytest

from reconciler.watch.coalesce import FULL, Coalescer
from tests.helpers import FakeClock

ALICE = "https://api.calendly.com/users/ALICE"
BEN = "https://api.calendly.com/users/BEN"


def make(clock: FakeClock) -> Coalescer:
    return Coalescer(quiet=1.0, max_wait=5.0, clock=clock)


def test_a_burst_for_one_owner_is_one_check_once_it_settles(clock: FakeClock) -> None:
    queue = make(clock)
    start = clock.now
    for _ in range(20):
        queue.add(ALICE)
        clock.sleep(0.1)
    assert queue.take_due() == []  # still arriving: last one 0.1 s ago
    assert queue.next_deadline() == pytest.approx(start + 1.9 + 1.0)
    clock.sleep(0.9)
    assert queue.take_due() == [ALICE]
    assert queue.take_due() == []
    assert queue.pending() == [] and queue.next_deadline() is None


def test_owners_are_checked_separately_in_a_stable_order(clock: FakeClock) -> None:
    queue = make(clock)
    queue.add(BEN)
    queue.add(ALICE)
    clock.sleep(1.0)
    assert queue.take_due() == [ALICE, BEN]


def test_a_steady_stream_is_checked_after_max_wait(clock: FakeClock) -> None:
    queue = make(clock)
    due = []
    for _ in range(12):  # one delivery every 0.5 s for 6 s: never quiet for a whole second
        queue.add(ALICE)
        clock.sleep(0.5)
        due.append(queue.take_due())
    # due 5 s after the first delivery, then a new burst starts
    assert due == [[]] * 9 + [[ALICE]] + [[]] * 2


def test_a_full_check_covers_every_pending_owner(clock: FakeClock) -> None:
    queue = make(clock)
    queue.add(ALICE)
    clock.sleep(0.5)
    queue.add(FULL)
    queue.add(BEN)
    assert queue.take_due() == []
    clock.sleep(1.0)
    assert queue.take_due() == [FULL]
    assert queue.pending() == []
