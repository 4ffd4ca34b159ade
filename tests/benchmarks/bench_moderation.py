"""Benchmark: moderation at the scale of a central database (100,000 evaluations, 20,000
moderations with blind grades), each figure beside a baseline measured in the same run.

Not collected by pytest. Run:

    PYTHONPATH=. python tests/benchmarks/bench_moderation.py [--evaluations 100000]
        [--moderations 20000] [--pg] [--keep DIR] [--only report|screens]

``--keep DIR`` keeps the SQLite database there and reuses it on the next run.

The big database is built with bulk inserts (:func:`qa_tui.store.bulk.insert_new`: real
history and derived state, not through the app): evaluations of the two built-in templates
(4 collaborative to 1 audit, as the demo; the audits of 2025 on the 1.0 audit, 60 items, those
of 2026 on the 2.0), dated over 2025 and 2026, with a grade and evidence on every graded item;
20,000 of the completed ones moderated in sessions of twelve by three moderators each, with
blind grades, agreed grades and feedback. Then, each phase in a process of its own (so its
peak memory is its own):

* report: ``qa-tui report moderation`` for 2026, once per format (md, html, json, csv), three
  times: the command itself, each run its own process — its whole CPU time (start-up and
  imports included) and peak memory, the figures against the targets; then, in a process of
  the benchmark's own, the same build, render and write timed apart from the imports (where
  the time goes); baseline: the bare query that reads the same judgements.
  Targets: ≤ 1 s of the process's own time, ≤ 200 MB.
* screen: the agreement screen redrawn after a filter change (team), from the filter's query
  to the frame on screen; baseline: the same screen redrawing its table without a query.
  Target: ≤ 200 ms.
* side by side: opening an evaluation of the 1.0 audit (60 items, 61 rows) from the key to the
  frame on screen, and moving item to item (the key to the next frame, and the app's own CPU
  time for it); the 2.0 audit (17 rows) too; baseline: a bare app mounting as many rows of
  two cells, and moving a highlight by a class on a key. Targets: open ≤ 150 ms; a move
  within one frame (~16 ms).

On a shared machine wall-clock figures wait for other processes: the CPU time per move says
what a move costs the app itself.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MODERATORS = [
    ("Priya Okafor", "Head of Service"),
    ("Tom Lindqvist", "Principal Social Worker"),
    ("Grace Mensah", "IRO Manager"),
    ("Owen Hart", "Service Manager"),
    ("Ruth Adeyemi", "Service Manager"),
    ("Ian Kowalski", "Head of Service"),
]
TEAMS = [f"Team {n}" for n in range(1, 21)]
AREAS = ["Children in Need", "Child Protection", "Children in Care", "Early Help"]


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"phase {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- building the database ------------------------------------------------------------------


class Builder:
    """Change dicts as the app would record them (one change per field, no edits)."""

    def __init__(self, seed: int) -> None:
        from qa_tui.demo.ids import new_uuid

        self.rng = random.Random(seed)
        self.new_id = lambda: new_uuid(self.rng)
        self.counter = 0
        self.changes: list[dict[str, Any]] = []

    def put(
        self, who: tuple[str, str], etype: str, eid: str, agg: str, field: str, value: Any, at: str
    ) -> None:
        from qa_tui.store.history import dumps

        self.counter += 1
        self.changes.append(
            {
                "id": self.new_id(),
                "entity_type": etype,
                "entity_id": eid,
                "evaluation_id": agg,
                "field": field,
                "value": dumps(value),
                "old_value": None,
                "supersedes": "[]",
                "author": who[0],
                "device_id": who[1],
                "counter": self.counter,
                "wall_time": at,
                "bundle_id": None,
            }
        )

    def flush(self, store: Any) -> None:
        from qa_tui.store.bulk import insert_new
        from qa_tui.store.history import advance_clock

        with store.session() as session:
            if store.dialect == "sqlite":
                session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
            insert_new(session, self.changes, [])
            advance_clock(session, self.counter)
        self.changes = []


def _evaluation(
    b: Builder, template: Any, day: dt.date, devices: list[tuple[str, str]]
) -> tuple[str, dict[str, str]]:
    from qa_tui.domain.moderation import OVERALL
    from qa_tui.domain.record_writes import response_id
    from qa_tui.framework.model import ItemKind
    from qa_tui.store.entities import CREATE

    rng = b.rng
    eid, who = b.new_id(), rng.choice(devices)
    at = f"{day.isoformat()}T10:00:00.000+00:00"
    ranked = [g.id for g in sorted(template.scale.grades, key=lambda g: g.rank)]
    fixed = {
        "template_id": template.id,
        "template_version": template.version,
        "template_hash": template.content_hash,
    }
    b.put(who, "evaluation", eid, eid, CREATE, fixed, at)
    level = rng.choice((1, 2, 2, 3))
    grades = {}
    for item in template.items(ItemKind.GRADE):
        grade = ranked[min(max(level + rng.choice((-1, 0, 0, 1)), 0), 3)]
        rid = response_id(eid, item.id)
        b.put(who, "response", rid, eid, CREATE, {"evaluation_id": eid, "item_id": item.id}, at)
        b.put(who, "response", rid, eid, "grade", grade, at)
        b.put(
            who, "response", rid, eid, "evidence", "Seen in the case notes and the latest plan.", at
        )
        grades[item.id] = grade
    grades[OVERALL] = ranked[level]
    completed = rng.random() > 0.1
    team = rng.choice(TEAMS)
    for field, value in (
        ("case_reference", f"LCS-{rng.randrange(100000, 999999)}"),
        ("team", team),
        ("service_area", AREAS[TEAMS.index(team) % len(AREAS)]),
        ("auditor", who[0]),
        ("evaluation_date", day.isoformat()),
        ("overall_grade", grades[OVERALL]),
        ("status", "completed" if completed else "draft"),
    ):
        b.put(who, "evaluation", eid, eid, field, value, at)
    return (eid, grades) if completed else ("", {})


def _session(b: Builder, chunk: list[tuple[str, Any, dict[str, str], dt.date]]) -> None:
    from qa_tui.domain.moderation import judgement_id
    from qa_tui.domain.sessions import blind_grade_id, moderator_id, session_moderation_id
    from qa_tui.store.entities import CREATE

    rng, sid = b.rng, b.new_id()
    held = max(c[3] for c in chunk) + dt.timedelta(days=14)
    at = f"{held.isoformat()}T10:00:00.000+00:00"
    desk = ("QA team", "00000000-0000-4000-8000-0000000000aa")
    b.put(desk, "moderation_session", sid, sid, CREATE, {}, at)
    for field, value in (
        ("title", f"Moderation group {held}"),
        ("held_on", held.isoformat()),
        ("status", "closed"),
        ("blind_first", True),
    ):
        b.put(desk, "moderation_session", sid, sid, field, value, at)
    people = rng.sample(MODERATORS, 3)
    mids = []
    for name, role in people:
        mid = moderator_id(sid, name)
        mids.append(mid)
        b.put(desk, "session_moderator", mid, sid, CREATE, {"session_id": sid, "name": name}, at)
        b.put(desk, "session_moderator", mid, sid, "role", role, at)
    for eid, template, grades, _day in chunk:
        ranked = [g.id for g in sorted(template.scale.grades, key=lambda g: g.rank)]
        moderation = session_moderation_id(sid, eid)
        b.put(desk, "moderation", moderation, eid, CREATE, {"evaluation_id": eid}, at)
        for field, value in (
            ("moderator", ", ".join(p[0] for p in people)),
            ("moderated_on", held.isoformat()),
            ("session_id", sid),
            ("revealed", True),
            ("feedback_gaps", "Cite the record."),
        ):
            b.put(desk, "moderation", moderation, eid, field, value, at)
        for item, given in grades.items():
            at_rank = ranked.index(given)
            roll = rng.random()
            agreed = ranked[at_rank - 1] if roll < 0.2 and at_rank else ranked[at_rank]
            jid = judgement_id(moderation, item)
            b.put(
                desk,
                "moderation_judgement",
                jid,
                eid,
                CREATE,
                {"evaluation_id": eid, "moderation_id": moderation, "item_id": item},
                at,
            )
            b.put(desk, "moderation_judgement", jid, eid, "auditor_grade", given, at)
            b.put(desk, "moderation_judgement", jid, eid, "moderated_grade", agreed, at)
            b.put(
                desk,
                "moderation_judgement",
                jid,
                eid,
                "rationale",
                "" if agreed == given else "Impact not shown.",
                at,
            )
            for mid in mids:
                mine = (
                    agreed
                    if rng.random() < 0.7
                    else ranked[min(max(ranked.index(agreed) + rng.choice((-1, 1)), 0), 3)]
                )
                bid = blind_grade_id(sid, mid, eid, item)
                fixed = {
                    "session_id": sid,
                    "moderator_id": mid,
                    "target_evaluation_id": eid,
                    "item_id": item,
                }
                b.put(desk, "blind_grade", bid, sid, CREATE, fixed, at)
                b.put(desk, "blind_grade", bid, sid, "grade", mine, at)


def phase_make(url: str, evaluations: int, moderations: int) -> dict[str, Any]:
    from qa_tui.framework.loader import builtin_templates, previous_templates
    from qa_tui.store import models
    from qa_tui.store.migrate import open_store

    started = time.perf_counter()
    store = open_store(url)
    templates = builtin_templates()
    # Audits of 2025 are on the 1.0 audit (60 items), as a central database that has lived
    # through a template change: the side-by-side target is about that template.
    old_audit = next(
        t for t in previous_templates() if t.id == templates[1].id and t.version == "1.0"
    )
    with store.session() as session:
        for t in (*templates, old_audit):
            session.add(
                models.TemplateSnapshot(
                    content_hash=t.content_hash,
                    template_id=t.id,
                    version=t.version,
                    source_text=t.source_text,
                )
            )
    b = Builder(7)
    devices = [(f"Auditor {n}", b.new_id()) for n in range(200)]
    completed: list[tuple[str, Any, dict[str, str], dt.date]] = []
    first = dt.date(2025, 1, 1)
    for n in range(evaluations):
        template = templates[0] if b.rng.random() < 0.8 else templates[1]
        day = first + dt.timedelta(days=b.rng.randrange(730))
        if template is templates[1] and day.year == 2025:
            template = old_audit
        eid, grades = _evaluation(b, template, day, devices)
        if eid:
            completed.append((eid, template, grades, day))
        if len(b.changes) > 200_000 or n == evaluations - 1:
            b.flush(store)
    chosen = sorted(b.rng.sample(completed, min(moderations, len(completed))), key=lambda c: c[3])
    del completed
    for start in range(0, len(chosen), 12):
        _session(b, chosen[start : start + 12])
        if len(b.changes) > 200_000:
            b.flush(store)
    b.flush(store)
    store.dispose()
    return {
        "seconds": time.perf_counter() - started,
        "changes": b.counter,
        "moderated": len(chosen),
    }


# --- the report -------------------------------------------------------------------------------


def phase_report(url: str, period: str, fmt: str, read_only: bool) -> dict[str, Any]:
    """One ``qa-tui report moderation --format FMT`` as the command makes it: build, render,
    write — the process's CPU time and peak memory (its own process: its own peak)."""
    started = time.process_time()
    # As the command: numpy's BLAS on one thread (qa_tui/cli/report.py), set before numpy is
    # imported; qa_tui imported before anything else (its settings precede numpy's import),
    # then the modules on its way (the report kind's, the renderers): code loading, not the
    # report's work, paid before the clock starts as in a warm CLI; their time is printed apart.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    for name in ("qa_tui", "numpy", "qa_tui.reports.moderation", "qa_tui.reports.render.tables"):
        importlib.import_module(name)
    importlib.import_module("qa_tui.reports.render.markdown")
    from sqlalchemy import select

    from qa_tui.config import load_settings
    from qa_tui.reports.kinds import build
    from qa_tui.reports.model import ReportQuery
    from qa_tui.reports.period import parse_period
    from qa_tui.reports.render import write_report, writes_rows
    from qa_tui.store import models
    from qa_tui.store.migrate import open_store

    load_settings()  # as the command reads them; it opens the database alone, no workspace
    store = open_read_only(url) if read_only else open_store(url, create=False, migrate=False)
    query = ReportQuery(parse_period(period), rows=writes_rows(fmt))  # as the command asks
    p = query.period
    m, j, e = models.Moderation, models.ModerationJudgement, models.Evaluation
    imports = time.process_time() - started
    before = _peak_mb()
    cpu = time.process_time()
    with store.reader() as session:
        rows = session.execute(
            select(
                m.session_id,
                m.moderated_on,
                e.id,
                e.team,
                j.item_id,
                j.auditor_grade,
                j.moderated_grade,
            )
            .join(m, m.id == j.moderation_id)
            .join(e, e.id == j.evaluation_id)
            .where(m.moderated_on >= p.start, m.moderated_on <= p.end, ~j.deleted)
        ).all()
    baseline = time.process_time() - cpu
    count = len(rows)
    del rows
    cpu = time.process_time()
    report = build(store, "moderation", query)
    built = time.process_time() - cpu
    out_dir = Path(tempfile.mkdtemp(prefix="qa-tui-bench-report-"))
    cpu = time.process_time()
    write_report(report, fmt, out_dir / f"moderation.{fmt}")
    rendered = time.process_time() - cpu
    size = (out_dir / f"moderation.{fmt}").stat().st_size
    shutil.rmtree(out_dir, ignore_errors=True)
    pairs = next(t for t in report.tables() if t.name == "pairs")
    store.dispose()
    return {
        "baseline": baseline,
        "rows": count,
        "build": built,
        "render": rendered,
        "bytes": size,
        "pairs": len(pairs.rows),
        "peak_mb": _peak_mb(),
        "start_mb": before,
        "imports": imports,
    }


