"""A merge killed at many points leaves the database exactly as before or exactly as after
(SQLite and PostgreSQL); two merges of overlapping bundles at the same time give no duplicates
and lose nothing; a merge into a database another merge is writing waits for it, or (SQLite,
past its busy timeout) is refused with one line, having written nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from qa_tui.domain import evaluation as ev
from qa_tui.store.migrate import open_store
from qa_tui.store.sync_models import MergedBundle
from qa_tui.sync.central import merge_bundle_file
from qa_tui.sync.merge import BATCH, MERGE_LOCK
from tests.sync.helpers import TEMPLATE, Laptop, consistent, copy_into, make_central, state
from tests.sync.pgcluster import Cluster

ROOT = Path(__file__).resolve().parents[2]
CHILD = (
    "import sys; from pathlib import Path; from qa_tui.store.migrate import open_store; "
    "from qa_tui.sync.central import merge_bundle_file; store = open_store(sys.argv[1]); "
    "print('start', flush=True); "
    "merge_bundle_file(store, Path(sys.argv[2]), Path(sys.argv[3]), include_demo=True)"
)


def _ledger(store) -> set[str]:
    with store.reader() as s:
        return set(s.scalars(select(MergedBundle.bundle_id)))


def _demo_laptop(url: str, tmp_path: Path, settings, count: int) -> Laptop:
    """A laptop full of demo evaluations: bulk work for these tests, so every merge here
    passes include_demo (a central database refuses demo data otherwise)."""
    from qa_tui.demo import generate
    from qa_tui.workspace import open_workspace

    laptop = Laptop(url, tmp_path, "Alex Auditor")
    settings = settings.with_changes(device_id=laptop.device_id)
    ws = open_workspace(settings, url)
    generate(ws, count, 3)
    ws.close()
    return laptop


@pytest.mark.slow
def test_killed_merge_is_all_or_nothing(tmp_path: Path, sqlite_db, settings) -> None:
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 300)  # two merge batches
    central_url = sqlite_db()
    central = make_central(central_url, tmp_path / "qa.key", laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    central.dispose()
    pristine = Path(central_url.removeprefix("sqlite:///"))
    done_copy = tmp_path / "done.db"
    shutil.copyfile(pristine, done_copy)
    finished = open_store(f"sqlite:///{done_copy}")
    clock = time.perf_counter()
    merge_bundle_file(finished, bundle, tmp_path / "qa.key", include_demo=True)
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


# Kill points on PostgreSQL. The first run is not killed: it is the reference (the state after,
# and how long the merge transaction lasts, from the moment the child's backend holds the merge
# lock). Then "early" kills during verification, before the transaction, and each fraction kills
# that far into the transaction (counted from the lock again, so it lands inside the transaction
# whatever the machine's speed).
PG_KILLS: tuple[float | str | None, ...] = (None, "early", 0.15, 0.45, 0.7, 0.9)
PG_RECHECK = 0.45  # the kill point whose database then takes a fresh merge of the same bundle


class PgAdmin:
    """A superuser connection to the test cluster's ``postgres`` database, to watch others."""

    def __init__(self, cluster: Cluster) -> None:
        import psycopg

        self.conn = psycopg.connect(
            f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres", autocommit=True
        )
        self.cluster = cluster

    def copy(self, template: str, name: str) -> str:
        """A new database with ``template``'s contents (no one may be connected to it)."""
        self.conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.cluster.url(name)

    def drop(self, name: str) -> None:
        self.conn.execute(f'DROP DATABASE "{name}"')

    def merge_lock_holder(self, name: str) -> int | None:
        """The backend holding the merge advisory lock (a bigint key) in database ``name``."""
        row = self.conn.execute(
            "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s "
            "AND l.classid::bigint = %s AND l.objid::bigint = %s AND l.objsubid = 1",
            (name, MERGE_LOCK >> 32, MERGE_LOCK & 0xFFFF_FFFF),
        ).fetchone()
        return None if row is None else int(row[0])

    def has_written(self, backend: int) -> bool:
        """True if the server process ``backend`` is in a transaction that has written (has
        an xid)."""
        row = self.conn.execute(
            "SELECT backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = %s", (backend,)
        ).fetchone()
        return bool(row and row[0])

    def clients(self, name: str) -> list[int]:
        """Client backends connected to database ``name`` (autovacuum workers aside)."""
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = %s AND backend_type = 'client backend'",
            (name,),
        )
        return [int(r[0]) for r in rows]

    def locks(self, name: str) -> list[tuple[str, str, int | None]]:
        """Locks held or awaited in database ``name`` (by clients, or prepared transactions;
        autovacuum's aside): (type, mode, pid)."""
        rows = self.conn.execute(
            "SELECT l.locktype, l.mode, l.pid FROM pg_locks l "
            "JOIN pg_database d ON d.oid = l.database WHERE d.datname = %s "
            "AND COALESCE(l.pid, 0) NOT IN "
            "(SELECT pid FROM pg_stat_activity WHERE backend_type <> 'client backend')",
            (name,),
        )
        return [(str(a), str(b), c) for a, b, c in rows]

    def merge_lock_of(self, name: str, child: subprocess.Popen[bytes]) -> int:
        """Wait for ``child``'s merge to hold the merge lock in ``name``; its backend's pid."""

        def held() -> int | None:
            assert child.poll() is None, f"the merge ended ({child.returncode}) unseen"
            return self.merge_lock_holder(name)

        return int(_until("the merge lock", held))

    def close(self) -> None:
        self.conn.close()


