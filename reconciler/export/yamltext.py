"""Deterministic YAML text for the export: scalars quoted only when they must be, and the few
shapes the config format uses (block mappings, block lists of mappings, flow lists of scalars,
one-line flow mappings), with room for comments.

The text is built here rather than by `yaml.dump` because the export carries comments (PyYAML
cannot write them) and because every byte must be the same from one export to the next.
A plain (unquoted) scalar is written only when it reads back as the same string both under the
YAML 1.2 core schema that the config loader uses and under YAML 1.1 (what many editors and
linters assume), so `on`, `1e3` or `2026-12-24` never change meaning on the way back.

Every string value is written with `${` escaped as `$${` (config/interpolate.py): live text is
data, never a variable reference, so export → plan gives back exactly the live text, and a
member's `${CALENDLY_TOKEN}` in a description cannot make an admin's apply read a variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

INDENT = "  "

# In flow context (`[a, b]`, `{k: v}`) a plain scalar may hold letters and digits (any script)
# and this punctuation, none of which is a flow indicator.
_FLOW_PUNCTUATION = frozenset(" ._@+/-()'")
# Plain scalars that YAML 1.1 or 1.2 would read as something other than a string.
_NOT_A_STRING = re.compile(
    r"""(?x)
    ~ | null | true | false | yes | no | on | off | y | n     # null and booleans (1.1 and 1.2)
    | [-+]? (?: [0-9][0-9_]* (?: \.[0-9_]* )? | \.[0-9]+ ) (?: e[-+]?[0-9]+ )?  # numbers
    | [-+]? 0(?: x[0-9a-f_]+ | o[0-7_]+ | b[01_]+ )            # hex, octal, binary
    | [-+]? \.(?: inf | nan )
    | [-+]? [0-9][0-9_]* (?: :[0-5]?[0-9] )+ (?: \.[0-9_]* )?  # sexagesimal (1.1): 1:30 is 90
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2} .*                       # dates and timestamps (1.1)
    """,
    re.IGNORECASE,
)


def scalar(value: Any, *, flow: bool = False) -> str:
    """One scalar as YAML text: booleans, integers, and strings (plain or double-quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    text = escape_references(str(value))
    return text if is_plain_safe(text, flow=flow) else double_quoted(text)


def escape_references(text: str) -> str:
    """`${` → `$${`, which the config loader reads back as `${`: no live text is a reference."""
    return text.replace("${", "$${")


def is_plain_safe(text: str, *, flow: bool = False) -> bool:
    """Whether `text` reads back as itself when written without quotes.

    It must start with a letter or digit (no indicator), end without a space or colon, hold
    only printable characters (no line breaks, tabs, non-ASCII spaces) and no `: ` or ` #`
    (which would start a mapping value or a comment). Flow context also forbids `,[]{}`;
    both forbid what resolves to a non-string.
    """
    if not text or not text[0].isalnum() or text[-1] in " :" or not text.isprintable():
        return False
    if ": " in text or " #" in text:
        return False
    if flow and any(not (ch.isalnum() or ch in _FLOW_PUNCTUATION) for ch in text):
        return False
    return _NOT_A_STRING.fullmatch(text) is None


def double_quoted(text: str) -> str:
    """A double-quoted scalar with PyYAML's escapes (non-printable characters, line breaks)."""
    dumped = yaml.safe_dump(
        text, default_style='"', allow_unicode=True, width=1_000_000, explicit_end=False
    )
    return dumped.rstrip("\n").removesuffix("\n...")


def flow_list(values: Sequence[Any]) -> str:
    return "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"


def flow_mapping(data: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in data.items()) + "}"


def literal_block(text: str, indent: str) -> list[str] | None:
    """`|-` block lines for a multi-line string, or None when the text cannot be one exactly.

    A literal block keeps every character but the indentation, so it is used only for printable
    text without tabs, trailing spaces or leading space on its first line; anything else is
    double-quoted (with `\\n` escapes), which is always exact.
    """
    if "\n" not in text or text != text.strip():
        return None
    lines = escape_references(text).split("\n")
    # str.isprintable is False for tabs, \r, \x85, \u2028 and non-ASCII spaces: all of those
    # would be changed or read as line breaks inside a block scalar.
    if any(line != line.rstrip() or not line.isprintable() for line in lines):
        return None
    return ["|-"] + [f"{indent}{line}" if line else "" for line in lines]


def mapping_lines(data: Mapping[str, Any], indent: str) -> list[str]:
    """A block mapping, one `key: value` per line, at `indent`.

    Lists of scalars are written in flow style (`[a, b]`), lists of mappings as block lists,
    nested mappings as nested blocks, multi-line strings as literal blocks when exact.
    """
    lines: list[str] = []
    for key, value in data.items():
        lines.extend(_field(key, value, indent))
    return lines


def _field(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, Mapping):
        return [f"{indent}{key}:", *mapping_lines(value, indent + INDENT)]
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, Mapping) for v in value):
            lines = [f"{indent}{key}:"]
            for item in value:
                lines.extend(list_item_lines(item, indent + INDENT))
            return lines
        return [f"{indent}{key}: {flow_list(value)}"]
    if isinstance(value, str):
        block = literal_block(value, indent + INDENT)
        if block is not None:
            return [f"{indent}{key}: {block[0]}", *block[1:]]
    return [f"{indent}{key}: {scalar(value)}"]


def list_item_lines(data: Mapping[str, Any], indent: str) -> list[str]:
    """A block mapping as an item of a block list: `- first: x`, the other keys under it."""
    inner = mapping_lines(data, indent + INDENT)
    if not inner:
        return [f"{indent}- {{}}"]
    return [f"{indent}- {inner[0].lstrip()}", *inner[1:]]


def commented(lines: Sequence[str]) -> list[str]:
    """Lines turned into comments, `#` aligned at their least indentation (as editors toggle
    comments), so that removing `# ` gives the YAML back exactly."""
    margin = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
    return [f"{line[:margin]}# {line[margin:]}".rstrip() if line.strip() else "" for line in lines]


def comment_block(text_lines: Sequence[str], indent: str) -> list[str]:
    return [f"{indent}# {line}".rstrip() for line in text_lines]
