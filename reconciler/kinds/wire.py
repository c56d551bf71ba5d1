"""Reading Calendly's JSON objects field by field: anything unexpected is one clear error.

The kinds' parse functions (`from_api`, `from_memberships`, ...) read API objects through
`Fields`: each accessor checks the type the API reference promises, and the nulls it allows,
and a violation raises `MalformedObject` naming the object and the field:

    malformed organization membership (https://api.calendly.com/organization_memberships/X):
    `role` is missing, expected a string

`read_live` adds which request answered it. A malformed answer never becomes a plan: a plan
computed from data Calendly did not mean to send could create duplicates or deactivate the
wrong event type. Fields the reconciler only displays are checked as loosely as their use
allows; fields that identify an object (uri, name, owner, email, url, scope) strictly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.client.errors import MalformedResponse

#: An absolute http(s) URI of an API object, whose last segment addresses it in requests: no
#: query, fragment, whitespace or dot segments, and not absurdly long.
_URI = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%:@!$&'()*+,;=-]+)+/?")
URI_MAX = 2048
_SHOWN = 40  # characters of a string value quoted in a message


class MalformedObject(MalformedResponse):
    """One object of an answer is not what the API reference promises."""


_MISSING = object()


def describe(value: object) -> str:
    """A short description of a JSON value for a message (never the whole of a huge string)."""
    if value is _MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = repr(value)
        return f"the number {text if len(text) <= _SHOWN else text[:_SHOWN] + '…'}"
    if isinstance(value, str):
        shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "…"
        return f"the string {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def is_uri(value: object) -> bool:
    if not isinstance(value, str) or len(value) > URI_MAX or not _URI.fullmatch(value):
        return False
    return value.rstrip("/").rsplit("/", 1)[-1] not in (".", "..")


def finite(value: object) -> bool:
    """A JSON number that arithmetic can use (not a boolean, NaN or an infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


class Fields:
    """A checked view of one API object.

    `what` names it in messages ("event type"); an object without a URI of its own is named
    by where it is too: "interval #1 of rule #3 of availability of event type (https://…)".
    """

    def __init__(
        self, data: object, what: str, parent: Fields | None = None, *, label: str | None = None
    ) -> None:
        uri = data.get("uri") if isinstance(data, Mapping) else None
        if label is not None:
            self.label = label
        elif is_uri(uri):
            self.label = f"{what} ({uri})"
        else:
            self.label = f"{what} of {parent.label}" if parent is not None else what
        if not isinstance(data, Mapping):
            raise MalformedObject(
                f"malformed {self.label}: it is {describe(data)}, expected an object"
            )
        self.data: Mapping[str, Any] = data

    def fail(
        self, key: str, value: object, expected: str, *, index: int | None = None
    ) -> MalformedObject:
        field = f"`{key}`" + (f" #{index}" if index is not None else "")
        return MalformedObject(
            f"malformed {self.label}: {field} is {describe(value)}, expected {expected}"
        )

    def _get(self, key: str, *, null: bool, missing: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING and missing:
            return None
        if value is None and null:
            return None
        return value

    def raw(self, key: str) -> Any:
        """A value that is only passed through (never compared or used in a request)."""
        return self.data.get(key)

    def text(self, key: str, *, null: bool = False, missing: bool = False) -> str | None:
        value = self._get(key, null=null, missing=missing)
        if value is None and (null or missing):
            return None
        if not isinstance(value, str):
            raise self.fail(key, value, "a string" + (" or null" if null else ""))
        return value

    def optional_texts(self, *keys: str) -> dict[str, str | None]:
        """Read-only facts kept for reports: each a string, null or absent."""
        return {key: self.text(key, null=True, missing=True) for key in keys}

    def required_text(self, key: str) -> str:
        """A string that identifies something: present and not empty."""
        value = self.data.get(key, _MISSING)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, value, "a non-empty string")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.data.get(key, _MISSING)
        if value not in allowed:
            raise self.fail(key, value, "one of " + ", ".join(allowed))
        return str(value)

    def uri(self, key: str) -> str:
        value = self.data.get(key, _MISSING)
        if not is_uri(value):
            raise self.fail(key, value, "an https URI")
        return str(value)

    def optional_uri(self, key: str) -> str | None:
        """A URI, or null / missing."""
        value = self.data.get(key)
        if value is None:
            return None
        if not is_uri(value):
            raise self.fail(key, value, "an https URI or null")
        return str(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, _MISSING)
        if not isinstance(value, bool):
            raise self.fail(key, value, "true or false")
        return value

    def number(self, key: str, *, null: bool = False) -> int | float | None:
        value = self.data.get(key, _MISSING)
        if value is None and null:
            return None
        if not finite(value):
            raise self.fail(key, value, "a number" + (" or null" if null else ""))
        number: int | float = value
        return number

    def numbers(self, key: str) -> list[int | float]:
        """A list of numbers, or null / missing (an empty list)."""
        value = self.data.get(key)
        if value is None:
            return []
        self._list_of(key, value, finite, "a number", "a list of numbers or null")
        return list(value)

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key, _MISSING)
        self._list_of(key, value, lambda v: isinstance(v, str), "a string", "a list of strings")
        return list(value)

    def _list_of(
        self, key: str, value: object, ok: Callable[[object], bool], item: str, whole: str
    ) -> None:
        if not isinstance(value, list):
            raise self.fail(key, value, whole)
        for index, element in enumerate(value, 1):
            if not ok(element):
                raise self.fail(key, element, item, index=index)

    def child(self, key: str, what: str) -> Fields:
        value = self.data.get(key, _MISSING)
        if not isinstance(value, Mapping):
            raise self.fail(key, value, "an object")
        return Fields(value, what, self)

    def optional_child(self, key: str, what: str) -> Fields | None:
        """A nested object, or None when it is null or missing."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.fail(key, value, "an object or null")
        return Fields(value, what, self)

    def children(self, key: str, what: str, *, null: bool = False) -> list[Fields]:
        """A list of objects (`null`: also null or missing, then an empty list)."""
        value = self.data.get(key, _MISSING)
        if null and (value is None or value is _MISSING):
            return []
        whole = "a list of objects" + (" or null" if null else "")
        self._list_of(key, value, lambda v: isinstance(v, Mapping), "an object", whole)
        assert isinstance(value, list)
        return [Fields(v, f"{what} #{i}", self) for i, v in enumerate(value, 1)]
