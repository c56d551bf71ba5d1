"""Delivery verification: only a fresh delivery signed with our key is accepted."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from reconciler.client.secret import Secret
from reconciler.watch.signature import SignatureError, parse, sign, verify

KEY = Secret("whsec-watch-test-key")
BODY = b'{"event":"event_type.updated","payload":{}}'
NOW = 1_795_348_800


def header(t: int | str = NOW, body: bytes = BODY, key: str = "whsec-watch-test-key") -> str:
    digest = hmac.new(key.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def refused(value: str | None, *, body: bytes = BODY, now: float = NOW) -> tuple[int, str]:
    with pytest.raises(SignatureError) as caught:
        verify(value, body, KEY, now=now)
    return caught.value.status, caught.value.reason


def test_a_valid_signature_is_accepted_and_sign_agrees_with_the_documented_algorithm() -> None:
    assert sign(KEY, NOW, BODY) == header()
    assert verify(header(), BODY, KEY, now=NOW) == NOW
    # the clocks may disagree a little, either way
    assert verify(header(), BODY, KEY, now=NOW + 180) == NOW
    assert verify(header(), BODY, KEY, now=NOW - 180) == NOW
    # uppercase hex and an extra signature (key rotation) are fine; unknown parts are ignored
    upper = header().replace(header().split("v1=")[1], header().split("v1=")[1].upper())
    assert verify(upper, BODY, KEY, now=NOW) == NOW
    assert verify(f"t={NOW},v1={'0' * 64},v0=x,{header().split(',')[1]}", BODY, KEY, now=NOW)


def test_a_bad_signature_is_refused() -> None:
    assert refused(header(key="another-key")) == (403, "signature does not match")
    assert refused(header(), body=BODY + b" ") == (403, "signature does not match")
    # the timestamp is signed: moving it breaks the signature
    moved = header().replace(f"t={NOW}", f"t={NOW + 1}")
    assert refused(moved) == (403, "signature does not match")


def test_a_stale_or_future_timestamp_is_refused_even_when_signed_correctly() -> None:
    assert refused(header(NOW - 181)) == (403, "timestamp outside the replay window")
    assert refused(header(NOW + 181)) == (403, "timestamp outside the replay window")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "no Calendly-Webhook-Signature header"),
        ("", "no Calendly-Webhook-Signature header"),
        ("v1=" + "a" * 64, "malformed Calendly-Webhook-Signature header: needs t and v1"),
        (f"t={NOW}", "malformed Calendly-Webhook-Signature header: needs t and v1"),
        (f"t={NOW},v1=abc", "malformed Calendly-Webhook-Signature header: bad v1"),
        (f"t=soon,v1={'a' * 64}", "malformed Calendly-Webhook-Signature header: bad t"),
        (f"t=1,t=2,v1={'a' * 64}", "malformed Calendly-Webhook-Signature header: bad t"),
        (f"t={NOW};v1={'a' * 64}", "malformed Calendly-Webhook-Signature header: bad t"),
        ("garbage", "malformed Calendly-Webhook-Signature header"),
        ("t=1," + "v1=" + "a" * 64 + "," * 1000, "Calendly-Webhook-Signature header too long"),
    ],
)
def test_a_malformed_header_is_a_400_naming_what_is_wrong(value: str | None, reason: str) -> None:
    assert refused(value) == (400, reason)


def test_errors_never_show_the_key_or_the_header() -> None:
    _status, reason = refused(header(key="another-key"))
    assert "whsec" not in reason and "v1=" not in reason
    assert parse(header()) == (str(NOW), [header().split("v1=")[1]])
