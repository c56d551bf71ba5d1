"""Counting words for messages: `count(1, "member")` is "1 member", never "1 members"."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
