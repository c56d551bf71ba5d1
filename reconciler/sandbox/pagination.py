"""Cursor pagination: `count`, `page_token` and the `pagination` object.

Page tokens are opaque strings backed by a server-side table. Each is bound to the exact
filters it was minted with (every query parameter except `count` and `page_token`), so re-using
one with other filters is a 400; and it goes stale after `ttl` seconds, also a 400
(`page_token: is invalid`, NOTES.md §2.3 / §7.4). Cursors are keyset cursors (the sort key of
the first/last row of the page), so rows created or deleted between two pages neither repeat nor
vanish from the rows that are still there.

`next_page`/`previous_page` are full URLs on the base the request came in on, carrying the same
filters plus `count` and `page_token`, so following them works.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from reconciler.sandbox.errors import invalid_param
from reconciler.sandbox.model import Json
from reconciler.sandbox.util import token_string

T = TypeVar("T")
DEFAULT_COUNT = 20
_INT = re.compile(r"^\d+$")


def parse_count(raw: str | None, maximum: int = 100) -> int:
    if raw is None:
        return DEFAULT_COUNT
    if not _INT.match(raw.strip()):
        raise invalid_param("count", "must be an integer")
    value = int(raw)
    if not 1 <= value <= maximum:
        raise invalid_param("count", f"must be between 1 and {maximum}")
    return value


@functools.total_ordering
class Desc:
    """Wraps a sort value to invert its order (for `field:desc`)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Desc) and bool(self.value == other.value)

    def __lt__(self, other: Desc) -> bool:
        return bool(other.value < self.value)

    def __hash__(self) -> int:
        return hash(self.value)


SortKey = tuple[Any, ...]


@dataclass(frozen=True)
class _Cursor:
    binding: tuple[str, tuple[tuple[str, str], ...]]
    key: SortKey
    forward: bool
    minted_at: int


class PageTokens:
    def __init__(self, seed: int, ttl_seconds: float) -> None:
        self._seed = seed
        self.ttl_micros = round(ttl_seconds * 1_000_000)
        self._n = 0
        self._cursors: dict[str, _Cursor] = {}

    def mint(self, cursor: _Cursor, now: int) -> str:
        if len(self._cursors) > 1000:  # forget expired cursors now and then
            self._cursors = {
                t: c for t, c in self._cursors.items() if now - c.minted_at <= self.ttl_micros
            }
        self._n += 1
        token = token_string(self._seed, self._n)
        self._cursors[token] = cursor
        return token

    def redeem(
        self, token: str, binding: tuple[str, tuple[tuple[str, str], ...]], now: int
    ) -> _Cursor:
        cursor = self._cursors.get(token)
        if cursor is None or cursor.binding != binding or now - cursor.minted_at > self.ttl_micros:
            raise invalid_param("page_token", "is invalid")
        return cursor


@dataclass(frozen=True)
class ListQuery:
    """What a list handler needs to paginate: the request's path, filters and base URL."""

    base_url: str
    path: str
    query: Sequence[tuple[str, str]]
    now: int


def paginate(
    rows: list[T],
    key: Callable[[T], SortKey],
    lq: ListQuery,
    tokens: PageTokens,
    *,
    max_count: int = 100,
) -> tuple[list[T], Json]:
    """Slice `rows` (unsorted) into the requested page; return it with the pagination object."""
    params = dict(lq.query)
    count = parse_count(params.get("count"), max_count)
    filters = [(k, v) for k, v in lq.query if k not in ("count", "page_token")]
    binding = (lq.path, tuple(sorted(filters)))
    # Each row's key once (not once to sort and again to bisect): big listings page faster.
    keyed = sorted(((key(r), i) for i, r in enumerate(rows)), key=lambda pair: pair[0])
    ordered = [rows[i] for _, i in keyed]
    keys = [k for k, _ in keyed]
    start = 0
    token = params.get("page_token")
    if token is not None:
        cursor = tokens.redeem(token, binding, lq.now)
        if cursor.forward:
            start = bisect.bisect_right(keys, cursor.key)
        else:
            start = max(0, bisect.bisect_left(keys, cursor.key) - count)
    page = ordered[start : start + count]
    end = start + len(page)
    next_token = prev_token = None
    if page and end < len(ordered):
        next_token = tokens.mint(_Cursor(binding, keys[end - 1], True, lq.now), lq.now)
    if page and start > 0:
        prev_token = tokens.mint(_Cursor(binding, keys[start], False, lq.now), lq.now)

    def url(page_token: str | None) -> str | None:
        if page_token is None:
            return None
        qs = urlencode([*filters, ("count", str(count)), ("page_token", page_token)])
        return f"{lq.base_url}{lq.path}?{qs}"

    pagination = {
        "count": len(page),
        "next_page": url(next_token),
        "previous_page": url(prev_token),
        "next_page_token": next_token,
        "previous_page_token": prev_token,
    }
    return page, pagination


def parse_sort(
    raw: str | None, fields: Sequence[str], default: str, parameter: str = "sort"
) -> list[tuple[str, bool]]:
    """'name:asc,created_at:desc' → [("name", False), ("created_at", True)] (True = descending)."""
    text = default if raw is None or raw.strip() == "" else raw
    out: list[tuple[str, bool]] = []
    for part in text.split(","):
        field_name, _, direction = part.strip().partition(":")
        direction = direction or "asc"
        if field_name not in fields or direction not in ("asc", "desc"):
            allowed = ", ".join(f"{f}:asc, {f}:desc" for f in fields)
            raise invalid_param(parameter, f"must be a comma-separated list of: {allowed}")
        out.append((field_name, direction == "desc"))
    return out


def sort_key(values: Sequence[tuple[Any, bool]], tiebreak: str) -> SortKey:
    """A key for `sorted`/`paginate`: each (value, descending) pair, then a unique tiebreaker."""
    return (*[Desc(v) if desc else v for v, desc in values], tiebreak)
