"""jsonschema's errors → problems in plain words, each at the most precise position.

jsonschema speaks in validator names and Python reprs ("Additional properties are not allowed
('colour' was unexpected)"); users need "unknown key 'colour' (did you mean 'color'?)" at the
key's own line. Rules that keep one mistake to one message:

* a value of the wrong type gets only the type message, not also its enum or pattern failures;
* for `anyOf`/`oneOf`, the alternative whose type matches the value is the one explained;
* nothing is reported under a path that already has a problem (e.g. a missing variable);
* a schema may carry `errorMessage` (and `patternErrorMessage`, which editors also show) when the
  generic words would not say what is wrong.

Signing keys are never shown: their problems say "invalid value (sensitive, not shown)".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema is imported only when a file has schema errors to word
    from jsonschema.exceptions import ValidationError

from reconciler.config.document import DataPath, Document, is_sensitive
from reconciler.config.problems import Problem
from reconciler.config.suggest import did_you_mean

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}
_SCALARS = (str, int, float, bool)
_MAX_SHOWN = 60


def schema_problems(document: Document, errors: Iterable[ValidationError]) -> list[Problem]:
    # Only paths that had a problem before validation silence it: a missing key must not hide
    # a wrong value next to it.
    skip = frozenset(document.bad)
    problems: list[Problem] = []
    for error in _relevant(errors):
        problems.extend(_explain(document, error, skip))
    return problems


def _under(path: DataPath, skip: frozenset[DataPath]) -> bool:
    # O(depth), not O(problems): thousands of problems must not make validation quadratic.
    return any(path[:n] in skip for n in range(len(path) + 1))


def _relevant(errors: Iterable[ValidationError]) -> list[ValidationError]:
    """Drop the failures of a value whose type is already wrong."""
    errors = list(errors)
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    return [e for e in errors if e.validator == "type" or tuple(e.absolute_path) not in mistyped]


def _explain(
    document: Document, error: ValidationError, skip: frozenset[DataPath]
) -> list[Problem]:
    path: DataPath = tuple(error.absolute_path)
    if _under(path, skip):
        return []
    sensitive = is_sensitive(path)
    validator = str(error.validator)
    expected: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance

    if validator == "additionalProperties":
        return _unknown_keys(document, path, schema, instance)
    if validator == "not" and isinstance(expected, dict):
        forbidden = expected.get("required")
        if isinstance(forbidden, list) and len(forbidden) == 1:
            key_path = (*path, str(forbidden[0]))
            message = schema.get("errorMessage") or f"key {forbidden[0]!r} is not allowed here"
            return [document.problem(key_path, message, at_key=True)]
    custom = schema.get("errorMessage")
    if isinstance(custom, str):
        shown = _shown(instance)
        got = f" (got {shown})" if shown and not sensitive else ""
        return [_problem(document, path, custom + got, sensitive)]
    if validator in ("anyOf", "oneOf"):
        return _alternatives(document, error, skip)
    if validator == "required":
        return [
            document.problem(path, f"missing required key {key!r}")
            for key in expected
            if isinstance(instance, dict) and key not in instance
        ]
    if validator == "uniqueItems" and isinstance(instance, list):
        return _duplicate_items(document, path, instance, sensitive)
    message = _message(validator, expected, instance, schema, sensitive)
    return [_problem(document, path, message, sensitive)]


def _problem(document: Document, path: DataPath, message: str, sensitive: bool) -> Problem:
    if sensitive:
        message = f"invalid value (sensitive, not shown): {message}"
    comment = document.commented.get(path)
    if comment and path:
        example = "" if sensitive else f", e.g. {path[-1]}: {json.dumps(comment)}"
        message += f"; a '#' after '{path[-1]}:' starts a YAML comment: quote the value{example}"
    return document.problem(path, message)


def _message(
    validator: str, expected: Any, instance: Any, schema: dict[str, Any], sensitive: bool
) -> str:
    shown = "" if sensitive else _shown(instance)
    if validator == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        return (
            f"expected {_or(_TYPE_NAMES.get(t, t) for t in wanted)}, got {_kind(instance, shown)}"
        )
    if validator == "enum":
        return _not_one_of(instance, expected, shown)
    if validator == "const":
        return f"expected {_literal(expected)}, got {shown or _kind(instance, '')}"
    if validator == "pattern":
        hint = schema.get("patternErrorMessage")
        if isinstance(hint, str):
            return f"{hint} (got {shown})" if shown else hint
        return f"{shown or 'the value'} does not match the pattern {expected}"
    if validator == "format":
        return _bad_format(expected, shown)
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "greater than",
            "exclusiveMaximum": "less than",
        }[validator]
        return f"must be {relation} {expected}" + (f", got {shown}" if shown else "")
    if validator == "minItems":
        return "must not be empty" if expected == 1 else f"must have at least {expected} items"
    if validator == "maxItems":
        return f"must have at most {expected} items, got {len(instance)}"
    if validator == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters"
    if validator == "maxLength":
        return f"must be at most {expected} characters"
    if validator == "not":
        return "this value is not allowed here"
    return f"invalid value ({validator})"  # a validator our schemas do not use


def _unknown_keys(
    document: Document, path: DataPath, schema: dict[str, Any], instance: Any
) -> list[Problem]:
    if not isinstance(instance, dict):
        return []
    known = list(schema.get("properties", {}))
    patterns = list(schema.get("patternProperties", {}))
    problems = []
    for key in instance:
        if key in known or any(re.search(p, key) for p in patterns):
            continue
        close = did_you_mean(key, known)
        if close:
            hint = f"did you mean {close!r}?"
        elif known:
            hint = f"expected one of: {', '.join(known)}"
        else:  # keys are data (emails), described by the schema
            hint = str(schema.get("keyErrorMessage", "no key is allowed here"))
        message = f"unknown key {key!r} ({hint})"
        problems.append(document.problem((*path, key), message, at_key=True))
    return problems


def _duplicate_items(
    document: Document, path: DataPath, items: list[Any], sensitive: bool
) -> list[Problem]:
    problems = []
    first: dict[str, int] = {}  # by canonical JSON: one pass, not a comparison of every pair
    for index, item in enumerate(items):
        earlier = first.setdefault(_canonical(item), index)
        if earlier != index:
            shown = "" if sensitive else f" {_shown(item) or ''}".rstrip()
            message = f"duplicate item{shown} (same as item {earlier})"
            problems.append(_problem(document, (*path, index), message, sensitive))
    return problems


def _canonical(value: Any) -> str:
    # 1 and true are different values to JSON Schema, though equal in Python: the type is part
    # of the key. Key order does not matter to JSON Schema's equality.
    return f"{type(value).__name__}:{json.dumps(value, sort_keys=True, default=str)}"


def _alternatives(
    document: Document, error: ValidationError, skip: frozenset[DataPath]
) -> list[Problem]:
    """Explain an anyOf/oneOf failure through the alternative that fits the value's type."""
    path: DataPath = tuple(error.absolute_path)
    sensitive = is_sensitive(path)
    if not error.context:
        return [_problem(document, path, "matches more than one alternative", sensitive)]
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    fitting = [
        errors
        for _, errors in sorted(branches.items())
        if not any(e.validator == "type" and not e.relative_path for e in errors)
    ]
    if fitting:
        best = min(fitting, key=len)  # the closest alternative: fewest complaints
        problems: list[Problem] = []
        for sub in _relevant(best):
            problems.extend(_explain(document, sub, skip))
        return problems
    wanted: list[str] = []
    for sub in error.context:
        if sub.validator == "type" and not sub.relative_path:
            types: Any = sub.validator_value
            for t in [types] if isinstance(types, str) else types:
                name = _TYPE_NAMES.get(t, t)
                if name not in wanted:
                    wanted.append(name)
    shown = "" if sensitive else _shown(error.instance)
    message = f"expected {_or(wanted)}, got {_kind(error.instance, shown)}"
    return [_problem(document, path, message, sensitive)]


