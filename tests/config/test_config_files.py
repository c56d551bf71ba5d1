"""Which files are read, in which order, and the file-level problems (missing, too large…)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.config import ConfigError, load_config
from reconciler.config.files import MAX_FILE_BYTES

MEMBER = "members:\n  - email: {}@acme.example\n"


def _lines(paths: list[str], **options: bool) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(paths, environ={}, **options)
    return caught.value.lines()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """conf/a.yaml, conf/sub/b.yml, conf/.hidden/x.yaml, conf/notes.txt; cwd = tmp_path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf" / "sub").mkdir(parents=True)
    (tmp_path / "conf" / ".hidden").mkdir()
    (tmp_path / "conf" / "a.yaml").write_text(MEMBER.format("a"))
    (tmp_path / "conf" / "sub" / "b.yml").write_text(MEMBER.format("b"))
    (tmp_path / "conf" / ".hidden" / "x.yaml").write_text("not: [valid")
    (tmp_path / "conf" / ".dotfile.yaml").write_text("not: [valid")
    (tmp_path / "conf" / "notes.txt").write_text("not: [valid")
    return tmp_path


def test_directory_is_read_recursively_in_sorted_order_skipping_hidden(tree: Path) -> None:
    config = load_config(["conf"], environ={})
    assert config.files == ("conf/a.yaml", "conf/sub/b.yml")
    assert [m.email for m in config.members] == ["a@acme.example", "b@acme.example"]


def test_files_are_deduplicated_and_sorted_whatever_the_argument_order(tree: Path) -> None:
    config = load_config(["conf/sub/b.yml", "conf", "./conf/a.yaml"], environ={})
    assert config.files == ("conf/a.yaml", "conf/sub/b.yml")
    assert load_config(["conf/sub/b.yml", "conf/a.yaml"], environ={}) == load_config(
        ["conf/a.yaml", "conf/sub/b.yml"], environ={}
    )


def test_a_single_path_is_accepted_as_is(tree: Path) -> None:
    assert load_config("conf/a.yaml", environ={}).files == ("conf/a.yaml",)
    assert load_config(Path("conf"), environ={}).files == ("conf/a.yaml", "conf/sub/b.yml")


def test_trailing_slash_and_absolute_paths_are_shown_as_given(tree: Path) -> None:
    assert load_config(["conf/"], environ={}).files == ("conf/a.yaml", "conf/sub/b.yml")
    absolute = str(tree / "conf")
    assert load_config([absolute], environ={}).files == (
        f"{absolute}/a.yaml",
        f"{absolute}/sub/b.yml",
    )


def test_missing_path_empty_directory_and_non_yaml_file(tree: Path) -> None:
    (tree / "empty").mkdir()
    assert _lines(["nope.yaml", "empty", "conf/notes.txt", "conf"]) == [
        "conf/notes.txt: not a YAML file (expected a .yaml or .yml name)",
        "empty: no .yaml or .yml files in this directory",
        "nope.yaml: no such file or directory",
        "3 problems in 3 files",
    ]


def test_no_paths_at_all() -> None:
    assert _lines([]) == [
        "(command line): no configuration paths given",
        "1 problem in 1 file",
    ]


def test_oversized_file_is_refused_without_parsing(tree: Path) -> None:
    # Invalid YAML: were it parsed, the problem would be a syntax error instead.
    (tree / "big.yaml").write_bytes(b"[" * (MAX_FILE_BYTES + 1))
    assert _lines(["big.yaml", "conf"]) == [
        "big.yaml: the file is too large (1048577 bytes; the limit is 1 MiB): not read",
        "1 problem in 1 file",
    ]


def test_a_file_of_exactly_the_limit_is_read(tree: Path) -> None:
    body = MEMBER.format("c").encode()
    (tree / "limit.yaml").write_bytes(body + b"#" * (MAX_FILE_BYTES - len(body)))
    assert [m.email for m in load_config(["limit.yaml"], environ={}).members] == ["c@acme.example"]


def test_invalid_utf8_is_a_problem_at_the_byte(tree: Path) -> None:
    (tree / "latin1.yaml").write_bytes(
        "members:\n  - email: jos\u00e9@acme.example\n".encode("latin-1")
    )
    assert _lines(["latin1.yaml"]) == [
        "latin1.yaml:2:15: the file is not valid UTF-8 text (byte 0xe9)",
        "1 problem in 1 file",
    ]


def test_utf8_bom_and_empty_files_are_fine(tree: Path) -> None:
    (tree / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + MEMBER.format("d").encode())
    (tree / "empty.yaml").write_text("")
    (tree / "comments.yaml").write_text("# nothing declared yet\n---\n")
    config = load_config(["bom.yaml", "empty.yaml", "comments.yaml"], environ={})
    assert [m.email for m in config.members] == ["d@acme.example"]
    assert config.files == ("bom.yaml", "comments.yaml", "empty.yaml")


def test_control_characters_are_a_problem_at_their_position(tree: Path) -> None:
    (tree / "nul.yaml").write_text("members:\n  - email: a\x00@acme.example\n")
    assert _lines(["nul.yaml"]) == [
        "nul.yaml:2:13: unacceptable character #x0000: special characters are not allowed",
        "1 problem in 1 file",
    ]


def test_unreadable_file(tree: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    (tree / "secret.yaml").write_text(MEMBER.format("e"))
    (tree / "secret.yaml").chmod(0)
    assert _lines(["secret.yaml"]) == [
        "secret.yaml: cannot read the file: Permission denied",
        "1 problem in 1 file",
    ]
