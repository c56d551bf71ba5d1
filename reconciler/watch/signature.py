"""`Calendly-Webhook-Signature: t=TIMESTAMP,v1=SIGNATURE` (CHANGES-2026.md, Webhooks).

SIGNATURE is the hex HMAC-SHA256 of `TIMESTAMP + "." + raw body`, keyed by the subscription's
signing key. A delivery is accepted only if one `v1` matches (compared in constant time) and
its timestamp is within the replay window: a captured delivery cannot be sent again later.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from reconciler.client.secret import Secret

HEADER = "Calendly-Webhook-Signature"
#: Calendly's guidance is "about 3 minutes"; the same tolerance applies to clocks ahead of ours.
TOLERANCE = 180.0
#: Longer than any honest header (a timestamp and a few 64-hex signatures): not parsed at all.
HEADER_MAX = 1024

_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


class SignatureError(Exception):
    """Why a delivery is refused. `status`: 400 for a malformed header, 403 otherwise.

    The message names the reason only: never the header, the body or the key.
    """

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def sign(key: Secret, timestamp: int | str, body: bytes) -> str:
    """The header value Calendly would send for `body` at `timestamp`."""
    return f"t={timestamp},v1={_digest(key, str(timestamp), body)}"


def verify(
    header: str | None, body: bytes, key: Secret, *, now: float, tolerance: float = TOLERANCE
) -> int:
    """Check a delivery; return its timestamp or raise SignatureError."""
    timestamp, signatures = parse(header)
    if abs(now - int(timestamp)) > tolerance:
        raise SignatureError("timestamp outside the replay window", 403)
    expected = _digest(key, timestamp, body)
    # Every candidate is compared (no early exit) so timing says nothing about which matched.
    matched = [hmac.compare_digest(expected, s.lower()) for s in signatures]
    if not any(matched):
        raise SignatureError("signature does not match", 403)
    return int(timestamp)


def parse(header: str | None) -> tuple[str, list[str]]:
    """(timestamp as sent, the v1 signatures); unknown keys (a future v2) are ignored."""
    if not header:
        raise SignatureError(f"no {HEADER} header", 400)
    if len(header) > HEADER_MAX:
        raise SignatureError(f"{HEADER} header too long", 400)
    timestamp: str | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {HEADER} header", 400)
        if name == "t":
            if timestamp is not None or not _TIMESTAMP.match(value):
                raise SignatureError(f"malformed {HEADER} header: bad t", 400)
            timestamp = value
        elif name == "v1":
            if not _HEX64.match(value):
                raise SignatureError(f"malformed {HEADER} header: bad v1", 400)
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError(f"malformed {HEADER} header: needs t and v1", 400)
    return timestamp, signatures


def _digest(key: Secret, timestamp: str, body: bytes) -> str:
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(key.reveal().encode("utf-8"), message, hashlib.sha256).hexdigest()
