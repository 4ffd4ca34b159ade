"""The app's one writer thread: order, outcomes, reads after writes, and the last write."""

from __future__ import annotations

import threading
import time

import pytest

from qa_tui.errors import QaError, ValidationError
from qa_tui.services.writer import Outcome, Writer


def test_calls_run_in_order_and_report_their_outcomes() -> None:
    writer = Writer()
    seen: list[int] = []
    outcomes: list[Outcome[int]] = []
    done = threading.Event()
    for n in range(50):
        writer.submit(lambda n=n: seen.append(n) or n, outcomes.append)
    writer.submit(lambda: None, lambda _: done.set())
    assert done.wait(5)
    assert seen == list(range(50))
    assert [o.value for o in outcomes] == list(range(50))
    writer.close()
    writer.join(5)


def test_errors_come_back_as_outcomes_and_the_writer_goes_on() -> None:
    writer = Writer()
    outcomes: list[Outcome[object]] = []

    def refuse() -> None:
        raise ValidationError("Case reference: not a case reference", field="case_reference")

    def crash() -> None:
        raise RuntimeError("disk on fire")

    writer.submit(refuse, outcomes.append)
    writer.submit(crash, outcomes.append)
    last = writer.submit(lambda: "still here", outcomes.append)
    assert writer.wait_for(last, 5)
    writer.close()
    writer.join(5)
    assert isinstance(outcomes[0].error, ValidationError)
    assert outcomes[0].error.field == "case_reference"
    assert isinstance(outcomes[1].error, QaError) and "disk on fire" in str(outcomes[1].error)
    assert outcomes[2] == Outcome(value="still here")


def test_a_reader_waits_for_every_write_made_before_it() -> None:
    writer = Writer()
    store: list[str] = []
    gate = threading.Event()
    writer.submit(lambda: gate.wait(5) and store.append("first"), None)
    seq = writer.submit(lambda: store.append("second"), None)
    assert not writer.wait_for(seq, 0.05)  # the first write is still held
    gate.set()
    assert writer.wait_for(seq, 5)
    assert store == ["first", "second"]
    writer.close()
    writer.join(5)


def test_closing_finishes_what_was_queued_then_runs_then() -> None:
    writer = Writer()
    order: list[str] = []
    for n in range(5):
        writer.submit(lambda n=n: (time.sleep(0.01), order.append(f"write {n}")), None)
    writer.close(then=lambda: order.append("closed"))
    writer.join(5)
    assert order == [*(f"write {n}" for n in range(5)), "closed"]
    with pytest.raises(QaError, match="closing"):
        writer.submit(lambda: None, None)


def test_closing_a_writer_that_never_wrote_runs_then_at_once() -> None:
    closed: list[bool] = []
    Writer().close(then=lambda: closed.append(True))
    assert closed == [True]


def test_a_second_close_keeps_the_first_then() -> None:
    """The exit hook closes writers too; the app's own ``then`` (closing the database)
    must still run."""
    writer = Writer()
    ran: list[str] = []
    writer.submit(lambda: time.sleep(0.05), None)
    writer.close(then=lambda: ran.append("database closed"))
    writer.close()
    writer.join(5)
    assert ran == ["database closed"]
