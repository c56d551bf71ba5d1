"""One config file after parsing: plain data plus the position of every key and value.

Later stages (interpolation, schema, cross-references, build) work on plain Python data, which is
what jsonschema wants, and come back here to turn a data path such as
`("event_types", 2, "duration")` into a `file:line:col` for a problem or a `Source`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from reconciler.config.model import Source
from reconciler.config.problems import Problem

#: A path into the data of one file: mapping keys and list indexes.
DataPath: TypeAlias = tuple[str | int, ...]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class Pos:
    """1-based line and column."""

    line: int
    col: int


@dataclass
class Document:
    """A parsed file: `data` is the top-level mapping ({} for an empty file)."""

    file: str
    data: dict[str, Any] = field(default_factory=dict)
    values: dict[DataPath, Pos] = field(default_factory=dict)  # where each value starts
    keys: dict[DataPath, Pos] = field(default_factory=dict)  # where the key of a value is
    # Paths that already have a problem: the schema stays quiet under them (one mistake, one
    # message) and the resources that contain them skip the cross-reference checks.
    bad: set[DataPath] = field(default_factory=set)
    # Secrets written as exactly one `${NAME}`: the variable's name, so that a saved plan can
    # re-resolve the value from the environment at apply time without ever storing it.
    secret_vars: dict[DataPath, str] = field(default_factory=dict)
    # Empty values followed by a `#` on their line: `color: #0069ff` is a comment, not a colour.
    # The value maps to the comment's first word (`#0069ff`), to suggest quoting it.
    commented: dict[DataPath, str] = field(default_factory=dict)
    _ancestors: set[DataPath] = field(default_factory=set, repr=False, compare=False)
    _ancestors_of: int = field(default=0, repr=False, compare=False)

    def value_pos(self, path: DataPath) -> Pos:
        """The position of the value at `path`, or of its nearest known ancestor."""
        while path:
            pos = self.values.get(path)
            if pos is not None:
                return pos
            path = path[:-1]
        return self.values.get((), Pos(1, 1))

    def key_pos(self, path: DataPath) -> Pos:
        """The position of the mapping key whose value is at `path` (its value's otherwise)."""
        return self.keys.get(path) or self.value_pos(path)

    def source(self, path: DataPath) -> Source:
        pos = self.value_pos(path)
        return Source(self.file, pos.line, pos.col)

    def problem(self, path: DataPath, message: str, *, at_key: bool = False) -> Problem:
        """A problem about the value at `path` (or about its key), remembered as bad."""
        self.bad.add(path)
        pos = self.key_pos(path) if at_key else self.value_pos(path)
        return Problem(self.file, pos.line, pos.col, format_path(path), message)

    def is_clean(self, prefix: DataPath) -> bool:
        """Whether nothing at, under or above `prefix` (the root excepted) has a problem.

        O(depth): asking it of every entry of a file with thousands of problems stays linear.
        """
        if any(prefix[:n] in self.bad for n in range(1, len(prefix) + 1)):
            return False  # a problem at `prefix` or above it
        return prefix not in self._bad_ancestors()

    def _bad_ancestors(self) -> set[DataPath]:
        """Every proper ancestor of a bad path: `prefix` has a problem under it iff it is one."""
        # `bad` only grows, so its size tells whether the cache is still right.
        if self._ancestors_of != len(self.bad):
            self._ancestors = {p[:n] for p in self.bad for n in range(len(p))}
            self._ancestors_of = len(self.bad)
        return self._ancestors


def format_path(path: DataPath) -> str:
    """`("event_types", 2, "availability")` → `event_types[2].availability`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}" if out else part
        else:
            # A key that is not valid Unicode (a lone surrogate) is shown escaped: it could not
            # even be printed otherwise.
            out += f"[{json.dumps(part, ensure_ascii=not _printable(part))}]"
    return out


def _printable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_sensitive(path: DataPath) -> bool:
    """Whether the value at `path` is a secret that no message may show (a signing key)."""
    return len(path) >= 3 and path[0] == "webhooks" and path[2] == "signing_key"
