"""Every screen of the app on deterministic demo data: shared by the SVG snapshot tests and
``scripts/export_screenshots.py`` (so the README's screenshots never go stale).

A *scene* is a screen or dialog reached from a freshly started app: :func:`build_scene` makes
the app (frozen clock, fixed device id, demo data copied from a database generated once per
process) and the ``run_before`` coroutine that drives it there and waits until everything has
loaded. Nothing shown depends on the wall clock; blinking cursors are switched off before the
picture is taken.

The caller owns the environment: the XDG directories (and ``HOME``) must point at a private
temporary folder before a scene is built (tests: the ``isolated_dirs`` fixture; the script:
:func:`isolate_environment`).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_tui.tui.messages import Navigate, OpenEvaluation

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from qa_tui.config import Settings
    from qa_tui.tui.app import QaApp
    from qa_tui.workspace import Workspace

FROZEN_NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
DEVICE_ID = "5c7d2f0e-8a41-4b7e-9c33-2f1d6a0b9e11"
DEMO_COUNT = 40
DEMO_SEED = 14  # has every kind of evaluation the scenes open (see _pick)
DESK_COUNT = 400  # the QA desk's scenes (dashboard, reports): enough for every chart
SMALL = (80, 24)
LARGE = (200, 50)
TIMEOUT = 20.0  # seconds a scene may take to load (CI machines can be slow)

RunBefore = Callable[["Pilot[Any]"], Awaitable[None]]


def frozen_clock() -> dt.datetime:
    return FROZEN_NOW


def isolate_environment(home: Path) -> None:
    """Point platformdirs (XDG on Linux; HOME-based elsewhere) at ``home`` (the script's)."""
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        os.environ[var] = str(home / sub)
    os.environ["HOME"] = str(home)
    os.environ["APPDATA"] = str(home / "AppData" / "Roaming")
    os.environ["LOCALAPPDATA"] = str(home / "AppData" / "Local")


# --- data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoIds:
    """The demo evaluations the scenes open (chosen by rule, not by a hard-coded id)."""

    draft: str  # the newest draft: things still missing (the review)
    reopened: str  # fully answered and editable (the editor's sections)
    concern: str  # completed, with an immediate concern (summary, notice, reopen)
    moderated: str  # completed and moderated (the summary's moderation section)
    audit: str  # the newest editable audit on the current version (prompts, stages)
    audit_done: str  # a completed audit on the current version (its summary)


def scene_settings(theme: str = "dark", identity: bool = True) -> Settings:
    """Settings read from the (isolated) config, with a fixed device id and the theme."""
    from qa_tui.config import load_settings

    changes: dict[str, Any] = {"device_id": DEVICE_ID, "theme": theme}
    if identity:
        changes.update(
            auditor_name="Alex Auditor", auditor_role="Team manager", auditor_team="Locality North"
        )
    return load_settings().with_changes(**changes)


def _pick(ws: Workspace) -> DemoIds:
    from qa_tui.store.queries import list_evaluations

    rows = sorted(ws.read(list_evaluations), key=lambda r: (r.evaluation_date, r.id), reverse=True)

    def first(test: Callable[[Any], bool], what: str) -> str:
        found = next((r.id for r in rows if test(r)), None)
        if found is None:
            raise RuntimeError(f"the demo data (seed {DEMO_SEED}) has no {what}")
        return found

    sos = "collaborative_practice_evaluation"
    audit = "quality_of_practice_audit"
    current = ws.templates.get(audit)
    assert current is not None
    from sqlalchemy import select

    from qa_tui.store import models

    with ws.store.reader() as session:
        # Moderated: judged, with the group's feedback (not just on a session's agenda).
        moderated = set(
            session.scalars(
                select(models.Moderation.evaluation_id).where(
                    models.Moderation.feedback_strengths != ""
                )
            )
        ) or set(session.scalars(select(models.ModerationJudgement.evaluation_id)))
    return DemoIds(
        draft=first(lambda r: r.status == "draft" and r.template_id == sos, "draft"),
        reopened=first(lambda r: r.status == "reopened" and r.template_id == sos, "reopened one"),
        concern=first(
            lambda r: r.status == "completed" and r.immediate_concern, "completed concern"
        ),
        moderated=first(
            lambda r: r.id in moderated and r.template_id == sos, "moderated evaluation"
        ),
        audit=first(
            lambda r: (
                r.template_id == audit
                and r.template_version == current.version
                and r.status != "completed"
            ),
            "editable audit",
        ),
        audit_done=first(
            lambda r: (
                r.template_id == audit
                and r.template_version == current.version
                and r.status == "completed"
            ),
            "completed audit",
        ),
    )


_CACHE: dict[str, tuple[Path, DemoIds | None]] = {}


def _cache_dir() -> Path:
    if "dir" not in _CACHE:
        folder = Path(tempfile.mkdtemp(prefix="qa-tui-scenes-"))
        atexit.register(shutil.rmtree, folder, True)
        _CACHE["dir"] = (folder, None)
    return _CACHE["dir"][0]


def _make_db(settings: Settings, kind: str) -> tuple[Path, DemoIds | None]:
    """A migrated database, empty or with the demo data: made once per process, then copied."""
    if kind not in _CACHE:
        from qa_tui.workspace import open_workspace

        path = _cache_dir() / f"{kind}.db"
        ws = open_workspace(settings, f"sqlite:///{path.as_posix()}", clock=frozen_clock)
        try:
            ids = None
            if kind == "demo":
                from qa_tui.demo import generate

                generate(ws, DEMO_COUNT, DEMO_SEED)
                ids = _pick(ws)
            elif kind == "desk":
                from qa_tui.demo import generate

                generate(ws, DESK_COUNT, DEMO_SEED)
            elif kind == "central":
                from qa_tui.sync.central import init_central

                init_central(ws.store, _cache_dir() / "central-qa.key")
        finally:
            ws.close()
        _CACHE[kind] = (path, ids)
    return _CACHE[kind]


def prepare_db(
    folder: Path, settings: Settings, demo: bool, desk: bool = False, central: bool = False
) -> tuple[str, DemoIds | None]:
    """A database of its own in ``folder`` (a copy), its URL and the demo ids."""
    kind = "central" if central else "desk" if desk else "demo" if demo else "empty"
    source, ids = _make_db(settings, kind)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "qa.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target.as_posix()}", ids


# --- waiting ----------------------------------------------------------------------------


async def wait_for(pilot: Pilot[Any], ready: Callable[[], bool], what: str) -> None:
    """Poll ``ready`` between frames; a scene that never gets there fails loudly."""
    deadline = time.monotonic() + TIMEOUT
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (screen: {pilot.app.screen!r})")
        await pilot.pause(0.02)


async def workers_done(app: Any) -> None:
    """Wait for the app's workers; one superseded by a newer one (cancelled) is not a failure."""
    from textual.worker import WorkerCancelled

    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        return


async def settle(pilot: Pilot[Any]) -> None:
    """Workers finished, their messages handled, layout done, cursors steady."""
    for _ in range(3):
        await workers_done(pilot.app)
        await pilot.pause()
    freeze_cursors(pilot.app)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def freeze_cursors(app: Any) -> None:
    """No blinking: every input's cursor stays visible (Textual blinks even when headless).

    The focused input's text is scrolled to its cursor again: Textual does it on focus,
    sometimes before the field has its final width, so a long value could show one character
    more or less from one run to the next.
    """
    from textual.widgets import Input
    from textual.widgets.input import Selection

    for screen in app.screen_stack:
        for widget in (screen, *screen.query("*")):
            if hasattr(widget, "cursor_blink"):
                widget.cursor_blink = False
    focused = app.focused
    if isinstance(focused, Input):
        selection = focused.selection
        focused.selection = Selection.cursor(0 if selection.end else len(focused.value))
        focused.selection = selection


def home_screen(app: Any) -> Any:
    from qa_tui.tui.screens.home import HomeScreen

    screen = app.screen_stack[0]
    assert isinstance(screen, HomeScreen), screen
    return screen


async def home_loaded(pilot: Pilot[Any]) -> None:
    """The workspace is open and the home list (or the first-run panel) is drawn."""
    app: Any = pilot.app
    await wait_for(pilot, lambda: app.workspace is not None, "the workspace")
    await wait_for(pilot, lambda: home_screen(app)._loaded, "the home list")
    await pilot.pause()


async def editor_at(pilot: Pilot[Any], evaluation_id: str, status: str, section: str) -> Any:
    """The editor open at ``section``, every read done."""
    from qa_tui.tui.screens.evaluation import EvaluationScreen

    app: Any = pilot.app
    app.post_message(OpenEvaluation(evaluation_id, status))
    await wait_for(pilot, lambda: isinstance(app.screen, EvaluationScreen), "the editor")
    screen = app.screen

    def idle() -> bool:
        return screen.saver is not None and screen.saver.idle

    await wait_for(pilot, lambda: bool(screen.section_key) and idle(), "the first section")
    if screen.section_key != section:
        screen.show_section(section)
        await wait_for(pilot, lambda: screen.section_key == section and idle(), section)
    return screen


async def summary_open(pilot: Pilot[Any], evaluation_id: str) -> Any:
    from qa_tui.tui.screens.summary import SummaryScreen

    app: Any = pilot.app
    app.post_message(OpenEvaluation(evaluation_id, "completed"))
    await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
    screen = app.screen
    await wait_for(pilot, lambda: screen.data is not None, "the summary's data")
    await wait_for(pilot, lambda: not screen.query("#summary-loading"), "the summary's page")
    return screen


async def screen_is(pilot: Pilot[Any], cls: type) -> Any:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, cls), cls.__name__)
    return pilot.app.screen


