"""Bounded work: the suggestion search, the "is this entry clean" question, size limits.

Hangs are ruled out by construction (tests/fuzz runs the hostile inputs end to end); these pin
the pieces: what is never computed, and the exact problems of each limit.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from reconciler.config import ConfigError, load_config
from reconciler.config.document import Document
from reconciler.config.suggest import MAX_WORD, did_you_mean

ZONES = ["Europe/Paris", "Europe/Berlin", "America/New_York"]


def test_a_long_word_gets_no_suggestion_and_no_similarity_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert did_you_mean("Europe/Pariss", ZONES) == "Europe/Paris"

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the similarity search ran")

    monkeypatch.setattr(difflib, "SequenceMatcher", refuse)
    assert did_you_mean("Europe/Paris" + "z" * MAX_WORD, ZONES) is None
    assert did_you_mean("x" * 20_000, ZONES) is None


def test_is_clean_asks_about_ancestors_and_descendants_only() -> None:
    document = Document("f.yaml")
    document.bad.add(("members", 3, "email"))
    assert not document.is_clean(("members", 3))  # a problem under it
    assert not document.is_clean(("members", 3, "email", "x"))  # a problem above it
    assert document.is_clean(("members", 4))
    assert document.is_clean(("event_types", 3))
    document.bad.add(("members",))  # the cache follows new problems
    assert not document.is_clean(("members", 4))
    assert document.is_clean(("policy",))


def _problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(ConfigError) as caught:
        load_config([str(tmp_path / "c.yaml")], environ=environ or {})
    return [str(p).removeprefix(str(tmp_path) + "/") for p in caught.value.problems]


MEMBER = "members:\n  - email: a@acme.example\n"


def test_size_limits_are_one_problem_each_at_the_value(tmp_path: Path) -> None:
    text = (
        "version: 1000000000000000\n"
        f"{MEMBER}"
        "event_types:\n"
        "  - name: X\n"
        "    owner: a@acme.example\n"
        f"    description: {'d' * 10_001}\n"
        "    duration: -1000000000000000\n"
        f"    {'k' * 101}: 1\n"
        "policy:\n"
        "  max_delete_fraction: 1.0e+15\n"
    )
    assert _problems(tmp_path, text) == [
        "c.yaml:1:10: version: number too large (at most 15 digits)",
        "c.yaml:7:18: event_types[0].description: too long (10001 characters; at most 10000)",
        "c.yaml:8:15: event_types[0].duration: number too large (at most 15 digits)",
        f"c.yaml:9:5: event_types[0].{'k' * 101}: key too long (101 characters; at most 100)",
        "c.yaml:11:24: policy.max_delete_fraction: number too large (at most 15 digits)",
    ]


def test_a_lone_surrogate_is_refused_wherever_it_comes_from(tmp_path: Path) -> None:
    text = (
        'members:\n  - email: "a\\ud800@acme.example"\n'
        "webhooks:\n  - url: https://h.example/x\n    scope: organization\n"
        "    events: [invitee.created]\n    signing_key: ${KEY}\n"
    )
    why = "contains a character that is not valid Unicode (a lone surrogate, e.g. from a \\ud800 "
    assert _problems(tmp_path, text, {"KEY": "whsec-\udcff"}) == [
        f"c.yaml:2:12: members[0].email: {why}escape): it cannot be sent to Calendly",
        "c.yaml:7:18: webhooks[0].signing_key: invalid value (sensitive, not shown): "
        f"{why}escape): it cannot be sent to Calendly",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: " + "9" * 5000, "number too long (5000 characters; at most 15 digits)"),
        ("version: !!float 0x" + "f" * 300, "number too long (302 characters; at most 15 digits)"),
        ("version: 0x" + "f" * 98, "number too large (at most 15 digits)"),  # converted, bounded
        ("version: !!float 0x" + "f" * 98, "number too large (at most 15 digits)"),
    ],
)
def test_long_numbers_are_refused_before_conversion(
    tmp_path: Path, text: str, message: str
) -> None:
    assert _problems(tmp_path, text + "\n") == [
        f"c.yaml:1:{text.index(' ') + 2}: version: {message}"
    ]
