""" "Did you mean …?" for unknown keys, enum values and time zones."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: Longer words get no suggestion: similarity costs O(len(word) x len(choice)) per choice, and a
#: 20 KB "time zone" must be refused at once, not compared with 600 zone names.
MAX_WORD = 100


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice the user most likely meant, if one is close enough.

    Tried in order: the same word in another case (`Monday` → `monday`); the only choice that
    starts with the word (`zoom` → `zoom_conference`); the most similar spelling, ties going to
    the longer common prefix (`munday` → `monday` rather than `sunday`).
    """
    options = list(dict.fromkeys(choices))
    if len(word) > MAX_WORD:  # nothing that long is a typo of a key, a value or a zone name
        return None
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
        matcher = difflib.SequenceMatcher(None, lowered, option.lower())
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue  # upper bounds of ratio(): most choices are ruled out cheaply
        ratio = matcher.ratio()
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
