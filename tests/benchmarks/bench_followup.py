"""Follow-through at the QA desk's scale: the actions tracker, the concerns screen and a
feedback summary document, on a central database of 100,000 evaluations with 400,000 actions.

Not collected by pytest. Run:

    PYTHONPATH=. python tests/benchmarks/bench_followup.py [--evaluations 100000] [--pg]

The database is built with bulk inserts (the demo recorder and ``store.bulk.insert_new``, as a
merge writes), lean evaluations: case details, four actions each with dated progress updates
(a third overdue), a concern on one in sixteen at every stage, summaries shared. Then, each
figure beside a baseline measured in the same run on the same data:

* tracker open: the app's screen pushed to its first page on screen (baseline: a bare Textual
  app drawing the same list widget with the same 100 rows already in memory), and the page
  query alone (baseline: a bare ``SELECT … ORDER BY due_date LIMIT 100``);
* re-filter: filter words typed one key at a time and erased, each key timed to the screen
  update that shows its page (p50, p95 and the slowest, named; and the process's CPU time
  per key, every thread's, which load from other programs does not inflate), the overdue and
  status toggles, and a short word that matches nothing (its first step on screen, and its
  walk to the end) (baseline: a key in the bare app that swaps its rows for others);
* the concerns screen: open, and the same words typed into its filter (same baselines);
* a feedback summary written as .docx, .html and .md (baseline: reading the evaluation).

Targets: open ≤ 300 ms, re-filter ≤ 100 ms per key, document ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 20)
FROZEN = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
BATCH = 2000
TYPED = ["north", "kim", "lcs-1"]


def frozen() -> dt.datetime:
    return FROZEN


# --- building the database -------------------------------------------------------------------


def build(ws: Any, count: int, seed: int = 7) -> None:
    """``count`` lean evaluations, four actions each, written with bulk inserts."""
    from qa_tui.demo.ids import new_uuid
    from qa_tui.demo.recorder import Recorder, stamp
    from qa_tui.demo.text import SERVICE_AREAS, Who
    from qa_tui.domain.evaluation import remember_template
    from qa_tui.store.bulk import insert_new
    from qa_tui.store.history import advance_clock

    rng = random.Random(seed)
    template = ws.templates.latest()[0]
    fixed_t = {
        "template_id": template.id,
        "template_version": template.version,
        "template_hash": template.content_hash,
    }
    areas = list(SERVICE_AREAS.items())
    people = [f"{a} {b}" for a in ("Kim", "Jo", "Sam", "Alex", "Priya", "Tom") for b in "ABCDEFGH"]
    auditors = [Who(p, "Team manager", str(random.Random(p).getrandbits(128))) for p in people]
    auditors = [Who(w.name, w.role, _uuid(w.device)) for w in auditors]
    qa = Who("QA Officer", "QA", "7a4c2e10-5b3d-4f6e-8a9c-0d1e2f3a4b5c")
    rec = Recorder(0)
    rec.rng = random.Random(seed + 1)
    with ws.store.session() as session:
        remember_template(session, template)
    made = 0
    started = time.perf_counter()
    while made < count:
        for _ in range(min(BATCH, count - made)):
            _evaluation(rec, rng, fixed_t, areas, people, auditors, qa, new_uuid, stamp)
            made += 1
        with ws.store.session() as session:
            if ws.store.dialect == "sqlite":
                session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
            insert_new(session, rec.changes, rec.links)
            advance_clock(session, rec.counter)
        rec.clear()
        rate = made / (time.perf_counter() - started)
        print(f"\r  built {made:,} evaluations ({rate:,.0f}/s)", end="", file=sys.stderr)
    print(file=sys.stderr)


def _uuid(bits: str) -> str:
    h = f"{int(bits):032x}"[:32]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _evaluation(rec, rng, fixed_t, areas, people, auditors, qa, new_uuid, stamp) -> None:
    who = rng.choice(auditors)
    day = dt.date(2025, 12, 1) + dt.timedelta(days=rng.randrange(354))
    moment = dt.datetime.combine(day, dt.time(9), dt.UTC)
    eid = new_uuid(rng)
    area, (prefix, _s, teams) = rng.choice(areas)
    concern = rng.random() < 1 / 16

    def put(etype: str, entity: str, field: str, value: Any, by: Any = who) -> None:
        nonlocal moment
        moment += dt.timedelta(seconds=17)
        rec.set(by, etype, entity, eid, field, value, stamp(moment))

    put("evaluation", eid, "_create", fixed_t)
    values = {
        "case_reference": f"{prefix}-{rng.randrange(100000, 999999)}",
        "service_area": area,
        "team": rng.choice(teams),
        "practitioner": rng.choice(people),
        "auditor": who.name,
        "evaluation_date": day.isoformat(),
        "status": "completed",
        "overall_grade": "good",
        "summary_strengths": "Warm, direct work with the child.",
        "immediate_concern": concern,
        "completed_at": stamp(moment),
    }
    if concern:
        values["concern_description"] = "Bruising not followed up."
    for field, value in values.items():
        put("evaluation", eid, field, value)
    for _ in range(4):
        aid = new_uuid(rng)
        due = day + dt.timedelta(days=rng.randrange(14, 90))
        put("action", aid, "_create", {"evaluation_id": eid})
        put("action", aid, "description", "Update the plan with the family")
        put("action", aid, "owner", rng.choice(people))
        put("action", aid, "due_date", due.isoformat())
        put("action", aid, "status", "open")
        roll = rng.random()
        if roll < 0.6:
            status = "done" if roll < 0.45 else "in_progress"
            uid = new_uuid(rng)
            on = min(TODAY, due - dt.timedelta(days=rng.randrange(0, 10)))
            put("action_update", uid, "_create", {"evaluation_id": eid, "action_id": aid})
            put("action_update", uid, "status", status)
            put("action_update", uid, "note", "Done and recorded.")
            put("action_update", uid, "updated_on", on.isoformat())
    if concern:
        shared = rng.randint(0, 4)
        for role in ("practitioner", "team_manager", "service_manager", "director_social_care")[
            :shared
        ]:
            sid = new_uuid(rng)
            put("concern_share", sid, "_create", {"evaluation_id": eid})
            put("concern_share", sid, "recipient_role", role)
            put("concern_share", sid, "shared_on", day.isoformat())
            put("concern_share", sid, "method", "email")
        if shared == 4 and rng.random() < 0.5:
            kind = "closed" if rng.random() < 0.5 else "acknowledged"
            cid = new_uuid(rng)
            put("concern_event", cid, "_create", {"evaluation_id": eid, "kind": kind}, qa)
            put("concern_event", cid, "happened_on", day.isoformat(), qa)
            put("concern_event", cid, "note", "Strategy meeting held.", qa)
    if rng.random() < 0.7:
        sid = new_uuid(rng)
        put("summary_share", sid, "_create", {"evaluation_id": eid}, qa)
        put("summary_share", sid, "recipient_role", "child_record", qa)
        put("summary_share", sid, "shared_on", day.isoformat(), qa)
        put("summary_share", sid, "method", "attached", qa)


# --- measuring ---------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int = 7) -> float:
    """Median milliseconds of ``fn()`` (after one warm-up call)."""
    fn()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return statistics.median(out)


def queries(ws: Any) -> dict[str, tuple[float, float]]:
    """Query-level figures: (ours, baseline) in ms."""
    from sqlalchemy import text

    from qa_tui.store.followup_concerns import list_open_concerns
    from qa_tui.store.followup_queries import ActionFilter, count_actions, list_actions

    def bare() -> None:
        with ws.store.reader() as s:
            s.execute(
                text("SELECT * FROM actions WHERE NOT deleted ORDER BY due_key, id LIMIT 100")
            ).all()

    def page(flt: ActionFilter) -> Callable[[], None]:
        return lambda: ws.read(list_actions, flt, None, 101)

    def counted(flt: ActionFilter) -> Callable[[], None]:
        return lambda: ws.read(count_actions, flt)

    base = timed(bare)
    default = ActionFilter(statuses=("open", "in_progress"), today=TODAY)
    out = {
        "page: open or in progress": (timed(page(default)), base),
        "count (capped 10,000)": (timed(counted(default)), base),
        "page: overdue": (timed(page(ActionFilter(overdue=True, today=TODAY))), base),
        "page: any status": (timed(page(ActionFilter(today=TODAY))), base),
    }
    for word in ("n", "no", "north", "kim", "lcs-1", "zzz"):
        flt = ActionFilter(statuses=("open", "in_progress"), words=(word,), today=TODAY)
        out[f"page: filter {word!r}"] = (timed(page(flt), 3), base)
    out["concerns page"] = (timed(lambda: ws.read(list_open_concerns, 0, 200)), base)
    return out


def document(ws: Any, folder: Path) -> dict[str, tuple[float, float]]:
    """Each format of one feedback summary, read and written (baseline: reading it only)."""
    from sqlalchemy import select

    from qa_tui.documents.produce import read_summary_doc, save
    from qa_tui.store import models
    from qa_tui.store.views import load_view

    with ws.store.reader() as s:
        eid = s.scalar(select(models.Evaluation.id).where(models.Evaluation.status == "completed"))

    def read() -> None:
        with ws.store.reader() as s:
            load_view(s, eid)

    base = timed(read)
    out = {}
    for fmt in ("docx", "html", "md"):

        def write(fmt: str = fmt) -> None:
            save(read_summary_doc(ws, eid, TODAY), folder, [fmt])

        out[f"summary written as .{fmt}"] = (timed(write), base)
    return out


class Probe:
    """Screen updates, each turned into terminal output as a real terminal needs, and the time
    of the first one at which a condition holds: a page counts as shown when it is on screen,
    whenever the benchmark's own coroutine next gets to run (polling for the page and then
    waiting for the *next* update once timed the cursor's next blink, 0.5 s later)."""

    def __init__(self, app: Any) -> None:
        from textual._compositor import CompositorUpdate

        self.want: Callable[[], bool] | None = None
        self.seen = asyncio.Event()
        self.at = 0.0
        self.cpu = 0.0  # the process's CPU time (every thread's) at that update
        self.note: Callable[[], Any] | None = None  # what to log at each update, if anything
        self.log: list[tuple[float, Any]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            if self.note is not None:
                self.log.append((time.perf_counter(), self.note()))
            if self.want is not None and self.want():
                self.at, self.want = time.perf_counter(), None
                self.cpu = time.process_time()
                self.seen.set()

        app._display = display

    def arm(self, ready: Callable[[], bool]) -> None:
        """Watch for the first update at which ``ready()`` holds (armed before the key)."""
        self.seen.clear()
        self.want = ready

    async def since(self, started: float) -> float:
        """Milliseconds from ``started`` to that update."""
        await asyncio.wait_for(self.seen.wait(), timeout=30)
        return (self.at - started) * 1000

    def cpu_since(self, cpu: float) -> float:
        """Milliseconds of the process's CPU from ``cpu`` (``time.process_time()``) to that
        update: what a key cost whatever else the machine was doing."""
        return (self.cpu - cpu) * 1000


KEYS = [k for word in TYPED for k in [*word, *["backspace"] * len(word)]]


def _send(app: Any, key: str) -> None:
    from textual import events

    name = {"-": "minus"}.get(key, key)
    assert app._driver is not None
    app._driver.send_message(events.Key(name, None if key == "backspace" else key))


async def _bare(rows: list[Any]) -> tuple[float, float]:
    """The bare app (the same list widget, rows in memory): its open, and a key that swaps
    the rows for others (p50), both timed to the screen update that shows them."""
    from textual.app import App, ComposeResult

    from qa_tui.tui.screens.action_rows import COMPACT, widths_for
    from qa_tui.tui.widgets.evaluation_list import EvaluationList

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield EvaluationList(id="list")

        def on_mount(self) -> None:
            self.shown = 0
            widget = self.query_one(EvaluationList)
            widget.set_columns(widths_for(COMPACT, 196))
            widget.set_rows(rows)

        def on_key(self, _event: Any) -> None:
            self.shown += 1
            self.query_one(EvaluationList).set_rows(rows[self.shown % 2 :: 2] + rows)

    opens, keys, cpus = [], [], []
    for _ in range(5):
        app = Bare()
        started = time.perf_counter()
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            opens.append((time.perf_counter() - started) * 1000)
            probe = Probe(app)
            for key in KEYS:
                shown = app.shown
                probe.arm(lambda n=shown, a=app: a.shown > n)
                started, cpu = time.perf_counter(), time.process_time()
                _send(app, key)
                keys.append(await probe.since(started))
                cpus.append(probe.cpu_since(cpu))
                await asyncio.sleep(0.05)
    return statistics.median(opens), statistics.median(keys), statistics.median(cpus)


async def screens(settings: Any, url: str) -> dict[str, tuple[float, float]]:
    """Screen-level figures in the real app (headless): (ours, baseline) in ms."""
    from qa_tui.store.followup_queries import ActionFilter, list_actions
    from qa_tui.tui.app import make_app
    from qa_tui.tui.screens.action_rows import ActionListRow
    from qa_tui.workspace import open_workspace

    ws = open_workspace(settings, url, clock=frozen)
    rows = [
        ActionListRow(a, TODAY)
        for a in ws.read(list_actions, ActionFilter(statuses=("open",), today=TODAY), None, 100)
    ]
    ws.close()
    bare_open, bare_key, bare_cpu = await _bare(rows)
    app = make_app(settings, workspace_factory=lambda: open_workspace(settings, url, clock=frozen))
    out: dict[str, tuple[float, float]] = {}
    async with app.run_test(size=(200, 50)) as pilot:
        while app.workspace is None or not app.screen_stack[0]._loaded:
            await pilot.pause(0.05)
        await settled(app, pilot)
        probe = Probe(app)
        bare = (bare_open, bare_key, bare_cpu)
        await _tracker(app, pilot, probe, out, bare)
        await _concerns(app, pilot, probe, out, bare)
    return out


async def _open(app: Any, pilot: Any, probe: Probe, name: str, kind: type) -> float:
    from qa_tui.tui.messages import Navigate

    probe.arm(lambda: isinstance(app.screen, kind) and app.screen.loaded)
    started = time.perf_counter()
    app.post_message(Navigate(name))
    return await probe.since(started)


Keyed = list[tuple[float, str, float]]  # per key: wall ms, the filter after it, CPU ms


async def _type(app: Any, probe: Probe, screen: Any) -> Keyed:
    """Each key of :data:`KEYS` to its page on screen."""
    keys = []
    for key in KEYS:
        generation = screen._generation
        probe.arm(lambda g=generation: screen._generation > g and _page_is_current(screen))
        started, cpu = time.perf_counter(), time.process_time()
        _send(app, key)
        took = await probe.since(started)
        keys.append((took, repr(screen.query_one("#filter").value), probe.cpu_since(cpu)))
        await asyncio.sleep(0.05)
    return keys


def _per_key(
    out: dict[str, tuple[float, float]], what: str, keys: Keyed, bare: tuple[float, ...]
) -> None:
    times = sorted(t for t, _w, _c in keys)
    slowest = max(keys)
    out[f"{what} per key (p50 of {len(times)})"] = (statistics.median(times), bare[1])
    out[f"{what} per key (p95)"] = (times[max(0, round(0.95 * len(times)) - 1)], bare[1])
    out[f"{what} per key (max: at {slowest[1]})"] = (slowest[0], bare[1])
    costly = max(keys, key=lambda k: k[2])
    cpu = statistics.median(c for _t, _w, c in keys)
    out[f"{what}: process CPU per key (p50)"] = (cpu, bare[2])
    out[f"{what}: process CPU per key (max: at {costly[1]})"] = (costly[2], bare[2])


async def _tracker(app: Any, pilot: Any, probe: Probe, out: dict, bare: tuple) -> None:
    from qa_tui.tui.screens.actions import ActionsScreen
    from qa_tui.tui.widgets.evaluation_list import EvaluationList

    opens = []
    for _ in range(5):
        opens.append(await _open(app, pilot, probe, "actions", ActionsScreen))
        screen = app.screen
        while screen._count is None:
            await asyncio.sleep(0.01)
        app.pop_screen()
        await settled(app, pilot)  # the home list reads itself again on resume
    out["tracker open (first page drawn)"] = (statistics.median(opens), bare[0])
    await _open(app, pilot, probe, "actions", ActionsScreen)
    screen = app.screen
    _per_key(out, "tracker re-filter", await _type(app, probe, screen), bare)
    screen.query_one(EvaluationList).focus()
    toggles = []
    for key in ("o", "o", "s", "s", "s", "s"):
        generation = screen._generation
        probe.arm(lambda g=generation: screen._generation > g and _page_is_current(screen))
        started = time.perf_counter()
        _send(app, key)
        toggles.append(await probe.since(started))
        await asyncio.sleep(0.05)
    out["overdue/status toggle (max)"] = (max(toggles), bare[1])
    await _rare(app, probe, screen, out, bare)
    app.pop_screen()
    await settled(app, pilot)


RARE = "zq"  # two letters (no trigram index), matching no action: every action walked


async def _rare(app: Any, probe: Probe, screen: Any, out: dict, bare: tuple) -> None:
    """A short word that matches nothing: each key to its first step on screen (the list
    saying it is still looking), then the walk to its end ("0 actions")."""
    keys, ends = [], []
    probe.note = lambda: (screen._drawn_generation, screen._looking)
    for key in [*RARE, "backspace", "backspace"]:
        generation = screen._generation
        probe.arm(lambda g=generation: screen._generation > g and _page_is_current(screen))
        started = time.perf_counter()
        _send(app, key)
        took = await probe.since(started)
        word = repr(screen.query_one("#filter").value)
        keys.append((took, word))
        while screen._looking or not _page_is_current(screen):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)  # its update on screen
        done = [t for t, (g, looking) in probe.log if g == screen._generation and not looking]
        ends.append(((done[0] - started) * 1000, word))
        probe.log.clear()
        await asyncio.sleep(0.05)
    probe.note = None
    slowest = max(keys)
    out[f"rare short word: per key (max: at {slowest[1]})"] = (slowest[0], bare[1])
    longest = max(ends)
    out[f"  … its walk to the end (max: at {longest[1]})"] = (longest[0], bare[1])


