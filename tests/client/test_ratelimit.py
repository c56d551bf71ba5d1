"""The header-driven limiter: it spends exactly the budget the server reports, then waits."""

from __future__ import annotations

from reconciler.client.ratelimit import RateLimiter
from tests.helpers import FakeClock


def headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(reset),
    }


def test_without_information_requests_go_at_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    assert [limiter.acquire() for _ in range(3)] == [1, 2, 3]
    assert clock.slept == []


def test_spends_the_reported_budget_then_waits_for_the_reset() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    ticket = limiter.acquire()
    limiter.release(ticket, headers(10, 2, 30))
    limiter.release(limiter.acquire(), None)
    limiter.release(limiter.acquire(), None)
    assert clock.slept == []
    limiter.acquire()  # the budget is spent: wait for the window
    assert clock.slept == [30.0]


def test_in_flight_requests_count_against_the_budget() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.release(limiter.acquire(), headers(10, 2, 20))
    first, second = limiter.acquire(), limiter.acquire()  # both in flight, no answer yet
    limiter.acquire()
    assert clock.slept == [20.0]
    assert (first, second) == (2, 3)


def test_an_older_answer_does_not_overwrite_a_newer_one() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    old, new = limiter.acquire(), limiter.acquire()
    limiter.release(new, headers(10, 0, 15))
    limiter.release(old, headers(10, 5, 15))  # stale: the server answered `new` later
    limiter.acquire()
    assert clock.slept == [15.0]


def test_a_429_blocks_until_the_window_resets() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.release(limiter.acquire(), headers(10, 0, 42))
    assert limiter.throttled(headers(10, 0, 42)) == 42.0
    limiter.acquire()
    assert clock.slept == [42.0]


def test_after_a_reset_the_new_window_has_the_full_limit() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.release(limiter.acquire(), headers(3, 0, 10))
    for _ in range(3):
        limiter.release(limiter.acquire(), None)
    assert clock.slept == [10.0]  # one wait, then three requests in the fresh window
