"""`diff.field_changes` compares plain JSON specs itself (DeepDiff is about 100 times slower):
it must report exactly the paths that DeepDiff of the whole spec reports, which this checks
against the original DeepDiff implementation on generated specs (types mixed on purpose: 1, 1.0 and
True differ for DeepDiff)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from deepdiff import DeepDiff
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reconciler.diff import _nested_order, field_changes
from reconciler.plan import FieldChange

NAMES = st.sampled_from(["duration", "active", "rules", "events", "locations", "timezone"])
SUBKEYS = st.sampled_from(["monday", "tuesday", "2026-12-24", "kind", "a"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from([0.0, 1.0, 2.5, -0.0]),
    st.sampled_from(["", "a", "09:00-17:00", "1"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SUBKEYS, inner, max_size=3),
    max_leaves=8,
)
SPECS = st.dictionaries(NAMES, VALUES, max_size=5)


def deepdiff_field_changes(
    old: Mapping[str, Any], new: Mapping[str, Any]
) -> tuple[FieldChange, ...] | None:
    """The implementation before the fast path: DeepDiff of the whole spec (the oracle)."""
    found = DeepDiff(dict(old), dict(new), view="tree", verbose_level=2)
    paths: set[tuple[str, ...]] = set()
    for items in found.values():
        for item in items:
            path = [str(p) for p in item.path(output_format="list")]
            if not path:  # DeepDiff lumped the whole spec: the old code raised IndexError
                return None
            nested = isinstance(old.get(path[0]), Mapping) and isinstance(new.get(path[0]), Mapping)
            paths.add(tuple(path[:2] if nested and len(path) > 1 else path[:1]))
    order = {name: i for i, name in enumerate([*new, *old])}

    def lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
        value: Any = data
        for part in path:
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value

    return tuple(
        FieldChange(".".join(path), lookup(old, path), lookup(new, path))
        for path in sorted(
            paths, key=lambda p: (order.get(p[0], len(order)), _nested_order(new, old, p))
        )
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(SPECS, SPECS)
def test_same_paths_as_deepdiff_on_random_specs(old: dict[str, Any], new: dict[str, Any]) -> None:
    expected = deepdiff_field_changes(old, new)
    assume(expected is not None)
    assert field_changes(old, new) == expected


@settings(max_examples=200, deadline=None, derandomize=True)
@given(SPECS, st.data())
def test_same_paths_as_deepdiff_on_small_edits(old: dict[str, Any], data: Any) -> None:
    new = dict(old)
    for name in data.draw(st.lists(NAMES, max_size=2)):
        new[name] = data.draw(VALUES)
    expected = deepdiff_field_changes(old, new)
    assume(expected is not None)
    assert field_changes(old, new) == expected


Spec = dict[str, Any]


def test_deepdiff_compares_lists_of_scalars_with_equality() -> None:
    cases: list[tuple[Spec, Spec]] = [
        ({"events": [1, True]}, {"events": [1.0, 1]}),
        ({"locations": [[False, "a"]]}, {"locations": [[0, "a"]]}),
    ]
    for old, new in cases:
        assert field_changes(old, new) == deepdiff_field_changes(old, new) == (), (old, new)


def test_type_strictness_matches_deepdiff() -> None:
    cases: list[tuple[Spec, Spec]] = [
        ({"locations": [{"kind": 1}]}, {"locations": [{"kind": 1.0}]}),
        ({"locations": [[1], 1]}, {"locations": [[1], 1.0]}),
        ({"duration": 1}, {"duration": 1.0}),
        ({"active": True}, {"active": 1}),
        ({"rules": {"monday": []}}, {"rules": {"monday": ()}}),
        ({"rules": {"monday": ["09:00-17:00"]}}, {"rules": OrderedDict(monday=["09:00-17:00"])}),
        ({"events": ["a", "b"]}, {"events": ["b", "a"]}),
        ({"duration": float("nan")}, {"duration": float("nan")}),
    ]
    for old, new in cases:
        assert field_changes(old, new) == deepdiff_field_changes(old, new), (old, new)
        assert field_changes(old, new) != ()


def test_specs_with_no_field_in_common_are_compared_field_by_field() -> None:
    """The old code raised IndexError here (DeepDiff reported the whole spec as one value)."""
    assert field_changes({}, {"duration": 30, "active": True}) == (
        FieldChange("duration", None, 30),
        FieldChange("active", None, True),
    )


def test_nested_fields_are_reported_one_level_deep() -> None:
    old = {"timezone": "UTC", "rules": {"monday": ["09:00-17:00"], "tuesday": []}}
    new = {"timezone": "UTC", "rules": {"monday": ["09:00-12:00"], "tuesday": []}}
    assert field_changes(old, new) == (
        FieldChange("rules.monday", ["09:00-17:00"], ["09:00-12:00"]),
    )