def _not_one_of(instance: Any, options: Sequence[Any], shown: str) -> str:
    listed = ", ".join(_plain(o) for o in options)
    message = f"{shown or 'the value'} is not one of: {listed}"
    if shown and isinstance(instance, str):
        close = did_you_mean(instance, [str(o) for o in options])
        if close:
            message += f" (did you mean {close!r}?)"
    return message


def _bad_format(name: str, shown: str) -> str:
    subject = shown or "the value"
    if name == "email":
        return f"{subject} is not a valid email address"
    if name == "date":
        return f"{subject} is not a valid date (expected YYYY-MM-DD)"
    return f"{subject} is not a valid {name}"


def _or(names: Iterable[str]) -> str:
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _kind(value: Any, shown: str) -> str:
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        kind = "a boolean"
    elif isinstance(value, int):
        kind = "an integer"
    elif isinstance(value, float):
        kind = "a number"
    elif isinstance(value, str):
        kind = "a string"
    elif isinstance(value, dict):
        kind = "a mapping"
    elif isinstance(value, list):
        kind = "a list"
    else:
        kind = type(value).__name__
    return f"{kind} ({shown})" if shown else kind


def quote(value: Any) -> str:
    """A value for a message: as the user would write it, shortened (never a whole 10 KB)."""
    return _shown(value)


def _shown(value: Any) -> str:
    """A scalar as the user would write it, shortened; "" for collections."""
    if not isinstance(value, _SCALARS) and value is not None:
        return ""
    if value is None:
        return "null"
    text = _literal(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 4] + "…" + text[-1]


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else _literal(value)
