"""export: the live organization as config YAML that plans to zero changes (issue 5).

One stage per module, as the plan pipeline is built:

    read.py         read_org: everything the organization has, GET only, in parallel
    select.py       unmanaged: only what a config does not declare (--unmanaged-only)
    build.py        build_export: the entries of the config (event_types.py for event types),
                    with checks.py deciding what would not load and must be left out
    layout.py       which file each entry goes to (one document, per kind, per owner)
    render.py       the text of one file (yamltext.py: deterministic YAML with comments)
    write.py        all files or none, no overwriting unless forced

The kinds' own normalization (`reconciler/kinds/`) is the only view of live objects, so what is
exported is exactly what plan compares against.
"""

from __future__ import annotations

from reconciler.export.build import build_export
from reconciler.export.layout import SPLITS, plan_files, render_files, schema_reference
from reconciler.export.model import Entry, Export, Listed
from reconciler.export.read import Snapshot, read_org
from reconciler.export.select import unmanaged
from reconciler.export.write import ExportError, other_config_files, write_files

__all__ = [
    "SPLITS",
    "Entry",
    "Export",
    "ExportError",
    "Listed",
    "Snapshot",
    "build_export",
    "other_config_files",
    "plan_files",
    "read_org",
    "render_files",
    "schema_reference",
    "unmanaged",
    "write_files",
]
