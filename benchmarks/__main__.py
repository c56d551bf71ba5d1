"""`python -m benchmarks`: plan generated orgs of growing size against the sandbox; print tables.

For each size: one plan at `--concurrency` and one at `--compare` (default 1), each in a fresh
process against a fresh sandbox server (its own rate window), then the diff-only measurement.
See benchmarks/README.md for the floors and for recorded results.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
from collections import Counter
from typing import Any

from benchmarks.configload import measure as measure_load
from benchmarks.configload import report as load_report
from benchmarks.diffcpu import measure_diff
from benchmarks.floors import Floors
from benchmarks.processes import (
    ClientSettings,
    ServerSettings,
    run_plan,
    sandbox_server,
    server_counters,
)
from benchmarks.startup import measure as measure_startup
from benchmarks.startup import report as startup_report
from tests.perf.orgs import OrgSize, after_members, latency_critical_path, lower_bound

UNLIMITED = 1_000_000_000


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    limit, window = args.rate_limit, args.rate_window
    if args.default_rate:
        limit, window = 500, 60.0
    if args.scaled:
        limit, window = 500, 6.0
    print(_machine())
    print(f"load average before: {_load()}")
    if args.startup_repeat:
        print("\n".join(startup_report(measure_startup(args.startup_repeat))))
        print()
    if args.load_event_types:
        print("\n".join(load_report(measure_load(args.load_event_types))))
        print()
    rate = "none (limit set high)" if limit >= UNLIMITED else f"{limit} per {window:g} s"
    print(
        f"transport {args.transport}; latency {args.latency * 1000:g} ms per call; rate limit "
        f"{rate}; {args.members} members, {args.webhooks} webhooks, availability declared for "
        f"{args.availability:.0%} of event types"
    )
    if args.scaled:
        print("SCALED: 500 requests per 6 s window: Calendly's 500/min with time run 10x faster")
    for event_types in args.sizes:
        size = OrgSize(
            members=args.members,
            event_types=event_types,
            availability=round(event_types * args.availability),
            webhooks=args.webhooks,
        )
        rows = []
        for concurrency in [args.concurrency, *([args.compare] if args.compare else [])]:
            server = ServerSettings(size, args.latency, limit, window, args.transport)
            rows.append(_run(server, concurrency))
        _print_table(size, limit, window, args.latency, rows)
    if args.diff_objects:
        _print_diff(measure_diff(args.diff_objects, drift_every=10))
        _print_diff(measure_diff(args.diff_objects, drift_every=1))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=_ints,
        default=[100, 1000, 5000],
        help="event type counts, comma-separated (default 100,1000,5000)",
    )
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--webhooks", type=int, default=100)
    parser.add_argument(
        "--availability",
        type=float,
        default=0.2,
        help="share of event types whose config declares availability (default 0.2)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per call (0.05)")
    parser.add_argument("--rate-limit", type=int, default=UNLIMITED, help="default: set high")
    parser.add_argument("--rate-window", type=float, default=60.0)
    parser.add_argument(
        "--default-rate", action="store_true", help="Calendly's paid limit: 500 per 60 s"
    )
    parser.add_argument(
        "--scaled", action="store_true", help="500 per 6 s: the 500/min window, 10x shorter"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--compare", type=int, default=1, help="a second run at this concurrency (0: none)"
    )
    parser.add_argument(
        "--transport",
        choices=("http", "inprocess"),
        default="http",
        help="http: the sandbox serves on 127.0.0.1 from another process (default); "
        "inprocess: the sandbox runs inside the planning process (shares its CPU)",
    )
    parser.add_argument(
        "--diff-objects",
        type=int,
        default=10_000,
        help="also measure diff CPU and memory on this many objects (0: skip)",
    )
    parser.add_argument(
        "--startup-repeat",
        type=int,
        default=15,
        help="CLI start-up: runs of each command, the minimum kept (0: skip; see startup.py)",
    )
    parser.add_argument(
        "--load-event-types",
        type=int,
        default=5000,
        help="config loading per object on a config of this many event types (0: skip)",
    )
    return parser


def _load() -> str:
    try:
        with open("/proc/loadavg", encoding="utf-8") as loadavg:
            return " ".join(loadavg.read().split()[:3])
    except OSError:
        return "unknown"


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import os

    return (
        f"machine: {os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def _run(server: ServerSettings, concurrency: int) -> dict[str, Any]:
    if server.transport == "inprocess":
        result = run_plan(ClientSettings(None, server, concurrency))
        counters = result["counters"]
    else:
        with sandbox_server(server) as url:
            result = run_plan(ClientSettings(url, server, concurrency))
            counters = server_counters(url)
    result["concurrency"] = concurrency
    result["by_operation"] = Counter(counters["by_operation"])
    result["calls"] = counters["requests"]
    result["429s"] = counters["by_status"].get("429", 0)
    return result


def _print_table(
    size: OrgSize, limit: int, window: float, latency: float, rows: list[dict[str, Any]]
) -> None:
    bound = lower_bound(size)
    calls = sum(bound.values())
    print()
    print(
        f"== {size.event_types} event types ({size.availability} with availability), "
        f"{size.members} members, {size.pending} pending invitations, {size.webhooks} webhooks"
    )
    print(
        f"   lower bound {calls} calls: "
        + ", ".join(f"{op.removeprefix('GET ')} {n}" for op, n in sorted(bound.items()))
    )
    header = (
        f"{'conc':>4} {'calls':>6} {'bound':>6} {'read s':>8} {'floor s':>8} {'ratio':>6} "
        f"{'rate fl':>8} {'lat fl':>7} {'429s':>4} {'cpu cfg':>7} {'cpu read':>8} "
        f"{'cpu diff':>8} {'peak MB':>7} {'waited':>7}"
    )
    print(header)
    for row in rows:
        floors = _floors(size, row["concurrency"], latency, limit, window)
        extra = {op: n for op, n in row["by_operation"].items() if n != bound.get(op, 0)}
        print(
            f"{row['concurrency']:>4} {row['calls']:>6} {calls:>6} {row['read_wall']:>8.2f} "
            f"{floors.floor:>8.2f} {_ratio(row['read_wall'], floors.floor):>6} "
            f"{floors.rate_floor:>8.2f} {floors.latency_floor:>7.2f} {row['429s']:>4} "
            f"{row['config_cpu']:>7.2f} {row['read_cpu']:>8.2f} {row['diff_cpu']:>8.2f} "
            f"{row['peak_rss_mb']:>7.0f} {row['rate_wait']:>7.1f}"
            + (f"  differs from the bound: {extra}" if extra else "")
        )
    if rows and limit < UNLIMITED and calls > limit:
        fixed = _floors(size, rows[0]["concurrency"], latency, limit, window)
        print(
            f"   (fixed-window minimum at concurrency {rows[0]['concurrency']}: "
            f"{fixed.fixed_window_floor:.2f} s; calls / limit: {fixed.rate_floor:.2f} s; "
            f"{math.ceil(calls / limit)} windows)"
        )


def _ratio(measured: float, floor: float) -> str:
    return f"{measured / floor:.2f}" if floor > 0 else "-"  # no latency: no time floor


def _floors(size: OrgSize, concurrency: int, latency: float, limit: int, window: float) -> Floors:
    bound = lower_bound(size)
    return Floors(
        calls=sum(bound.values()),
        chain=latency_critical_path(size),
        member_pages=bound["GET /organization_memberships"],
        after_members=after_members(size),
        concurrency=concurrency,
        latency=latency,
        rate_limit=None if limit >= UNLIMITED else limit,
        rate_window=window,
    )


def _print_diff(result: dict[str, Any]) -> None:
    print()
    print(
        f"== diff only: {result['objects']} objects ({result['kinds']}); 1 in "
        f"{result['drift_every']} differs from the config: {result['changes']} changes"
    )
    print(
        f"   diff CPU {result['diff_cpu']:.2f} s; peak traced memory of the diff "
        f"{result['diff_peak_mb']:.1f} MB; process peak RSS {result['peak_rss_mb']:.0f} MB "
        f"(everything: config, the in-process sandbox it was read from, live state, plan)"
    )


if __name__ == "__main__":
    sys.exit(main())
