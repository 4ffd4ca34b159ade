"""A merge killed at any point leaves the database consistent, every evaluation in it whole or
absent and the bundle out of the ledger until its last batch commits; merging the bundle again
completes it with nothing duplicated (SQLite and PostgreSQL, at batch boundaries, inside
batches and at timed points). Two merges of overlapping bundles at the same time give no
duplicates and lose nothing; a merge into a database another merge is writing waits for it, or
(past the wait) is refused with one line, having written nothing; a small sync gets in between
the batches of a big merge."""

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
from sqlalchemy import create_engine, func, select, text

from qa_tui.domain import evaluation as ev
from qa_tui.store import models
from qa_tui.store.migrate import open_store
from qa_tui.store.sync_models import MergedBundle
from qa_tui.sync.central import merge_bundle_file
from qa_tui.sync.merge import BATCH, MERGE_LOCK
from tests.sync.helpers import (
    TEMPLATE,
    Laptop,
    aggregates,
    consistent,
    copy_into,
    make_central,
    state,
)
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


def _histories(laptop: Laptop) -> dict[str, set[str]]:
    """Each aggregate's change ids, as the laptop's bundle carries them."""
    return {a.evaluation_id: {c["id"] for c in a.changes} for a in aggregates(laptop.store)}


def _whole_or_absent(store, expected: dict[str, set[str]], where: object) -> int:
    """Check every aggregate of the bundle is in the database whole or not at all (and nothing
    else is); how many are in."""
    held: dict[str, set[str]] = {}
    with store.reader() as s:
        for aggregate_id, change_id in s.execute(
            select(models.Change.evaluation_id, models.Change.id)
        ):
            held.setdefault(aggregate_id, set()).add(change_id)
    assert set(held) <= set(expected), f"{where}: changes of no aggregate of the bundle"
    for aggregate_id, ids in held.items():
        assert ids == expected[aggregate_id], f"{where}: aggregate {aggregate_id} is not whole"
    assert consistent(store) == [], f"{where}: state and history disagree"
    return len(held)


def _merge_again_completes(store, bundle: Path, key: Path, after, total: int) -> None:
    """Merging the same bundle again gives exactly the finished state, nothing duplicated."""
    merge_bundle_file(store, bundle, key, include_demo=True)
    assert state(store) == after
    assert len(_ledger(store)) == 1
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(models.Change)) == total


@pytest.mark.slow
def test_killed_merge_leaves_whole_evaluations_and_merging_again_completes(
    tmp_path: Path, sqlite_db, settings
) -> None:
    """SIGKILL at timed points through the merge (verification, batches, the last one)."""
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 300)  # several merge batches
    expected = _histories(laptop)
    total = sum(len(ids) for ids in expected.values())
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
        merged = _whole_or_absent(store, expected, f"kill at {fraction}")
        got = state(store)
        assert len(_ledger(store)) == (1 if got == after else 0), f"kill at {fraction}: ledger"
        outcomes.append((merged, got == after))
        _merge_again_completes(store, bundle, tmp_path / "qa.key", after, total)
        store.dispose()
    assert time.perf_counter() - started < 300
    assert outcomes[0] == (0, False) and state(finished) == after != before  # killed at once
    assert outcomes[-1] == (len(expected), True)  # not killed: the merge committed
    finished.dispose()


# A merge killed by itself at a chosen point: before the n-th batch takes the lock (after the
# one before committed: a batch boundary), inside the n-th batch once it is written
# (uncommitted), or inside the last batch once the bundle is in the ledger.
CHILD_AT = """
import os, signal, sys
from pathlib import Path
from qa_tui.store.migrate import open_store
from qa_tui.sync import merge
from qa_tui.sync.central import merge_bundle_file
url, bundle, key, where, n = sys.argv[1:6]
calls = {"lock": 0, "progress": 0}
def die():
    os.kill(os.getpid(), signal.SIGKILL)
take = merge._take_merge_lock
def lock(session):
    calls["lock"] += 1
    if where == "boundary" and calls["lock"] == int(n):
        die()
    take(session)
def progress(_count):
    calls["progress"] += 1
    if where == "inside" and calls["progress"] == int(n):
        die()
count = merge._count_in_ledger
def ledger(*args):
    count(*args)
    if where == "ledger":
        die()
merge._take_merge_lock, merge._count_in_ledger = lock, ledger
merge_bundle_file(open_store(url), Path(bundle), Path(key), progress=progress, include_demo=True)
"""
KILLS_AT = (("boundary", 1), ("boundary", 2), ("inside", 1), ("inside", 3), ("ledger", 0))


