"""Where documents go and how they are written.

By default into a folder named for the product in the platform's documents folder
(platformdirs: ``~/Documents/qa-tui`` on Linux and macOS, ``Documents\\qa-tui`` on Windows),
never a hidden one; the ``documents_dir`` setting chooses another. Names carry the case
reference and the date, never a person's name. Files are written atomically and readable by
their owner alone; an unwritable folder is a one-line error and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from qa_tui.errors import QaError


def write_document(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (the folder is made if missing); returns the path.

    Raises :class:`QaError` with one line naming the file for anything that stops it.
    """
    from qa_tui.fsutil import atomic_write_bytes

    try:
        atomic_write_bytes(path, data)
    except OSError as err:
        reason = err.strerror or str(err)
        raise QaError(f"{path}: cannot be written ({reason}); nothing was saved") from None
    return path
