"""What qa-tui does to the file system: only folders it creates become owner-only (a folder
that exists keeps its mode, whoever owns it), files it creates are 0600, and a directory,
FIFO, socket or device given where a file belongs is refused in one line and left untouched.

Run as root in CI: every "shared" folder here is a folder under the test's tmp path with mode
1777 (never /tmp itself), and every device is made under tmp_path (never /dev).
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qa_tui.config import load_settings, save_settings
from qa_tui.errors import ConfigError, StoreError
from qa_tui.fsutil import atomic_write_bytes, make_private_dir, special_kind
from tests.data.test_cli import run, url

POSIX = os.name == "posix"
AS_ROOT = POSIX and os.geteuid() == 0
posix_only = pytest.mark.skipif(not POSIX, reason="POSIX modes, FIFOs and devices")
SHARED = 0o1777
NOBODY = 65534


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


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
def test_upgrade_backup_is_private_from_the_start(shared: Path, monkeypatch) -> None:
    import sqlite3

    from qa_tui.store import migrate

    db = shared / "qa.db"
    sqlite3.connect(db).close()
    seen: list[int] = []
    real_connect = sqlite3.connect

    def spy(target, *args, **kwargs):
        if "before-upgrade" in str(target):
            seen.append(mode(Path(target)))
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(migrate.sqlite3, "connect", spy)
    backup = migrate.backup_sqlite(db, "0001")
    assert seen == [0o600] and mode(backup) == 0o600


# --- item 2: --config (and the like) that is not a regular file ----------------------------


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _char_device(path: Path) -> Path:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a character device under tmp_path here ({exc.strerror})")
    return path


def _socket(path: Path) -> Path:
    if len(str(path)) > 100:
        pytest.skip("tmp path too long for a Unix socket")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return path


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


SPECIALS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (_fifo, "a FIFO"),
    "char-device": (_char_device, "a character device"),
    "socket": (_socket, "a socket"),
    "directory": (_directory, "a directory"),
}


@contextlib.contextmanager
def fifo_watchdog(fifo: Path) -> Iterator[None]:
    """If code under test opens ``fifo`` for reading (and so would wait for ever), attach and
    detach a writer every few seconds after the first 10, so the reader sees end-of-file and
    the test fails on its assertions instead of hanging."""
    done = threading.Event()

    def release() -> None:
        if done.wait(10):
            return
        while not done.wait(2):
            with contextlib.suppress(OSError):  # ENXIO: nobody is reading
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    watchdog = threading.Thread(target=release, daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()
        watchdog.join()


@pytest.fixture(params=list(SPECIALS))
def special(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Something that is not a regular file, checked unchanged afterwards (same inode, kind
    and device number)."""
    if not POSIX and request.param != "directory":
        pytest.skip("POSIX file kinds")
    make, kind = SPECIALS[request.param]
    path = make(tmp_path / "special")
    before = os.lstat(path)
    if request.param == "fifo":
        with fifo_watchdog(path):
            yield path, kind
    else:
        yield path, kind
    after = os.lstat(path)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (
        before.st_ino,
        before.st_mode,
        before.st_rdev,
    ), "the special file was replaced or changed"


def test_special_config_is_refused_untouched(special: tuple[Path, str]) -> None:
    path, kind = special
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    message = str(err.value)
    assert f"{path}: is {kind}" in message and "\n" not in message


def test_special_config_on_the_command_line_is_one_line(special: tuple[Path, str]) -> None:
    path, kind = special
    for args in (["--config", str(path), "list"], ["--config", str(path), "keys", "show"]):
        code, out, err = run(*args)
        assert code == 1
        assert err.strip().count("\n") == 0 and f"is {kind}" in err, err
        assert "Usage:" not in err + out and "Traceback" not in err + out


def test_special_sqlite_database_is_refused_untouched(special: tuple[Path, str]) -> None:
    from qa_tui.store.migrate import open_store

    path, kind = special
    with pytest.raises(StoreError) as err:
        open_store(url(path))
    assert f"is {kind}" in str(err.value)


def test_special_bundle_output_is_refused_untouched(special: tuple[Path, str]) -> None:
    path, kind = special
    with pytest.raises(OSError) as err:
        atomic_write_bytes(path, b"bundle")
    assert f"is {kind}" in str(err.value)


def test_special_kind_names_what_is_there(special: tuple[Path, str]) -> None:
    path, kind = special
    assert special_kind(path) == kind


@posix_only
def test_config_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "qa-tui.toml"
    link = tmp_path / "config" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(target)  # dangling until the first run writes it
    first = load_settings(link)
    assert link.is_symlink() and target.is_file()
    save_settings(first.with_changes(auditor_name="Sam Patel"))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_settings(target).auditor_name == "Sam Patel"
    assert load_settings(link).device_id == first.device_id
    assert sorted(p.name for p in dotfiles.iterdir()) == ["qa-tui.toml"]  # no temp file left
    assert sorted(p.name for p in link.parent.iterdir()) == ["config.toml"]


@posix_only
def test_config_symlink_loop_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    code, _, err = run("--config", str(tmp_path / "a"), "list")
    assert code == 1 and err.strip().count("\n") == 0 and str(tmp_path / "a") in err


def test_a_directory_as_a_bundle_is_one_line(tmp_path: Path) -> None:
    central = url(tmp_path / "central.db")
    run("central", "init", "--db", central, "--key-out", str(tmp_path / "qa.key"))
    folder = tmp_path / "bundles"
    folder.mkdir()
    code, out, err = run("merge", "--into", central, "--key", str(tmp_path / "qa.key"), str(folder))
    assert code == 1
    assert err.strip().count("\n") == 0 and "is a directory, not a bundle file" in err, err
    assert "Usage:" not in err + out
    missing = tmp_path / "missing.qab"
    code, _, err = run("merge", "--into", central, "--key", str(tmp_path / "qa.key"), str(missing))
    assert code == 1 and err.strip().count("\n") == 0 and "no such file" in err


@posix_only
def test_a_fifo_as_a_bundle_or_key_never_hangs(tmp_path: Path) -> None:
    central = url(tmp_path / "central.db")
    run("central", "init", "--db", central, "--key-out", str(tmp_path / "qa.key"))
    fifo = _fifo(tmp_path / "pipe")
    key = str(tmp_path / "qa.key")
    with fifo_watchdog(fifo):
        code, _, err = run("merge", "--into", central, "--key", key, str(fifo))
        assert code == 1 and "is a FIFO, not a bundle file" in err
        code, _, err = run("merge", "--into", central, "--key", str(fifo), str(fifo))
        assert code == 1 and "is a FIFO, not a key file" in err