def _backends_gone(url: str) -> None:
    """On PostgreSQL, wait for the killed client's backend to end (and roll back)."""
    if not url.startswith("postgresql"):
        return
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    # autocommit: inside one transaction pg_stat_activity is a snapshot taken at first read,
    # so a poll would never see the backend go.
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        _until(
            "the backend to end",
            lambda: (
                not admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                    (parsed.database,),
                ).fetchone()[0]
            ),
        )


def _central(url: str, key: Path, laptop: Laptop):
    from qa_tui.sync.central import enrol_device, init_central

    store = open_store(url)
    init_central(store, None, existing_key=key)
    with store.session() as s:
        enrol_device(s, laptop.device_id, laptop.key.public_text, "laptop")
    return store


@pytest.mark.slow
def test_merge_killed_at_batch_boundaries_and_inside_batches(
    tmp_path: Path, sqlite_db, make_db, settings
) -> None:
    """Killed before a batch (the one before committed), inside one (written, uncommitted) or
    inside the last with the ledger row written: whole evaluations only, no ledger row, and
    merging again completes with nothing duplicated (both backends)."""
    from qa_tui.sync.keys import create_qa_key

    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, 120)
    expected = _histories(laptop)
    total = sum(len(ids) for ids in expected.values())
    key = tmp_path / "qa.key"
    create_qa_key(key)
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "b.qab")
    reference = _central(make_db(), key, laptop)
    report = merge_bundle_file(reference, bundle, key, include_demo=True)
    assert report.batches >= 4, report.batches  # boundaries and batches to kill at
    after = state(reference)
    reference.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    merged = {}
    for where, n in KILLS_AT:
        store = _central(make_db(), key, laptop)
        url = store.url
        store.dispose()
        child = subprocess.run(
            [sys.executable, "-c", CHILD_AT, url, str(bundle), str(key), where, str(n)],
            env=env,
            capture_output=True,
            check=False,
        )
        assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
        _backends_gone(url)
        store = open_store(url)
        merged[(where, n)] = _whole_or_absent(store, expected, (where, n))
        assert _ledger(store) == set(), f"{where} {n}: in the ledger before its last commit"
        _merge_again_completes(store, bundle, key, after, total)
        assert consistent(store) == []
        store.dispose()
    assert merged[("boundary", 1)] == 0 and merged[("inside", 1)] == 0  # the first batch
    assert 0 < merged[("boundary", 2)] < len(expected)  # the first batch stayed
    assert merged[("boundary", 2)] < merged[("inside", 3)] < len(expected)
    assert merged[("ledger", 0)] < len(expected)  # the last batch rolled back with its row


# Kill points on PostgreSQL. The first run is not killed: it is the reference (the state after,
# and how long the merge transaction lasts, from the moment the child's backend holds the merge
# lock). Then "early" kills during verification, before the transaction, and each fraction kills
# that far into the transaction (counted from the lock again, so it lands inside the transaction
# whatever the machine's speed).
# None: the reference run; "early": while verifying; "written": as soon as a batch has written
# (inside a batch whatever the machine's load); "committed": as soon as a batch has committed
# evaluations (cut short with whole evaluations, whatever the load); fractions of the
# reference's time.
PG_KILLS: tuple[float | str | None, ...] = (
    None,
    "early",
    "written",
    "committed",
    0.15,
    0.45,
    0.7,
    0.9,
)


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


def _until_committed(url: str, child: subprocess.Popen[bytes]) -> None:
    """Wait until a merge batch has committed evaluations into ``url`` (or the merge ended)."""
    engine = create_engine(url)
    try:
        with engine.connect() as watch:  # read committed: each count sees the latest commits
            count = text("SELECT count(*) FROM evaluations")
            _until(
                "a batch committed",
                lambda: bool(watch.execute(count).scalar()) or child.poll() is not None,
            )
    finally:
        engine.dispose()


