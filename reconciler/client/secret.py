"""A string that never shows itself: tokens, OAuth secrets and signing keys travel as Secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

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
        register(self)

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


#: Shorter values are not masked: masking a 1-3 character "secret" would shred ordinary text.
MIN_MASKED = 4
#: A cut-off form of a secret (`abcdefgh…`) is masked from this many characters.
MIN_PREFIX = 4
#: What shortened text ends with (client/errors.py quote_body, config messages).
ELLIPSIS = "…"


def forms(value: str) -> list[str]:
    """Every way `value` can be spelled in output, longest first.

    Raw; JSON-escaped (ASCII or not: an API echoing a body); repr-escaped (Python messages), also
    of its UTF-8 bytes (httpx quotes an illegal header value so); URL-encoded (a query string,
    a form body); with its whitespace collapsed (one-line error quotes).
    """
    raw = value.encode("utf-8", "surrogatepass")  # a lone surrogate must not crash redaction
    found = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        repr(value.encode("utf-8", "backslashreplace"))[2:-1],
        quote(raw, safe=""),
        quote(raw),
        quote_plus(raw),
        " ".join(value.split()),
    }
    return sorted((f for f in found if len(f) >= MIN_MASKED), key=lambda f: (-len(f), f))


def redact(text: str, secrets: Iterable[Secret | str]) -> str:
    """Mask every form (see `forms`) of each secret in `text`, and any cut-off start of one.

    Callers redact before they shorten text; the cut-off check is the safety net for a quote
    that was shortened first (`…` right after the start of a secret).
    """
    values = [s.reveal() if isinstance(s, Secret) else s for s in secrets]
    spelled = sorted(
        {f for v in values if len(v) >= MIN_MASKED for f in forms(v)},
        key=lambda f: (-len(f), f),
    )
    for form in spelled:
        text = text.replace(form, MASK)
    return _mask_cut_offs(text, spelled) if ELLIPSIS in text else text


def _mask_cut_offs(text: str, spelled: list[str]) -> str:
    """Mask the start of a secret that ends at a `…`: O(ellipses x forms x form length)."""
    parts: list[str] = []
    done = 0
    at = text.find(ELLIPSIS)
    while at != -1:
        cut = max(
            (
                end
                for form in spelled
                for end in range(MIN_PREFIX, len(form))
                if at - end >= done and text.startswith(form[:end], at - end)
            ),
            default=0,
        )
        if cut:
            parts += [text[done : at - cut], MASK]
            done = at
        at = text.find(ELLIPSIS, at + 1)
    return "".join(parts) + text[done:]


class Registry:
    """The secrets of one CLI run: every Secret made while it is open is masked in its output.

    `ReconcilerGroup.main` opens one per run and routes stdout and stderr through `redact`, so
    a secret that some message forgot to mask still never prints (redaction by construction).
    """

    def __init__(self) -> None:
        self._secrets: list[Secret | str] = []
        self._lock = threading.Lock()

    def add(self, secret: Secret | str) -> None:
        with self._lock:
            self._secrets.append(secret)

    def redact(self, text: str) -> str:
        with self._lock:
            secrets = list(self._secrets)
        return redact(text, secrets) if secrets else text


#: The registry of the CLI run in progress, if any (see cli/__init__.py).
current: Registry | None = None


def register(secret: Secret | str) -> None:
    """Mask `secret` in this run's output too (for values that are not Secrets: URL passwords)."""
    if current is not None:
        current.add(secret)
