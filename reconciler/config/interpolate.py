"""`${VAR}` interpolation from the environment, inside every string value.

`$${` writes a literal `${`. Keys are never interpolated (they are the format's own names).
Interpolation runs before schema validation, so a variable holding `30` still fails a field that
wants an integer: the format has no implicit conversions.

Signing keys are secrets: whatever a signing key's value is (or any variable spliced into one),
it is collected so that the caller can scrub it from every message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.config.document import DataPath, Document, is_sensitive
from reconciler.config.problems import Problem

# `$${` first, so that an escaped reference is never read as a variable.
_REFERENCE = re.compile(r"\$\$\{|\$\{(?P<name>[^}]*)(?P<close>\})?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WHOLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_HINT = "names use letters, digits and _; write $${ for a literal ${"


def interpolate(document: Document, environ: Mapping[str, str]) -> tuple[list[Problem], set[str]]:
    """Interpolate `document.data` in place; returns the problems and the secret values seen."""
    job = _Job(document, environ)
    document.data = job.walk(document.data, ())
    return job.problems, job.secrets


class _Job:
    def __init__(self, document: Document, environ: Mapping[str, str]) -> None:
        self.document = document
        self.environ = environ
        self.problems: list[Problem] = []
        self.secrets: set[str] = set()

    def walk(self, value: Any, path: DataPath) -> Any:
        if isinstance(value, dict):
            return {k: self.walk(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.walk(v, (*path, i)) for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.string(value, path)
        return value

    def string(self, text: str, path: DataPath) -> str:
        sensitive = is_sensitive(path)
        if "$" not in text:
            if sensitive:
                self.secrets.add(text)
            return text
        messages: list[str] = []

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            name, closed = match.group("name"), match.group("close") is not None
            if not closed:
                messages.append(f"unterminated '${{' ({_HINT})")
                return match.group(0)
            if not _NAME.match(name):
                shown = "" if sensitive else f" '${{{name}}}'"
                messages.append(f"invalid environment variable reference{shown} ({_HINT})")
                return match.group(0)
            if name not in self.environ:
                messages.append(f"missing environment variable {name}")
                return match.group(0)
            value = self.environ[name]
            if sensitive:
                self.secrets.add(value)
            return value

        result = _REFERENCE.sub(replace, text)
        if sensitive:
            self.secrets.add(result)
            whole = _WHOLE.match(text)
            if whole and not messages:
                self.document.secret_vars[path] = whole.group(1)
        # One message per distinct mistake, in the order written.
        for message in dict.fromkeys(messages):
            self.problems.append(self.document.problem(path, message))
        return result
