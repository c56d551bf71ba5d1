"""Time zone equivalence by tz database content, not by spelling.

`US/Eastern` and `America/New_York` are links to the same zone: their TZif data is identical.
Comparing that data (rather than keeping an alias table) follows whatever tz database the
machine has, including future renames such as `Europe/Kiev` → `Europe/Kyiv`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import os
import zoneinfo


def same_zone(a: str, b: str) -> bool:
    if a == b:
        return True
    digest_a, digest_b = _digest(a), _digest(b)
    return digest_a is not None and digest_a == digest_b


@functools.cache
def _digest(name: str) -> str | None:
    data = _tzif(name)
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _tzif(name: str) -> bytes | None:
    if not name or name.startswith(("/", ".")) or ".." in name.split("/"):
        return None
    for root in zoneinfo.TZPATH:
        path = os.path.join(root, name)
        if os.path.isfile(path):
            with open(path, "rb") as handle:
                data = handle.read()
            return data if data.startswith(b"TZif") else None
    try:  # no system tz database: the `tzdata` package, if installed
        resource = importlib.resources.files("tzdata.zoneinfo").joinpath(name)
        data = resource.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return data if data.startswith(b"TZif") else None
