"""The ASGI application uvicorn serves: the delivery endpoint and a health endpoint.

A plain ASGI callable rather than a framework: two routes, and the one thing that matters
(verifying the raw body before anything parses it) is clearer without a request abstraction.

- `GET /healthz` (also HEAD): 200 while the checker thread is alive, else 503; for container
  liveness and readiness probes.
- `POST <path of --public-url>`: verified first (signature.py); a delivery that fails is
  answered 400/403 and logged without its body, and triggers nothing. A verified `event_type.*`
  delivery queues a check of its owner and is answered 202 at once (Calendly gives up after 15
  seconds; the check runs in the background).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from reconciler.client.secret import Secret
from reconciler.watch import signature
from reconciler.watch.coalesce import FULL
from reconciler.watch.logs import event
from reconciler.watch.subscription import EVENTS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

HEALTH_PATH = "/healthz"
#: Calendly's deliveries are a few kilobytes; anything far larger is not one.
MAX_BODY = 256 * 1024


class WebhookApp:
    def __init__(
        self,
        *,
        path: str,
        key: Secret,
        queue: Callable[[str], None],
        healthy: Callable[[], bool],
        clock: Callable[[], float] = time.time,
        tolerance: float = signature.TOLERANCE,
    ) -> None:
        self.path = path
        self._key = key
        self._queue = queue
        self._healthy = healthy
        self._clock = clock
        self._tolerance = tolerance

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if path == HEALTH_PATH:
            if method not in ("GET", "HEAD"):
                await _answer(send, 405, {"error": "method not allowed"})
            elif self._healthy():
                await _answer(send, 200, {"status": "ok"})
            else:
                await _answer(send, 503, {"status": "checker stopped"})
            return
        if path != self.path:
            await _answer(send, 404, {"error": "not found"})
            return
        if method != "POST":
            await _answer(send, 405, {"error": "method not allowed"})
            return
        body = await _read_body(receive)
        if body is None:
            event("delivery.rejected", logging.WARNING, reason="body too large", status=413)
            await _answer(send, 413, {"error": "body too large"})
            return
        status, reply = self.deliver(_header(scope, signature.HEADER), body)
        await _answer(send, status, reply)

    def deliver(self, header: str | None, body: bytes) -> tuple[int, dict[str, str]]:
        """Verify and act on one delivery; (status, answer)."""
        try:
            signature.verify(header, body, self._key, now=self._clock(), tolerance=self._tolerance)
        except signature.SignatureError as exc:
            event("delivery.rejected", logging.WARNING, reason=exc.reason, status=exc.status)
            return exc.status, {"error": exc.reason}
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            event("delivery.rejected", logging.WARNING, reason="body is not JSON", status=400)
            return 400, {"error": "body is not JSON"}
        name = data.get("event") if isinstance(data, dict) else None
        if name not in EVENTS:
            event("delivery.ignored", event_name=str(name)[:80])
            return 200, {"status": "ignored"}
        payload = data.get("payload") if isinstance(data, dict) else None
        owner, target = _owner(payload), _uri(payload)
        self._queue(owner or FULL)
        event("delivery.accepted", event_name=name, event_type=target, owner=owner or FULL)
        return 202, {"status": "accepted"}


def _owner(payload: Any) -> str | None:
    """The owning user's URI; None (a full check) for a team's event type or no profile."""
    profile = payload.get("profile") if isinstance(payload, dict) else None
    if not isinstance(profile, dict) or profile.get("type") not in ("User", None):
        return None
    owner = profile.get("owner")
    if isinstance(owner, str) and owner.startswith("http") and "/users/" in owner:
        return owner
    return None


def _uri(payload: Any) -> str | None:
    uri = payload.get("uri") if isinstance(payload, dict) else None
    return uri if isinstance(uri, str) else None


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    for key, value in scope.get("headers", ()):
        if key.lower() == wanted:
            return bytes(value).decode("latin-1")
    return None


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _answer(send: Send, status: int, body: dict[str, str]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
