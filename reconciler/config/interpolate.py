"""`${VAR}` references: allowed in write-only fields only, never to the tool's own credentials.

The model (README "Environment variables"):

* A write-only field (a webhook's `signing_key`) may be `${NAME}`, or contain references: the
  value is read from the environment, sealed (never shown, never stored) and only ever sent to
  Calendly, which never returns it.
* Everywhere else a value is shown by plans, written to saved plans and sent to Calendly, where
  anyone with access reads it: a reference there is an error, so nothing from the environment
  can reach a plan, a pull-request comment or Calendly's readable fields. Write the value.
* The tool's own credentials (every `CALENDLY_*` and `SCALEKIT_*` variable) can never be
  referenced, not even from a write-only field: a config written by a pull request must not be
  able to send the token anywhere. Token files are never read by interpolation at all.
* `$${` writes a literal `${`, in any string (export escapes live text this way).

An unset variable in a write-only field is an error, or only a note when the caller does not
need the value (`validate` and `scopes`, which work without the secrets).
Interpolation runs before schema validation, so a variable holding `30` still fails a field that
wants an integer: the format has no implicit conversions. Keys are never interpolated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.config.document import DataPath, Document, format_path, is_sensitive
from reconciler.config.problems import Problem

# `$${` first, so that an escaped reference is never read as a variable.
_REFERENCE = re.compile(r"\$\$\{|\$\{(?P<name>[^}]*)(?P<close>\})?")
_ANY_REFERENCE = re.compile(r"\$\$\{|\$\{[^}]*\}?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WHOLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}\Z")
_HINT = "names use letters, digits and _; write $${ for a literal ${"
#: Variable name prefixes the tool reads its own credentials from (client/connect.py,
#: cli/options.py): never interpolated, whatever the field.
CREDENTIAL_PREFIXES = ("CALENDLY_", "SCALEKIT_")


def is_credential(name: str) -> bool:
    """Whether `name` is in the tool's credential namespace (case-insensitively: Windows)."""
    return name.upper().startswith(CREDENTIAL_PREFIXES)


@dataclass
class Interpolated:
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # unset variables, when not required
    secrets: set[str] = field(default_factory=set)  # every value a write-only field took


def interpolate(
    document: Document, environ: Mapping[str, str], *, require_env: bool = True
) -> Interpolated:
    """Interpolate `document.data` in place."""
    job = _Job(document, environ, require_env)
    document.data = job.walk(document.data, ())
    return job.result


class _Job:
    def __init__(self, document: Document, environ: Mapping[str, str], require: bool) -> None:
        self.document = document
        self.environ = environ
        self.require = require
        self.result = Interpolated()

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
                self.result.secrets.add(text)
            return text
        messages: list[str] = []
        unset: list[str] = []

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            name, closed = match.group("name"), match.group("close") is not None
            if not closed:
                messages.append(f"unterminated '${{' ({_HINT})")
            elif not _NAME.match(name):
                shown = "" if sensitive else f" '${{{name}}}'"
                messages.append(f"invalid environment variable reference{shown} ({_HINT})")
            elif is_credential(name):
                messages.append(
                    f"${{{name}}}: CALENDLY_* and SCALEKIT_* variables are the tool's own "
                    "credentials, never interpolated (use a variable of another name)"
                )
            elif not sensitive:
                messages.append(
                    f"${{{name}}}: environment variables are read only in write-only fields "
                    "(signing_key); write the value itself, or $${ for a literal ${"
                )
            elif name not in self.environ:
                unset.append(name)
            else:
                value = self.environ[name]
                self.result.secrets.add(value)
                return value
            return match.group(0)

        result = _REFERENCE.sub(replace, text)
        if sensitive:
            # Masked in every message: the value, or (when it did not resolve) its literal parts,
            # not the references, whose names the messages above must be able to say.
            resolved = not messages and not unset
            self.result.secrets.update([result] if resolved else _ANY_REFERENCE.split(text))
            whole = _WHOLE.match(text)
            if whole and not messages and not unset:
                self.document.secret_vars[path] = whole.group(1)
        # One message per distinct mistake, in the order written.
        for message in dict.fromkeys(messages):
            self.result.problems.append(self.document.problem(path, message))
        for name in dict.fromkeys(unset):
            if self.require:
                message = f"missing environment variable {name}"
                self.result.problems.append(self.document.problem(path, message))
            else:
                pos = self.document.value_pos(path)
                message = (
                    f"environment variable {name} is not set: plan and apply need it "
                    "(validate --require-env makes this an error)"
                )
                self.result.notes.append(
                    Problem(self.document.file, pos.line, pos.col, format_path(path), message)
                )
        return result
