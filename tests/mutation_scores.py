"""Per-module mutation scores from mutmut's results in mutants/ (run by `make mutation`).

Prints one Markdown table row per mutated module (the form tests/MUTATION.md records), then
the mutants that were not killed, for `mutmut show NAME`. Score = (killed + timeout) / all;
a mutant no selected test reaches ("no tests") counts as surviving, and so does one a run
stopped before ("not run"; the score of those run is shown apart).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = ("killed", "timeout", "caught by type check")


def main(root: Path = Path("mutants")) -> int:
    metas = sorted(root.glob("reconciler/**/*.py.meta"))
    if not metas:
        print("no mutmut results in mutants/: run `make mutation` first", file=sys.stderr)
        return 1
    print("| module | killed | survived | no tests | not run | total | score | of those run |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    left: list[str] = []
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        statuses = {name: status_by_exit_code[code] for name, code in codes.items()}
        if all(s == "not checked" for s in statuses.values()):
            continue
        count = Counter(statuses.values())
        killed = sum(count[s] for s in KILLED)
        module = str(meta.relative_to(root)).removesuffix(".meta")
        run = len(statuses) - count["not checked"]
        score = killed / len(statuses) if statuses else 1.0
        print(
            f"| {module} | {killed} | {count['survived']} | {count['no tests']} "
            f"| {count['not checked']} | {len(statuses)} | {score:.1%} | {killed / run:.1%} |"
        )
        left += sorted(
            f"{s}: {n}" for n, s in statuses.items() if s not in (*KILLED, "not checked")
        )
    if left:
        print("\nnot killed (see `mutmut show NAME`):")
        print("\n".join(f"  {line}" for line in left))
    return 0


if __name__ == "__main__":
    sys.exit(main())
