"""The JSON Schemas of the format (`schemas/*.schema.json`) and validating one file against them.

The schema files are published for editors (yaml-language-server), so they reference each other
by relative file name and carry no `$id`: the editor resolves them next to the file, and here a
`referencing` Registry holds them under those same names.

Two validators, one answer. fastjsonschema compiles the schema (its `$ref`s inlined) to Python
once per process and says whether a file is valid about 10x faster than jsonschema; a valid
file (nearly every file, nearly every run) stops there, and `validate` never imports jsonschema.
A file it refuses goes to jsonschema, whose errors `messages.py` words.
`tests/config/test_schema_fast.py` checks that the two agree.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import importlib.resources
import json
import re
from collections.abc import Callable
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from reconciler.config.document import Document
from reconciler.config.problems import Problem

if TYPE_CHECKING:
    from jsonschema import FormatChecker
    from jsonschema.protocols import Validator
    from referencing import Registry

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
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources: list[tuple[str, Resource[Any]]] = [
        (name, DRAFT202012.create_resource(_for_validation(name))) for name in SCHEMA_FILES
    ]
    return Registry().with_resources(resources)


def _is_integer(_checker: object, instance: object) -> bool:
    # JSON Schema counts 30.0 as an integer; a config that writes `duration: 30.0` is a typo.
    return isinstance(instance, int) and not isinstance(instance, bool)


def _email(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_EMAIL.match(instance))


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


#: The formats both validators check, and only these (jsonschema's others are off too).
FORMATS: dict[str, Callable[[object], bool]] = {"email": _email, "date": _date}


def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)
    return checker


@functools.cache
def validator() -> Validator:
    """A validator for one file (every section optional), checking formats and strict integers."""
    import jsonschema.validators
    from jsonschema import Draft202012Validator

    strict = jsonschema.validators.extend(  # type: ignore[no-untyped-call]  # untyped upstream
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    )
    checker = strict(
        _for_validation(ROOT_SCHEMA), registry=registry(), format_checker=_format_checker()
    )
    return cast("Validator", checker)


#: Keywords beside a `$ref` that only annotate (the inlined target replaces the `$ref`).
_ANNOTATIONS = frozenset({"title", "description", "markdownDescription", "default", "examples"})
#: Keywords whose values are data, not subschemas.
_DATA = frozenset({"enum", "const", "required", "default", "examples"})


def inlined() -> Any:
    """The root schema with every `$ref` replaced by what it points at (the schemas are acyclic)."""
    schemas = {name: _for_validation(name) for name in SCHEMA_FILES}
    done: dict[tuple[str, str], Any] = {}

    def target(ref: str, here: str) -> Any:
        file, _, pointer = ref.partition("#")
        key = (file or here, pointer)
        if key not in done:
            node = schemas[key[0]]
            for part in pointer.split("/")[1:]:
                node = node[part]
            done[key] = walk(node, key[0])
        return done[key]

    def walk(node: Any, here: str) -> Any:
        if isinstance(node, list):
            return [walk(item, here) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and set(node) <= _ANNOTATIONS | {"$ref"}:
            return target(node["$ref"], here)
        if "$ref" in node:  # never so far: keep exact semantics rather than guess
            raise ValueError(f"{here}: a $ref beside validation keywords: {sorted(node)}")
        return {k: v if k in _DATA else walk(v, here) for k, v in node.items() if k != "$defs"}

    return walk(schemas[ROOT_SCHEMA], ROOT_SCHEMA)


#: The fast check, generated from the schemas by `make generated` (write_generated) and
#: committed: importing it costs nothing, compiling it costs ~50 ms a run. It is used only
#: while its SCHEMA_HASH matches the schema files; otherwise the check is compiled at run time.
GENERATED = Path(__file__).with_name("_schema_generated.py")


def schema_hash() -> str:
    digest = hashlib.sha256()
    for name in SCHEMA_FILES:
        digest.update(name.encode() + b"\0" + json.dumps(load_schemas()[name]).encode() + b"\0")
    return digest.hexdigest()


def _generator() -> Any:
    """fastjsonschema's code generator for the inlined schema, with three differences.

    `type: integer` refuses 30.0 (draft 4's rule, this format's `_is_integer`; later drafts
    count it as an integer); defaults are never written into the data; and a failure raises
    one short exception (jsonschema words the errors), which keeps the code small.
    """
    from fastjsonschema.draft04 import CodeGeneratorDraft04
    from fastjsonschema.draft2019 import CodeGeneratorDraft2019
    from fastjsonschema.ref_resolver import RefResolver

    class Strict(CodeGeneratorDraft2019):
        generate_type = CodeGeneratorDraft04.generate_type

        def exc(self, msg: str, *args: Any, append_to_msg: Any = None, rule: Any = None) -> None:
            self.l('raise JsonSchemaValueException("invalid")')

    definition = inlined()
    resolver = RefResolver.from_schema(definition, handlers={}, store={})
    return Strict(  # type: ignore[no-untyped-call]  # untyped upstream
        definition, resolver=resolver, formats=FORMATS, use_default=False
    ), resolver.get_scope_name()


def generated_source() -> str:
    """The source of `_schema_generated.py`: self-contained, it imports only `re`."""
    generator, name = _generator()
    code = generator.func_code
    state = generator.global_state_code.replace(
        "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException",
        "class JsonSchemaValueException(ValueError):\n    pass\n\n\n"
        "JsonSchemaValuesException = JsonSchemaValueException",
    )
    header = (
        "# Generated by `make generated` from schemas/*.schema.json with\n"
        "# fastjsonschema: do not edit. Used only while SCHEMA_HASH matches the schemas.\n"
        "# ruff: noqa\n"
        "# mypy: ignore-errors\n"
        f'SCHEMA_HASH = "{schema_hash()}"\n'
    )
    return f"{header}{state}\n{code}\n\ncheck = {name}\n"


@functools.cache
def fast_check() -> Callable[..., Any]:
    """The compiled check of one file: raises a ValueError if the file is invalid.

    Call it as `fast_check()(data, custom_formats=FORMATS)`.
    """
    generated: Any
    try:
        from reconciler.config import _schema_generated as generated
    except ImportError:
        generated = None
    if getattr(generated, "SCHEMA_HASH", None) == schema_hash():
        check: Callable[..., Any] = generated.check
        return check
    generator, name = _generator()  # the schemas changed since it was generated
    state: dict[str, Any] = generator.global_state
    exec(generator.func_code, state)  # what fastjsonschema.compile does: the schema's own code
    compiled: Callable[..., Any] = state[name]
    return compiled


def fast_valid(data: Any) -> bool:
    """True only when the file is valid exactly as jsonschema (with `validator()`) would say."""
    try:
        fast_check()(data, custom_formats=FORMATS)
    except ValueError:  # the generated exception, or fastjsonschema's (a ValueError too)
        return False
    return True


def validate(document: Document) -> list[Problem]:
    """Schema problems of one file, in plain words, at the most precise position."""
    if fast_valid(document.data):
        return []
    from reconciler.config.messages import schema_problems

    return schema_problems(document, validator().iter_errors(document.data))


def write_generated() -> Path:
    """`make generated`: write `_schema_generated.py` for the schemas as they are."""
    GENERATED.write_text(generated_source(), encoding="utf-8")
    return GENERATED