def _until(what: str, check, limit: float = 30.0):
    """Poll ``check()`` every few milliseconds until it returns something truthy."""
    deadline = time.perf_counter() + limit
    while not (found := check()):
        assert time.perf_counter() < deadline, f"gave up waiting for {what} after {limit}s"
        time.sleep(0.003)
    return found


@pytest.mark.slow
def test_killed_merge_on_postgresql_leaves_whole_evaluations_and_merging_again_completes(
    tmp_path: Path,
    sqlite_db,
    pg_server: Cluster,
    settings,
) -> None:
    """SIGKILL a merging client at timed points inside its batches: whole evaluations only,
    the ledger row only with the finished state, and merging again completes it.

    The bundle spans many merge batches, so a kill lands inside one (rolled back) after others
    committed; a ledger row committed early would disagree with the state.
    """
    laptop = _demo_laptop(sqlite_db(), tmp_path, settings, BATCH * 3 // 2)
    expected = _histories(laptop)
    total = sum(len(ids) for ids in expected.values())
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
                elif kill == "written":
                    backend = admin.merge_lock_of(name, child)
                    _until(
                        "a batch that has written",
                        lambda b=backend, c=child: admin.has_written(b) or c.poll() is not None,
                    )
                    wrote = admin.has_written(backend)
                elif kill == "committed":
                    backend = admin.merge_lock_of(name, child)
                    _until_committed(url, child)
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
            merged = _whole_or_absent(store, expected, f"kill at {kill}")
            assert ledger == (bundle_id if got == after else set()), f"kill at {kill}: ledger"
            outcomes[kill] = (wrote, got == after, merged)
            if kill is not None:  # nothing lingers: merging again completes it
                _merge_again_completes(store, bundle, key, after, total)
                assert _ledger(store) == bundle_id
            store.dispose()
            admin.drop(name)
    finally:
        admin.close()
    assert outcomes["early"] == (False, False, 0)  # killed while verifying: nothing written
    assert before != after
    # Killed in the middle of its batches: the merge was cut short, whole evaluations stayed
    # (at least two kills), and at least one kill landed inside a batch that had written (the
    # "written" kill waits for one; how many timed kills land inside a batch rather than
    # between two depends on the machine's load, so the count is not asked for beyond one).
    assert outcomes["written"][0] and not outcomes["written"][1], outcomes
    assert not outcomes["committed"][1] and outcomes["committed"][2] > 0, outcomes
    cut = [k for k, (_wrote, done, n) in outcomes.items() if not done and n > 0]
    inside = [k for k, (wrote, done, _n) in outcomes.items() if wrote and not done]
    assert len(cut) >= 2 and inside, outcomes


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
        writers = select(models.Change.device_id).select_from(models.Change)
        devices = set(s.scalars(writers.join(models.Change.writer).distinct()))
        cases = list(s.scalars(select(models.Evaluation.case_reference)))
    assert small.device_id not in devices and not any(c.startswith("XYZ-") for c in cases)
    assert len(cases) == 80 and len(_ledger(central)) == 1
    central.dispose()
    again = CliRunner().invoke(main, merge, catch_exceptions=False)
    assert again.exit_code == 0 and "new changes" in again.output, again.output
    _as_if_sequential(url, make_db, big, small)


@pytest.mark.slow
def test_a_small_sync_gets_in_between_the_batches_of_a_big_merge(
    tmp_path: Path, sqlite_db, make_db, settings
) -> None:
    """A laptop syncs 20 evaluations while a big bundle is being merged: its sync completes
    before the big merge does (between two of its batches), and both are in, once each.

    The merge waits after its first committed batch (no lock held) until the sync is done, so
    the test does not depend on which finishes first on a fast or loaded machine; were the
    write lock held across batches, the sync could not get in and would fail as busy."""
    from qa_tui.sync.direct import sync_now
    from tests.sync.test_retention_and_sync import laptop_settings

    big = _demo_laptop(sqlite_db(), tmp_path, settings, 300)
    small = Laptop(sqlite_db(), tmp_path, "Sam Senior")
    for n in range(20):
        small.new_evaluation(f"XYZ-{30000 + n}")
    key, url = tmp_path / "qa.key", make_db()
    big_bundle, _small_bundle = _central_for(url, key, big, small)
    first_batch, sync_done = threading.Event(), threading.Event()
    finished: list[float] = []
    errors: list[BaseException] = []

    after_sync: list[bool] = []  # for each committed batch: was the sync done before it?

    def after_a_batch(_n: int) -> None:  # the lock is not held here
        after_sync.append(sync_done.is_set())
        first_batch.set()
        sync_done.wait(120)

    def merge_big() -> None:
        store = open_store(url)
        try:
            merge_bundle_file(
                store,
                big_bundle,
                key,
                include_demo=True,
                committed=after_a_batch,
            )
            finished.append(time.perf_counter())
        except BaseException as exc:  # recorded and checked below
            errors.append(exc)
        finally:
            first_batch.set()
            store.dispose()

    thread = threading.Thread(target=merge_big)
    thread.start()
    assert first_batch.wait(120)
    started = time.perf_counter()
    try:
        report = sync_now(small.store, laptop_settings(small, settings), url)
    finally:
        synced = time.perf_counter()
        sync_done.set()
    thread.join(300)
    assert errors == [] and finished, errors
    assert report.pushed_evaluations == 20
    assert synced < finished[0], "the sync waited for the whole merge"
    assert after_sync[0] is False and after_sync[-1] is True, after_sync  # it got in between
    print(f"sync during the merge: {synced - started:.2f} s")  # the benchmark measures it
    _as_if_sequential(url, make_db, big, small)


def test_readers_never_wait_for_a_merge(big_and_small, make_db, tmp_path: Path) -> None:
    """While a merge holds the write lock (a batch written, not committed), the app on the
    central database reads its list and an evaluation: WAL on SQLite, MVCC on PostgreSQL."""
    from qa_tui.store.queries import list_evaluations
    from qa_tui.store.views import load_view

    big, small = big_and_small
    key, url = tmp_path / "qa.key", make_db()
    big_bundle, small_bundle = _central_for(url, key, big, small)
    first = open_store(url)
    merge_bundle_file(first, small_bundle, key, include_demo=True)
    first.dispose()
    with HeldMerge(url, big_bundle, key, hold=60) as held:
        reader = open_store(url)
        with reader.reader() as s:
            rows = list_evaluations(s)
            view = load_view(s, rows[0].id)
        reader.dispose()
        assert not held.release.is_set() and held.thread.is_alive()  # still holding
    assert len(rows) == 3 and view.evaluation.case_reference.startswith("XYZ-")


def test_a_merge_keeps_the_write_ahead_log_bounded(
    big_and_small, sqlite_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: the merge checkpoints once its write-ahead log passes WAL_LIMIT, and the log
    file is cut back to the limit: never checkpointing during a merge, every batch appended the
    index pages it touched again (random ids touch pages all over each index) and the log of a
    10,000-evaluation merge passed 14 GB for a 1 GB database."""
    from qa_tui.sync import batching, checkpointing

    big, small = big_and_small
    key = tmp_path / "qa.key"
    path = tmp_path / "central-wal.db"
    url = f"sqlite:///{path}"
    big_bundle, _small_bundle = _central_for(url, key, big, small)
    limit = 256 * 1024
    monkeypatch.setattr(checkpointing, "WAL_LIMIT", limit)
    monkeypatch.setattr(batching, "FIRST_BATCH_CHANGES", 300)
    monkeypatch.setattr(batching, "MAX_BATCH_CHANGES", 300)
    wal = Path(f"{path}-wal")
    sizes: list[int] = []
    central = open_store(url)
    report = merge_bundle_file(
        central,
        big_bundle,
        key,
        include_demo=True,
        committed=lambda _n: sizes.append(wal.stat().st_size),
    )
    central.dispose()
    assert report.batches >= 20 and len(sizes) == report.batches
    database = path.stat().st_size
    # The log holds about a batch (a checkpoint once past the limit, then the log restarts),
    # while without checkpoints it grew to more than the whole database.
    assert max(sizes) < database / 3, (sizes, database)
    assert sum(sizes) > 2 * database  # what the batches wrote (measured after each)
