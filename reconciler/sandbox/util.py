"""Small helpers shared by the sandbox: timestamps, deterministic ids, slugs."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime

# Calendly's timestamps: ISO-8601 UTC with microseconds and a `Z`, e.g. 2020-01-02T03:04:05.678123Z.
_ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_micros(seconds: float) -> int:
    """Epoch seconds (the injectable clock's unit) → integer microseconds (what we store)."""
    return round(seconds * 1_000_000)


def iso(micros: int) -> str:
    """Integer epoch microseconds → Calendly timestamp string."""
    dt = datetime.fromtimestamp(micros // 1_000_000, UTC).replace(microsecond=micros % 1_000_000)
    return dt.strftime(_ISO_FORMAT)


def parse_iso(text: str) -> int | None:
    """A date-time string (with `Z` or an offset) → epoch microseconds; None if malformed."""
    candidate = text.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def short_id(seed: int, kind: str, n: int) -> str:
    """Deterministic 16-character id in Calendly's classic style (uppercase letters and digits)."""
    digest = hashlib.sha256(f"{seed}/{kind}/{n}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:16].replace("=", "A")


def uuid_id(seed: int, kind: str, n: int) -> str:
    """Deterministic UUID-shaped id: Calendly also hands out ids like this (NOTES.md §2.1)."""
    h = hashlib.sha256(f"{seed}/{kind}/{n}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def token_string(seed: int, n: int) -> str:
    """Deterministic opaque page token (32 url-safe characters, like Calendly's)."""
    digest = hashlib.sha256(f"{seed}/page_token/{n}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:32].replace("-", "x").replace("_", "y")


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """'Intro Call (EMEA)' → 'intro-call-emea'. Non-ASCII letters are dropped, as in URLs."""
    ascii_text = text.lower().encode("ascii", "ignore").decode("ascii")
    slug = _NON_ALNUM.sub("-", ascii_text).strip("-")
    return slug or "event"


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-1`, `base-2`, ... whichever is not taken yet."""
    if base not in taken:
        return base
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
