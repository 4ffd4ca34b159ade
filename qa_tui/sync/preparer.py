"""A process of its own that checks most of a big bundle's lines and prepares its merge's rows.

On SQLite a merge's writing and the preparing of its next batch's rows cannot run at once in
one process: Python's sqlite3 takes the interpreter's lock back for every row it writes, and a
thread running Python meanwhile makes each take-back wait (``batching._Turns``). So for a big
bundle (:data:`WORTH_IT`) the merge hands each batch's aggregates (the spool's bytes,
:class:`~qa_tui.sync.spool.Spooled`) to this process, which derives and encodes the rows
(:func:`~qa_tui.store.bulk.prepare_new`, exactly as the merge would) and hands them back, a
batch ahead of the writer, on another core. Before that, while the bundle is verified, it
checks two of every three stretches of the bundle's lines (:mod:`qa_tui.sync.checking`). It
writes nothing and reads nothing but its pipe; whatever goes wrong in it (or with it) only
means the merge does that work itself — a process that stops answering, or stops reading,
included: one silent for :data:`ANSWER_WAIT` seconds while the merge waits on it is ended (its
work takes a fraction of a second a request), and the merge goes on without it.

``python -m qa_tui.sync.preparer``: reads requests on stdin, answers on stdout, each a length
and :mod:`marshal` bytes; ends at the end of its input.
"""

from __future__ import annotations

import contextlib
import gc
import json
import marshal
import os
import queue
import site
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa_tui.store.change_log import Link

WORTH_IT = 8 * 1024 * 1024  # bytes of bundle file from which a merge starts the process
# Seconds the merge waits on the process (for an answer, or for it to take a request) before
# it ends it and does the work itself: a request is a stretch of lines or a batch's rows, a
# fraction of a second's work even on a slow laptop.
ANSWER_WAIT = 120.0
# Bytes each pipe to and from the process holds (where the system lets a pipe be sized:
# Linux, up to 1 MiB for anyone). A stretch of lines (``checking.STRETCH``) then goes through
# in one piece: through a pipe of 64 KiB, each piece waited for that process's reading thread
# to get the interpreter's lock from the thread checking the stretch before, and sending
# two stretches of three there took longer than checking them here (docs/sync.md).
PIPE_BYTES = 1024 * 1024
_LENGTH = struct.Struct("<Q")
_DIALECTS: dict[str, Any] = {}
Prepared = tuple[list[list[Any]], list[str]]  # bulk.new_rows_plain: each table's rows, tracked
# The bundle's id, its source's number if known, the writers' numbers known ((author, device),
# number): a change is given its numbers where they are known, its keys elsewhere (numbered
# when written).
Numbers = tuple[str, int | None, list[tuple[tuple[str, str], int]]]


class Gone(Exception):
    """The preparing process is not there (never started, ended, or its pipe broke)."""


def _send(stream: IO[bytes], message: Any) -> None:
    data = marshal.dumps(message)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (length,) = _LENGTH.unpack(head)
    data = stream.read(length)
    if len(data) < length:
        raise EOFError
    return marshal.loads(data)


def _dialect(name: str) -> Any:
    """The dialect of that name, one for the process: a dialect made afresh for every batch
    is left in a cycle of its own (with gc off, never freed: 6 KB a batch)."""
    if name not in _DIALECTS:
        from sqlalchemy.dialects import postgresql, sqlite

        _DIALECTS[name] = (postgresql if name == "postgresql" else sqlite).dialect()
    return _DIALECTS[name]


def _prepare(dialect_name: str, numbers: Numbers, bodies: list[bytes]) -> Prepared | None:
    from qa_tui.store.bulk import new_rows_plain, prepare_new
    from qa_tui.sync.aggregates import aggregate_from_verified

    dialect = _dialect(dialect_name)
    changes: list[dict[str, Any]] = []
    links: list[Link] = []
    for body in bodies:  # verified lines (the spool's): built, not checked again
        aggregate = aggregate_from_verified(json.loads(body))
        changes.extend(aggregate.changes)
        links.extend(aggregate.keyed_links())
    bodies.clear()  # read: their bytes need not be held while the rows are made (10 MB)
    bundle_id, source, writers = numbers
    mark = bundle_id if source is None else source  # a number is written as it is
    for change in changes:
        change["bundle_id"] = mark
    try:
        return new_rows_plain(prepare_new(dialect, changes, links, dict(writers)))
    except Exception:  # the merge's own transaction reports it, as it always has
        return None


