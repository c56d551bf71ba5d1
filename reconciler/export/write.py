"""Writing an export to a directory: all files or none, never over existing files unless forced.

Every target is checked before the first byte is written, so a refusal leaves the directory as
it was; each file is written to a temporary name and renamed, so a crash never leaves half a
file that the next plan would read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import ReconcilerError


class ExportError(ReconcilerError):
    """The export cannot be written where it was asked to go."""


def write_files(directory: Path, files: Mapping[str, str], *, force: bool) -> list[Path]:
    """Write `files` (relative path → text) under `directory`; return the paths written."""
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} exists and is not a directory")
    targets = [directory / name for name in files]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise ExportError(
            f"refusing to overwrite {', '.join(existing)}: pass --force to replace "
            f"{'it' if len(existing) == 1 else 'them'}, or choose another directory"
        )
    try:
        for path, text in zip(targets, files.values(), strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_text(text, encoding="utf-8", newline="\n")
            os.replace(temporary, path)
    except OSError as exc:
        raise ExportError(
            f"cannot write the export to {directory}: {exc.strerror or exc}"
        ) from None
    return targets


def other_config_files(directory: Path, written: list[Path]) -> list[Path]:
    """YAML files under `directory` that this export did not write (plan reads them too)."""
    mine = {p.resolve() for p in written}
    found = [*directory.rglob("*.yaml"), *directory.rglob("*.yml")]
    return sorted(p for p in found if p.is_file() and p.resolve() not in mine)
