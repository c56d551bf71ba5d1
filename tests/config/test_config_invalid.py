"""Invalid configs: each case is `data/invalid/<case>.yaml` (or a directory `<case>/`) next to
`<case>.expected`, the exact lines `ConfigError.lines()` must give (problems, then the summary).

Cases are loaded from inside `data/invalid`, so file names in the expected output are short.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reconciler.config import ConfigError, load_config

DATA = Path(__file__).parent / "data" / "invalid"

ENVIRON = {
    "WEBHOOK_SIGNING_KEY": "whsec_TOPSECRET_0123456789",
    "HOOK_HOST": "hooks.acme.example",
}
# Cases that need loader options other than the defaults.
OPTIONS: dict[str, dict[str, bool]] = {"http_webhook_allowed": {"allow_insecure_webhooks": True}}
# Values that no problem message may ever contain (signing keys of signing_key_hidden.yaml).
SECRETS = (
    "whsec_TOPSECRET_0123456789",
    "whsec_literal_secret_value",
    "whsec_in_a_list",
    "whsec_tagged",
    "1234567890",
)

CASES = sorted(p.stem for p in DATA.glob("*.expected"))


def _target(case: str) -> str:
    return f"{case}.yaml" if (DATA / f"{case}.yaml").is_file() else case


def _load_lines(case: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config([_target(case)], environ=ENVIRON, **OPTIONS.get(case, {}))
    return caught.value.lines()


def test_every_case_has_its_expected_output() -> None:
    inputs = {p.stem for p in DATA.glob("*.yaml")} | {p.name for p in DATA.iterdir() if p.is_dir()}
    assert inputs == set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_invalid_case(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    expected = (DATA / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    assert _load_lines(case) == expected


@pytest.mark.parametrize("case", CASES)
def test_no_message_shows_a_signing_key(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    output = "\n".join(_load_lines(case))
    assert not [secret for secret in SECRETS if secret in output]


def test_alias_bomb_is_refused_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    started = time.perf_counter()
    lines = _load_lines("alias_bomb")
    # Expanding it would take 9**9 nodes; the budget stops it after 100,000.
    assert time.perf_counter() - started < 5
    assert lines[-1] == "1 problem in 1 file"


def test_problems_are_sorted_and_unique(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    with pytest.raises(ConfigError) as caught:
        load_config(
            ["wrong_types.yaml", "duplicate_across_files", "unknown_keys.yaml"], environ=ENVIRON
        )
    problems = caught.value.problems
    assert problems == sorted(set(problems))
    assert caught.value.lines()[-1] == "21 problems in 4 files"
