"""A merge killed at many points leaves the database exactly as before or exactly as after;
two merges of overlapping bundles at the same time give no duplicates and lose nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from qa_tui.domain import evaluation as ev
from qa_tui.store.migrate import open_store
from qa_tui.store.sync_models import MergedBundle
from qa_tui.sync.central import merge_bundle_file
from tests.sync.helpers import TEMPLATE, Laptop, consistent, copy_into, make_central, state

ROOT = Path(__file__).resolve().parents[2]
CHILD = (
    "import sys; from pathlib import Path; from qa_tui.store.migrate import open_store; "
    "from qa_tui.sync.central import merge_bundle_file; store = open_store(sys.argv[1]); "
    "print('start', flush=True); merge_bundle_file(store, Path(sys.argv[2]), Path(sys.argv[3]))"
)


def _ledger(store) -> set[str]:  # type: ignore[no-untyped-def]
    with store.reader() as s:
        return set(s.scalars(select(MergedBundle.bundle_id)))


def _demo_laptop(url: str, tmp_path: Path, settings, count: int) -> Laptop:  # type: ignore[no-untyped-def]
    from qa_tui.demo import generate
    from qa_tui.workspace import open_workspace

    laptop = Laptop(url, tmp_path, "Alex Auditor")
    settings = settings.with_changes(device_id=laptop.device_id)
    ws = open_workspace(settings, url)
    generate(ws, count, 3)
    ws.close()
    return laptop


@pytest.mark.slow
def test_killed_merge_is_all_or_nothing(tmp_path: Path, sqlite_db, settings) -> None:  # type: ignore[no-untyped-def]
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 150)
    central_url = sqlite_db()
    central = make_central(central_url, tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    central.dispose()
    pristine = Path(central_url.removeprefix("sqlite:///"))
    done_copy = tmp_path / "done.db"
    shutil.copyfile(pristine, done_copy)
    finished = open_store(f"sqlite:///{done_copy}")
    clock = time.perf_counter()
    merge_bundle_file(finished, bundle, tmp_path / "qa.key")
    duration = time.perf_counter() - clock
    after, before_store = state(finished), open_store(central_url)
    before = state(before_store)
    before_store.dispose()
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outcomes = []
    for step, fraction in enumerate((0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95, 1.1, None)):
        target = tmp_path / f"crash{step}.db"
        shutil.copyfile(pristine, target)
        url = f"sqlite:///{target}"
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(bundle), str(tmp_path / "qa.key")],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        child.stdout.readline()
        if fraction is None:  # the last one runs to the end
            assert child.wait() == 0
        else:
            time.sleep(fraction * duration)
            child.send_signal(signal.SIGKILL)
            child.wait()
        store = open_store(url)
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        got = state(store)
        assert got in (before, after), f"kill at {fraction}: neither before nor after"
        assert consistent(store) == []
        outcomes.append(got == after)
        store.dispose()
    assert time.perf_counter() - started < 300
    assert not outcomes[0]  # killed at once: nothing written
    assert outcomes[-1]  # not killed: the merge committed


@pytest.fixture
def overlapping(make_db, tmp_path: Path):  # type: ignore[no-untyped-def]
    a = Laptop(make_db(), tmp_path, "Alex Auditor")
    b = Laptop(make_db(), tmp_path, "Sam Senior")
    for n in range(12):
        eid = a.new_evaluation(f"ABC-{10000 + n}")
        a.do(ev.add_entry, TEMPLATE, eid, "working_well", f"note {n}")
    copy_into(b.store, a.store)
    with b.store.reader() as s:
        from qa_tui.store import models

        ids = list(s.scalars(select(models.Evaluation.id)))
    for eid in ids[:6]:
        b.do(ev.update_details, eid, {"team": "Locality East"}, ".*")
        a.do(ev.update_details, eid, {"team": "Locality West"}, ".*")
    yield a, b
    a.store.dispose()
    b.store.dispose()


def test_concurrent_merges_of_overlapping_bundles(overlapping, make_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = overlapping
    central = make_central(make_db(), tmp_path / "qa.key", a, b)
    bundles = [
        x.export(tmp_path / "qa.key.pub", tmp_path / f"{i}.qab") for i, x in enumerate((a, b))
    ]
    errors: list[BaseException] = []

    def merge(path: Path) -> None:
        store = open_store(central.url)
        try:
            merge_bundle_file(store, path, tmp_path / "qa.key")
        except BaseException as exc:  # recorded and re-raised by the test below
            errors.append(exc)
        finally:
            store.dispose()

    threads = [threading.Thread(target=merge, args=(p,)) for p in bundles * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sequential = open_store(make_db())
    copy_into(sequential, a.store)
    copy_into(sequential, b.store)
    assert state(central) == state(sequential)
    assert consistent(central) == []
    assert len(_ledger(central)) == 2
    central.dispose()
    sequential.dispose()
