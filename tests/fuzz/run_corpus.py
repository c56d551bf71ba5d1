"""Runs the CLI on every corpus input, in-process, and prints one JSON line per run.

Started as a subprocess by test_corpus.py, which kills it after a generous timeout: a hang is
then a failed test naming the input that never finished, never a stuck suite. Usage:
`python -m tests.fuzz.run_corpus DIR` (DIR holds the inputs: corpus files and generated ones).
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.cli.options import CliEnv
from reconciler.sandbox import Sandbox
from tests.export.support import API, TODAY
from tests.helpers import FakeClock

#: Inputs bigger than this run `validate` only (plan loads the config the same way): the big
#: ones are about the loader's time, and the suite must stay fast.
SMALL_BYTES = 20_000
ENV = {"HOOK_KEY": "whsec-corpus-key", "CALENDLY_API_URL": API, "NO_COLOR": "1"}


def _ends(text: str) -> str:
    """The first 30 and the last 2 lines (whole lines: each is checked for its form)."""
    lines = text.splitlines()
    return "\n".join(lines if len(lines) <= 32 else lines[:30] + lines[-2:])


def main(directory: Path) -> None:
    clock = FakeClock()
    sandbox = Sandbox(clock=clock, sleep=clock.sleep, rate_limit=1_000_000)
    env = {**ENV, "CALENDLY_TOKEN": sandbox.token("demo")}
    for path in sorted(directory.iterdir()):
        commands = [["validate"]]
        if path.stat().st_size <= SMALL_BYTES:
            commands += [["validate", "--format", "github"], ["plan"], ["plan", "--format", "json"]]
        for command in commands:
            obj = CliEnv(transport=sandbox.transport(), today=lambda: TODAY)
            started = time.perf_counter()
            result = CliRunner().invoke(cli, [*command, str(path)], env=env, obj=obj)
            seconds = time.perf_counter() - started  # for whoever reads the output; not asserted
            crash = None
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                crash = "".join(traceback.format_exception(result.exception))
            line = {
                "input": path.name,
                "command": command,
                "exit": result.exit_code,
                "crash": crash,
                "stdout": _ends(result.stdout),
                "stderr": _ends(result.stderr),
                "seconds": round(seconds, 2),
                "longest_line": max(map(len, result.output.splitlines()), default=0),
            }
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