async def _concerns(app: Any, pilot: Any, probe: Probe, out: dict, bare: tuple) -> None:
    from qa_tui.tui.screens.concerns import ConcernsScreen

    opens = []
    for _ in range(5):
        opens.append(await _open(app, pilot, probe, "concerns", ConcernsScreen))
        app.pop_screen()
        await settled(app, pilot)
    out["concerns open (list drawn)"] = (statistics.median(opens), bare[0])
    await _open(app, pilot, probe, "concerns", ConcernsScreen)
    screen = app.screen
    await settled(app, pilot)
    _send(app, "slash")
    await settled(app, pilot)
    _per_key(out, "concerns re-filter", await _type(app, probe, screen), bare)
    app.pop_screen()
    await settled(app, pilot)


async def settled(app: Any, pilot: Any) -> None:
    from tests.tui.screens_setup import workers_done

    for _ in range(3):
        await workers_done(app)
        await pilot.pause()


def _page_is_current(screen: Any) -> bool:
    return screen._drawn_generation == screen._generation


def report(title: str, rows: dict[str, tuple[float, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'measure':58} {'ours ms':>9} {'baseline':>9} {'ratio':>7}")
    for name, (ours, base) in rows.items():
        print(f"  {name:58} {ours:9.1f} {base:9.1f} {ours / base if base else 0:7.1f}")


def _existing(ws: Any) -> int:
    """Evaluations already there (a database kept from an earlier run), with every index the
    models declare made if missing."""
    from sqlalchemy import func, select

    from qa_tui.store import models

    for table in models.Base.metadata.sorted_tables:
        for index in table.indexes:
            index.create(ws.store.engine, checkfirst=True)
    with ws.store.reader() as s:
        return int(s.scalar(select(func.count()).select_from(models.Evaluation)) or 0)


def run_on(
    settings: Any, url: str, count: int, label: str, work: Path, build_only: bool = False
) -> None:
    from qa_tui.workspace import open_workspace

    ws = open_workspace(settings, url, clock=frozen)
    try:
        started = time.perf_counter()
        have = _existing(ws)
        if have < count:
            build(ws, count - have, seed=7 + have)  # new ids after a kept database's
            print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if build_only:
            return
        if ws.store.dialect == "sqlite":
            with ws.store.session() as s:
                s.connection().exec_driver_sql("ANALYZE")
        else:
            with ws.store.engine.connect() as c:
                c.exec_driver_sql("COMMIT")
                c.exec_driver_sql("ANALYZE")
        report(f"{label}: queries (baseline: a bare SELECT … LIMIT 100)", queries(ws))
        report(
            f"{label}: feedback summary (baseline: reading the evaluation)",
            document(ws, work / "docs"),
        )
    finally:
        ws.close()
    rows = asyncio.run(screens(settings, url))
    report(f"{label}: screens (baseline: the bare app: its open; a key swapping its rows)", rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--build-only", action="store_true", help="build the database, then stop")
    parser.add_argument(
        "--sqlite-file", type=Path, help="keep the SQLite database here (reused when run again)"
    )
    parser.add_argument(
        "--pg-url", help="a PostgreSQL database to build in (kept, reused when run again)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qa-tui-bench-") as tmp:
        work = Path(tmp)
        for var, sub in (("XDG_CONFIG_HOME", "c"), ("XDG_DATA_HOME", "d"), ("HOME", "h")):
            os.environ[var] = str(work / sub)
        from qa_tui.config import load_settings

        settings = load_settings().with_changes(auditor_name="QA Officer")
        n = args.evaluations
        print(f"{n:,} evaluations, {4 * n:,} actions")
        if not args.no_sqlite:
            path = args.sqlite_file or work / "central.db"
            url = f"sqlite:///{path.resolve().as_posix()}"
            run_on(settings, url, n, "SQLite", work, args.build_only)
        if args.pg_url:
            run_on(settings, args.pg_url, n, "PostgreSQL", work, args.build_only)
        elif args.pg:
            from tests.sync.pgcluster import find_bindir, start_cluster

            bindir = find_bindir()
            if bindir is None:
                print("\nPostgreSQL: skipped (no initdb/pg_ctl found)")
                return 0
            cluster = start_cluster(bindir)
            try:
                url = cluster.create_database("bench_followup")
                run_on(settings, url, n, "PostgreSQL", work, args.build_only)
            finally:
                cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