def _answer(request: tuple[Any, ...]) -> Any:
    if request[0] == "lines":  # a bundle being verified: a stretch of its lines checked
        from qa_tui.sync.checking import check_lines

        _kind, lines, version, demo = request
        return check_lines(lines, version, demo)
    _kind, dialect_name, numbers, bodies = request
    return _prepare(dialect_name, numbers, bodies)


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer each request until the input ends: ``("rows", dialect name, numbers, [spooled
    bodies])`` with the batch's rows (:data:`Prepared`), ``("lines", [lines], format, demo)``
    with their outcomes (:func:`~qa_tui.sync.checking.check_lines`); None for either if it
    could not be done."""
    gc.disable()  # many small containers, none in a cycle (as merge.cycles_paused)
    from qa_tui.store import bulk  # noqa: F401  (imported before the first request)
    from qa_tui.sync import checking  # noqa: F401

    # Requests are read as they come, on a thread of their own: the merge hands over the next
    # batch before it reads this one's answer, and with neither pipe read each side would
    # wait for ever for the other to read.
    waiting: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def read() -> None:
        while True:
            try:
                waiting.put(_receive(requests))
            except (EOFError, OSError, ValueError):
                waiting.put(None)
                return

    threading.Thread(target=read, name="requests", daemon=True).start()
    while (request := waiting.get()) is not None:
        try:
            answer = _answer(request)
        except Exception:  # not a request this process understands: the merge does the work
            answer = None
        del request
        try:
            _send(answers, answer)
        except OSError:  # the merge has gone
            return
        del answer  # sent: not held while the next batch is prepared


def child_environment(environ: Mapping[str, str], root: Path) -> dict[str, str]:
    """The preparing process's environment: ``environ`` with ``root`` (the folder this qa_tui
    is in) first on PYTHONPATH, so that it runs the merge's own code (a source tree, however
    the merge found it) — unless ``root`` is a folder of installed packages, which the
    interpreter searches anyway: first on PYTHONPATH it would come before the standard
    library, and a package there named as a standard module would hide it."""
    installed = {*site.getsitepackages(), site.getusersitepackages()}
    if any(Path(folder).resolve() == root for folder in installed if folder):
        return dict(environ)
    path = environ.get("PYTHONPATH")
    return {**environ, "PYTHONPATH": os.pathsep.join((str(root), path)) if path else str(root)}


class _Watch:
    """Ends a process the merge has been waiting on for :data:`ANSWER_WAIT` seconds (to
    answer, or to read a request): the wait then ends as the pipe does, and the process is
    Gone. One thread a process, asleep unless a wait begins or runs out."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process: subprocess.Popen[bytes] | None = process
        self.since: float | None = None  # when the wait under way began
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="preparer-watch", daemon=True)
        self.thread.start()

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        with self.changed:
            self.since = time.monotonic()
            self.changed.notify()
        try:
            yield
        finally:
            with self.changed:
                self.since = None

    def stop(self) -> None:
        with self.changed:
            self.process = None
            self.changed.notify()
        self.thread.join()

    def _run(self) -> None:
        with self.changed:
            while (process := self.process) is not None:
                if self.since is None:
                    self.changed.wait()
                    continue
                left = self.since + ANSWER_WAIT - time.monotonic()
                if left > 0:
                    self.changed.wait(left)
                    continue
                with contextlib.suppress(OSError):
                    process.kill()  # its pipes end: the wait ends, and the merge goes on
                self.process = None


def _start(pipe_bytes: int) -> tuple[subprocess.Popen[bytes], bool]:
    """The process, and whether its pipes were made to hold ``pipe_bytes``: only Linux sizes
    a pipe (elsewhere ``pipesize`` is ignored), and a size over the system's limit for this
    user is refused — the pipes then come as they are."""
    command = [sys.executable, "-m", "qa_tui.sync.preparer"]
    env = child_environment(os.environ, Path(__file__).resolve().parents[2])
    pipe = subprocess.PIPE
    if sys.platform == "linux":
        try:
            sized = subprocess.Popen(command, stdin=pipe, stdout=pipe, env=env, pipesize=pipe_bytes)
            return sized, True
        except OSError:
            pass
    return subprocess.Popen(command, stdin=pipe, stdout=pipe, env=env), False


class Preparer:
    """The merge's side: the process, started at once (it loads while the bundle is
    verified), a request sent ahead of the answer awaited."""

    def __init__(self) -> None:
        process, self.wide = _start(PIPE_BYTES)  # wide: a stretch of lines goes in one piece
        self.process: subprocess.Popen[bytes] | None = process
        self.watch = _Watch(process)

    def _ask(self, request: tuple[Any, ...]) -> None:
        if self.process is None or self.process.stdin is None:
            raise Gone
        try:
            with self.watch.waiting():  # a process that stopped reading fills the pipe
                _send(self.process.stdin, request)
        except OSError:
            self.close()
            raise Gone from None

    def send(self, dialect_name: str, numbers: Numbers, bodies: list[bytes]) -> None:
        """Ask for a batch's rows (Gone if the process is not there)."""
        self._ask(("rows", dialect_name, numbers, bodies))

    def send_lines(self, lines: list[bytes], version: int, demo: bool) -> bool:
        """Ask for a stretch of a bundle's lines to be checked
        (:func:`~qa_tui.sync.checking.check_lines`); False if the process is not there."""
        try:
            self._ask(("lines", lines, version, demo))
        except Gone:
            return False
        return True

    def receive_outcomes(self) -> list[Any] | None:
        """The outcomes of the stretch asked for first of those not answered yet (None if it
        could not be checked there, or the process is not there)."""
        try:
            outcomes = self.receive()
        except Gone:
            return None
        return outcomes if isinstance(outcomes, list) else None

    def receive(self) -> Prepared | None:
        """The rows of the batch asked for first of those not answered yet (Gone if the
        process is not there)."""
        if self.process is None or self.process.stdout is None:
            raise Gone
        try:
            with self.watch.waiting():
                answer: Prepared | None = _receive(self.process.stdout)
        except (OSError, EOFError, ValueError):
            self.close()
            raise Gone from None
        return answer

    def close(self) -> None:
        """End the process: its input closed, what it still answers read and dropped (at
        most a batch), killed if it has not ended 10 s later."""
        process, self.process = self.process, None
        if process is None:
            return
        self.watch.stop()
        try:
            process.communicate(timeout=10)
        except (OSError, ValueError):
            process.kill()
            process.wait()
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def main() -> None:
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C reaches the merge too: it says so
        serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
