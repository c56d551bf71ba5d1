"""stdout and stderr as the CLI writes them: every secret of the run masked on the way out.

Messages mask secrets where they are made (client/errors.py, config problems); this is the
construction that makes a forgotten one harmless. Text is passed on a whole line at a time (a
secret split across two writes is still seen whole) and on every flush (a prompt waits for an
answer). Only text goes through: there is no `buffer` attribute, so click writes here too.
"""

from __future__ import annotations

from typing import Any, TextIO

from reconciler.client.secret import Registry


class RedactingStream:
    def __init__(self, inner: TextIO, registry: Registry) -> None:
        self._inner = inner
        self._registry = registry
        self._pending = ""

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes):
            if not text:  # click probes with b"" to tell a binary stream: this is not one
                raise TypeError("write() argument must be str")
            # click.echo(bytes) with no binary stream to hand writes them here (shell
            # completion's script does): text, redacted like the rest.
            text = text.decode("utf-8", errors="replace")
        self._pending += text
        cut = self._pending.rfind("\n") + 1
        if cut:
            ready, self._pending = self._pending[:cut], self._pending[cut:]
            self._inner.write(self._registry.redact(ready))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            ready, self._pending = self._pending, ""
            self._inner.write(self._registry.redact(ready))
        self._inner.flush()

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def isatty(self) -> bool:
        return self._inner.isatty()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(self._inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:
        return getattr(self._inner, "errors", None)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # bytes would bypass the redaction
            raise AttributeError(name)
        return getattr(self._inner, name)
