"""A string that never shows itself: tokens, OAuth secrets and signing keys travel as Secret."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

MASK = "***"


class Secret:
    """Wraps a secret value; `str()` and `repr()` print a mask, `reveal()` the value.

    `env` names the environment variable the value came from, when it did: a saved plan stores
    that name (never the value) to read the secret again at apply time.
    """

    __slots__ = ("_value", "env")

    def __init__(self, value: str, *, env: str | None = None) -> None:
        self._value = value
        self.env = env

    def reveal(self) -> str:
        return self._value

    def fingerprint(self, salt: str) -> str:
        """A salted hash to check a value against later without storing it."""
        return hmac.new(salt.encode(), self._value.encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


def redact(text: str, secrets: Iterable[Secret | str]) -> str:
    """Replace every occurrence of each secret value in `text` by a mask."""
    for secret in secrets:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if len(value) >= 4:  # masking a 1-3 character "secret" would shred ordinary text
            text = text.replace(value, MASK)
    return text