def _until(what: str, check, limit: float = 30.0):
    """Poll ``check()`` every few milliseconds until it returns something truthy."""
    deadline = time.perf_counter() + limit
    while not (found := check()):
        assert time.perf_counter() < deadline, f"gave up waiting for {what} after {limit}s"
        time.sleep(0.003)
    return found


@pytest.mark.slow
def test_killed_merge_is_all_or_nothing_on_postgresql(
    tmp_path: Path,
    sqlite_db,
    pg_server: Cluster,
    settings,
) -> None:
    """SIGKILL a merging client at points inside its transaction: before or after, exactly.

    The bundle spans two merge batches, so a merge that committed part of its work early would
    leave a state that is neither (and one that committed its ledger row early, a ledger that
    disagrees with the state).
    """
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, BATCH * 3 // 2)
    key = tmp_path / "qa.key"
    template = f"crash_{uuid.uuid4().hex[:8]}"
    central = make_central(pg_server.create_database(template), key, laptop)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    before = state(central)
    assert _ledger(central) == set()
    central.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    admin = PgAdmin(pg_server)
    after: dict[str, list[tuple]] = {}
    bundle_id: set[str] = set()
    transaction = 0.0
    outcomes: dict[float | str | None, tuple[bool, bool]] = {}  # kill -> (wrote, after)
    try:
        for step, kill in enumerate(PG_KILLS):
            name = f"{template}_{step}"
            url = admin.copy(template, name)
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, url, str(bundle), str(key)],
                stdout=subprocess.PIPE,
                env=env,
            )
            assert child.stdout is not None
            child.stdout.readline()
            wrote = False
            if kill is None:  # the reference: runs to the end
                admin.merge_lock_of(name, child)
                locked = time.perf_counter()
                assert child.wait() == 0
                transaction = time.perf_counter() - locked
            else:
                if isinstance(kill, float):
                    backend = admin.merge_lock_of(name, child)
                    time.sleep(kill * transaction)
                    wrote = admin.has_written(backend)
                child.send_signal(signal.SIGKILL)
                child.wait()
            # The killed client's backend must end (rolling back) before the state is read: a
            # COMMIT already sent would otherwise still land after the read.
            _until("the backend to end", lambda n=name: not admin.clients(n))
            assert admin.locks(name) == [], f"kill at {kill}: locks outlive the merge"
            store = open_store(url)
            got, ledger = state(store), _ledger(store)
            if kill is None:
                after, bundle_id = got, ledger
                assert len(bundle_id) == 1 and after != before
            assert got in (before, after), f"kill at {kill}: neither before nor after"
            assert ledger == (bundle_id if got == after else set()), f"kill at {kill}: ledger"
            assert consistent(store) == []
            outcomes[kill] = (wrote, got == after)
            if kill == PG_RECHECK:  # nothing lingers: the same bundle merges afresh
                report = merge_bundle_file(store, bundle, key, include_demo=True)
                assert report.already_merged == outcomes[kill][1]
                assert state(store) == after and _ledger(store) == bundle_id
            store.dispose()
            admin.drop(name)
    finally:
        admin.close()
    assert outcomes["early"] == (False, False)  # killed while verifying: nothing written
    rolled_back = [k for k, (wrote, done) in outcomes.items() if wrote and not done]
    # Killed with its transaction open and written to, the merge left nothing behind.
    assert len(rolled_back) >= 3, outcomes


