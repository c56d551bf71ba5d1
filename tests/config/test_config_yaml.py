"""The YAML layer: YAML 1.2 scalars, positions, anchors, merge keys and their limits."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.config.document import Pos
from reconciler.config.problems import Problem
from reconciler.config.yaml_loader import MAX_ALIAS_NODES, parse


def _value(text: str) -> Any:
    document, problems = parse(f"v: {text}\n", "t.yaml")
    assert problems == []
    assert document is not None
    return document.data["v"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # YAML 1.1 would read booleans, sexagesimal numbers and timestamps here.
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("No", "No"),
        ("y", "y"),
        ("09:00", "09:00"),
        ("1:30:00", "1:30:00"),
        ("2026-12-24", "2026-12-24"),
        ("2026-12-24T10:00:00Z", "2026-12-24T10:00:00Z"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        # YAML 1.2 core schema
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("null", None),
        ("~", None),
        ("", None),
        ("30", 30),
        ("-3", -3),
        ("+12", 12),
        ("017", 17),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("'30'", "30"),
        ('"true"', "true"),
        ("!!str 30", "30"),
        ("!!float 2", 2.0),
        ("!!int '7'", 7),
    ],
)
def test_scalars_resolve_as_in_yaml_1_2(text: str, value: Any) -> None:
    result = _value(text)
    assert (result, type(result)) == (value, type(value))


def test_every_key_and_value_has_its_position() -> None:
    text = "members:\n  - email: a@b.example\n    role: admin\nlist: [x, {k: v}]\n"
    document, problems = parse(text, "t.yaml")
    assert problems == []
    assert document is not None
    assert document.values == {
        (): Pos(1, 1),
        ("members",): Pos(2, 3),
        ("members", 0): Pos(2, 5),
        ("members", 0, "email"): Pos(2, 12),
        ("members", 0, "role"): Pos(3, 11),
        ("list",): Pos(4, 7),
        ("list", 0): Pos(4, 8),
        ("list", 1): Pos(4, 11),
        ("list", 1, "k"): Pos(4, 15),
    }
    assert document.keys == {
        ("members",): Pos(1, 1),
        ("members", 0, "email"): Pos(2, 5),
        ("members", 0, "role"): Pos(3, 5),
        ("list",): Pos(4, 1),
        ("list", 1, "k"): Pos(4, 12),
    }


def test_aliases_expand_with_positions_of_the_anchor() -> None:
    document, problems = parse("a: &x [1, 2]\nb: *x\n", "t.yaml")
    assert problems == []
    assert document is not None
    assert document.data == {"a": [1, 2], "b": [1, 2]}
    assert document.values[("b", 1)] == Pos(1, 11)


def test_merge_keys_explicit_keys_win_and_earlier_merges_win() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n"
    document, problems = parse(text, "t.yaml")
    assert problems == []
    assert document is not None
    assert document.data["c"] == {"x": 3, "y": 1, "z": 2}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert _value("{'<<': 1}") == {"<<": 1}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "a: &a [*a]\n",
            Problem("t.yaml", 1, 4, "a[0]", "an alias refers to a node that contains it (a cycle)"),
        ),
        (
            "a: &a {<<: *a}\n",
            Problem("t.yaml", 1, 4, "a", "an alias refers to a node that contains it (a cycle)"),
        ),
        (
            "a: {<<: [1]}\n",
            Problem("t.yaml", 1, 4, "a", "a '<<' merge key takes a mapping or a list of mappings"),
        ),
        (
            "? [x]\n: 1\n",
            Problem("t.yaml", 1, 3, '["?"]', "a mapping key must be a plain string"),
        ),
        ("a: !!int x\n", Problem("t.yaml", 1, 4, "a", "invalid !!int value")),
        ("a: !!float x\n", Problem("t.yaml", 1, 4, "a", "invalid !!float value")),
        ("a: .inf\n", Problem("t.yaml", 1, 4, "a", "infinite and NaN numbers are not supported")),
        (
            "a: !!timestamp 2026-01-01\n",
            Problem("t.yaml", 1, 4, "a", "unsupported YAML tag !!timestamp"),
        ),
        ("a: !custom {}\n", Problem("t.yaml", 1, 4, "a", "unsupported YAML tag !custom")),
        ("a: !!omap []\n", Problem("t.yaml", 1, 4, "a", "unsupported YAML tag !!omap")),
    ],
)
def test_node_problems(text: str, problem: Problem) -> None:
    _, problems = parse(text, "t.yaml")
    assert problems == [problem]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "a: [1\n",
            Problem(
                "t.yaml",
                2,
                1,
                "",
                "YAML syntax error: expected ',' or ']', but got '<stream end>' "
                "(while parsing a flow sequence at line 1, column 4)",
            ),
        ),
        (
            "a: b: c\n",
            Problem("t.yaml", 1, 5, "", "YAML syntax error: mapping values are not allowed here"),
        ),
        (
            "a:\n\tb: 1\n",
            Problem(
                "t.yaml",
                2,
                1,
                "",
                "YAML syntax error: found character '\\t' that cannot start any token "
                "(while scanning for the next token)",
            ),
        ),
        (
            "a: *nope\n",
            Problem("t.yaml", 1, 4, "", "YAML syntax error: found undefined alias 'nope'"),
        ),
        (
            "a: &x 1\nb: &x 2\n",
            Problem(
                "t.yaml",
                2,
                4,
                "",
                "YAML syntax error: duplicate anchor 'x' (first defined at line 1, column 4)",
            ),
        ),
        ("[" * 5000, Problem("t.yaml", 0, 0, "", "the document is nested too deeply")),
        (
            "42\n",
            Problem(
                "t.yaml",
                1,
                1,
                "",
                "the top level must be a mapping of sections (version, organization, members, "
                "event_types, webhooks, policy), got a single value",
            ),
        ),
    ],
)
def test_file_problems(text: str, problem: Problem) -> None:
    document, problems = parse(text, "t.yaml")
    assert (document, problems) == (None, [problem])


def test_alias_budget_allows_reasonable_reuse_and_stops_bombs() -> None:
    # 1,000 aliases of a 50-node list: 50,000 nodes, under the budget.
    shared = "x: &x [" + ", ".join(["1"] * 49) + "]\n"
    ok = shared + "y: [" + ", ".join(["*x"] * 1000) + "]\n"
    document, problems = parse(ok, "t.yaml")
    assert problems == []
    assert document is not None
    assert len(document.data["y"]) == 1000
    too_many = shared + "y: [" + ", ".join(["*x"] * (MAX_ALIAS_NODES // 50 + 1)) + "]\n"
    assert parse(too_many, "t.yaml")[0] is None


def test_null_top_level_is_an_empty_file() -> None:
    for text in ("", "# only a comment\n", "---\n", "~\n", "null\n"):
        document, problems = parse(text, "t.yaml")
        assert problems == []
        assert document is not None
        assert document.data == {}
