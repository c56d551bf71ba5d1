"""`--target KIND[:NAME-GLOB]`: plan and apply only part of the config, as Terraform's -target.

A target keeps the changes of that kind whose key matches the glob (`event_type:alice@*`), plus
the changes they depend on (an event type's creation for its availability), so that what is
applied is still complete. Everything else is left out, and the plan says so.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, replace

from reconciler.errors import UsageError
from reconciler.plan import KIND_ORDER, Change, Plan


@dataclass(frozen=True)
class Target:
    kind: str
    pattern: str = "*"

    def matches(self, change: Change) -> bool:
        return change.kind == self.kind and fnmatch.fnmatchcase(change.key, self.pattern)

    def __str__(self) -> str:
        return self.kind if self.pattern == "*" else f"{self.kind}:{self.pattern}"


def parse(specs: Sequence[str]) -> list[Target]:
    targets = []
    for spec in specs:
        kind, _, pattern = spec.partition(":")
        if kind not in KIND_ORDER:
            raise UsageError(
                f"--target {spec}: unknown kind {kind!r} (one of: {', '.join(KIND_ORDER)})"
            )
        targets.append(Target(kind, pattern or "*"))
    return targets


def select(plan: Plan, targets: Sequence[Target]) -> Plan:
    if not targets:
        return plan
    by_id = {c.id: c for c in plan.changes}
    keep = {c.id for c in plan.changes if any(t.matches(c) for t in targets)}
    pending = list(keep)
    while pending:  # what the kept changes need, transitively
        for dependency in by_id[pending.pop()].depends_on():
            if dependency in by_id and dependency not in keep:
                keep.add(dependency)
                pending.append(dependency)
    if not keep and plan.changes:
        # Not "No changes": that would say Calendly matches the config, which it does not.
        raise UsageError(
            f"--target {', '.join(map(str, targets))} matches none of the plan's "
            f"{len(plan.changes)} change{'s' if len(plan.changes) != 1 else ''}: nothing to do "
            "for it (plan without --target lists every change's kind and key)"
        )
    left_out = len(plan.changes) - len(keep)
    note = (
        f"--target {', '.join(map(str, targets))}: only part of the config was planned; "
        f"{left_out} other change{'s were' if left_out != 1 else ' was'} left out and will not "
        "be applied"
    )
    kinds = {t.kind for t in targets}
    return replace(
        plan.with_changes(c for c in plan.changes if c.id in keep),
        warnings=tuple(sorted({*plan.warnings, note})),
        unmanaged={k: v for k, v in plan.unmanaged.items() if k in kinds},
    )
