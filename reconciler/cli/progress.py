"""Live progress of an apply, on stderr: one line per finished change, counted."""

from __future__ import annotations

import sys
import threading

import click

from reconciler.plan import Change
from reconciler.render.text import SYMBOL


class Progress:
    """An apply listener: `[3/12] done     ~ event_type alice@acme.example/Intro Call`."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.finished = 0
        self.tty = sys.stderr.isatty()
        self._lock = threading.Lock()

    def __call__(self, event: str, change: Change, message: str) -> None:
        with self._lock:
            if event == "start":
                if self.tty:
                    click.echo(f"\r\x1b[2K… {self._label(change)}", nl=False, err=True)
                return
            self.finished += 1
            prefix = "\r\x1b[2K" if self.tty else ""
            line = f"{prefix}[{self.finished}/{self.total}] {event:<7} {self._label(change)}"
            click.echo(line, err=True)

    @staticmethod
    def _label(change: Change) -> str:
        return f"{SYMBOL[change.action]} {change.kind} {change.key}"
