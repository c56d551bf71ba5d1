"""The README's shell blocks that claim to work, run as written against the sandbox.

The sandbox snippet (start it, wait for its two lines, export them, plan the example org), every
command line of the "Commands" section (in a git repository whose config/ is examples/acme,
against that sandbox, each exit code checked), the shell completion lines, and
`examples/demo.sh` (what `make demo` runs) are each run in a real shell with the installed
console script on PATH. Blocks that need a real Calendly token, a browser or a person at a
terminal (Install with a token, login, `apply` asking for yes) are not run here.
"""

from __future__ import annotations

import json
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


#: Command lines of the README that need a person at a terminal (they ask for `yes`).
INTERACTIVE = {"calendly-reconciler apply config/"}


def _command_lines() -> list[str]:
    """Every command line of the README's "Commands" section, in order (the sandbox's aside)."""
    section = README[README.index("## Commands") : README.index("### `sandbox serve")]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        lines += [
            re.sub(r"\s+#.*$", "", line)  # the explaining comment
            for line in block.splitlines()
            if line.startswith("calendly-reconciler")
        ]
    return lines


def test_the_commands_section_runs_against_the_sandbox(tmp_path: Path) -> None:
    """Each example of "Commands", run in a config repository against the sandbox."""
    lines = _command_lines()
    assert len(lines) >= 10 and set(lines) >= INTERACTIVE
    shutil.copytree(ROOT / "examples" / "acme", tmp_path / "config")
    shutil.copytree(ROOT / "examples" / "acme", tmp_path / "examples" / "acme")
    # `--base origin/main` needs a repository with that ref.
    git = "git -c user.email=t@example.com -c user.name=t"
    setup = (
        f"cd {tmp_path}\ngit init -q -b main\ngit add -A\n{git} commit -qm config\n"
        "git update-ref refs/remotes/origin/main HEAD\n"
    )
    sandbox = _block_after("### `sandbox serve").replace("examples/acme/", "config/")
    checks = []
    for line in lines:
        if line in INTERACTIVE:
            continue
        allowed = "0 2" if ("--detailed-exitcode" in line or " drift " in line) else "0"
        verdict = f'*) echo "FAILED ($code): {line}"; exit 1;;'
        checks.append(
            f"code=0; {line}{'' if ' > ' in line else ' > /dev/null'} 2>> log || code=$?\n"
            f'case " {allowed} " in *" $code "*) ;; {verdict} esac'
        )
    script = (
        "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
        + setup
        + sandbox
        + "\n".join(checks)
        + "\n"
    )
    done = _bash(script, timeout=300)
    log = (tmp_path / "log").read_text() if (tmp_path / "log").exists() else ""
    assert done.returncode == 0, done.stdout + done.stderr + log
    assert "Apply complete" not in done.stdout  # all output went to files
    outcome = json.loads((tmp_path / "outcome.json").read_text())
    assert outcome["result"] == "complete"  # the earlier apply did it all: nothing left
    assert (tmp_path / "drift.md").read_text().startswith("### Calendly drift report")
