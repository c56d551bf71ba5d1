"""Size limits on the loaded data, so that no value can make a later stage slow or crash.

Checked on the plain data after parsing and interpolation (not inside the YAML composer): each
value over a limit is one problem at its own position and is replaced by None, so no later
stage (schema, messages, cross-references, the HTTP client) ever sees it. Files are limited by
files.py (1 MiB each) and alias expansion by yaml_loader.py.
"""

from __future__ import annotations

from typing import Any

from reconciler.config.document import DataPath, Document, is_sensitive
from reconciler.config.problems import Problem

#: Integers and numbers: every number the format has is small (durations in minutes, a version,
#: counts, fractions); 15 digits is far beyond them and well inside what JSON carries exactly.
MAX_NUMBER = 10**15
#: Characters in one string: Calendly's own text fields are far shorter.
MAX_STRING = 10_000
#: Characters in one mapping key: the format's keys are short words.
MAX_KEY = 100


def check_limits(document: Document) -> list[Problem]:
    """Problems for every value over a limit (each replaced by None in `document.data`)."""
    problems: list[Problem] = []
    # Iterative: the converter already accepted this depth, a recursive walk might not.
    stack: list[tuple[Any, DataPath]] = [(document.data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key in list(value):
                child = (*path, key)
                if len(key) > MAX_KEY or not _encodable(key):
                    why = _why_string(key, MAX_KEY) or "not valid text"
                    problems.append(document.problem(child, f"key {why}", at_key=True))
                    del value[key]
                    continue
                message = _over(value[key], child)
                if message:
                    problems.append(document.problem(child, message))
                    value[key] = None
                else:
                    stack.append((value[key], child))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                child = (*path, index)
                message = _over(item, child)
                if message:
                    problems.append(document.problem(child, message))
                    value[index] = None
                else:
                    stack.append((item, child))
    return problems


def _over(value: Any, path: DataPath) -> str | None:
    """Why `value` is over a limit, in words that never quote it; None when it is not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and not -MAX_NUMBER < value < MAX_NUMBER:
        return "number too large (at most 15 digits)"
    if isinstance(value, str):
        why = _why_string(value, MAX_STRING)
        if why and is_sensitive(path):
            return f"invalid value (sensitive, not shown): {why}"
        return why
    return None


def _why_string(text: str, limit: int) -> str | None:
    if len(text) > limit:
        return f"too long ({len(text)} characters; at most {limit})"
    if not _encodable(text):
        return (
            "contains a character that is not valid Unicode (a lone surrogate, e.g. from a "
            "\\ud800 escape): it cannot be sent to Calendly"
        )
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
