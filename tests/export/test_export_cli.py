"""The export command's contract: usage errors, streams, no overwriting, the schema line, and
failures as one clear line (exit 1, no traceback)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler.config.schema import schemas_dir
from reconciler.export import schema_reference, write_files
from reconciler.export.write import ExportError
from tests.export.support import DATA, make_sandbox, run

NEEDS_O = "needs -o DIR (without it the export goes to stdout)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split-by", "owner"], f"Error: --split-by {NEEDS_O}"),
        (["--force"], f"Error: --force {NEEDS_O}"),
        (
            ["--unmanaged-only"],
            "Error: --unmanaged-only needs the config: export --unmanaged-only CONFIG_PATH...",
        ),
        (
            ["config/"],
            "Error: CONFIG_PATH is only read with --unmanaged-only "
            "(a plain export needs no config)",
        ),
        (
            ["--split-by", "team", "-o", "x"],
            "Error: Invalid value for '--split-by': 'team' is not one of 'kind', 'owner'.",
        ),
    ],
)
def test_usage_errors_exit_1_before_any_request(args: list[str], message: str) -> None:
    sb = make_sandbox()
    result = run(sb, "export", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == message
    assert sb.requests == []


def test_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    sb = make_sandbox()
    out = tmp_path / "config"
    assert run(sb, "export", "-o", out).exit_code == 0
    (out / "members.yaml").write_text("# mine\n", "utf-8")
    (out / "webhooks.yaml").unlink()
    result = run(sb, "export", "-o", out)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: refusing to overwrite {out / 'members.yaml'}, {out / 'event-types.yaml'}, "
        f"{out / 'availability-schedules.yaml'}: pass --force to replace them, or choose another "
        "directory"
    )
    assert (out / "members.yaml").read_text("utf-8") == "# mine\n"
    assert not (out / "webhooks.yaml").exists()  # all or nothing
    result = run(sb, "export", "-o", out, "--force")
    assert result.exit_code == 0, result.stderr
    assert (out / "members.yaml").read_text("utf-8").startswith("# Calendly organization")
    assert sorted(p.name for p in out.iterdir()) == [
        "availability-schedules.yaml",
        "event-types.yaml",
        "members.yaml",
        "webhooks.yaml",
    ]


def test_notes_other_yaml_in_the_output_directory(tmp_path: Path) -> None:
    sb = make_sandbox()
    out = tmp_path / "config"
    out.mkdir()
    (out / "policy.yml").write_text("policy:\n  prune: [webhooks]\n", "utf-8")
    result = run(sb, "export", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        f"Note: {out} also holds YAML this export did not write ({out / 'policy.yml'}); "
        "plan reads it too."
    )


def test_output_that_is_a_file_is_one_clear_error(tmp_path: Path) -> None:
    sb = make_sandbox()
    (tmp_path / "taken").write_text("", "utf-8")
    result = run(sb, "export", "-o", tmp_path / "taken")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '-o' / '--output': Directory '{tmp_path / 'taken'}' is a file."
    )
    assert sb.requests == []


def test_a_bad_token_is_one_clear_error() -> None:
    sb = make_sandbox()
    result = run(sb, "export", CALENDLY_TOKEN="not-a-token")
    assert result.exit_code == 1
    assert result.stdout == ""
    [*_, last] = result.stderr.splitlines()
    assert last.startswith("Error: GET /users/me") and "401" in last
    assert "not-a-token" not in result.stderr


def test_a_member_token_cannot_read_the_organization_webhooks() -> None:
    """Export needs an admin token: a plain member's is refused with the API's reason."""
    sb = make_sandbox(DATA / "small-org.yaml")
    result = run(sb, "export", token="member")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: GET /webhook_subscriptions answered 403 Permission Denied: You do not have "
        "permission to access this resource. Managing an organization (members, other users' "
        "event types, organization webhooks) needs a token of one of its owners or admins"
    )
    assert {r.method for r in sb.requests} == {"GET"}


def test_help_explains_the_flags() -> None:
    result = run(make_sandbox(), "export", "--help")
    assert result.exit_code == 0
    for text in (
        "--unmanaged-only, --include-unmanaged",
        "--split-by [kind|owner]",
        "-o, --output DIR",
        "calendly-reconciler export --unmanaged-only config/ -o config/adopted/",
    ):
        assert text in result.stdout


def test_schema_line_only_inside_the_tree_that_holds_the_schemas(tmp_path: Path) -> None:
    schemas = tmp_path / "repo" / "schemas"
    schemas.mkdir(parents=True)
    (schemas / "config.schema.json").write_text("{}", "utf-8")
    inside = tmp_path / "repo" / "config" / "owners" / "a@b.example.yaml"
    assert schema_reference(inside, schemas) == "../../schemas/config.schema.json"
    assert schema_reference(tmp_path / "elsewhere" / "members.yaml", schemas) is None
    assert schema_reference(inside, None) is None
    assert schema_reference(inside, tmp_path / "nothing-here") is None


def test_files_written_inside_the_checkout_get_the_schema_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line points at the schemas the CLI validates with, and only from inside their tree."""
    checkout = tmp_path / "repo"
    shutil.copytree(Path(str(schemas_dir())), checkout / "schemas")
    monkeypatch.setattr("reconciler.cli.export.schemas_dir", lambda: checkout / "schemas")
    sb = make_sandbox()
    assert run(sb, "export", "-o", checkout / "config", "--split-by", "owner").exit_code == 0
    members = (checkout / "config" / "members.yaml").read_text("utf-8")
    assert members.startswith(
        "# yaml-language-server: $schema=../schemas/config.schema.json\n#\n# Calendly organization"
    )
    owner = (checkout / "config" / "owners" / "alice@acme.example.yaml").read_text("utf-8")
    assert owner.startswith("# yaml-language-server: $schema=../../schemas/config.schema.json\n")
    assert run(sb, "export", "-o", tmp_path / "outside").exit_code == 0
    outside = (tmp_path / "outside" / "members.yaml").read_text("utf-8")
    assert outside.startswith("# Calendly organization")


def test_write_files_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("old", "utf-8")
    with pytest.raises(ExportError, match=r"refusing to overwrite .*b\.yaml: pass --force to"):
        write_files(tmp_path, {"a.yaml": "new a", "b.yaml": "new b"}, force=False)
    assert not (tmp_path / "a.yaml").exists()
    written = write_files(tmp_path, {"a.yaml": "new a", "sub/b.yaml": "new b"}, force=False)
    assert written == [tmp_path / "a.yaml", tmp_path / "sub" / "b.yaml"]
    assert (tmp_path / "sub" / "b.yaml").read_text("utf-8") == "new b"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.yaml", "b.yaml", "b.yaml", "sub"]


def test_a_read_only_admin_token_is_enough() -> None:
    """Export needs read scopes only, and says the same thing whoever's admin token it uses."""
    sb = make_sandbox()
    readonly = run(sb, "export", token="readonly")
    assert readonly.exit_code == 0, readonly.stderr
    assert readonly.stdout == run(sb, "export").stdout
    assert {r.method for r in sb.requests} == {"GET"}
