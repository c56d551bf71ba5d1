"""Start-up time of the CLI, as ratios to `python -c "import click"` measured in the same run.

CI jobs and pre-commit hooks start the tool many times, so what `--help` and `validate` import
before doing anything matters. Each command runs `repeat` times in a fresh interpreter, in
turns (so a burst of load on a shared machine hits all of them alike); the minimum of each is
kept, the least disturbed run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: name -> the arguments after `python`; the first one is the baseline.
COMMANDS: dict[str, list[str]] = {
    "import click": ["-c", "import click"],
    "--help": ["-m", "reconciler", "--help"],
    "validate examples/acme": ["-m", "reconciler", "validate", "examples/acme"],
}
#: The targets of issue #16, as ratios to the baseline.
TARGETS = {"--help": 3.0, "validate examples/acme": 5.0}


def measure(repeat: int = 15) -> dict[str, float]:
    """The minimum wall time of each command over `repeat` runs, in seconds."""
    env = {**os.environ, "ACME_BOOKINGS_SIGNING_KEY": "benchmark-not-a-secret"}
    best = dict.fromkeys(COMMANDS, float("inf"))
    for _ in range(repeat):
        for name, args in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, *args],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def report(best: dict[str, float]) -> list[str]:
    base = best["import click"]
    lines = ["== start-up: minimum wall time of a fresh process, and its ratio to `import click`"]
    for name, seconds in best.items():
        ratio = seconds / base
        line = f"   {name:<24} {seconds * 1000:7.1f} ms {ratio:6.2f}x"
        target = TARGETS.get(name)
        if target is not None:
            line += f"  (target <= {target:g}x: {'holds' if ratio <= target else 'MISSED'})"
        lines.append(line)
    return lines


if __name__ == "__main__":
    print("\n".join(report(measure())))
