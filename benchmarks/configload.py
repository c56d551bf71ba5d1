"""Config loading per object: the loader as it is against the pure-Python path, in one run.

The "pure-Python" path is the same code with libyaml's composer and the compiled schema check
switched off (`yaml_loader._CLoader = None`; every file explained by jsonschema), which is what
loading did before both existed. Each is measured in turns, `repeat` times, the minimum kept, so
that the ratio holds on a loaded machine even when the absolute times do not.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.perf.orgs import OrgSize, write_config


def _load_cpu(directory: Path, *, fast: bool) -> float:
    from reconciler.config import load_config, schema, yaml_loader

    saved = yaml_loader._CLoader, schema.fast_valid
    if not fast:
        yaml_loader._CLoader = None
        schema.fast_valid = lambda data: False
    try:
        start = time.process_time()
        load_config([directory])
        return time.process_time() - start
    finally:
        yaml_loader._CLoader, schema.fast_valid = saved


def measure(event_types: int = 5000, repeat: int = 3) -> dict[str, float]:
    size = OrgSize(members=1000, event_types=event_types, availability=event_types // 5)
    objects = size.members + size.event_types + size.webhooks
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        directory = write_config(size, Path(tmp) / "config")
        _load_cpu(directory, fast=True)  # compile the schema check, warm the caches
        best = {"fast": float("inf"), "pure": float("inf")}
        for _ in range(repeat):
            for name in best:
                best[name] = min(best[name], _load_cpu(directory, fast=name == "fast"))
    return {"objects": objects, **best}


def report(result: dict[str, float]) -> list[str]:
    objects = result["objects"]
    fast, pure = result["fast"], result["pure"]
    return [
        f"== config loading: {objects:.0f} objects, CPU per object (minimum of the runs)",
        f"   libyaml + compiled schema check {fast / objects * 1000:.3f} ms "
        f"({fast:.2f} s); pure-Python + jsonschema {pure / objects * 1000:.3f} ms "
        f"({pure:.2f} s); {pure / fast:.2f}x faster (target >= 3x: "
        f"{'holds' if pure / fast >= 3 else 'MISSED'})",
    ]


if __name__ == "__main__":
    print("\n".join(report(measure())))
