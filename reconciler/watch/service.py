"""The watch process: bind, subscribe, check in the background, serve until a signal.

Order matters: the listening socket is bound first (a port in use is a clear error before
anything changes in Calendly), then the subscription is ensured, then uvicorn serves on that
socket. SIGTERM and SIGINT stop uvicorn (it finishes open requests for at most
GRACEFUL_SECONDS), then the checker thread (an in-flight check is abandoned after
STOP_SECONDS), then, with `unsubscribe`, the subscription is deleted.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from urllib.parse import urlsplit

import uvicorn

from reconciler.client.secret import Secret
from reconciler.errors import ReconcilerError, UsageError
from reconciler.live import discover_organization
from reconciler.protocols import Writer
from reconciler.watch import subscription
from reconciler.watch.app import HEALTH_PATH, WebhookApp
from reconciler.watch.checker import Checker
from reconciler.watch.coalesce import FULL, Coalescer
from reconciler.watch.logs import event

GRACEFUL_SECONDS = 3
STOP_SECONDS = 5.0


@dataclass(frozen=True)
class Options:
    host: str
    port: int
    public_url: str
    resync: float | None
    unsubscribe_on_exit: bool


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--listen must be HOST:PORT, e.g. 0.0.0.0:8080, not {value!r}")
    return host, int(port)


def check_public_url(url: str) -> str:
    """The path deliveries arrive on; https, or http on a loopback host (the sandbox)."""
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise UsageError(f"--public-url must be an https:// URL, not {url!r}")
    if parts.scheme == "http" and not loopback:
        raise UsageError(
            "--public-url must be https:// (Calendly delivers to public https URLs only; "
            "plain http is accepted for a loopback host, for the sandbox)"
        )
    if parts.query or parts.fragment:
        raise UsageError("--public-url must not have a query or a fragment")
    if parts.path == HEALTH_PATH:
        raise UsageError(f"--public-url cannot use the path {HEALTH_PATH} (the health endpoint)")
    return parts.path or "/"


class Worker(threading.Thread):
    """Runs the checks: what deliveries queued, and FULL every `resync` seconds."""

    def __init__(
        self,
        check: Callable[[list[str]], None],
        queue: Coalescer,
        *,
        resync: float | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name="watch-checker", daemon=True)
        self._check = check
        self._queue = queue
        self._resync = resync
        self._clock = clock
        self.stopping = threading.Event()
        self._next_full = clock() if resync else None

    def run(self) -> None:
        while not self.stopping.is_set():
            idle = self.step()
            if idle is not None:
                self._queue.wait(idle, self.stopping)

    def step(self) -> float | None:
        """Run what is due; None if something ran, else how long there is nothing to do."""
        if self._next_full is not None and self._clock() >= self._next_full:
            self._queue.add(FULL)
            self._next_full = self._clock() + (self._resync or 0)
        keys = self._queue.take_due()
        if keys:
            self._run(keys)
            return None
        return 60.0 if self._next_full is None else max(self._next_full - self._clock(), 0.0)

    def _run(self, keys: list[str]) -> None:
        for key in keys:
            if self.stopping.is_set():
                return
            try:
                self._check([key])
            except ReconcilerError as exc:
                event("check.failed", logging.ERROR, scope=key, error=str(exc))
            except Exception as exc:  # a bug: keep watching, say what broke
                event("check.crashed", logging.ERROR, scope=key, error=repr(exc)[:500])

    def stop(self) -> None:
        if self.ident is None:  # never started
            return
        self.stopping.set()
        self._queue.wake()
        self.join(STOP_SECONDS)
        if self.is_alive():
            event("checker.abandoned", logging.WARNING, reason="a check was still running")


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # Listening now: a delivery that arrives before uvicorn runs waits in the backlog instead
    # of being refused (and retried by Calendly only a minute later).
    sock.listen(128)
    return sock


def serve(
    client: Writer,
    checker: Checker,
    options: Options,
    key: Secret,
    *,
    key_is_new: bool,
    coalescer: Coalescer | None = None,
) -> None:
    """Run until SIGTERM or SIGINT (one during start-up stops it as soon as it is safe)."""
    path = check_public_url(options.public_url)
    queue = coalescer or Coalescer()
    worker = Worker(checker.run, queue, resync=options.resync)
    app = WebhookApp(path=path, key=key, queue=queue.add, healthy=worker.is_alive)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    server = uvicorn.Server(config)
    with _stop_on_signal(server) as seen:
        sock = bind(options.host, options.port)
        try:
            organization = discover_organization(client)
            sub = subscription.ensure(
                client, organization, options.public_url, key, key_is_new=key_is_new
            )
            worker.start()
            try:
                event(
                    "watch.started",
                    listen=f"{options.host}:{options.port}",
                    path=path,
                    subscription=sub.uri,
                    adopted=sub.adopted,
                    resync=options.resync,
                )
                if not server.should_exit:
                    server.run(sockets=[sock])
                    if not server.started:
                        raise ReconcilerError("the HTTP server did not start (see the log above)")
                event("watch.stopping", signal=seen[0] if seen else None)
            finally:
                worker.stop()
                if options.unsubscribe_on_exit:
                    subscription.remove(client, sub)
        finally:
            sock.close()
    event("watch.stopped")


@contextlib.contextmanager
def _stop_on_signal(server: uvicorn.Server) -> Iterator[list[str]]:
    """SIGTERM and SIGINT ask `server` to stop (and are noted in the list yielded).

    uvicorn installs its own handlers while it runs and raises the signals again once it has
    stopped; these handlers receive that, so the process goes on to clean up.
    """
    seen: list[str] = []

    def note(signum: int, frame: FrameType | None) -> None:
        seen.append(signal.Signals(signum).name)
        server.should_exit = True

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield seen
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
