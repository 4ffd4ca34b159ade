"""What qa-tui does to the file system: only folders it creates become owner-only (a folder
that exists keeps its mode, whoever owns it), and files it creates are 0600.

Run as root in CI: every "shared" folder here is a folder under the test's tmp path with mode
1777 (never /tmp itself).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_tui.cli import main
from qa_tui.fsutil import atomic_write_bytes, make_private_dir

POSIX = os.name == "posix"
AS_ROOT = POSIX and os.geteuid() == 0
posix_only = pytest.mark.skipif(not POSIX, reason="POSIX modes")
SHARED = 0o1777
NOBODY = 65534


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Path]:
    """A world-writable sticky folder like /tmp (under the test's own tmp path), whose mode
    and owner must come out unchanged; owned by another user when the test runs as root."""
    folder = tmp_path / "shared"
    folder.mkdir()
    if POSIX:
        folder.chmod(SHARED)
        if AS_ROOT:
            os.chown(folder, NOBODY, NOBODY)
    before = folder.stat()
    yield folder
    after = folder.stat()
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode), "mode changed"
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid), "owner changed"


# --- item 1: the mode of folders qa-tui did not create --------------------------------------


@posix_only
def test_make_private_dir_chmods_only_the_folders_it_creates(shared: Path) -> None:
    made = make_private_dir(shared / "a" / "b" / "c")
    assert made.is_dir()
    for folder in (shared / "a", shared / "a" / "b", shared / "a" / "b" / "c"):
        assert mode(folder) == 0o700, folder
    make_private_dir(shared)  # exists: left alone (checked by the fixture)
    (shared / "a").chmod(0o755)
    make_private_dir(shared / "a" / "new")
    assert mode(shared / "a") == 0o755 and mode(shared / "a" / "new") == 0o700


@posix_only
def test_make_private_dir_whatever_the_umask(shared: Path) -> None:
    old = os.umask(0o277)
    try:
        make_private_dir(shared / "strict")
    finally:
        os.umask(old)
    assert mode(shared / "strict") == 0o700


def test_make_private_dir_refuses_a_file_where_a_folder_belongs(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        make_private_dir(tmp_path / "file")
    with pytest.raises(OSError):
        make_private_dir(tmp_path / "file" / "sub")
    assert (tmp_path / "file").read_text() == "x"


@posix_only
def test_atomic_write_makes_a_private_file_and_keeps_the_folder(shared: Path) -> None:
    atomic_write_bytes(shared / "out.bin", b"data")
    atomic_write_bytes(shared / "new" / "out.bin", b"data")
    assert mode(shared / "out.bin") == 0o600
    assert mode(shared / "new") == 0o700 and mode(shared / "new" / "out.bin") == 0o600


@posix_only
@pytest.mark.parametrize("where", ["config.toml", "sub/config.toml"])
def test_config_file_in_a_shared_folder(shared: Path, where: str) -> None:
    path = shared / where
    code, _, err = run("--config", str(path), "template", "list")
    assert code == 0, err
    assert mode(path) == 0o600
    if path.parent != shared:
        assert mode(path.parent) == 0o700


@posix_only
def test_new_sqlite_database_in_a_shared_folder(shared: Path) -> None:
    code, _, err = run("demo", "--db", url(shared / "qa.db"), "--evaluations", "2")
    assert code == 0, err
    assert mode(shared / "qa.db") == 0o600
    code, _, err = run("demo", "--db", url(shared / "deeper" / "qa.db"), "--evaluations", "2")
    assert code == 0, err
    assert mode(shared / "deeper") == 0o700 and mode(shared / "deeper" / "qa.db") == 0o600


@posix_only
def test_central_init_key_out_and_export_out_in_a_shared_folder(
    shared: Path, tmp_path: Path
) -> None:
    central = url(tmp_path / "central.db")
    code, _, err = run("central", "init", "--db", central, "--key-out", str(shared / "qa.key"))
    assert code == 0, err
    assert mode(shared / "qa.key") == 0o600
    laptop = url(tmp_path / "laptop.db")
    run("demo", "--db", laptop, "--evaluations", "2")
    out = shared / "bundles" / "one.qab"
    code, _, err = run(
        "export", "--db", laptop, "--to", f"{shared / 'qa.key'}.pub", "--out", str(out)
    )
    assert code == 0, err
    assert mode(out.parent) == 0o700 and mode(out) == 0o600


@posix_only
def test_concern_notice_folder_beside_an_existing_documents_folder(shared: Path) -> None:
    """The notice dialog (tui/dialogs/concern_notice.py) saves with make_private_dir(folder)
    then atomic_write_bytes: the documents folder keeps its mode, the notices folder is ours."""
    folder = make_private_dir(shared / "qa-tui notices")
    atomic_write_bytes(folder / "notice.txt", b"notice")
    assert mode(folder) == 0o700 and mode(folder / "notice.txt") == 0o600


@posix_only
def test_upgrade_backup_is_private_from_the_start(shared: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from qa_tui.store import migrate

    db = shared / "qa.db"
    sqlite3.connect(db).close()
    seen: list[int] = []
    real_connect = sqlite3.connect

    def spy(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "before-upgrade" in str(target):
            seen.append(mode(Path(target)))
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(migrate.sqlite3, "connect", spy)
    backup = migrate.backup_sqlite(db, "0001")
    assert seen == [0o600] and mode(backup) == 0o600
