"""The limiter under concurrency: answers come back in any order, and the server may count
concurrent requests in any order too. It must never let out more than the server has left
(no 429 from our own requests), and never wait a window for nothing."""

from __future__ import annotations

from reconciler.client.ratelimit import RateLimiter
from tests.helpers import FakeClock


def headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(reset),
    }


class Waited(Exception):
    pass


class StrictClock(FakeClock):
    """A fake clock whose sleep can be made to raise: "would this acquire wait, and how long"."""

    strict = False

    def sleep(self, seconds: float) -> None:
        if self.strict:
            raise Waited(seconds)
        super().sleep(seconds)


def limiter_with(clock: StrictClock, limit: int, remaining: int, reset: int) -> RateLimiter:
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.release(limiter.acquire(), headers(limit, remaining, reset))
    return limiter


def sends_before_waiting(limiter: RateLimiter, clock: StrictClock) -> tuple[int, float]:
    """How many requests go out at once (they stay in flight), and how long the next waits."""
    clock.strict = True
    count = 0
    try:
        while True:
            limiter.acquire()
            count += 1
    except Waited as waited:
        return count, waited.args[0]
    finally:
        clock.strict = False


def test_a_newer_answer_does_not_count_older_requests_still_in_flight() -> None:
    clock = StrictClock()
    limiter = limiter_with(clock, 10, 4, 30)
    t2, t3, t4 = limiter.acquire(), limiter.acquire(), limiter.acquire()
    # The server counted t4 first (4 -> 3); t2 and t3 are still on their way to it.
    limiter.release(t4, headers(10, 3, 30))
    # 3 left, minus t2 and t3: one more; then look again soon (their answers may tell more).
    assert sends_before_waiting(limiter, clock) == (1, 0.05)
    assert (t2, t3) == (2, 3)


def test_when_the_older_answers_confirm_it_waits_for_the_window() -> None:
    clock = StrictClock()
    limiter = limiter_with(clock, 10, 4, 30)
    t2, t3, t4 = limiter.acquire(), limiter.acquire(), limiter.acquire()
    limiter.release(t4, headers(10, 3, 30))
    limiter.release(t2, headers(10, 2, 30))  # counted after t4: rightly subtracted
    limiter.release(t3, headers(10, 1, 30))
    assert sends_before_waiting(limiter, clock) == (1, 30.0)


def test_an_older_request_counted_earlier_gives_its_share_back() -> None:
    clock = StrictClock()
    limiter = limiter_with(clock, 10, 4, 30)
    t2, t3, t4 = limiter.acquire(), limiter.acquire(), limiter.acquire()
    # The server counted them in order (3, 2, 1 left); t4's answer arrives first.
    limiter.release(t4, headers(10, 1, 30))
    assert sends_before_waiting(limiter, clock) == (0, 0.05)
    limiter.release(t2, headers(10, 3, 30))
    limiter.release(t3, headers(10, 2, 30))
    assert sends_before_waiting(limiter, clock) == (1, 30.0)


def test_a_request_without_an_answer_stays_counted() -> None:
    clock = StrictClock()
    limiter = limiter_with(clock, 10, 3, 30)
    t2, t3 = limiter.acquire(), limiter.acquire()
    limiter.release(t3, headers(10, 1, 30))  # 1 left, minus t2 (uncertain)
    limiter.release(t2, None)  # the connection failed: the server may have counted it
    assert sends_before_waiting(limiter, clock) == (0, 30.0)


def test_the_lowest_remaining_is_the_newest_news() -> None:
    clock = StrictClock()
    limiter = limiter_with(clock, 20, 10, 30)
    t2, t3, t4 = limiter.acquire(), limiter.acquire(), limiter.acquire()
    # The server counted t3 (9 left), t4 (8), then t2 (7); t2's answer arrives first.
    limiter.release(t2, headers(20, 7, 30))
    limiter.release(t3, headers(20, 9, 30))
    limiter.release(t4, headers(20, 8, 30))
    assert sends_before_waiting(limiter, clock) == (7, 30.0)


def test_the_window_ends_at_the_earliest_reset_any_answer_implies() -> None:
    clock = StrictClock()
    limiter = limiter_with(clock, 10, 2, 10)  # at 0.0: ends by 10.0
    clock.now += 0.6
    limiter.release(limiter.acquire(), headers(10, 1, 9))  # at 0.6: ends by 9.6
    limiter.release(limiter.acquire(), headers(10, 0, 10))  # at 0.6: by 10.6 (rounded up)
    assert sends_before_waiting(limiter, clock) == (0, 9.0)


def test_a_late_answer_from_the_last_window_does_not_stall_the_new_one() -> None:
    clock = StrictClock()
    limiter = limiter_with(clock, 3, 1, 10)
    t2 = limiter.acquire()  # the last request of the window, still in flight
    limiter.acquire()  # waits for the reset; the new window's 3, minus t2 in flight
    assert clock.slept == [10.0]
    limiter.release(t2, headers(3, 0, 1))  # t2's answer, from the old window: ignored
    assert sends_before_waiting(limiter, clock) == (1, 0.05)  # then: wait for an answer
