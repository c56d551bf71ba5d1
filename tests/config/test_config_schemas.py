"""The published JSON Schemas: valid, documented, found both in a checkout and in a wheel."""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from reconciler.config import schema

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
VALID = Path(__file__).parent / "data" / "valid"


def _schema(name: str) -> Any:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _properties(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every property declaration in a schema, with a readable location.

    `if` subschemas are skipped: they test a value, they do not declare it.
    """
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}.properties.{name}", sub
        for key, value in node.items():
            if key != "if":
                yield from _properties(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{where}[{index}]")


def test_the_schema_files_are_exactly_the_published_set() -> None:
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == sorted(schema.SCHEMA_FILES)


@pytest.mark.parametrize("name", schema.SCHEMA_FILES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    contents = _schema(name)
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(contents)


@pytest.mark.parametrize("name", schema.SCHEMA_FILES)
def test_every_property_has_a_title_and_a_description(name: str) -> None:
    properties = list(_properties(_schema(name), name))
    assert properties  # the walk found what it checks
    undocumented = [
        where
        for where, sub in properties
        if not (isinstance(sub, dict) and sub.get("title") and sub.get("description"))
    ]
    assert undocumented == []


@pytest.mark.parametrize("name", schema.SCHEMA_FILES)
def test_objects_are_strict(name: str) -> None:
    objects = list(_objects(_schema(name), name))
    assert objects
    assert [where for where, node in objects if node.get("additionalProperties") is not False] == []


def _objects(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{where}[{index}]")


def test_cross_file_references_are_relative_file_names() -> None:
    refs = re.findall(r'"\$ref": "([^"#]+)', (SCHEMAS / "config.schema.json").read_text())
    assert sorted(refs) == sorted(schema.SCHEMA_FILES[1:])
    assert all("$id" not in _schema(name) for name in schema.SCHEMA_FILES)


def test_editor_modelines_of_the_test_data_point_at_the_schema() -> None:
    targets = {}
    for file in sorted(VALID.rglob("*.yaml")):
        match = re.search(r"yaml-language-server: \$schema=(\S+)", file.read_text())
        if match:
            targets[file.relative_to(VALID).as_posix()] = (file.parent / match.group(1)).resolve()
    assert targets  # some test data does carry a modeline: the check is not vacuous
    assert set(targets.values()) == {SCHEMAS / "config.schema.json"}, targets


def test_schemas_are_found_in_a_checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The source tree has no reconciler/schemas: the lookup falls back to the repository root.
    monkeypatch.setattr(importlib.resources, "files", lambda _package: tmp_path)
    assert Path(str(schema.schemas_dir())) == SCHEMAS


def test_schemas_are_found_in_an_installed_wheel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # hatch force-include puts them at reconciler/schemas/ inside the wheel.
    packaged = tmp_path / "schemas"
    packaged.mkdir()
    for name in schema.SCHEMA_FILES:
        (packaged / name).write_text((SCHEMAS / name).read_text())
    monkeypatch.setattr(importlib.resources, "files", lambda _package: tmp_path)
    assert schema.schemas_dir() == packaged


def test_pyproject_ships_the_schemas_where_the_lookup_expects_them() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"schemas" = "reconciler/schemas"' in pyproject
