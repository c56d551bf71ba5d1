"""Config problems, collected all at once and printed as `file:line:col: path: message`."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.errors import ReconcilerError


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when the problem is about a whole file
    col: int  # 1-based; 0 when unknown
    path: str  # the config path, e.g. `event_types[2].duration`; "" for the whole file
    message: str

    def __str__(self) -> str:
        where = self.file if self.line == 0 else f"{self.file}:{self.line}:{self.col}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(ReconcilerError):
    """The configuration is invalid; `problems` lists every problem found, sorted."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(summary(self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] + [summary(self.problems)]


def summary(problems: list[Problem]) -> str:
    files = len({p.file for p in problems})
    noun = "problem" if len(problems) == 1 else "problems"
    where = "file" if files == 1 else "files"
    return f"{len(problems)} {noun} in {files} {where}"
