"""Which files make up the config, and reading them safely.

Every `*.yaml`/`*.yml` under each given path (file or directory, recursively) is read, in one
sorted, de-duplicated order so that merging is deterministic whatever order the paths were given
in. Files are shown as the path the user gave joined with the file's relative path.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from reconciler.config.problems import Problem

MAX_FILE_BYTES = 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ConfigFile:
    name: str  # as shown in problems and sources
    path: Path  # where to read it


def discover(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[ConfigFile], list[Problem]]:
    """The YAML files under `paths`, sorted by shown name, each real file once."""
    problems: list[Problem] = []
    found: list[ConfigFile] = []
    if not paths:
        problems.append(Problem("(command line)", 0, 0, "", "no configuration paths given"))
    for given in paths:
        shown = os.fspath(given)
        path = Path(given)
        if path.is_dir():
            inside = _walk(shown, path)
            if not inside:
                problems.append(_whole(shown, "no .yaml or .yml files in this directory"))
            found.extend(inside)
        elif path.is_file():
            if path.name.endswith(YAML_SUFFIXES):
                found.append(ConfigFile(shown, path))
            else:
                problems.append(_whole(shown, "not a YAML file (expected a .yaml or .yml name)"))
        elif path.exists():
            problems.append(_whole(shown, "not a regular file or directory"))
        else:
            problems.append(_whole(shown, "no such file or directory"))
    found.sort(key=lambda f: PurePath(f.name).parts)
    unique: list[ConfigFile] = []
    seen: set[Path] = set()
    for file in found:
        real = _real(file.path)
        if real not in seen:
            seen.add(real)
            unique.append(file)
    return unique, problems


def _walk(shown: str, root: Path) -> list[ConfigFile]:
    result = []
    # Hidden files and directories are skipped: pointing the tool at a repository root must
    # not pick up `.github/workflows/*.yml` or `.pre-commit-config.yaml`.
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                full = Path(here, name)
                if full.is_file():
                    relative = full.relative_to(root)
                    result.append(ConfigFile(str(PurePath(shown) / relative), full))
    return result


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: keep the path as it is
        return path.absolute()


def read_text(file: ConfigFile) -> tuple[str | None, list[Problem]]:
    """The file's text, or None and a problem (too large, unreadable, not UTF-8)."""
    try:
        size = file.path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [_too_large(file.name, size)]
        with file.path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    except OSError as error:
        return None, [_whole(file.name, f"cannot read the file: {error.strerror or error}")]
    if len(data) > MAX_FILE_BYTES:
        return None, [_too_large(file.name, len(data))]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start]
        message = f"the file is not valid UTF-8 text (byte 0x{byte:02x})"
        return None, [Problem(file.name, line, col, "", message)]


def _too_large(name: str, size: int) -> Problem:
    return _whole(name, f"the file is too large ({size} bytes; the limit is 1 MiB): not read")


def _whole(name: str, message: str) -> Problem:
    return Problem(name, 0, 0, "", message)
