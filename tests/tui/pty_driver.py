"""Drive the real ``qa-tui`` process in a pseudo-terminal and read its screen (POSIX only).

:class:`PtyApp` starts a command on a pty of a given size, drains the pty in a thread (so the
app never blocks writing to it) and feeds what it reads to :class:`Screen`, a small terminal
emulator that understands what Textual writes: cursor positioning, erasing, and text (wide
characters take two cells). Colours and modes are ignored: the screen is plain text, so tests
wait for words to appear with :meth:`PtyApp.wait_for`.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

KEYS = {
    "enter": "\r",
    "tab": "\t",
    "escape": "\x1b",
    "ctrl+n": "\x0e",
    "ctrl+b": "\x02",
    "ctrl+s": "\x13",
    "down": "\x1b[B",
    "up": "\x1b[A",
}


def _width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


class Screen:
    """A grid of characters updated from a terminal output stream (enough for Textual)."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns, self.rows = columns, rows
        self.grid = [[" "] * columns for _ in range(rows)]
        self.x = self.y = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._state = "text"  # text, esc, csi, string (OSC/DCS/APC), string_esc, charset
        self._params = ""

    def feed(self, data: bytes) -> None:
        for char in self._decoder.decode(data):
            self._char(char)

    def text(self) -> str:
        return "\n".join("".join(row).rstrip() for row in self.grid)

    # --- the parser -----------------------------------------------------------------------

    def _char(self, char: str) -> None:
        state = self._state
        if state == "text":
            self._text(char)
        elif state == "esc":
            if char == "[":
                self._state, self._params = "csi", ""
            elif char in "]P_^X":
                self._state = "string"
            elif char in "()*+#%":
                self._state = "charset"
            else:
                self._state = "text"  # ESC 7, ESC 8, ESC =, ESC >…: nothing to draw
        elif state == "csi":
            if "\x40" <= char <= "\x7e":
                self._state = "text"
                self._csi(self._params, char)
            else:
                self._params += char
        elif state == "string":
            if char == "\x07":
                self._state = "text"
            elif char == "\x1b":
                self._state = "string_esc"
        elif state == "string_esc":
            self._state = "text" if char == "\\" else "string"
        else:  # a charset designation: one more character
            self._state = "text"

    def _text(self, char: str) -> None:
        if char == "\x1b":
            self._state = "esc"
        elif char == "\r":
            self.x = 0
        elif char == "\n":
            self.y = min(self.y + 1, self.rows - 1)
        elif char == "\b":
            self.x = max(self.x - 1, 0)
        elif char < " " or char == "\x7f":
            return
        else:
            width = _width(char)
            if width == 0 or self.x >= self.columns:
                return
            self.grid[self.y][self.x] = char
            if width == 2 and self.x + 1 < self.columns:
                self.grid[self.y][self.x + 1] = ""
            self.x += width

    def _csi(self, params: str, final: str) -> None:
        if params.startswith(("?", ">", "<", "=")):
            if final == "h" and params in ("?1049", "?47", "?1047"):
                self._erase(0, 0, self.rows - 1, self.columns)
            return  # private modes and queries: nothing to draw
        numbers = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def arg(index: int, default: int) -> int:
            value = numbers[index] if index < len(numbers) else 0
            return value or default

        if final in "Hf":
            self.y = min(max(arg(0, 1) - 1, 0), self.rows - 1)
            self.x = min(max(arg(1, 1) - 1, 0), self.columns - 1)
        elif final == "A":
            self.y = max(self.y - arg(0, 1), 0)
        elif final == "B":
            self.y = min(self.y + arg(0, 1), self.rows - 1)
        elif final == "C":
            self.x = min(self.x + arg(0, 1), self.columns - 1)
        elif final == "D":
            self.x = max(self.x - arg(0, 1), 0)
        elif final == "G":
            self.x = min(max(arg(0, 1) - 1, 0), self.columns - 1)
        elif final == "d":
            self.y = min(max(arg(0, 1) - 1, 0), self.rows - 1)
        elif final == "J":
            mode = arg(0, 0)
            if mode == 0:
                self._erase(self.y, self.x, self.rows - 1, self.columns)
            elif mode == 1:
                self._erase(0, 0, self.y, self.x + 1)
            else:
                self._erase(0, 0, self.rows - 1, self.columns)
        elif final == "K":
            mode = arg(0, 0)
            start, end = (self.x, self.columns) if mode == 0 else (0, self.x + 1)
            if mode == 2:
                start, end = 0, self.columns
            for col in range(start, min(end, self.columns)):
                self.grid[self.y][col] = " "
        elif final == "X":
            for col in range(self.x, min(self.x + arg(0, 1), self.columns)):
                self.grid[self.y][col] = " "

    def _erase(self, y0: int, x0: int, y1: int, x1: int) -> None:
        """Blank from (y0, x0) to (y1, x1) in reading order (x1 excluded on the last row)."""
        for y in range(y0, y1 + 1):
            start = x0 if y == y0 else 0
            end = x1 if y == y1 else self.columns
            for x in range(start, min(end, self.columns)):
                self.grid[y][x] = " "


