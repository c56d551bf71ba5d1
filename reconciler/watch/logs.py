"""Structured logs: one JSON object per event on stderr, for a container's log collector.

`event("delivery.rejected", reason=..., status=403)` writes
`{"ts": "...", "level": "warning", "event": "delivery.rejected", "reason": ..., "status": 403}`.
Callers pass only what is safe to keep: never a signing key, a token, a notify URL (Slack's
carry a secret) or a delivery's body. uvicorn's own messages take the same form.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any, TextIO

LOGGER = "reconciler.watch"
log = logging.getLogger(LOGGER)


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    log.log(level, name, extra={"fields": fields})


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        if record.name != LOGGER:
            line["logger"] = record.name
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update((k, v) for k, v in fields.items() if k not in line)
        return json.dumps(line, ensure_ascii=False, default=str)


class _WatchHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler `setup` installs (a second run in one process replaces it)."""


def setup(stream: TextIO | None = None) -> None:
    """Send the watch's and uvicorn's logs, as JSON lines, to `stream` (default stderr)."""
    teardown()
    handler = _WatchHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in (LOGGER, "uvicorn"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def teardown() -> None:
    """Remove what `setup` installed (a test's stream is closed after its run)."""
    for name in (LOGGER, "uvicorn"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, _WatchHandler)]:
            logger.removeHandler(old)
