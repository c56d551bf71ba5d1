"""What a person at a terminal sees while the client waits: retries and rate-limit waits.

Both go to the `reconciler.notice` logger, which the CLI always shows on stderr (a silent wait
looks like a hang); unreachable hosts are given up on after 3 quick attempts, not 6.
"""

from __future__ import annotations

import logging
import random

import httpx
import pytest

from reconciler.cli.options import _enable_notices
from reconciler.client import CalendlyClient, Secret, TransportError
from reconciler.client.ratelimit import RateLimiter
from tests.client.test_ratelimit import headers
from tests.helpers import FakeClock


def _notices(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "reconciler.notice"]


def test_connection_refused_says_retrying_then_gives_up(caplog: pytest.LogCaptureFixture) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    clock = FakeClock()
    http = httpx.Client(base_url="http://127.0.0.1:9", transport=httpx.MockTransport(refuse))
    client = CalendlyClient(
        http, secrets=(Secret("t"),), clock=clock, sleep=clock.sleep, rng=random.Random(1)
    )
    with caplog.at_level(logging.INFO, logger="reconciler.notice"), pytest.raises(TransportError):
        client.get("/users/me")
    first, second = clock.slept
    assert _notices(caplog) == [
        f"Could not reach http://127.0.0.1:9 ([Errno 111] Connection refused): retrying in "
        f"{first:.1f} s (attempt 2 of 3)",
        f"Could not reach http://127.0.0.1:9 ([Errno 111] Connection refused): retrying in "
        f"{second:.1f} s (attempt 3 of 3)",
    ]
    assert first + second < 2  # briefly: 0.5 s then 1 s, with jitter below each


def test_a_rate_limit_wait_is_announced_once_per_window(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    with caplog.at_level(logging.INFO, logger="reconciler.notice"):
        limiter.release(limiter.acquire(), headers(500, 1, 40))
        limiter.release(limiter.acquire(), headers(500, 0, 40))
        limiter.acquire()  # waits for the window
        assert clock.slept == [40.0]
    assert _notices(caplog) == [
        "Waiting 40 s for Calendly's rate limit window to reset (500 requests per window)"
    ]


def test_short_waits_are_not_announced(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    with caplog.at_level(logging.INFO, logger="reconciler.notice"):
        limiter.release(limiter.acquire(), headers(500, 0, 1))
        limiter.acquire()
    assert clock.slept == [1.0]
    assert _notices(caplog) == []


def test_the_cli_shows_notices_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("reconciler.notice")
    before = list(logger.handlers)
    _enable_notices()
    try:
        logger.info("Waiting %d s", 3)
    finally:
        for handler in set(logger.handlers) - set(before):
            logger.removeHandler(handler)  # it writes to this test's captured stderr
    assert capsys.readouterr().err == "Waiting 3 s…\n"
