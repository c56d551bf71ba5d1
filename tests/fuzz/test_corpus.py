"""The hostile-input corpus: every input gives clear one-line problems, never a traceback or a hang.

The inputs are the files in `corpus/` and the big ones `generated.py` writes (the issue's
5,000-digit duration, 100,000-digit hex version, `!!float 0x…`, lone-surrogate email, 20 KB time
zone, 20,000 invalid members, ...). `run_corpus.py` runs validate (text and github) and, for the
smaller inputs, plan (text and JSON) against an in-process sandbox, in a subprocess killed after
a generous timeout, so a hang fails this test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz.generated import GENERATED
from tests.fuzz.run_corpus import SMALL_BYTES

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
#: Far above what the corpus needs even on a loaded machine; only a hang gets near it.
TIMEOUT_SECONDS = 600
#: `file:line:col: path: message`, `file: message`, the summary, notes, one-line errors, progress.
LINE = re.compile(
    r"(?:[^\s:][^:]*\.ya?ml(?::\d+:\d+)?: .+"
    r"|\d+ problems? in \d+ files?"
    r"|note: .+|Error: .+|Valid: .+|Reading the Calendly organization…|Read .+)"
)
ANNOTATION = re.compile(r"::(?:error|notice) (?:file=[^,]+,)?(?:line=\d+,col=\d+,)?title=[^:]+::.+")
#: The problem each of the issue's inputs must get (a substring of its stderr).
EXPECTED = {
    "duration_5000_digits.yaml": "event_types[0].duration: number too long (5000 characters",
    "float_hex_version.yaml": "version: number too long (302 characters",
    "hex_version_100000_digits.yaml": "version: number too long (100002 characters",
    "timezone_20kb.yaml": "event_types[0].availability.timezone: too long (20400 characters",
    "surrogate_email.yaml": "members[0].email: contains a character that is not valid Unicode",
    "invalid_members_20000.yaml": "40000 problems in 1 file",
    "big_integers.yaml": "version: number too large (at most 15 digits)",
    "credential_in_name.yaml": "${CALENDLY_TOKEN}: CALENDLY_* and SCALEKIT_* variables",
    "overlapping_intervals_5000.yaml": "more than 100 overlapping intervals",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("corpus")
    for file in (HERE / "corpus").iterdir():
        shutil.copy(file, directory / file.name)
    for name, make in GENERATED.items():
        (directory / f"{name}.yaml").write_text(make(), encoding="utf-8")
    expected = sum(4 if p.stat().st_size <= SMALL_BYTES else 1 for p in directory.iterdir())
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fuzz.run_corpus", str(directory)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("CALENDLY_", "SCALEKIT_"))},
    )
    try:
        out, err = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        done = [json.loads(line) for line in out.splitlines()]
        last = f"{done[-1]['input']} {done[-1]['command']}" if done else "none"
        pytest.fail(f"the corpus hung: {len(done)} of {expected} runs done, the last: {last}")
    assert process.returncode == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == expected
    return results


def test_no_input_crashes_the_cli(runs: list[dict[str, Any]]) -> None:
    crashes = {f"{r['input']} {r['command']}": r["crash"] for r in runs if r["crash"]}
    assert crashes == {}
    assert {r["exit"] for r in runs} <= {0, 1}


def test_every_line_is_a_clear_one_line_message(runs: list[dict[str, Any]]) -> None:
    unclear = []
    for run in runs:
        for line in run["stderr"].splitlines():
            if not LINE.fullmatch(line):
                unclear.append((run["input"], line))
        if run["command"] == ["validate", "--format", "github"]:
            unclear += [
                (run["input"], x) for x in run["stdout"].splitlines() if not ANNOTATION.fullmatch(x)
            ]
    assert unclear == []
    assert max(r["longest_line"] for r in runs) < 1000  # values are shortened in messages


def test_each_hostile_input_of_the_issue_gets_its_problem(runs: list[dict[str, Any]]) -> None:
    seen = {r["input"]: r["stderr"] for r in runs if r["command"] == ["validate"]}
    missing = {name: seen[name] for name, text in EXPECTED.items() if text not in seen[name]}
    assert missing == {}
    assert all(r["exit"] == 1 for r in runs if r["input"] in EXPECTED)
