"""The configuration loader: YAML files in git → a validated, typed `Config`.

One stage per module, run in this order by `load_config`:

    files.py        which files, read safely (size limit, UTF-8)
    yaml_loader.py  YAML 1.2-like parsing keeping every line/column, alias bomb guard
    interpolate.py  ${ENV_VAR} in write-only fields
    limits.py       size limits on numbers, strings and keys
    schema.py       JSON Schema (schemas/*.schema.json), messages.py words its errors
    merge.py        sections of all files merged, duplicates of singletons found
    crossref.py     references, duplicates, time zones, intervals, webhook URLs
    build.py        the typed model (model.py)

Every stage runs even when an earlier one found problems, so that one run reports them all.
No network, ever.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace

from reconciler.client.secret import redact
from reconciler.config.build import build
from reconciler.config.crossref import check
from reconciler.config.document import Document
from reconciler.config.files import discover, read_text
from reconciler.config.interpolate import interpolate
from reconciler.config.limits import check_limits
from reconciler.config.merge import merge
from reconciler.config.model import (
    EVENT_TYPE_FIELDS,
    PRUNABLE,
    Availability,
    AvailabilityRule,
    AvailabilitySchedule,
    Config,
    EventType,
    Member,
    Override,
    OwnerRef,
    Policy,
    Source,
    Template,
    Webhook,
)
from reconciler.config.problems import ConfigError, Problem
from reconciler.config.schema import validate
from reconciler.config.yaml_loader import parse

__all__ = [
    "EVENT_TYPE_FIELDS",
    "PRUNABLE",
    "Availability",
    "AvailabilityRule",
    "AvailabilitySchedule",
    "Config",
    "ConfigError",
    "EventType",
    "Member",
    "Override",
    "OwnerRef",
    "Policy",
    "Problem",
    "Source",
    "Template",
    "Webhook",
    "load_config",
]


def load_config(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    environ: Mapping[str, str] | None = None,
    allow_insecure_webhooks: bool = False,
    require_env: bool = True,
) -> Config:
    """Load, check and merge every YAML file under `paths`.

    Raises ConfigError listing every problem found (sorted by file, line, column).
    `require_env=False` (validate, scopes: no secret is needed) makes an unset variable in a
    write-only field a note in `Config.notes` instead of a problem.
    """
    # One path is accepted too (a bare str must not be read as a sequence of characters).
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    env = os.environ if environ is None else environ
    files, problems = discover(given)
    documents: list[Document] = []
    secrets: set[str] = set()
    notes: list[Problem] = []
    for file in files:
        text, found = read_text(file)
        problems += found
        if text is None:
            continue
        document, found = parse(text, file.name)
        problems += found
        if document is None:
            continue
        interpolated = interpolate(document, env, require_env=require_env)
        problems += interpolated.problems
        notes += interpolated.notes
        secrets |= interpolated.secrets
        problems += check_limits(document)
        problems += validate(document)
        documents.append(document)
    merged, found = merge(documents)
    problems += found
    problems += check(merged, allow_insecure_webhooks=allow_insecure_webhooks)
    if problems:
        # Belt and braces: whatever a message says, a signing key's value never shows.
        scrub = sorted(secrets, key=len, reverse=True)
        raise ConfigError(sorted({replace(p, message=redact(p.message, scrub)) for p in problems}))
    return replace(build(merged), notes=tuple(sorted(notes)))