@pytest.fixture
def overlapping(make_db, tmp_path: Path):
    a = Laptop(make_db(), tmp_path, "Alex Auditor")
    b = Laptop(make_db(), tmp_path, "Sam Senior")
    for n in range(12):
        evaluation_id = a.new_evaluation(f"ABC-{10000 + n}")
        a.do(ev.add_entry, TEMPLATE, evaluation_id, "working_well", f"note {n}")
    copy_into(b.store, a.store)
    with b.store.reader() as s:
        from qa_tui.store import models

        ids = list(s.scalars(select(models.Evaluation.id)))
    for evaluation_id in ids[:6]:
        b.do(ev.update_details, evaluation_id, {"team": "Locality East"}, ".*")
        a.do(ev.update_details, evaluation_id, {"team": "Locality West"}, ".*")
    yield a, b
    a.store.dispose()
    b.store.dispose()


def test_concurrent_merges_of_overlapping_bundles(overlapping, make_db, tmp_path: Path) -> None:
    a, b = overlapping
    central = make_central(make_db(), tmp_path / "qa.key", a, b)
    bundles = [
        x.export(tmp_path / "qa.key.pub", tmp_path / f"{i}.qab") for i, x in enumerate((a, b))
    ]
    errors: list[BaseException] = []

    def merge(path: Path) -> None:
        store = open_store(central.url)
        try:
            merge_bundle_file(store, path, tmp_path / "qa.key", include_demo=True)
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


class HeldMerge:
    """A long merge: a merge in a thread that pauses after its first batch is written, holding
    its transaction (and so SQLite's write lock, or the PostgreSQL merge lock) open."""

    def __init__(self, url: str, bundle: Path, key: Path, hold: float) -> None:
        self.holding, self.release = threading.Event(), threading.Event()
        self.errors: list[BaseException] = []
        self.hold = hold
        self.thread = threading.Thread(target=self._run, args=(url, bundle, key))

    def _progress(self, _count: int) -> None:
        if not self.holding.is_set():
            self.holding.set()
            self.release.wait(self.hold)

    def _run(self, url: str, bundle: Path, key: Path) -> None:
        store = open_store(url)
        try:
            merge_bundle_file(store, bundle, key, progress=self._progress, include_demo=True)
        except BaseException as exc:  # recorded and checked by the test
            self.errors.append(exc)
        finally:
            self.holding.set()
            store.dispose()

    def __enter__(self) -> HeldMerge:
        self.thread.start()
        assert self.holding.wait(60) and not self.errors, self.errors
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.thread.join(60)
        assert not self.thread.is_alive() and self.errors == []


