"""`export --templates`: identical event types of several owners become one `owners:` entry,
and the export still plans to zero changes."""

from __future__ import annotations

from pathlib import Path

from reconciler.config import load_config
from tests.export.support import make_sandbox, run

SHARED = """\
members:
  - email: dana@acme.example
  - email: ethan@acme.example
  - email: gabriel@acme.example
event_types:
  - name: Pricing Review
    owners: [dana@acme.example, ethan@acme.example]
    duration: 45
    active: true
    availability:  # the same hours in the same zone: else they differ
      timezone: America/New_York
      rules: [{wday: monday, intervals: ["09:00-12:00"]}]
  - name: Pricing Review
    owner: gabriel@acme.example
    duration: 60
    active: true
"""


def test_identical_event_types_fold_into_one_owners_entry(tmp_path: Path) -> None:
    sandbox = make_sandbox()
    (tmp_path / "seed.yaml").write_text(SHARED, encoding="utf-8")
    applied = run(sandbox, "apply", tmp_path / "seed.yaml", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    out = tmp_path / "config"
    result = run(sandbox, "export", "-o", out, "--templates")
    assert result.exit_code == 0, result.stderr
    text = (out / "event-types.yaml").read_text("utf-8")
    assert (
        "  # 2 identical event types, one per owner, as one entry.\n"
        "  - name: Pricing Review\n"
        "    owners: [dana@acme.example, ethan@acme.example]\n"
        "    duration: 45\n"
    ) in text
    assert "    owner: gabriel@acme.example\n    duration: 60\n" in text.replace(
        "  - name: Pricing Review\n", ""
    )
    config = load_config(out)
    assert [t.name for t in config.templates] == ["Pricing Review"]
    plan = run(sandbox, "plan", out, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout + plan.stderr
