"""Renderers: pure functions `render(plan, *, color) -> str`, one module per format."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.plan import Plan
from reconciler.render import json, markdown, text

Renderer = Callable[..., str]

RENDERERS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json.render,
    "markdown": markdown.render,
}


def render(
    plan: Plan,
    fmt: str,
    *,
    color: bool = False,
    title: str | None = None,
    every_unmanaged: bool = False,
) -> str:
    options: dict[str, object] = {"title": title} if title else {}
    if every_unmanaged and fmt == "text":
        options["every_unmanaged"] = True
    return RENDERERS[fmt](plan, color=color, **options)
