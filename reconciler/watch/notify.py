"""`--notify URL`: a short message to a Slack-compatible incoming webhook.

The URL itself is a credential (anyone who has it can post to the channel), so it travels as a
Secret and no log line names it. A failed notification is logged and otherwise ignored: the
JSON lines on stdout remain the record.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx

from reconciler.client.secret import Secret
from reconciler.plan import Action, Change
from reconciler.watch.logs import event

#: Changes listed in one message; the rest are counted.
MAX_LINES = 10
TIMEOUT = 5.0


class Notifier:
    def __init__(self, url: Secret, *, transport: httpx.BaseTransport | None = None) -> None:
        self._url = url
        self._http = httpx.Client(timeout=TIMEOUT, transport=transport, follow_redirects=False)

    def send(self, changes: Sequence[Change]) -> None:
        if not changes:
            return
        try:
            answer = self._http.post(self._url.reveal(), json={"text": message(changes)})
        except httpx.HTTPError as exc:
            event("notify.failed", logging.WARNING, error=type(exc).__name__)
            return
        if answer.is_error:
            event("notify.failed", logging.WARNING, status=answer.status_code)
        else:
            event("notify.sent", changes=len(changes))

    def close(self) -> None:
        self._http.close()


def message(changes: Sequence[Change]) -> str:
    noun = "change" if len(changes) == 1 else "changes"
    lines = [f"Calendly drift: {len(changes)} {noun} from the config"]
    lines.extend(f"• {_escape(describe(c))}" for c in changes[:MAX_LINES])
    if len(changes) > MAX_LINES:
        lines.append(f"…and {len(changes) - MAX_LINES} more")
    return "\n".join(lines)


def describe(change: Change) -> str:
    what = f"{change.kind} {change.key}: "
    if change.action == Action.CREATE:
        what += "missing in Calendly"
    elif change.action == Action.DELETE:
        what += "in Calendly but not in the config"
    elif change.fields:
        what += "; ".join(
            f"{f.path} is {_short(f.old)} in Calendly, {_short(f.new)} in the config"
            for f in change.fields
        )
    else:
        what += f"differs ({change.action})"
    by = (change.attribution or {}).get("by")
    return f"{what} (by {by})" if by else what


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _escape(text: str) -> str:
    """Slack's three control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
