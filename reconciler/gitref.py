"""The config as it was at a git revision, for `plan --base REF` in pull requests."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from reconciler.errors import UsageError

YAML = (".yaml", ".yml")


def check_ref(ref: str) -> None:
    """Refuse a REF git cannot resolve to a commit, before anything reads Calendly."""
    _git("rev-parse", "--show-toplevel")  # not in a repository: git's own words
    try:
        _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except UsageError:
        raise UsageError(f"--base: {ref!r} is not a git commit, branch or tag here") from None


def export_config(paths: Sequence[Path], ref: str, into: Path) -> list[Path]:
    """Write the YAML files under `paths` as of `ref` into `into`; return the paths there.

    Paths that did not exist at `ref` are left out (a config added by the pull request).
    """
    root = Path(_git("rev-parse", "--show-toplevel").strip())
    found = []
    for path in paths:
        try:
            rel = path.resolve().relative_to(root)
        except ValueError:
            raise UsageError(f"--base: {path} is outside the git repository {root}") from None
        names = _git("ls-tree", "-r", "--name-only", ref, "--", str(rel) or ".", cwd=root)
        files = [n for n in names.splitlines() if n.endswith(YAML)]
        for name in files:
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git_bytes("show", f"{ref}:{name}", cwd=root))
        if files:
            found.append(into / rel)
    return found


def _git(*args: str, cwd: Path | None = None) -> str:
    return _git_bytes(*args, cwd=cwd).decode("utf-8", errors="replace")


def _git_bytes(*args: str, cwd: Path | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("--base needs git, which is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = message[-1] if message else f"exit code {done.returncode}"
        raise UsageError(f"--base: git {args[0]} failed: {reason}")
    return done.stdout
