"""Local CPU and memory of the diff alone, on N objects (the issue: 10,000 under 2 s, 300 MB).

The live state is read from an in-process sandbox without latency (the network is not what is
measured here), the sandbox is dropped, then `diff()` is timed with `time.process_time()` and,
in a second call, traced with tracemalloc for its peak allocation. All in a fresh process.
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import tempfile
import time
import tracemalloc
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from tests.perf.orgs import TOKEN, OrgSize, fixture, write_config

_SPAWN = multiprocessing.get_context("spawn")


def size_for(objects: int, drift_every: int) -> OrgSize:
    """1,000 members, 20 invitations, 100 webhooks; the rest split between event types and
    their availability."""
    rest = objects - 1000 - 20 - 100
    if rest < 2:
        raise ValueError("at least 1,122 objects")
    return OrgSize(
        members=1000,
        pending=20,
        event_types=rest - rest // 2,
        availability=rest // 2,
        webhooks=100,
        drift_every=drift_every,
    )


def _measure(size: OrgSize, config_dir: str, conn: Connection) -> None:
    import httpx

    from benchmarks.processes import TODAY
    from reconciler.client import CalendlyClient, Secret
    from reconciler.client.connect import BearerAuth
    from reconciler.config import load_config
    from reconciler.diff import diff
    from reconciler.live import read_live
    from reconciler.sandbox import Sandbox

    config = load_config([config_dir])
    sandbox = Sandbox(fixture(size), rate_limit=10**9)  # CPU is measured, not the rate limit
    http = httpx.Client(
        base_url="https://api.calendly.com",
        transport=sandbox.transport(),
        auth=BearerAuth(Secret(TOKEN)),
    )
    live = read_live(CalendlyClient(http, read_only=True), config, today=TODAY)
    http.close()
    del sandbox, http
    gc.collect()
    cpu0 = time.process_time()
    plan = diff(config, live, today=TODAY)
    cpu = time.process_time() - cpu0
    tracemalloc.start()
    diff(config, live, today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    counts = {kind: len(objects) for kind, objects in live.objects.items()}
    conn.send(
        {
            "objects": sum(counts.values()),
            "kinds": ", ".join(f"{n} {kind}" for kind, n in counts.items()),
            "drift_every": size.drift_every,
            "changes": len(plan.changes),
            "diff_cpu": cpu,
            "diff_peak_mb": peak / 2**20,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def measure_diff(objects: int, *, drift_every: int) -> dict[str, Any]:
    size = size_for(objects, drift_every)
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        config_dir = write_config(size, Path(tmp) / "config")
        parent, child = _SPAWN.Pipe()
        process = _SPAWN.Process(target=_measure, args=(size, str(config_dir), child))
        process.start()
        try:
            result: dict[str, Any] = parent.recv()
        finally:
            process.join()
        return result
