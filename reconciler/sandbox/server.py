"""A real HTTP server for the sandbox (stdlib `ThreadingHTTPServer`, bound to 127.0.0.1 only).

A dropped connection is closed without writing a single byte, so clients see the server hang up.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from reconciler.sandbox.response import Drop, Handles

log = logging.getLogger("reconciler.sandbox.server")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients expect from api.calendly.com
    # Headers and body go out in two writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers (~40 ms a response on a kept-alive connection).
    disable_nagle_algorithm = True
    server: SandboxServer

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query_text = self.path.partition("?")
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.port}"
        result = self.server.sandbox.handle(
            self.command,
            path,
            parse_qsl(query_text, keep_blank_values=True),
            dict(self.headers.items()),
            body,
            base_url=f"http://{host}",
        )
        if isinstance(result, Drop):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(result.status)
        for name, value in result.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(result.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(result.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, CONNECT, PROPFIND, ...) goes to the sandbox too, which answers
        # in JSON like Calendly, instead of http.server's HTML 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


class SandboxServer(ThreadingHTTPServer):
    """`with sb.serve() as server: server.start(); httpx.get(server.url + "/users/me", ...)`."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # listen() backlog: a client opening many connections at once

    def __init__(self, sandbox: Handles, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.sandbox = sandbox
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SandboxServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __exit__(self, *args: object) -> None:
        self.stop()
