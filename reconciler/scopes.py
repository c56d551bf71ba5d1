"""Which OAuth scope each API request needs, and the preflight check before apply (stub)."""

from __future__ import annotations

from reconciler.plan import Plan


def preflight(plan: Plan, granted: frozenset[str] | None) -> None:
    """Raise a ReconcilerError naming every missing scope, when the granted scopes are known.

    `granted` is None when the token's scopes cannot be known (a personal access token).
    """
