"""The README's shell blocks that claim to work, run as written against the sandbox.

The sandbox snippet (start it, wait for its two lines, export them, plan the example org), the
shell completion lines, and `examples/demo.sh` (what `make demo` runs) are each run in a real
shell with the installed console script on PATH. Blocks that need a real Calendly token or
browser (Install with a token, login, CI) are not run here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or not (BIN / "calendly-reconciler").exists(),
    reason="needs bash and the installed console script",
)


def _block_after(heading: str) -> str:
    """The first ```sh block after `heading`."""
    rest = README[README.index(heading) :]
    match = re.search(r"```sh\n(.*?)```", rest, re.S)
    assert match, heading
    return match.group(1)


def _bash(script: str, *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    for name in ("CALENDLY_TOKEN", "CALENDLY_API_URL", "ACME_BOOKINGS_SIGNING_KEY"):
        env.pop(name, None)
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_sandbox_snippet_works_as_written() -> None:
    block = _block_after("### `sandbox serve")
    assert "sleep 1" not in block  # no fixed wait: it waits for the sandbox's lines
    # The snippet leaves the sandbox running for the reader; the test stops it afterwards.
    done = _bash("trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + block)
    assert done.returncode == 0, done.stderr
    assert "Plan: " in done.stdout
    assert "to create" in done.stdout


def test_the_completion_lines_work() -> None:
    block = _block_after("Shell completion")
    bash_line = next(line for line in block.splitlines() if "bash_source" in line)
    done = _bash(f"{bash_line.split('#')[0]}\ncomplete -p calendly-reconciler")
    assert done.returncode == 0, done.stderr
    assert "calendly-reconciler" in done.stdout
    source = _bash("_CALENDLY_RECONCILER_COMPLETE=zsh_source calendly-reconciler")
    assert "compdef" in source.stdout


def test_the_demo_script_ends_with_no_changes_and_exit_code_0() -> None:
    done = _bash("./examples/demo.sh", timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("No changes. Calendly matches the configuration.\n")
    assert done.stderr.splitlines()[-1] == "exit code: 0"
