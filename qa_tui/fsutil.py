"""File-system helpers that keep personal data readable by its owner alone.

Two rules hold everywhere qa-tui touches the file system:

* A folder or file qa-tui **creates** is owner-only (0700, 0600 on POSIX). A folder that
  already existed keeps its mode, whoever owns it: running ``qa-tui --db sqlite:////tmp/x.db``
  as root must never turn ``/tmp`` into 0700.
* qa-tui reads and replaces **regular files** only. A directory, FIFO, socket or device given
  where a file belongs is refused untouched (a FIFO is never opened: reading one would wait for
  ever); a symbolic link is followed, so the file it points to is the one read or replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = 0o700

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def make_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents; only the folders made here become owner-only.

    Folders are made one level at a time, so each one this call creates is known and chmodded
    to 0700 (on POSIX), and every folder that already existed is left exactly as it was.
    """
    missing: list[Path] = []
    current = path
    while not (current.exists() or current.is_symlink()):
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=OWNER_ONLY_DIR)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made by someone else meanwhile: not ours to change
        restrict(folder, OWNER_ONLY_DIR)  # exactly 0700, whatever the umask
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    return path


def restrict(path: Path, mode: int = OWNER_ONLY_FILE) -> None:
    """Best-effort chmod: on Windows the user profile's ACLs already keep files private."""
    if os.name == "posix" and path.exists():
        os.chmod(path, mode)


def special_kind(path: Path) -> str | None:
    """What is at ``path`` (links followed) if it is not a regular file: ``"a directory"``,
    ``"a FIFO"``, ``"a socket"``, ``"a character device"`` …; None for a regular file or for
    nothing at all. Only ``stat`` is used: the path is never opened.

    Raises :class:`OSError` when ``path`` cannot be examined (no permission, a link loop).
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def write_target(path: Path) -> Path:
    """Where writing ``path`` really goes: the file a symbolic link points to (the link is
    kept), else ``path`` itself. Raises :class:`OSError` for something that is not a regular
    file (a device, FIFO, socket or directory), which is left untouched."""
    kind = special_kind(path)  # first: a link loop is an OSError here, not in resolve()
    if kind is not None:
        raise FileExistsError(
            errno.EEXIST, f"is {kind}, not a regular file; it was left untouched", str(path)
        )
    return path.resolve() if path.is_symlink() else path


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A file handle whose bytes appear at ``path`` only once all are written and durable.

    A symbolic link at ``path`` is followed (the file it points to is replaced, the link is
    kept); anything else that is not a regular file is refused untouched (:func:`write_target`).
    The bytes go to a private temporary file in the same folder, are flushed to disk, and the
    file is renamed over ``path``; a crash leaves the old file or the new one, never half of
    one under the real name. On any error the temporary file is removed.
    """
    path = write_target(path)
    make_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        restrict(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably (see :func:`atomic_writer`)."""
    with atomic_writer(path) as handle:
        handle.write(data)


def private_scratch_file(folder: Path | None = None) -> BinaryIO:
    """A new, empty, owner-only (0600) file for bytes a process keeps for itself a while, in
    ``folder`` (the system's temporary folder if None), opened for writing and reading.

    It has no name anyone could open (POSIX: unlinked at once; Windows: deleted on close) and
    is gone once closed, or once the process ends however it ends.
    """
    return tempfile.TemporaryFile(prefix=".qa-tui-", suffix=".tmp", dir=folder)


def fsync_dir(path: Path) -> None:
    """Make a rename durable on POSIX (no-op where directories cannot be opened)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
