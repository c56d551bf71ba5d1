"""The sandbox is an independent implementation: it must not import the reconciler's own code."""

from __future__ import annotations

import ast
from pathlib import Path

import reconciler.sandbox

FORBIDDEN = ("kinds", "diff", "plan", "config", "client", "apply", "render")
ALLOWED_THIRD_PARTY = {"httpx", "yaml", "click"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_sandbox_imports_only_stdlib_httpx_yaml_click_and_itself() -> None:
    import sys

    package = Path(reconciler.sandbox.__file__).parent
    files = sorted(package.glob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "reconciler":
                assert name.startswith("reconciler.sandbox"), f"{path.name} imports {name}"
                assert not any(name.startswith(f"reconciler.{f}") for f in FORBIDDEN)
            else:
                assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (
                    f"{path.name} imports {name}"
                )


def _sandbox_imports(path: Path) -> set[str]:
    """Sandbox modules `path` imports, TYPE_CHECKING-only imports included."""
    prefix = "reconciler.sandbox."
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "reconciler.sandbox":
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(prefix):
            names.add((node.module or "")[len(prefix) :])
    return names


def test_route_modules_register_themselves_and_never_import_core() -> None:
    # The route table's layering (router.py): route modules import the registry and lower
    # layers only; core imports them; nothing below core imports core or a route module.
    package = Path(reconciler.sandbox.__file__).parent
    modules = {path.stem: _sandbox_imports(path) for path in package.glob("*.py")}
    routes = {name for name in modules if name.startswith("routes_")}
    importers_of_core = {name for name, imported in modules.items() if "core" in imported}
    assert importers_of_core == {"__init__", "cli"}
    for name, imported in modules.items():
        if name not in ("core", "__init__", "cli"):
            assert not imported & routes, f"{name} imports a route module"
    assert routes <= modules["core"]
    for name in routes - {"routes_oauth"}:
        assert "router" in modules[name], f"{name} does not register its routes"