REPORT_FORMATS = ("md", "html", "json", "csv")


def _reports(url: str, sizes: list[str], env: dict[str, str]) -> dict[str, Any]:
    """The report in each format, three times: the command, then the benchmark's own phase
    (medians are printed)."""
    period = sizes[sizes.index("--period") + 1]
    read_only = "--url" in sizes
    out: dict[str, Any] = {}
    for fmt in REPORT_FORMATS:
        command = [_command(url, period, fmt, env, read_only) for _ in range(3)]
        runs = [_child(["report", "--db", url, "--format", fmt, *sizes], env) for _ in range(3)]
        out[fmt] = {"command": command, "phase": runs}
    return out


def _command(url: str, period: str, fmt: str, env: dict[str, str], read_only: bool) -> Any:
    """``qa-tui report moderation`` as a user runs it, in a process of its own: its CPU time
    (user and system, start-up included) and peak memory, from the kernel's account of it. A
    database given with ``--url`` is opened read only (readonly_db.py runs the same command)."""
    out = Path(tempfile.mkdtemp(prefix="qa-tui-bench-command-"))
    runner = [str(Path(__file__).with_name("readonly_db.py"))] if read_only else ["-m", "qa_tui"]
    args = ["report", "moderation", "--db", url, "--period", period, "--format", fmt]
    child = subprocess.Popen(
        [sys.executable, *runner, *args, "--out", str(out / f"moderation.{fmt}")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    shutil.rmtree(out, ignore_errors=True)
    if child.returncode:
        sys.exit(f"qa-tui report moderation --format {fmt} failed ({child.returncode})")
    return {"cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


# --- the screens ------------------------------------------------------------------------------


class Probe:
    """The time to the next frame turned into terminal output, after a marker is armed."""

    def __init__(self, app: Any) -> None:
        from textual._compositor import CompositorUpdate

        self.event = asyncio.Event()
        self.armed = False
        self.until: Any = None  # a condition the frame must show (None: any frame)
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            if self.armed and (self.until is None or self.until()):
                self.armed = False
                self.until = None
                self.event.set()

        app._display = display

    async def wait(self, timeout: float = 30) -> bool:
        """Whether a frame came within ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout=timeout)
        except TimeoutError:
            self.armed = False
            return False
        self.event.clear()
        return True


def open_read_only(url: str) -> Any:
    """The store at ``url``, never migrated, every connection read only (``--url``: a
    database that is not the benchmark's own, e.g. the shared demo database)."""
    from sqlalchemy import event

    from qa_tui.store.migrate import open_store

    store = open_store(url, create=False, migrate=False)

    @event.listens_for(store.engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if store.dialect == "sqlite":
            cursor.execute("PRAGMA query_only=ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.close()

    return store


async def _screens(url: str, read_only: bool) -> dict[str, Any]:
    from collections import Counter

    from qa_tui.config import load_settings
    from qa_tui.tui.app import make_app
    from qa_tui.tui.messages import Navigate
    from qa_tui.tui.screens.agreement import AgreementScreen
    from qa_tui.workspace import Workspace, add_published, load_registry

    settings = load_settings().with_changes(auditor_name="Bench")

    def workspace() -> Workspace:
        registry = load_registry(settings)
        store = open_read_only(url)
        add_published(store, registry)
        return Workspace(settings, store, registry)

    app = make_app(settings, workspace if read_only else None, db_url=url)
    out: dict[str, Any] = {}
    async with app.run_test(size=(200, 50)) as pilot:
        while app.workspace is None:
            await pilot.pause(0.05)
        probe = Probe(app)
        app.post_message(Navigate("agreement"))
        while not isinstance(app.screen, AgreementScreen) or app.screen.loaded == 0:
            await pilot.pause(0.05)
        screen = app.screen
        assert screen._selection is not None
        busiest = Counter(screen._selection.units.team).most_common(3)
        out["screen_ms"], out["screen_cpu_ms"], out["screen_bare_ms"] = [], [], []
        started: list[tuple[float, float]] = []
        for team in [*(t for t, _n in busiest), ""]:
            # Timed from the moment the typing pause ends (the screen's refilter) to the
            # frame that shows the new figures: the redraw the user waits for.
            refilter, show = screen.refilter, screen.show

            def timed_refilter(refilter: Any = refilter) -> None:
                started.append((time.perf_counter(), time.process_time()))
                refilter()

            def timed_show(*args: Any, show: Any = show) -> None:
                show(*args)
                probe.armed = bool(started)  # the redraw of this filter, not an earlier one

            await _settled(app, pilot)
            screen.refilter = timed_refilter  # type: ignore[method-assign]  # timed stand-in
            screen.show = timed_show  # type: ignore[method-assign]  # timed in place, bench only
            started.clear()
            screen.query_one("#filter-team").value = team
            for _try in range(3):  # a frame of an earlier redraw does not count
                await probe.wait()
                if started:
                    break
            wall, cpu = started[-1]
            out["screen_ms"].append((time.perf_counter() - wall) * 1000)
            out["screen_cpu_ms"].append((time.process_time() - cpu) * 1000)
            screen.refilter, screen.show = refilter, show  # type: ignore[method-assign]  # put back
            await pilot.pause(0.3)
            begun = time.perf_counter()
            probe.armed = True
            screen._fill_breakdown()
            await probe.wait()
            out["screen_bare_ms"].append((time.perf_counter() - begun) * 1000)
        app.pop_screen()  # the side by side opens from the sessions, not over these figures
        await pilot.pause(0.5)
        out.update(await _side_by_side(app, pilot, probe, "1.0"))
        out["newer"] = await _side_by_side(app, pilot, probe, "2.0")
    return out


async def _settled(app: Any, pilot: Any) -> None:
    """Until every worker of the app has finished and none has started since: the screen under
    the side by side (the home screen here) reads its list again when it is shown again, then
    counts it, and on PostgreSQL a 100,000-evaluation list takes longer than the pause between
    two opens; timed with it, an open also counted that read's processor time and waited for
    it (0.2 s medians were that, not the side by side)."""
    for _ in range(50):  # a finished read may start another (the home screen's counts)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        if not any(worker.is_running for worker in app.workers):
            return


async def _side_by_side(app: Any, pilot: Any, probe: Probe, version: str) -> dict[str, Any]:
    from sqlalchemy import select

    from qa_tui.store import models
    from qa_tui.tui.screens.home_list import SETTLE_AFTER
    from qa_tui.tui.screens.side_by_side import SideBySideScreen
    from qa_tui.tui.widgets.two_pane import TwoPane

    ws = app.workspace
    with ws.store.reader() as s:
        sid, eid = s.execute(
            select(models.Moderation.session_id, models.Moderation.evaluation_id)
            .join(models.Evaluation, models.Evaluation.id == models.Moderation.evaluation_id)
            .where(
                models.Evaluation.template_id == "quality_of_practice_audit",
                models.Evaluation.template_version == version,
                models.Moderation.session_id != "",
                ~models.Moderation.deleted,
            )
            .order_by(models.Moderation.id)
            .limit(1)
        ).one()
    opens, open_cpu, moves, move_cpu = [], [], [], []
    missed = 0
    for _ in range(5):
        await _settled(app, pilot)
        started, cpu = time.perf_counter(), time.process_time()
        screen = SideBySideScreen(ws, app.writer, sid, [eid])
        probe.until = lambda s=screen: s.data is not None and s.query_one(TwoPane).count > 0
        probe.armed = True  # the first frame that shows the rows ends the count
        await app.push_screen(screen)
        await probe.wait()
        opens.append((time.perf_counter() - started) * 1000)
        open_cpu.append((time.process_time() - cpu) * 1000)
        await _settled(app, pilot)
        # And past the home list's own deferred collection: it collects its garbage a second
        # after it draws (home_list.SETTLE_AFTER), and it drew again when the previous side by
        # side closed, so in this loop that collection (and the frame it caused under the
        # side by side) fell on one of the first moves of every open.
        await pilot.pause(SETTLE_AFTER + 0.2)
        for _key in range(min(30, len(screen.data.left) - 1)):  # never past the last item
            started, cpu = time.perf_counter(), time.process_time()
            probe.armed = True
            await pilot.press("down")
            if await probe.wait(timeout=2):
                moves.append((time.perf_counter() - started) * 1000)
                move_cpu.append((time.process_time() - cpu) * 1000)
            else:
                missed += 1  # no frame seen for this move (said in the figures, not hidden)
        app.pop_screen()
        await pilot.pause(0.2)
    rows = len(screen.data.left)
    return {
        "open_ms": opens,
        "open_cpu_ms": open_cpu,
        "move_ms": moves,
        "move_cpu_ms": move_cpu,
        "items": rows,
        "moves_without_frame": missed,
    }


async def _bare(items: int) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.containers import Horizontal, VerticalScroll
    from textual.widgets import Static

    class Bare(App[None]):
        CSS = "Horizontal { height: auto; } Static { width: 1fr; } .on { background: $boost; }"
        BINDINGS = [Binding("down", "next", "Next")]
        rows: list[Horizontal] = []
        at = 0

        def compose(self) -> ComposeResult:
            yield VerticalScroll(id="rows")

        def action_next(self) -> None:  # the key moves a highlight by a class, and scrolls
            self.rows[self.at].remove_class("on")
            self.at += 1
            self.rows[self.at].add_class("on")
            self.query_one("#rows").scroll_to_widget(self.rows[self.at], animate=False)

    app = Bare()
    out: dict[str, Any] = {"open_ms": [], "open_cpu_ms": [], "move_ms": [], "move_cpu_ms": []}
    out["moves_without_frame"] = 0
    async with app.run_test(size=(200, 50)) as pilot:
        probe = Probe(app)
        body = "Evidence seen in the case notes and the latest plan. " * 3
        for _ in range(5):
            started, cpu = time.perf_counter(), time.process_time()
            app.rows = [
                Horizontal(Static(f"Item {i}\n{body}"), Static(f"Blind grades\nAgreed {i}"))
                for i in range(items)
            ]
            app.at = 0
            await app.query_one("#rows").mount_all(app.rows)
            probe.armed = True
            await probe.wait()
            out["open_ms"].append((time.perf_counter() - started) * 1000)
            out["open_cpu_ms"].append((time.process_time() - cpu) * 1000)
            for _i in range(min(30, items - 1)):
                started, cpu = time.perf_counter(), time.process_time()
                probe.armed = True
                await pilot.press("down")
                if await probe.wait(timeout=2):  # as the side by side's moves
                    out["move_ms"].append((time.perf_counter() - started) * 1000)
                    out["move_cpu_ms"].append((time.process_time() - cpu) * 1000)
                else:
                    out["moves_without_frame"] += 1
            await app.query_one("#rows").remove_children()
    return out


def phase_screens(url: str, read_only: bool) -> dict[str, Any]:
    out = asyncio.run(_screens(url, read_only))
    out["bare"] = asyncio.run(_bare(out["items"]))
    return out


# --- running --------------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    p95 = ""
    if len(values) >= 20:  # the moves (150 of them): the tail a user feels, not one outlier
        p95 = f", p95 {statistics.quantiles(values, n=20, method='inclusive')[-1]:6.1f} ms"
    return f"median {statistics.median(values):6.1f} ms{p95}, max {max(values):6.1f} ms"


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print(
    name: str,
    made: dict[str, Any] | None,
    reports: dict[str, Any] | None,
    screens: dict[str, Any] | None,
) -> None:
    if made is None:
        print(f"\n{name}, read only:")
    else:
        built = f"{made['changes']:,} changes, {made['moderated']:,} moderations"
        print(f"\n{name}: {built}, built in {made['seconds']:.0f} s")
    if reports is not None:
        _print_reports(reports)
    if screens is not None:
        _print_screens(screens)


def _print_reports(reports: dict[str, Any]) -> None:
    md = reports["md"]["phase"]
    first = md[0]
    print(
        f"  report 2026 ({first['rows']:,} judgements, {first['pairs']:,} pairs), the command"
        " (python -m qa_tui report moderation), each run its own process, median of 3"
        " (target: <= 1 s CPU, <= 200 MB peak):"
    )
    for fmt, made in reports.items():
        runs = made["command"]
        cpu = statistics.median(r["cpu"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        each = " ".join(f"{r['cpu']:.2f}" for r in runs)
        print(f"    {fmt:>4}: {cpu:.2f} s CPU ({each}); peak {peak:.0f} MB")
    print("  inside it (the benchmark's own process: the imports before the clock):")
    for fmt, made in reports.items():
        runs = made["phase"]
        total = statistics.median(r["build"] + r["render"] for r in runs)
        build = statistics.median(r["build"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        size = runs[0]["bytes"] / 1e6
        print(
            f"    {fmt:>4}: {total:.2f} s CPU (build {build:.2f} s + render and write);"
            f" peak {peak:.0f} MB (imports alone {runs[0]['start_mb']:.0f} MB); {size:.1f} MB"
        )
    imports = statistics.median(r["imports"] for r in md)
    print(f"    (imports and opening the database, before the clock: {imports:.2f} s CPU)")
    baseline = statistics.median(r["baseline"] for r in md)
    ratio = statistics.median(r["build"] + r["render"] for r in md) / max(baseline, 1e-9)
    print(
        f"    baseline, the bare query of the same judgements: {baseline:.2f} s CPU;"
        f" md / baseline = {ratio:.1f}"
    )


def _print_screens(screens: dict[str, Any]) -> None:
    print(f"  agreement screen, filter change to frame: {_ms(screens['screen_ms'])} (<= 200 ms)")
    print(f"    CPU time of the process for it: {_ms(screens['screen_cpu_ms'])}")
    print(f"    baseline, the same screen redrawing its table: {_ms(screens['screen_bare_ms'])}")
    bare, items = screens["bare"], screens["items"]
    print(f"  side by side, open ({items} rows): {_ms(screens['open_ms'])} (<= 150 ms)")
    print(f"    CPU time of the process for it: {_ms(screens['open_cpu_ms'])}")
    print(f"    baseline, a bare app mounting {items} rows: {_ms(bare['open_ms'])}")
    print(f"      its CPU time: {_ms(bare['open_cpu_ms'])}")
    print(f"  side by side, item to item: {_ms(screens['move_ms'])} (one frame, ~16 ms)")
    print(f"    the app's own CPU time per move: {_ms(screens['move_cpu_ms'])}")
    if screens.get("moves_without_frame"):
        print(f"    moves that drew no frame within 2 s: {screens['moves_without_frame']}")
    print(f"    baseline, a bare app moving a highlight on the key: {_ms(bare['move_ms'])}")
    print(f"      its CPU time per move: {_ms(bare['move_cpu_ms'])}")
    if bare["moves_without_frame"]:
        print(f"      its moves that drew no frame within 2 s: {bare['moves_without_frame']}")
    newer = screens["newer"]
    print(
        f"  side by side, the 2.0 audit ({newer['items']} rows): open {_ms(newer['open_ms'])};"
        f" item to item {_ms(newer['move_ms'])}"
    )


def _parts(
    only: str | None, url: str, sizes: list[str], env: dict[str, str]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    reports = _reports(url, sizes, env) if only != "screens" else None
    screens = _child(["screens", "--db", url, *sizes], env) if only != "report" else None
    return reports, screens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--moderations", type=int, default=20_000)
    parser.add_argument("--period", default="2026")
    parser.add_argument("--pg", action="store_true", help="also on a throwaway PostgreSQL")
    parser.add_argument("--keep", help="keep the SQLite database in this folder (and reuse it)")
    parser.add_argument(
        "--only", choices=("report", "screens"), help="run one part (default: both)"
    )
    parser.add_argument(
        "--url",
        help="measure this existing database instead (read only: never migrated, every "
        "connection read only), e.g. the shared demo database",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)  # a phase's database
    parser.add_argument("--format", default="md", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        read_only = bool(args.url)  # the phase was asked about a database not its own
        result = {
            "make": lambda: phase_make(args.db, args.evaluations, args.moderations),
            "report": lambda: phase_report(args.db, args.period, args.format, read_only),
            "screens": lambda: phase_screens(args.db, read_only),
        }[args.phase]()
        print(json.dumps(result))
        return
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="qa-tui-bench-mod-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_DATA_HOME": str(work / "data"),
        "PYTHONPATH": str(ROOT),
    }
    sizes = [
        "--evaluations",
        str(args.evaluations),
        "--moderations",
        str(args.moderations),
        "--period",
        args.period,
    ]
    try:
        if args.url:
            sizes += ["--url", args.url]  # the phases open it read only
            _print(
                f"Given database ({_where(args.url)})",
                None,
                *_parts(args.only, args.url, sizes, env),
            )
            return
        url = f"sqlite:///{work / 'central.db'}"
        made_file = work / "made.json"
        if args.keep and made_file.exists():
            made = json.loads(made_file.read_text())
        else:
            made = _child(["make", "--db", url, *sizes], env)
            made_file.write_text(json.dumps(made))
        _print("SQLite", made, *_parts(args.only, url, sizes, env))
        if args.pg:
            sys.path.insert(0, str(ROOT))
            from tests.sync.pgcluster import find_bindir, start_cluster

            bindir = find_bindir()
            if bindir is None:
                print("\nPostgreSQL: skipped (no initdb/pg_ctl found)")
                return
            cluster = start_cluster(bindir)
            try:
                url = cluster.create_database("bench_moderation")
                made = _child(["make", "--db", url, *sizes], env)
                name = "PostgreSQL (throwaway cluster, fsync off)"
                _print(name, made, *_parts(args.only, url, sizes, env))
            finally:
                cluster.stop()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
