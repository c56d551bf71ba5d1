""" "Did you mean …?" for unknown keys, enum values and time zones."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice the user most likely meant, if one is close enough.

    Tried in order: the same word in another case (`Monday` → `monday`); the only choice that
    starts with the word (`zoom` → `zoom_conference`); the most similar spelling, ties going to
    the longer common prefix (`munday` → `monday` rather than `sunday`).
    """
    options = list(dict.fromkeys(choices))
    lowered = word.lower()
    for option in options:
        if option.lower() == lowered:
            return option
    starting = [o for o in options if o.lower().startswith(lowered)] if len(word) >= 3 else []
    if len(starting) == 1:
        return starting[0]
    best: tuple[float, int] | None = None
    found = None
    for option in options:
        ratio = difflib.SequenceMatcher(None, lowered, option.lower()).ratio()
        if ratio < cutoff:
            continue
        score = (ratio, _common_prefix(lowered, option.lower()))
        if best is None or score > best:
            best, found = score, option
    return found


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n
