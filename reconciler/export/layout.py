"""Which file each part of an export goes to, and the finished text of every file.

- one document (stdout): every section in one file;
- `--split-by kind`: members.yaml, event-types.yaml, availability-schedules.yaml, webhooks.yaml;
- `--split-by owner`: members.yaml and webhooks.yaml (organization- and group-scope) for the
  organization, then owners/EMAIL.yaml per member with their event types, availability
  schedules and user-scope webhooks; event-types.yaml (and availability-schedules.yaml) only
  hold comments about what has no member owner.

Sections merge across files when the config loads, so every layout plans the same. A file gets
a `# yaml-language-server: $schema=…` line only when it is written inside the tree that holds the
schemas it would point at (a checkout): a path into an installed package, or a line on stdout
whose location is unknown, would be wrong for whoever commits the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from reconciler.export.model import Export
from reconciler.export.render import FileSpec, render_file

SPLITS = ("kind", "owner")
ROOT_SCHEMA = "config.schema.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def plan_files(export: Export, split: str | None) -> list[FileSpec]:
    """The files of an export, in writing order; empty ones left out (stdout always has one)."""
    about = _about(export)
    if split is None:
        return [FileSpec("", about, export.entries, export.listed, export.organization)]
    if split == "kind":
        files = [
            FileSpec(
                "members.yaml", f"{about}: members", export.of("members"), (), export.organization
            ),
            FileSpec(
                "event-types.yaml", f"{about}: event types", export.of("event_types"), export.listed
            ),
            FileSpec(
                "availability-schedules.yaml",
                f"{about}: user availability schedules",
                export.of("availability_schedules"),
            ),
            FileSpec("webhooks.yaml", f"{about}: webhook subscriptions", export.of("webhooks")),
        ]
    elif split == "owner":
        files = _by_owner(export, about)
    else:
        raise ValueError(f"unknown split {split!r}")
    return [f for f in files if not f.is_empty]


def _by_owner(export: Export, about: str) -> list[FileSpec]:
    owners = sorted(
        {e.owner for e in export.entries if e.owner and e.section != "members"}
        | {item.owner for item in export.listed if item.owner}
    )
    names = _file_names(owners)
    files = [
        FileSpec(
            "members.yaml", f"{about}: members", export.of("members"), (), export.organization
        ),
        FileSpec(
            "webhooks.yaml",
            f"{about}: organization and group webhook subscriptions",
            tuple(e for e in export.of("webhooks") if e.owner is None),
        ),
        FileSpec(
            "event-types.yaml",
            f"{about}: event types without a member owner",
            tuple(e for e in export.of("event_types") if e.owner is None),
            tuple(item for item in export.listed if item.owner is None),
        ),
        FileSpec(
            "availability-schedules.yaml",
            f"{about}: availability schedules without a member user",
            tuple(e for e in export.of("availability_schedules") if e.owner is None),
        ),
    ]
    for owner in owners:
        files.append(
            FileSpec(
                f"owners/{names[owner]}",
                f"{about}: what {owner} owns",
                tuple(e for e in export.entries if e.owner == owner and e.section != "members"),
                tuple(item for item in export.listed if item.owner == owner),
            )
        )
    return files


def _file_names(owners: list[str]) -> dict[str, str]:
    """owner email → a file name that is safe everywhere and unique (case-insensitively)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for owner in owners:
        base = _UNSAFE.sub("_", owner) or "_"
        name, n = f"{base}.yaml", 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}.yaml"
        taken.add(name.casefold())
        names[owner] = name
    return names


def _about(export: Export) -> str:
    if export.unmanaged_only:
        return "Unmanaged objects of a Calendly organization"
    return f"Calendly organization {export.organization}" if export.organization else "Calendly"


def render_files(
    files: list[FileSpec],
    *,
    unmanaged_only: bool,
    schema_for: Callable[[str], str | None] = lambda _path: None,
) -> dict[str, str]:
    """relative path → text, in writing order."""
    return {
        f.path: render_file(f, unmanaged_only=unmanaged_only, schema=schema_for(f.path))
        for f in files
    }


def schema_reference(file: Path, schemas: Path | None) -> str | None:
    """The `$schema` path for a file written at `file`, or None when no path would be right."""
    if schemas is None or not (schemas / ROOT_SCHEMA).is_file():
        return None
    root = schemas.resolve().parent
    target = file.resolve()
    if not target.is_relative_to(root):
        return None
    relative = os.path.relpath(schemas.resolve() / ROOT_SCHEMA, target.parent)
    return Path(relative).as_posix()
