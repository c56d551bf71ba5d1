"""YAML text → `Document`: plain data with the line/column of every key and value.

We compose the node graph (`yaml.compose` machinery) instead of loading Python objects, so that
positions survive and so that we decide ourselves what every scalar means:

* YAML 1.2 core-schema resolution: `on`/`off`/`yes`/`no` stay strings, `09:00` stays a string
  (no sexagesimal numbers) and `2026-12-24` stays a string (no timestamps).
* Duplicate keys in a mapping are problems (PyYAML silently keeps the last one).
* Anchors, aliases and `<<` merge keys work, but alias expansion is bounded, so that a
  "billion laughs" document is refused in milliseconds instead of eating all memory.
* One document per file; a top level that is not a mapping is a problem.

Composing runs in libyaml (`yaml.CParser`, which keeps every node's marks) when PyYAML was built
with it, about 8x faster than the pure-Python composer; the resolvers, and everything after
composing, are the same Python code either way. A document libyaml refuses is parsed again by
the pure-Python loader, so that every error message (and its position) is the same with or
without libyaml; errors are rare, so that second parse costs nothing that matters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.document import DataPath, Document, Pos, format_path
from reconciler.config.problems import Problem

#: How many nodes alias expansion may add to one document: far more than any real config.
MAX_ALIAS_NODES = 100_000
#: Longer number texts are refused before conversion (config/limits.py bounds the values).
MAX_NUMBER_TEXT = 100

_TAG = "tag:yaml.org,2002:"
STR, NULL, BOOL, INT, FLOAT = (_TAG + t for t in ("str", "null", "bool", "int", "float"))
MAP, SEQ, MERGE = _TAG + "map", _TAG + "seq", _TAG + "merge"

_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
# The YAML 1.2 core schema, anchored at both ends (PyYAML's resolvers use `match`).
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_INT = re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT = re.compile(
    r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)
_MERGE = re.compile(r"<<\Z")


class ConfigLoader(yaml.SafeLoader):
    """SafeLoader whose implicit scalar types are those of the YAML 1.2 core schema."""


# Start from no resolver at all (not SafeLoader's YAML 1.1 ones: bools like `on`, sexagesimal
# `09:00`, timestamps), then add the core schema's.
ConfigLoader.yaml_implicit_resolvers = {}

#: libyaml's parser and composer when PyYAML was built with it (yaml.__with_libyaml__), else None.
CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)


# Resolvers are tried in order for the first character: int before float (`1` is an int).
for _tag, _regexp, _first in (
    (NULL, _NULL, ["~", "n", "N", ""]),
    (BOOL, _BOOL, list("tTfF")),
    (INT, _INT, list("-+0123456789")),
    (FLOAT, _FLOAT, list("-+0123456789.")),
    (MERGE, _MERGE, ["<"]),
):
    ConfigLoader.add_implicit_resolver(_tag, _regexp, _first)


class _AliasBomb(Exception):
    """Alias expansion went over MAX_ALIAS_NODES."""


def parse(text: str, file: str) -> tuple[Document | None, list[Problem]]:
    """Parse one file. None means nothing usable came out of it (the problems say why)."""
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_problem(file, error)]
    except yaml.reader.ReaderError as error:
        line, col = _line_col(text, error.position)
        message = f"unacceptable character #x{error.character:04x}: {error.reason}"
        return None, [Problem(file, line, col, "", message)]
    except RecursionError:
        return None, [Problem(file, 0, 0, "", "the document is nested too deeply")]
    document = Document(file)
    if root is None or (isinstance(root, ScalarNode) and root.tag == NULL):
        return document, []  # an empty file (or only comments): nothing declared
    pos = _pos(root)
    if not isinstance(root, MappingNode):
        got = "a list" if isinstance(root, SequenceNode) else "a single value"
        message = (
            f"the top level must be a mapping of sections (version, organization, members, "
            f"event_types, webhooks, policy), got {got}"
        )
        return None, [Problem(file, pos.line, pos.col, "", message)]
    converter = _Converter(document, text)
    try:
        data = converter.convert(root, (), expanding=False)
    except _AliasBomb:
        message = (
            f"aliases expand to more than {MAX_ALIAS_NODES} nodes: refusing the document "
            "(is it a 'billion laughs' attack?)"
        )
        return None, [Problem(file, 0, 0, "", message)]
    except RecursionError:
        return None, [Problem(file, 0, 0, "", "the document is nested too deeply")]
    document.data = data if isinstance(data, dict) else {}
    return document, converter.problems


def _compose(text: str) -> Node | None:
    if _CLoader is not None:
        try:
            return _single_node(_CLoader(text))
        except (yaml.YAMLError, RecursionError):
            pass  # parsed again below, for the pure-Python loader's exact message
    return _single_node(ConfigLoader(text))  # checks the characters first: may raise ReaderError


def _single_node(loader: Any) -> Node | None:
    try:
        # get_single_node refuses a second document with a ComposerError.
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def _c_loader() -> type[Any] | None:
    if CParser is None:
        return None

    resolver: Any = yaml.resolver.BaseResolver

    class CConfigLoader(CParser, resolver):  # type: ignore[misc]
        """libyaml's parser and composer, with ConfigLoader's resolvers."""

        yaml_implicit_resolvers = ConfigLoader.yaml_implicit_resolvers

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            resolver.__init__(self)

    return CConfigLoader


_CLoader = _c_loader()


def _syntax_problem(file: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    if error.context == "expected a single document in the stream":
        message = "several YAML documents in one file: put each in a file of its own"
        return Problem(file, line, col, "", message)
    duplicate = re.match(r"found duplicate anchor (.*); first occurrence\Z", error.context or "")
    if duplicate and error.context_mark is not None:
        first = error.context_mark
        message = (
            f"duplicate anchor {duplicate.group(1)} "
            f"(first defined at line {first.line + 1}, column {first.column + 1})"
        )
        return Problem(file, line, col, "", f"YAML syntax error: {message}")
    message = error.problem or error.context or "invalid YAML"
    if error.problem and error.context:
        context = error.context
        if error.context_mark is not None and error.context_mark is not mark:
            cm = error.context_mark
            context += f" at line {cm.line + 1}, column {cm.column + 1}"
        message += f" ({context})"
    return Problem(file, line, col, "", f"YAML syntax error: {message}")


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


class _Converter:
    """Turns composed nodes into plain data, recording positions and problems."""

    def __init__(self, document: Document, text: str = "") -> None:
        self.document = document
        self.text = text
        self._lines: list[str] | None = None
        self.problems: list[Problem] = []
        self.seen: set[int] = set()  # nodes converted once: meeting one again means an alias
        self.active: set[int] = set()  # collections being converted: meeting one is a cycle
        self.expanded = 0

    def problem(self, path: DataPath, message: str, *, at_key: bool = False) -> None:
        self.problems.append(self.document.problem(path, message, at_key=at_key))

    def _count(self, node: Node, expanding: bool) -> bool:
        """Count `node` if it is reached through an alias; says whether it is."""
        if id(node) in self.seen:
            expanding = True
        self.seen.add(id(node))
        if expanding:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_NODES:
                raise _AliasBomb
        return expanding

    def convert(self, node: Node, path: DataPath, *, expanding: bool) -> Any:
        expanding = self._count(node, expanding)
        self.document.values[path] = _pos(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.problem(path, "an alias refers to a node that contains it (a cycle)")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                if node.tag != MAP:
                    self.problem(path, f"unsupported YAML tag {_short_tag(node.tag)}")
                    return None
                return self.mapping(node, path, expanding)
            if node.tag != SEQ:
                self.problem(path, f"unsupported YAML tag {_short_tag(node.tag)}")
                return None
            return [
                self.convert(item, (*path, i), expanding=expanding)
                for i, item in enumerate(node.value)
            ]
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, path: DataPath, expanding: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Pos] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE and isinstance(key_node, ScalarNode):
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                pos = _pos(key_node)
                self.document.keys[(*path, "?")] = pos
                self.problem((*path, "?"), "a mapping key must be a plain string", at_key=True)
                continue
            key = str(key_node.value)
            if key in first_seen:
                first = first_seen[key]
                where = f"{self.document.file}:{first.line}:{first.col}"
                pos = _pos(key_node)
                message = f"duplicate key {key!r} (first declared at {where})"
                self.document.bad.add((*path, key))
                self.problems.append(
                    Problem(
                        self.document.file, pos.line, pos.col, format_path((*path, key)), message
                    )
                )
                continue
            first_seen[key] = self.document.keys[(*path, key)] = _pos(key_node)
            result[key] = self.convert(value_node, (*path, key), expanding=expanding)
        # `<<` merge keys: keys written in the mapping itself win, then earlier merged maps.
        for merged in merges:
            for key, key_pos, value_node in self.merged_entries(merged, path):
                if key not in result:
                    self.document.keys[(*path, key)] = key_pos
                    result[key] = self.convert(value_node, (*path, key), expanding=True)
        return result

    def merged_entries(self, node: Node, path: DataPath) -> Iterator[tuple[str, Pos, Node]]:
        """The (key, key position, value) pairs a `<<` value brings, in priority order."""
        self._count(node, True)
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            self._count(source, True)
            if not isinstance(source, MappingNode) or source.tag != MAP:
                self.problem(path, "a '<<' merge key takes a mapping or a list of mappings")
                continue
            if id(source) in self.active:
                self.problem(path, "an alias refers to a node that contains it (a cycle)")
                continue
            self.active.add(id(source))
            try:
                nested: list[Node] = []
                for key_node, value_node in source.value:
                    self._count(key_node, True)
                    if key_node.tag == MERGE and isinstance(key_node, ScalarNode):
                        nested.append(value_node)
                    elif isinstance(key_node, ScalarNode):
                        yield str(key_node.value), _pos(key_node), value_node
                for inner in nested:
                    yield from self.merged_entries(inner, path)
            finally:
                self.active.discard(id(source))

    def _comment_after(self, node: ScalarNode) -> str:
        """The comment that follows this empty value on its line (`key: #...`), or ""."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        mark = node.start_mark
        if not 0 <= mark.line < len(self._lines):
            return ""
        rest = self._lines[mark.line][mark.column :].strip()
        return rest if rest.startswith("#") else ""

    def scalar(self, node: ScalarNode, path: DataPath) -> Any:
        # Values are never quoted in these messages: a signing key may be written here.
        tag, value = node.tag, str(node.value)
        if tag == STR:
            return value
        if tag == NULL:
            comment = self._comment_after(node) if not value else ""
            if comment:
                self.document.commented[path] = comment.split()[0]
            return None
        if tag == BOOL:
            if value in _TRUE or value in _FALSE:
                return value in _TRUE
            self.problem(path, "invalid !!bool value (write true or false)")
            return None
        if tag in (INT, FLOAT) and len(value) > MAX_NUMBER_TEXT:  # int() and float() would fail
            self.problem(path, f"number too long ({len(value)} characters; at most 15 digits)")
            return None
        if tag == INT:
            if _INT.match(value):
                return _to_int(value)
            self.problem(path, "invalid !!int value")
            return None
        if tag == FLOAT:
            if _FLOAT.match(value) or _INT.match(value):
                number = _to_float(value)
                if math.isfinite(number):
                    return number
                self.problem(path, "infinite and NaN numbers are not supported")
                return None
            self.problem(path, "invalid !!float value")
            return None
        self.problem(path, f"unsupported YAML tag {_short_tag(tag)}")
        return None


def _to_int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _to_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    if _INT.match(text) and text.startswith(("0o", "0x")):
        return float(_to_int(text))
    return float(text)
