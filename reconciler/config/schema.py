"""The JSON Schemas of the format (`schemas/*.schema.json`) and validating one file against them.

The schema files are published for editors (yaml-language-server), so they reference each other
by relative file name and carry no `$id`: the editor resolves them next to the file, and here a
`referencing` Registry holds them under those same names.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import json
import re
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, cast

import jsonschema
import jsonschema.validators
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from reconciler.config.document import Document
from reconciler.config.messages import schema_problems
from reconciler.config.problems import Problem

SCHEMA_FILES = (
    "config.schema.json",
    "members.schema.json",
    "event_types.schema.json",
    "webhooks.schema.json",
    "policy.schema.json",
    "availability_schedules.schema.json",
)
ROOT_SCHEMA = "config.schema.json"

# A basic syntactic check, as the contract asks: something@domain.tld, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def schemas_dir() -> Traversable:
    """Where the schema files are: inside an installed wheel, or at the root of a checkout.

    pyproject's hatch `force-include` maps the repository's `schemas/` to `reconciler/schemas/`
    in the wheel; a source checkout (or an editable install) has them next to the package.
    """
    packaged = importlib.resources.files("reconciler") / "schemas"
    if packaged.is_dir() and packaged.joinpath(ROOT_SCHEMA).is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "schemas"
    if checkout.joinpath(ROOT_SCHEMA).is_file():
        return checkout
    # A broken installation, not a user mistake: keep the traceback.
    raise FileNotFoundError(f"cannot find {ROOT_SCHEMA} in {packaged} or {checkout}")


@functools.cache
def load_schemas() -> dict[str, Any]:
    """Every schema file's contents, by file name."""
    directory = schemas_dir()
    return {
        name: json.loads(directory.joinpath(name).read_text(encoding="utf-8"))
        for name in SCHEMA_FILES
    }


def _for_validation(name: str) -> dict[str, Any]:
    # jsonschema picks the validator class of a subschema from its `$schema`, which would drop
    # our stricter `integer` type when crossing to another file: the draft is given explicitly.
    return {k: v for k, v in load_schemas()[name].items() if k != "$schema"}


def registry() -> Registry[Any]:
    resources: list[tuple[str, Resource[Any]]] = [
        (name, DRAFT202012.create_resource(_for_validation(name))) for name in SCHEMA_FILES
    ]
    return Registry().with_resources(resources)


def _is_integer(_checker: object, instance: object) -> bool:
    # JSON Schema counts 30.0 as an integer; a config that writes `duration: 30.0` is a typo.
    return isinstance(instance, int) and not isinstance(instance, bool)


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("email")
    def _email(instance: object) -> bool:
        return not isinstance(instance, str) or bool(_EMAIL.match(instance))

    @checker.checks("date")
    def _date(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        if not _DATE.match(instance):
            return False
        try:
            datetime.date.fromisoformat(instance)
        except ValueError:
            return False
        return True

    return checker


@functools.cache
def validator() -> Validator:
    """A validator for one file (every section optional), checking formats and strict integers."""
    strict = jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # untyped upstream
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    )
    checker = strict(
        _for_validation(ROOT_SCHEMA), registry=registry(), format_checker=_format_checker()
    )
    return cast(Validator, checker)


def validate(document: Document) -> list[Problem]:
    """Schema problems of one file, in plain words, at the most precise position."""
    return schema_problems(document, validator().iter_errors(document.data))