@pytest.fixture
def big_and_small(tmp_path: Path, sqlite_db, settings):
    """A laptop with 80 demo evaluations, and one with three new ones."""
    big = _demo_laptop(sqlite_db(), tmp_path, settings, 80)
    small = Laptop(sqlite_db(), tmp_path, "Sam Senior")
    for n in range(3):
        small.new_evaluation(f"XYZ-{20000 + n}")
    yield big, small
    big.store.dispose()
    small.store.dispose()


def _central_for(url: str, key: Path, big: Laptop, small: Laptop) -> tuple[Path, Path]:
    """Make ``url`` a central database trusting both laptops; their bundles (big, small)."""
    make_central(url, key, big, small).dispose()
    public = Path(f"{key}.pub")
    return big.export(public, key.with_name("big.qab")), small.export(
        public, key.with_name("small.qab")
    )


def _as_if_sequential(central_url: str, new_db, *laptops: Laptop) -> None:
    """Both bundles merged once, nothing duplicated or lost: as if merged one after the other."""
    central, sequential = open_store(central_url), open_store(new_db())
    for laptop in laptops:
        copy_into(sequential, laptop.store)
    assert state(central) == state(sequential)
    assert consistent(central) == []
    assert len(_ledger(central)) == len(laptops)
    central.dispose()
    sequential.dispose()


def test_second_merge_waits_for_the_first(big_and_small, make_db, tmp_path: Path) -> None:
    """The first merge holds the database for a while (less than SQLite's busy timeout; on
    PostgreSQL the merge lock is waited for without limit): the second waits, then merges."""
    big, small = big_and_small
    key, url = tmp_path / "qa.key", make_db()
    big_bundle, small_bundle = _central_for(url, key, big, small)
    with HeldMerge(url, big_bundle, key, hold=1.5):
        second = open_store(url)
        started = time.perf_counter()
        report = merge_bundle_file(second, small_bundle, key, include_demo=True)
        waited = time.perf_counter() - started
        second.dispose()
    assert report.new_changes > 0 and not report.already_merged
    assert waited >= 1.0, f"the second merge did not wait for the first ({waited:.2f}s)"
    _as_if_sequential(url, make_db, big, small)


def test_second_merge_into_a_busy_database_fails_cleanly(
    big_and_small,
    make_db,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first merge holds the database longer than a second will wait (SQLite's busy
    timeout; PostgreSQL's lock timeout on the merge lock): the second fails with one line
    saying so, writes nothing, and merges fine once the first is done."""
    from click.testing import CliRunner

    from qa_tui.cli import main
    from qa_tui.store import db, models
    from qa_tui.sync import merge as merge_module

    big, small = big_and_small
    key, url = tmp_path / "qa.key", make_db()
    big_bundle, small_bundle = _central_for(url, key, big, small)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(merge_module, "MERGE_LOCK_WAIT", "300ms")
    merge = ["merge", "--into", url, "--key", str(key), "--include-demo", str(small_bundle)]
    with HeldMerge(url, big_bundle, key, hold=60):
        started = time.perf_counter()
        refused = CliRunner().invoke(main, merge, catch_exceptions=False)
        waited = time.perf_counter() - started
    assert waited >= 0.3  # it did wait the busy timeout
    assert refused.exit_code == 1, refused.output
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in refused.output, refused.output
    assert "busy with another merge" in lines[0] and "try again" in lines[0], lines[0]
    assert str(small_bundle) in lines[0] and "nothing of it was merged" in lines[0], lines[0]
    central = open_store(url)
    with central.reader() as s:  # the big merge is in, nothing of the refused one
        devices = set(s.scalars(select(models.Change.device_id).distinct()))
        cases = list(s.scalars(select(models.Evaluation.case_reference)))
    assert small.device_id not in devices and not any(c.startswith("XYZ-") for c in cases)
    assert len(cases) == 80 and len(_ledger(central)) == 1
    central.dispose()
    again = CliRunner().invoke(main, merge, catch_exceptions=False)
    assert again.exit_code == 0 and "new changes" in again.output, again.output
    _as_if_sequential(url, make_db, big, small)
