"""The one error tree: every expected failure is a ReconcilerError with a one-line message.

Anything that is not a ReconcilerError is a bug and keeps its traceback.
"""

from __future__ import annotations


class ReconcilerError(Exception):
    """An expected failure, shown to the user as one clear message and exit code 1."""

    def lines(self) -> list[str]:
        """What the CLI prints on stderr for it."""
        return [f"Error: {self}"]


class UsageError(ReconcilerError):
    """The command line or the environment asks for something impossible."""