class PtyApp:
    """One real process on a pseudo-terminal, its screen read continuously."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path | None = None,
        columns: int = 120,
        rows: int = 40,
        log_path: Path | None = None,
    ) -> None:
        import fcntl
        import struct
        import termios

        self.screen = Screen(columns, rows)
        self._lock = threading.Lock()
        self._log = log_path.open("wb") if log_path is not None else None
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.master = master
        try:
            self.process = subprocess.Popen(
                list(argv),
                stdin=slave,
                stdout=slave,
                stderr=slave,  # Textual draws on stderr
                env=dict(env),
                cwd=cwd,
                start_new_session=True,
                close_fds=True,
            )
        finally:
            os.close(slave)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: every process holding the other end has gone
                break
            if not data:
                break
            with self._lock:
                self.screen.feed(data)
            if self._log is not None:
                self._log.write(data)
                self._log.flush()

    # --- what is on the screen ------------------------------------------------------------

    def text(self) -> str:
        """The screen as plain text, one line per row."""
        with self._lock:
            return self.screen.text()

    def cursor(self) -> tuple[int, int]:
        """Where the app last put the terminal cursor: (column, row), from 0.

        Textual leaves it on the focused field's text cursor after each frame.
        """
        with self._lock:
            return self.screen.x, self.screen.y

    def wait_for(
        self, check: str | Callable[[str], bool], timeout: float = 15.0, what: str = ""
    ) -> str:
        """Poll the screen until ``check`` (a text to find, or a test of the screen text) holds.

        Returns the screen; on a timeout, or if the app exits, fails with the last screen.
        """
        test = (lambda screen: check in screen) if isinstance(check, str) else check
        label = what or (repr(check) if isinstance(check, str) else "the expected screen")
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            if test(screen):
                return screen
            if self.process.poll() is not None:
                self._reader.join(timeout=1)
                screen = self.text()
                if test(screen):
                    return screen
                raise AssertionError(
                    f"the app exited (status {self.process.returncode}) while waiting for "
                    f"{label}; last screen:\n{screen}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout:.0f} s waiting for {label}; last screen:\n{screen}"
                )
            time.sleep(0.05)

    # --- input ----------------------------------------------------------------------------

    def write(self, data: str) -> None:
        os.write(self.master, data.encode("utf-8"))

    def press(self, *keys: str, pause: float = 0.15) -> None:
        """Press named keys (see :data:`KEYS`), ``pause`` seconds apart."""
        for key in keys:
            self.write(KEYS[key])
            time.sleep(pause)

    def type(self, text: str, delay: float = 0.03, until: float | None = None) -> list[float]:
        """Type ``text`` a character at a time, ``delay`` seconds apart.

        Stops early once ``time.monotonic()`` reaches ``until``; returns when each character
        was sent (so a test knows how long ago each one was typed).
        """
        sent: list[float] = []
        for char in text:
            if until is not None and time.monotonic() >= until:
                break
            self.write(char)
            sent.append(time.monotonic())
            time.sleep(delay)
        return sent

    def click(self, column: int, row: int) -> None:
        """A left click at (column, row), from 0 (SGR mouse reporting, as Textual asks for)."""
        self.write(f"\x1b[<0;{column + 1};{row + 1}M\x1b[<0;{column + 1};{row + 1}m")

    # --- the process ----------------------------------------------------------------------

    def kill(self, sig: int) -> None:
        """Send ``sig`` to the app (this process only, by its id) and reap it."""
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
        self.process.wait(timeout=10)

    def close(self) -> None:
        """Stop the app if it still runs (SIGKILL, by its id), then release the pty."""
        import signal

        if self.process.poll() is None:
            self.kill(signal.SIGKILL)
        self._reader.join(timeout=2)
        with contextlib.suppress(OSError):
            os.close(self.master)
        if self._log is not None:
            self._log.close()


def qa_tui_argv(*args: str) -> list[str]:
    """``python -m qa_tui ARGS`` with this interpreter."""
    return [sys.executable, "-m", "qa_tui", *args]