# --- the scenes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    name: str
    doc: str
    steps: Callable[[Pilot[Any], DemoIds | None], Awaitable[None]]
    demo: bool = True
    identity: bool = True
    desk: bool = False  # the QA desk's larger demo database (DESK_COUNT evaluations)
    central: bool = False  # an empty central database (``demo`` is then ignored)


async def dashboard_drawn(pilot: Pilot[Any], loads: int = 1) -> Any:
    """The dashboard open, every chart drawn ``loads`` times."""
    from qa_tui.tui.screens.dashboard import DashboardScreen

    app: Any = pilot.app
    if not isinstance(app.screen, DashboardScreen):
        app.post_message(Navigate("dashboard"))
    screen = await screen_is(pilot, DashboardScreen)
    await wait_for(pilot, lambda: screen.complete >= loads, "the dashboard's charts")
    return screen


async def _dashboard(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    await dashboard_drawn(pilot)


async def _dashboard_behind(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.behind import BehindScreen

    await dashboard_drawn(pilot)
    await pilot.press("enter")  # the weakest standard
    screen = await screen_is(pilot, BehindScreen)
    await wait_for(pilot, lambda: screen.total is not None, "the evaluations behind the bar")


async def _dashboard_overdue(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    screen = await dashboard_drawn(pilot)
    await pilot.press("3")
    await wait_for(pilot, lambda: screen.query_one("#dash-tabs").active == "tab-overdue", "tab")


async def _reports(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.reports import ReportsScreen

    pilot.app.post_message(Navigate("reports"))
    await screen_is(pilot, ReportsScreen)


async def _reports_made(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.reports import ReportsScreen

    pilot.app.post_message(Navigate("reports"))
    screen = await screen_is(pilot, ReportsScreen)
    screen.query_one("#out").value = "~/monthly.html"
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: screen.made is not None, "the report")


async def _home(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    await wait_for(
        pilot, lambda: home_screen(pilot.app).query_one("EvaluationList").row_count > 0, "rows"
    )


async def _home_empty(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    await wait_for(pilot, lambda: home_screen(pilot.app).query_one("#first-run").display, "panel")


async def _home_empty_central(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    home = home_screen(pilot.app)
    await wait_for(pilot, lambda: home.query_one("#merge-bundles").display, "the desk's panel")


async def _home_filtered(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    await _home(pilot, ids)
    await pilot.press(*"helen")  # typing always filters
    home = home_screen(pilot.app)
    await wait_for(
        pilot, lambda: "Showing" in str(home.query_one("#home-status").render()), "filter"
    )


async def _first_run(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.first_run import FirstRunDialog

    await screen_is(pilot, FirstRunDialog)


async def _new_evaluation(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.new_evaluation import NewEvaluationDialog

    await _home(pilot, ids)
    await pilot.press("ctrl+n")
    dialog = await screen_is(pilot, NewEvaluationDialog)
    await wait_for(pilot, lambda: dialog.query_one("#team-hint").display, "the known teams")
    await pilot.press("tab", "tab", *"Child A", "tab", "tab", *"Children in need", "ctrl+s")
    error = dialog.query_one("#case_reference-error")
    await wait_for(pilot, lambda: error.has_class("-shown"), "the case reference error")


def _editor(section: str) -> Callable[[Pilot[Any], DemoIds | None], Awaitable[None]]:
    async def steps(pilot: Pilot[Any], ids: DemoIds | None) -> None:
        assert ids is not None
        await editor_at(pilot, ids.reopened, "reopened", section)

    return steps


async def _editor_prompts(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    """A stage of the audit: the judgement, then its examples, the list focused and two
    examples marked by key (the first seen, the second not seen)."""
    assert ids is not None
    screen = await editor_at(pilot, ids.audit, "draft", "assessment")
    await settle(pilot)  # the section's own first focus and scroll done
    prompts = screen.query_one("#f-assessment_judgement-prompts")
    prompts.focus()
    await wait_for(pilot, lambda: pilot.app.focused is prompts, "the examples")
    await pilot.press("s", "n")
    await wait_for(pilot, lambda: screen.saver.idle, "the marks saved")
    await settle(pilot)
    form = screen.query_one("#eval-form")
    row = prompts.rows[2]

    def in_view() -> bool:
        return form.region.contains_region(row.region)

    await wait_for(pilot, in_view, "the current example in view")


async def _prompt_evidence(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.prompt_evidence import PromptEvidenceDialog

    await _editor_prompts(pilot, ids)
    await pilot.press("up", "e")
    await screen_is(pilot, PromptEvidenceDialog)


async def _help_provenance(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.help import HelpDialog

    await _editor_prompts(pilot, ids)
    await pilot.press("f1")
    await screen_is(pilot, HelpDialog)


async def _summary_prompts(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    assert ids is not None
    await _summary_scrolled_to(pilot, ids.audit_done, "Assessment")


async def _review(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.review import ReviewDialog

    assert ids is not None
    await editor_at(pilot, ids.draft, "draft", "details")
    await pilot.press("ctrl+r")
    dialog = await screen_is(pilot, ReviewDialog)
    await wait_for(pilot, lambda: dialog._state is not None, "the review's list")


async def _summary(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    assert ids is not None
    await summary_open(pilot, ids.concern)


async def _summary_scrolled_to(pilot: Pilot[Any], evaluation_id: str, title: str) -> None:
    """The summary scrolled so that the section ``title`` is at the top (or the page ends)."""
    screen = await summary_open(pilot, evaluation_id)

    def headings() -> list[Any]:
        return [b for b in screen.query(".h2") if str(b.render()) == title]

    await wait_for(pilot, lambda: bool(headings()), f"the section {title}")
    heading = headings()[0]
    page = screen.query_one("#summary-page")
    await pilot.pause()  # the page's blocks laid out before scrolling to one of them

    def laid_out() -> bool:  # the heading is far down the page once the blocks have a size
        return heading.virtual_region.y > 0 and page.max_scroll_y > 0

    await wait_for(pilot, laid_out, "the summary's layout")

    def in_view() -> bool:  # at the top of the page, or the page scrolled to its end
        at_top = 0 <= heading.region.y - page.region.y <= 2
        return at_top or page.scroll_y >= page.max_scroll_y > 0

    for _attempt in range(20):  # a late layout pass can move the page back: scroll again
        page.scroll_to_widget(heading, top=True, animate=False, immediate=True)
        await settle(pilot)
        if in_view():
            return
    raise AssertionError(f"the section {title} never came into view")


async def _summary_moderation(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    assert ids is not None
    await _summary_scrolled_to(pilot, ids.moderated, "Moderation")


async def _reopen(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.reopen import ReopenDialog

    await _summary(pilot, ids)
    await pilot.press("r")
    await screen_is(pilot, ReopenDialog)


async def _concern_notice(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.concern_notice import ConcernNoticeDialog

    await _summary(pilot, ids)
    await pilot.press("n")
    dialog = await screen_is(pilot, ConcernNoticeDialog)
    await wait_for(pilot, lambda: dialog._notice is not None, "the notice")


async def _actions(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.actions import ActionsScreen

    await _home(pilot, ids)
    await pilot.press("f4")
    screen = await screen_is(pilot, ActionsScreen)
    await wait_for(pilot, lambda: screen.loaded and screen._count is not None, "the actions")


async def _actions_overdue(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    await _actions(pilot, ids)
    screen = pilot.app.screen
    await pilot.press("o")
    await wait_for(pilot, lambda: screen._overdue and screen._count is not None, "overdue")


async def _action_update(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.action_update import ActionUpdateDialog

    await _actions_overdue(pilot, ids)
    await pilot.press("u")
    await screen_is(pilot, ActionUpdateDialog)


async def _concerns(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.concerns import ConcernsScreen

    await _home(pilot, ids)
    await pilot.press("f5")
    screen = await screen_is(pilot, ConcernsScreen)
    await wait_for(pilot, lambda: screen.loaded, "the concerns")


async def _findings(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.concerns import FindingsScreen

    await _home(pilot, ids)
    await pilot.press("f6")
    screen = await screen_is(pilot, FindingsScreen)
    await wait_for(pilot, lambda: screen.loaded, "the findings")


async def _share_findings(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.summary_documents import SummaryDocumentsDialog

    await _summary(pilot, ids)
    await pilot.press("d")
    await screen_is(pilot, SummaryDocumentsDialog)


async def _help(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.help import HelpDialog

    await _home(pilot, ids)
    await pilot.press("f1")
    await screen_is(pilot, HelpDialog)


async def _palette(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from textual.command import CommandPalette

    await _home(pilot, ids)
    await pilot.press("ctrl+p")
    palette = await screen_is(pilot, CommandPalette)
    await wait_for(pilot, lambda: palette.has_class("-ready"), "the palette's commands")


def make_conflict(
    ws: Workspace,
    evaluation_id: str,
    values: tuple[str, str] = ("Pat [bold]One[/bold] (SW)", "Pat Two (SW)"),
) -> None:
    """Two laptops changed the practitioner of one evaluation independently (fixed ids and
    times, so the pictures are stable): the merge result, written with the store's own rules."""
    from qa_tui.store import models
    from qa_tui.store.history import dumps, field_heads, recompute_field

    with ws.store.session() as session:
        heads = [h.id for h in field_heads(session, evaluation_id, evaluation_id, "practitioner")]
        assert heads
        for number, (name, who) in enumerate(
            ((values[0], "Ann Auditor"), (values[1], "Bo Auditor")), 1
        ):
            change_id = f"0000000{number}-0000-4000-8000-00000000000{number}"
            session.add(
                models.Change(
                    id=change_id,
                    entity_type="evaluation",
                    entity_id=evaluation_id,
                    evaluation_id=evaluation_id,
                    field="practitioner",
                    value=dumps(name),
                    old_value=None,
                    supersedes=dumps(heads),
                    author=who,
                    device_id=f"{number}{number}{number}{number}aaaa-0000-4000-8000-000000000000",
                    counter=100_000 + number,
                    wall_time=f"2026-11-19T1{number}:00:00.000+00:00",
                )
            )
            session.add_all(
                models.ChangeLink(
                    evaluation_id=evaluation_id, change_id=change_id, supersedes_id=head
                )
                for head in heads
            )
        session.flush()
        recompute_field(session, evaluation_id, "practitioner")


async def _home_resume(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    """Back after a restart: the draft worked on last is highlighted, with the offer."""
    from qa_tui.tui.messages import EvaluationsChanged

    assert ids is not None
    await _home(pilot, ids)
    pilot.app.workspace.positions.save(ids.draft, "overall", "")
    home_screen(pilot.app).post_message(EvaluationsChanged())
    resume = home_screen(pilot.app).query_one("#resume")
    await wait_for(pilot, lambda: resume.display, "the offer to continue")


async def _editor_sections(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    """ctrl+g: the map of sections (in the form's place in a narrow terminal)."""
    assert ids is not None
    await editor_at(pilot, ids.draft, "draft", "details")
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: pilot.app.screen.section_map.has_focus, "the map")


async def _export(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.export_bundle import ExportDialog

    await _home(pilot, ids)
    pilot.app.post_message(Navigate("export"))
    await screen_is(pilot, ExportDialog)


async def _merge_bundles(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    """The QA desk's central database: merging the laptops' bundles."""
    from qa_tui.sync.central import init_central
    from qa_tui.tui.dialogs.merge_bundles import MergeDialog

    await _home(pilot, ids)
    store = pilot.app.workspace.store
    assert store.sqlite_path is not None
    key = store.sqlite_path.parent / "qa.key"
    init_central(store, None if key.exists() else key, key if key.exists() else None)
    pilot.app.post_message(Navigate("merge"))
    await screen_is(pilot, MergeDialog)


async def _remove_demo(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.confirm import ConfirmDialog
    from qa_tui.tui.messages import RemoveDemo

    await _home(pilot, ids)
    pilot.app.post_message(RemoveDemo())
    await screen_is(pilot, ConfirmDialog)


async def _sync(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.sync import SyncScreen

    await _home(pilot, ids)
    await pilot.press("ctrl+y")
    await screen_is(pilot, SyncScreen)


async def _conflicts(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.conflicts import ConflictsScreen

    assert ids is not None
    await _home(pilot, ids)
    make_conflict(pilot.app.workspace, ids.draft)
    pilot.app.post_message(Navigate("conflicts"))
    screen = await screen_is(pilot, ConflictsScreen)
    await wait_for(
        pilot,
        lambda: any(table.row_count == 1 for table in screen.query("DataTable")),
        "the conflict",
    )


async def _resolve_conflict(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.dialogs.resolve_conflict import ResolveConflictDialog

    await _conflicts(pilot, ids)
    await pilot.press("enter")
    await screen_is(pilot, ResolveConflictDialog)


def _session_id(pilot: Pilot[Any], status: str) -> str:
    """The newest demo moderation session with ``status`` (open: prepared, not yet held)."""
    from qa_tui.domain.session_views import list_sessions

    rows = pilot.app.workspace.read(list_sessions)
    return next(r.id for r in rows if r.status == status)


async def _moderation_home(pilot: Pilot[Any], ids: DemoIds | None) -> Any:
    from qa_tui.tui.screens.moderation_home import ModerationHome

    await _home(pilot, ids)
    await pilot.press("f3")
    screen = await screen_is(pilot, ModerationHome)
    await wait_for(pilot, lambda: screen.loaded, "the sessions")
    return screen


async def _session(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.session import SessionScreen

    await _moderation_home(pilot, ids)
    await pilot.press("enter")  # the newest: prepared on the QA desk
    screen = await screen_is(pilot, SessionScreen)
    await wait_for(pilot, lambda: screen.detail is not None, "the session")


async def _side_by_side(pilot: Pilot[Any], status: str) -> None:
    from qa_tui.domain.session_views import load_session
    from qa_tui.tui.screens.side_by_side import SideBySideScreen

    await _moderation_home(pilot, None)
    app: Any = pilot.app
    session_id = _session_id(pilot, status)
    members = app.workspace.read(load_session, session_id).members
    ids = [m.evaluation_id for m in members]
    app.push_screen(SideBySideScreen(app.workspace, app.writer, session_id, ids))
    screen = await screen_is(pilot, SideBySideScreen)
    await wait_for(pilot, lambda: screen.data is not None, "the side-by-side view")
    if status == "open":  # one moderator has graded the first item blind
        await pilot.press("2")
        await wait_for(pilot, lambda: screen.writer.idle, "the blind grade")
        await wait_for(
            pilot,
            lambda: any(c.grade for c in screen.data.right[screen.data.left[0].item_id].blind),
            "it shown",
        )
    else:
        await pilot.press("down", "down", "down", "down", "down")


async def _side_by_side_blind(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    await _side_by_side(pilot, "open")


async def _side_by_side_agreed(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    await _side_by_side(pilot, "closed")


async def _agreement(pilot: Pilot[Any], ids: DemoIds | None) -> None:
    from qa_tui.tui.screens.agreement import AgreementScreen

    await _moderation_home(pilot, ids)
    await pilot.press("g")
    screen = await screen_is(pilot, AgreementScreen)
    await wait_for(pilot, lambda: screen.loaded > 0, "the figures")


SCENES: dict[str, Scene] = {
    scene.name: scene
    for scene in (
        Scene("home", "The list of evaluations", _home),
        Scene("home_empty", "First run: the empty panel", _home_empty, demo=False),
        Scene(
            "home_empty_central",
            "The QA desk's new central database: where evaluations come from",
            _home_empty_central,
            central=True,
        ),
        Scene("home_filtered", "The list filtered by 'helen'", _home_filtered),
        Scene("home_resume", "After a restart: where you left off", _home_resume),
        Scene("first_run", "Who is the auditor?", _first_run, demo=False, identity=False),
        Scene("new_evaluation", "A case reference that is a name", _new_evaluation),
        Scene("editor_details", "Editor: case details", _editor("details")),
        Scene("editor_sections", "Editor: the map of sections (ctrl+g)", _editor_sections),
        Scene("editor_grade", "Editor: a graded section", _editor("practice_standards")),
        Scene("editor_lists", "Editor: Signs of Safety lists", _editor("signs_of_safety")),
        Scene("editor_scaling", "Editor: scaling", _editor("scaling")),
        Scene("editor_feedback", "Editor: feedback", _editor("service_user_feedback")),
        Scene("editor_actions", "Editor: actions", _editor("actions")),
        Scene("editor_concerns", "Editor: immediate concerns", _editor("concerns")),
        Scene("editor_overall", "Editor: overall judgement", _editor("overall")),
        Scene("editor_prompts", "Editor: a stage of the audit, its examples", _editor_prompts),
        Scene("prompt_evidence", "Evidence for one example", _prompt_evidence),
        Scene("help_provenance", "F1 on an example: where its words come from", _help_provenance),
        Scene("summary_prompts", "Summary of an audit: a stage and its examples", _summary_prompts),
        Scene("review", "Review with things missing", _review),
        Scene("summary", "Summary of a completed evaluation", _summary),
        Scene("summary_moderation", "Summary: what the moderators made of it", _summary_moderation),
        Scene("reopen", "Reopen: asks why", _reopen),
        Scene("concern_notice", "The written notice of a concern", _concern_notice),
        Scene("actions", "The actions tracker (f2)", _actions),
        Scene("actions_overdue", "The actions tracker: overdue only", _actions_overdue),
        Scene("action_update", "Progress on an action", _action_update),
        Scene("concerns", "Open immediate concerns on the QA desk (f3)", _concerns),
        Scene(
            "findings", "Completed evaluations whose findings are not yet shared (f4)", _findings
        ),
        Scene("share_findings", "Share the findings: documents and recipients", _share_findings),
        Scene("help", "Help (F1) on the home screen", _help),
        Scene("command_palette", "The command palette", _palette),
        Scene("sync", "Sync with the central database", _sync),
        Scene("export", "Export for the QA team", _export),
        Scene(
            "merge_bundles", "The QA desk merges the laptops' bundles", _merge_bundles, desk=True
        ),
        Scene("remove_demo", "Remove demo data: asks first", _remove_demo),
        Scene("conflicts", "The conflicts waiting for a person", _conflicts),
        Scene("resolve_conflict", "One conflict side by side", _resolve_conflict),
        Scene("dashboard", "The QA desk's dashboard: grades by standard", _dashboard, desk=True),
        Scene(
            "dashboard_overdue", "Dashboard: overdue actions by team", _dashboard_overdue, desk=True
        ),
        Scene(
            "dashboard_behind",
            "The evaluations behind the weakest standard",
            _dashboard_behind,
            desk=True,
        ),
        Scene("reports", "Reports: choose a kind, period, filters, format", _reports, desk=True),
        Scene("reports_made", "Reports: the monthly report made", _reports_made, desk=True),
        Scene("moderation_sessions", "The moderation group's sessions", _moderation_home),
        Scene("moderation_session", "A session prepared on the QA desk", _session),
        Scene("side_by_side_blind", "Side by side: the blind pass", _side_by_side_blind),
        Scene("side_by_side_agreed", "Side by side: agreed grades", _side_by_side_agreed),
        Scene("agreement", "How consistently good is judged", _agreement),
    )
}


def build_scene(name: str, folder: Path, theme: str = "dark") -> tuple[QaApp, RunBefore]:
    """The app for scene ``name`` (its database in ``folder``) and the coroutine that gets it
    there; the app runs only when the caller runs it."""
    from qa_tui.tui.app import make_app
    from qa_tui.workspace import open_workspace

    scene = SCENES[name]
    settings = scene_settings(theme, scene.identity)
    db_url, ids = prepare_db(folder, settings, scene.demo, scene.desk, scene.central)

    def workspace_factory() -> Workspace:
        return open_workspace(settings, db_url, clock=frozen_clock)

    app = make_app(settings, workspace_factory=workspace_factory, clock=frozen_clock)
    app.animation_level = "none"  # scrolls land at once: no picture taken mid-animation

    async def run_before(pilot: Pilot[Any]) -> None:
        await home_loaded(pilot)
        await scene.steps(pilot, ids)
        await settle(pilot)

    return app, run_before


async def capture(name: str, folder: Path, size: tuple[int, int], theme: str = "dark") -> str:
    """The SVG of scene ``name`` (for the screenshots script)."""
    app, run_before = build_scene(name, folder, theme)
    async with app.run_test(size=size) as pilot:
        await run_before(pilot)
        await pilot.pause()
        return app.export_screenshot(title=app.title)


# The planning screens' scenes (issue 14) live in their own module, which builds on this one.
from tests.tui.planning_scenes import PLANNING_SCENES  # noqa: E402

SCENES.update(PLANNING_SCENES)
