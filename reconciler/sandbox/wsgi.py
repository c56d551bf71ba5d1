"""A WSGI application that serves requests from a sandbox in-process (for WSGI test clients,
e.g. schemathesis's `schema.app`): `app = wsgi_app(sb)`.

The raw request path (`RAW_URI` / `REQUEST_URI`, else PATH_INFO re-quoted) goes to the sandbox,
which decodes path parameters itself, as with the other adapters. A dropped connection (an
injected fault) cannot be expressed in WSGI: it raises ConnectionAbortedError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, quote

from reconciler.sandbox.response import Drop, Handles

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(sandbox: Handles) -> WsgiApp:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        path = raw.split("?", 1)[0] if raw else quote(environ.get("PATH_INFO") or "/")
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        result = sandbox.handle(
            environ["REQUEST_METHOD"],
            path,
            parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True),
            headers,
            body,
            base_url=f"{environ.get('wsgi.url_scheme', 'http')}://{host}",
        )
        if isinstance(result, Drop):
            raise ConnectionAbortedError("the sandbox dropped the connection (injected fault)")
        status = f"{result.status} {HTTPStatus(result.status).phrase}"
        out = [*result.headers.items(), ("Content-Length", str(len(result.body)))]
        start_response(status, out)
        return [result.body]

    return app
