"""What will fail anyway fails before the first API call: output files, export dirs, git refs.

Each case asserts the exact one-line error and that the sandbox received no request at all.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox

Run = Callable[..., Any]
GOLDEN = Path(__file__).parent.parent / "golden" / "all_actions"


def _refused(result: Any, sandbox: Sandbox, message: str) -> None:
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == message
    assert sandbox.requests == []


def test_plan_out_into_a_missing_directory(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "nope" / "plan.json"
    result = run("plan", str(GOLDEN), "--out", str(out))
    _refused(result, sandbox, f"Error: --out: the directory {tmp_path / 'nope'} does not exist")


def test_plan_out_onto_a_directory(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    result = run("plan", str(GOLDEN), "--out", str(tmp_path))
    _refused(
        result, sandbox, f"Error: Invalid value for '--out': File '{tmp_path}' is a directory."
    )


def test_export_into_a_directory_holding_its_files(
    run: Run, sandbox: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "members.yaml").write_text("# mine\n")
    result = run("export", "-o", str(tmp_path))
    _refused(
        result,
        sandbox,
        f"Error: refusing to overwrite {tmp_path / 'members.yaml'}: pass --force to replace it, "
        "or choose another directory",
    )
    assert (tmp_path / "members.yaml").read_text() == "# mine\n"


def test_export_onto_a_file(run: Run, sandbox: Sandbox, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    result = run("export", "-o", str(tmp_path / "f"))
    _refused(
        result,
        sandbox,
        f"Error: Invalid value for '-o' / '--output': Directory '{tmp_path / 'f'}' is a file.",
    )


def test_plan_base_with_a_bad_ref(
    run: Run, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q", "-b", "main"], check=True)
    (tmp_path / "m.yaml").write_text("members:\n  - email: alice@acme.example\n")
    result = run("plan", "m.yaml", "--base", "origin/nope")
    _refused(
        result, sandbox, "Error: --base: 'origin/nope' is not a git commit, branch or tag here"
    )


@pytest.mark.parametrize("url", ["notaurl", "ftp://api.example", "https://", "http://h:port"])
def test_a_malformed_api_url_is_a_usage_error(run: Run, sandbox: Sandbox, url: str) -> None:
    result = run("plan", str(GOLDEN), "--api-url", url)
    _refused(
        result,
        sandbox,
        f"Error: --api-url must be an http(s) URL such as https://api.calendly.com, not {url!r}",
    )
