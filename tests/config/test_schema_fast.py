"""The fast schema check (fastjsonschema) never calls a file valid that jsonschema refuses.

`schema.validate` trusts `fast_valid` to skip jsonschema; a file it refuses goes to jsonschema
for the messages. So the one thing that must hold: fast_valid(data) implies jsonschema finds no
error. The converse is checked too (when they disagree the other way, a valid file only takes
the slow path; still a bug worth knowing). Inputs: every valid file of the corpus, and those
files' data mutated leaf by leaf and key by key, which is where the two could differ (integer
vs float vs bool, string patterns with a trailing newline, formats, unknown keys).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.config import schema
from reconciler.config.schema import GENERATED, fast_valid, generated_source, inlined, validator
from reconciler.config.yaml_loader import parse

ROOT = Path(__file__).resolve().parents[2]
VALID = sorted(
    [*ROOT.glob("tests/config/data/valid/**/*.y*ml"), *ROOT.glob("examples/**/*.y*ml")], key=str
)


def _data(path: Path) -> dict[str, Any]:
    document, _ = parse(path.read_text(encoding="utf-8"), path.name)
    assert document is not None
    return document.data


def _jsonschema_valid(data: Any) -> bool:
    return not any(True for _ in validator().iter_errors(data))


def _agree(data: Any) -> None:
    before = copy.deepcopy(data)
    fast, slow = fast_valid(data), _jsonschema_valid(data)
    assert not (fast and not slow), "fast_valid accepted what jsonschema refuses"
    assert fast == slow, "fast_valid refused what jsonschema accepts"
    assert data == before  # no defaults written into the config


@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(ROOT)))
def test_agree_on_the_corpus(path: Path) -> None:
    _agree(_data(path))


@pytest.mark.parametrize(("duration", "valid"), [(30, True), (30.0, False), (True, False)])
def test_integers_are_strict_in_both(duration: object, valid: bool) -> None:
    data = {"event_types": [{"name": "A", "owner": "a@b.example", "duration": duration}]}
    assert fast_valid(data) is valid
    assert _jsonschema_valid(data) is valid


def test_fractions_are_numbers_in_both() -> None:
    data = {"policy": {"max_delete_fraction": 0.25}}
    assert fast_valid(data)
    assert _jsonschema_valid(data)


def test_the_generated_check_is_current() -> None:
    assert GENERATED.read_text(encoding="utf-8") == generated_source(), (
        "schemas/*.schema.json changed: run `make generated` (until then the check is compiled "
        "at every run, correct but slower)"
    )


def test_the_generated_check_is_the_one_used() -> None:
    from reconciler.config import _schema_generated

    assert schema.fast_check() is _schema_generated.check


def test_a_stale_generated_check_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from reconciler.config import _schema_generated

    monkeypatch.setattr(_schema_generated, "SCHEMA_HASH", "stale")
    schema.fast_check.cache_clear()
    try:
        compiled = schema.fast_check()
        assert compiled is not _schema_generated.check
        for path in VALID:
            assert fast_valid(_data(path)) == _jsonschema_valid(_data(path))
        assert not fast_valid({"members": [{"email": "not an email"}]})
        assert not fast_valid(
            {"event_types": [{"name": "A", "owner": "a@b.example", "duration": 1.0}]}
        )
    finally:
        schema.fast_check.cache_clear()


def test_the_inlined_schema_has_no_ref_left() -> None:
    assert "$ref" not in repr(inlined())


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 100_000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            "x",
            "09:00-17:00",
            "09:00-17:00\n",
            "a@b.example",
            "a@b.example\n",
            "not an email",
            "2026-02-30",
            "2026-12-24",
            "2026-12-24\n",
            "#0069ff",
            "#0069ff\n",
            "https://example.com/hook",
            "https://api.calendly.com/organizations/ABC",
            "https://api.calendly.com/organizations/ABC\n",
            "monday",
            "zoom_conference",
            "organization",
            "user",
            "invitee.created",
            "owner",
            "admin",
            "user",
            "Europe/Berlin",
        ]
    ),
    st.text(max_size=5),
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(_data(draw(st.sampled_from(VALID))))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        operation = draw(st.sampled_from(["replace", "delete", "add", "wrap"]))
        if operation == "replace":
            parent[path[-1]] = draw(LEAVES)
        elif operation == "wrap":
            parent[path[-1]] = [parent[path[-1]]]
        elif operation == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "uuid", "kind", "scope", "role"]))] = draw(LEAVES)
        else:
            parent.append(draw(LEAVES))
    return data


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(mutated())
def test_agree_on_mutated_data(data: Any) -> None:
    _agree(data)
