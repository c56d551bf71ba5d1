"""An httpx transport that serves requests from a `Sandbox` in-process.

    client = httpx.Client(transport=sb.transport(), base_url="https://api.calendly.com")

A dropped connection surfaces as `httpx.RemoteProtocolError` ("Server disconnected without
sending a response."), exactly what httpx raises when a real server hangs up.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx

from reconciler.sandbox.response import Drop, Handles


class SandboxTransport(httpx.BaseTransport):
    def __init__(self, sandbox: Handles) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
        query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
        base_url = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        result = self.sandbox.handle(
            request.method,
            raw_path,
            query,
            dict(request.headers),
            request.read(),
            base_url=base_url,
        )
        if isinstance(result, Drop):
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(
            result.status, headers=result.headers, content=result.body, request=request
        )
