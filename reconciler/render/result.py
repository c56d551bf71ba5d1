"""What `apply --format json` prints: one JSON document with each change's outcome, for CI.

{"format_version": "1", "organization": ..., "result": "complete" | "finished" | "interrupted",
 "ok": bool, "summary": {"done": n, "failed": n, "skipped": n},
 "changes": [{"id", "kind", "key", "action", "status", "message"?, "uri"?}], "warnings": [...]}

When apply refuses before its first write (an unsafe or stale plan, a cancelled prompt, a
missing scope), the document says so with `"result": "refused"`, the error, and no changes.

`status` is done, failed (the message is the error) or skipped (the message is the reason),
in the plan's order. Messages went through the apply's redaction: no secret is in them.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.apply import ApplyResult, Status
from reconciler.plan import FORMAT_VERSION


def to_dict(result: ApplyResult, *, organization: str | None) -> dict[str, Any]:
    changes = []
    for outcome in result.outcomes:
        change = outcome.change
        entry: dict[str, Any] = {
            "id": change.id,
            "kind": change.kind,
            "key": change.key,
            "action": str(change.action),
            "status": str(outcome.status),
        }
        if outcome.message:
            entry["message"] = outcome.message
        if change.uri:
            entry["uri"] = change.uri
        changes.append(entry)
    done, failed, skipped = (result.count(s) for s in Status)
    if result.interrupted:
        verdict = "interrupted"
    elif failed == 0 and skipped == 0:
        verdict = "complete"
    else:
        verdict = "finished"
    return {
        "format_version": FORMAT_VERSION,
        "organization": organization,
        "result": verdict,
        "ok": result.ok and not result.interrupted,
        "summary": {"done": done, "failed": failed, "skipped": skipped},
        "changes": changes,
        "warnings": list(result.warnings),
    }


def render_json(result: ApplyResult, *, organization: str | None) -> str:
    return json.dumps(to_dict(result, organization=organization), indent=2, ensure_ascii=False)


def render_refusal(error: Exception) -> str:
    """The document for an apply that wrote nothing because it refused to start."""
    document = {
        "format_version": FORMAT_VERSION,
        "result": "refused",
        "ok": False,
        "error": str(error),
        "summary": {"done": 0, "failed": 0, "skipped": 0},
        "changes": [],
        "warnings": [],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
