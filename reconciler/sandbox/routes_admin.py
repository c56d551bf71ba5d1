"""The `/_sandbox/` control routes (no auth, never faulted, not logged).

GET  /_sandbox/requests                              the request log {"requests": [...]}
GET  /_sandbox/counters                              counters
POST /_sandbox/reset-log                             clear log and counters (204)
GET  /_sandbox/state                                 the organization (state file form)
GET  /_sandbox/faults                                current fault configuration
POST /_sandbox/faults                                replace it: JSON mapping, or {"spec": "..."}
POST /_sandbox/invitations/{uuid}/accept             body optional {"name", "timezone"}
POST /_sandbox/invitations/{uuid}/decline
POST /_sandbox/webhook_subscriptions/{uuid}/disable
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from reconciler.sandbox.errors import ApiError, invalid_param, not_found
from reconciler.sandbox.faults import Faults, FaultSpecError
from reconciler.sandbox.model import Json
from reconciler.sandbox.response import SandboxResponse, json_response

if TYPE_CHECKING:
    from reconciler.sandbox.core import Sandbox

_INVITATION = re.compile(r"^/_sandbox/invitations/([^/]+)/(accept|decline)$")
_DISABLE = re.compile(r"^/_sandbox/webhook_subscriptions/([^/]+)/disable$")


def _body(raw: bytes) -> Json:
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise invalid_param("body", "must be valid JSON") from None
    if not isinstance(data, dict):
        raise invalid_param("body", "must be a JSON object")
    return data


def handle_admin(sb: Sandbox, method: str, path: str, raw: bytes) -> SandboxResponse:
    try:
        status, body = _dispatch(sb, method, path, raw)
    except ApiError as exc:
        status, body = exc.status, exc.body()
    return json_response(status, body, {})


def _dispatch(sb: Sandbox, method: str, path: str, raw: bytes) -> tuple[int, Any]:
    if method == "GET" and path == "/_sandbox/requests":
        return 200, {"requests": [entry.to_json() for entry in sb.requests]}
    if method == "GET" and path == "/_sandbox/counters":
        return 200, sb.counters
    if method == "POST" and path == "/_sandbox/reset-log":
        sb.reset_log()
        return 204, None
    if method == "GET" and path == "/_sandbox/state":
        return 200, sb.state()
    if path == "/_sandbox/faults" and method in ("GET", "POST"):
        if method == "POST":
            body = _body(raw)
            try:
                spec: Any = body["spec"] if set(body) == {"spec"} else body
                sb.set_faults(Faults.coerce(spec))
            except FaultSpecError as exc:
                raise invalid_param("faults", str(exc)) from None
        return 200, {"faults": sb.faults.to_json()}
    m = _INVITATION.match(path)
    if method == "POST" and m:
        if m.group(2) == "decline":
            return 200, {"resource": sb.decline_invitation(m.group(1))}
        body = _body(raw)
        name, timezone = body.get("name"), body.get("timezone")
        if name is not None and not isinstance(name, str):
            raise invalid_param("name", "must be a string")
        if timezone is not None and not isinstance(timezone, str):
            raise invalid_param("timezone", "must be a string")
        return 200, {"resource": sb.accept_invitation(m.group(1), name=name, timezone=timezone)}
    m = _DISABLE.match(path)
    if method == "POST" and m:
        return 200, {"resource": sb.disable_webhook(m.group(1))}
    raise not_found()
