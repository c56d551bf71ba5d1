"""The OAuth token file on its own: format, permissions, errors, sidecar recovery, the lock."""

from __future__ import annotations

import fcntl
import json
import os
import stat
from pathlib import Path

import pytest

from reconciler.client.auth import AuthError, TokenFile, TokenSet
from reconciler.client.secret import Secret

LOGIN = "run `calendly-reconciler login` to authorize again"


def token_set(n: int, *, generation: int | None = None) -> TokenSet:
    return TokenSet(
        access_token=Secret(f"access-token-{n:04d}"),
        refresh_token=Secret(f"refresh-token-{n:04d}"),
        expires_at=1_795_356_000.0 + n,
        scope="users:read webhooks:write",
        owner="https://api.calendly.com/users/U1",
        organization="https://api.calendly.com/organizations/O1",
        client_id="client-1",
        generation=n if generation is None else generation,
    )


def load(path: Path) -> TokenSet:
    file = TokenFile(path)
    with file.locked():
        return file.load()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_then_load_round_trips_with_mode_600(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    file = TokenFile(path)
    with file.locked():
        file.save(token_set(1))
    assert load(path) == token_set(1)
    assert mode(path) == 0o600
    assert not file.sidecar.exists()
    assert json.loads(path.read_text()) == {
        "version": 1,
        "token_type": "Bearer",
        "access_token": "access-token-0001",
        "refresh_token": "refresh-token-0001",
        "expires_at": 1_795_356_001.0,
        "scope": "users:read webhooks:write",
        "owner": "https://api.calendly.com/users/U1",
        "organization": "https://api.calendly.com/organizations/O1",
        "client_id": "client-1",
        "generation": 1,
    }


def test_saving_over_a_world_readable_file_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    path.write_text("{}")
    path.chmod(0o644)
    file = TokenFile(path)
    with file.locked():
        file.save(token_set(1))
    assert mode(path) == 0o600


def test_repr_never_shows_a_token() -> None:
    assert "token-0001" not in repr(token_set(1))
    assert "Secret('***')" in repr(token_set(1))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sk-a-personal-access-token\n",
         "{path} is not valid JSON (line 1, column 1): it is not an OAuth token file written "
         f"by `calendly-reconciler login`; {LOGIN}"),
        ('{"access_token": "a"',
         "{path} is not valid JSON (line 1, column 21): it is not an OAuth token file written "
         f"by `calendly-reconciler login`; {LOGIN}"),
        ("[1, 2]", f"{{path}} is not an OAuth token file (a JSON object); {LOGIN}"),
        ('{"access_token": "secret-access-value", "expires_at": "soon"}',
         "{path} has no valid refresh_token, expires_at: it is not an OAuth token file written "
         f"by `calendly-reconciler login`; {LOGIN}"),
    ],
)  # fmt: skip
def test_a_bad_token_file_is_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "token.json"
    path.write_text(content)
    with pytest.raises(AuthError) as err:
        load(path)
    assert str(err.value) == message.format(path=path)
    assert "secret-access-value" not in str(err.value)


def test_a_missing_token_file_says_to_log_in(tmp_path: Path) -> None:
    with pytest.raises(AuthError) as err:
        load(tmp_path / "token.json")
    assert str(err.value) == (
        f"no OAuth token file at {tmp_path / 'token.json'}: run `calendly-reconciler login` "
        "first (or pass --token-file)"
    )


def test_an_unreadable_token_file_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    path.mkdir()
    with pytest.raises(AuthError) as err:
        load(path)
    assert str(err.value) == f"cannot read the OAuth token file {path}: Is a directory"


def test_a_newer_complete_sidecar_wins(tmp_path: Path) -> None:
    """A run died after its sidecar's fsync, before the rename: its tokens are not lost."""
    path = tmp_path / "token.json"
    file = TokenFile(path)
    path.write_text(json.dumps(token_set(1).to_json()))
    file.sidecar.write_text(json.dumps(token_set(2).to_json()))
    assert load(path) == token_set(2)
    assert not file.sidecar.exists()
    assert json.loads(path.read_text())["generation"] == 2


def test_a_sidecar_also_replaces_a_missing_or_corrupt_token_file(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    file = TokenFile(path)
    file.sidecar.write_text(json.dumps(token_set(2).to_json()))
    assert load(path) == token_set(2)
    path.write_text("{not json")
    file.sidecar.write_text(json.dumps(token_set(3).to_json()))
    assert load(path) == token_set(3)


@pytest.mark.parametrize(
    "sidecar",
    [
        json.dumps(token_set(2).to_json())[:40],  # torn: the crash came before its fsync
        "",
        json.dumps(token_set(1, generation=1).to_json()),  # not newer than the file
    ],
)
def test_a_torn_or_stale_sidecar_is_dropped(tmp_path: Path, sidecar: str) -> None:
    path = tmp_path / "token.json"
    file = TokenFile(path)
    path.write_text(json.dumps(token_set(1).to_json()))
    file.sidecar.write_text(sidecar)
    assert load(path) == token_set(1)
    assert not file.sidecar.exists()


def test_the_lock_excludes_other_openers(tmp_path: Path) -> None:
    file = TokenFile(tmp_path / "token.json")
    with file.locked():
        fd = os.open(file.lock_path, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(file.lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released on leaving the block
    finally:
        os.close(fd)
    assert mode(file.lock_path) == 0o600


def test_a_failed_write_keeps_the_old_file_and_no_sidecar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "token.json"
    file = TokenFile(path)
    with file.locked():
        file.save(token_set(1))

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with file.locked(), pytest.raises(AuthError) as err:
        file.save(token_set(2))
    monkeypatch.undo()
    assert str(err.value) == f"cannot write the OAuth token file {path}: No space left on device"
    assert not file.sidecar.exists()
    assert load(path) == token_set(1)
