"""The two processes of one benchmark run: the sandbox's HTTP server and the planning client.

Each runs in its own process (multiprocessing, spawn), so the client's CPU seconds and peak
memory are its own, not the emulator's, and the two do not share a GIL: as with the real API,
the server's work happens elsewhere. A fresh server per run also starts a fresh rate window.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from tests.perf.orgs import TOKEN, OrgSize, fixture, write_config

TODAY = dt.date(2026, 11, 22)
_SPAWN = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class ServerSettings:
    size: OrgSize
    latency: float
    rate_limit: int | None
    rate_window: float
    transport: str  # "http": a real server on 127.0.0.1; "inprocess": the client's process


def _serve(settings: ServerSettings, conn: Connection) -> None:
    from reconciler.sandbox import Faults, Sandbox

    sandbox = Sandbox(
        fixture(settings.size),
        rate_limit=settings.rate_limit,
        rate_window=settings.rate_window,
        faults=Faults(latency=settings.latency) if settings.latency else None,
    )
    server = sandbox.serve(0).start()
    conn.send(server.url)
    conn.recv()  # until the parent is done with it
    server.stop()


@contextmanager
def sandbox_server(settings: ServerSettings) -> Iterator[str]:
    """A sandbox HTTP server in a child process; yields its base URL."""
    parent, child = _SPAWN.Pipe()
    process = _SPAWN.Process(target=_serve, args=(settings, child), daemon=True)
    process.start()
    try:
        url = parent.recv()
        yield str(url)
    finally:
        parent.send("stop")
        process.join(30)
        if process.is_alive():
            process.terminate()


def server_counters(url: str) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=60) as http:
        counters: dict[str, Any] = http.get("/_sandbox/counters").json()
        return counters


@dataclass(frozen=True)
class ClientSettings:
    url: str | None  # None: in-process transport (the sandbox is built in the client process)
    server: ServerSettings
    concurrency: int


def _plan(settings: ClientSettings, config_dir: str, conn: Connection) -> None:
    from reconciler.client import ConnectionSettings, Secret, open_client
    from reconciler.config import load_config
    from reconciler.diff import diff
    from reconciler.live import read_live

    transport = None
    sandbox = None
    if settings.url is None:
        from reconciler.sandbox import Faults, Sandbox

        s = settings.server
        sandbox = Sandbox(
            fixture(s.size),
            rate_limit=s.rate_limit,
            rate_window=s.rate_window,
            faults=Faults(latency=s.latency) if s.latency else None,
        )
        transport = sandbox.transport()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu0 = time.process_time()
    config = load_config([config_dir])
    cpu1 = time.process_time()
    client = open_client(
        ConnectionSettings(
            api_url=settings.url or "https://api.calendly.com",
            token=Secret(TOKEN),
            max_concurrency=settings.concurrency,
        ),
        read_only=True,
        transport=transport,
    )
    wall0 = time.perf_counter()
    live = read_live(client, config, today=TODAY)
    wall1 = time.perf_counter()
    cpu2 = time.process_time()
    plan = diff(config, live, today=TODAY)
    cpu3 = time.process_time()
    wall2 = time.perf_counter()
    client.http.close()
    result = {
        "read_wall": wall1 - wall0,
        "diff_wall": wall2 - wall1,
        "config_cpu": cpu1 - cpu0,
        "read_cpu": cpu2 - cpu1,
        "diff_cpu": cpu3 - cpu2,
        "rss_before_mb": rss_before / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "client_requests": sum(client.stats.requests.values()),
        "client_throttled": client.stats.throttled,
        "rate_wait": client.limiter.waited,
        "changes": len(plan.changes),
        "objects": sum(len(v) for v in live.objects.values()),
        "counters": sandbox.counters if sandbox is not None else None,
    }
    conn.send(result)


def run_plan(settings: ClientSettings) -> dict[str, Any]:
    """Plan the generated org's config in a fresh child process; return its measurements."""
    with tempfile.TemporaryDirectory(prefix="bench-config-") as tmp:
        config_dir = write_config(settings.server.size, Path(tmp) / "config")
        parent, child = _SPAWN.Pipe()
        process = _SPAWN.Process(target=_plan, args=(settings, str(config_dir), child))
        process.start()
        try:
            result: dict[str, Any] = parent.recv()
        finally:
            process.join()
        if process.exitcode:
            raise RuntimeError(f"the planning process failed (exit code {process.exitcode})")
        return result
