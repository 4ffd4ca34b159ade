"""A manager's first practice day (issue 9): one Pilot test for each stumbling block, driving
the real app and checking what it does (and, where it writes, what the database holds).

The numbers are the issue's; item 11 (the written notice) belongs to another change. Keys
that must not be lost are sent in bursts (``tests/tui/bursts.py``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from textual.widgets import Footer, Input, Select

from qa_tui.config import load_settings
from qa_tui.tui.dialogs.new_evaluation import NewEvaluationDialog
from qa_tui.tui.screens.evaluation import EvaluationScreen
from qa_tui.tui.screens.home import HomeScreen
from qa_tui.tui.screens.summary import SummaryScreen
from tests.conftest import FROZEN_NOW
from tests.tui.bursts import burst, settled
from tests.tui.screens_setup import wait_for
from tests.tui.test_app_shell import add_evaluation, app_for, home, run_async, settle
from tests.tui.test_evaluation_journey import (
    editor,
    go_to,
    make,
    new_evaluation,
    open_editor,
    read_view,
)

SMALL = (80, 24)


def notes(app: Any) -> list[str]:
    """The notifications on screen now."""
    return [str(n.message) for n in app._notifications]


def inside(widget: Any, size: tuple[int, int]) -> bool:
    """Whether the widget is drawn wholly on a screen of ``size``."""
    region = widget.region
    return region.width > 0 and region.right <= size[0] and region.bottom <= size[1]


def add_teams(ws: Any, *names: str) -> None:
    from qa_tui.store import models

    with ws.store.session() as session:
        for number, name in enumerate(names):
            session.add(
                models.Team(
                    id=f"00000000-0000-4000-8000-00000000000{number}",
                    name=name,
                    service_area="Children in Need",
                    retired=False,
                    updated_at="2026-11-01T09:00:00.000+00:00",
                )
            )


# --- 1. first run ----------------------------------------------------------------------------


@run_async
async def test_1_first_run_says_how_to_change_details_offers_teams_and_confirms_demo(
    isolated_dirs: Any, db_url: str
) -> None:
    from qa_tui.tui.dialogs.first_run import FirstRunDialog
    from qa_tui.workspace import open_workspace

    settings = load_settings()
    ws = open_workspace(settings, db_url)
    add_teams(ws, "Locality North", "Locality South")
    ws.close()
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        dialog = app.screen
        assert isinstance(dialog, FirstRunDialog)
        hint = str(dialog.query_one(".hint").render())
        assert "ctrl+p" in hint and "Your details" in hint and "~/config/qa-tui/config.toml" in hint
        await wait_for(pilot, lambda: dialog.query_one("#team-hint").display, "known teams")
        assert "2 known teams" in str(dialog.query_one("#team-hint").render())
        await burst(pilot, "Sam Manager", "<tab>", "Team manager", "<tab>", "Loc", "<right>")
        assert dialog.query_one("#team", Input).value == "Locality North"
        await burst(pilot, "<enter>")
        await burst(pilot, "<tab>", "<enter>")  # the empty home offers demo data: load it
        await wait_for(pilot, lambda: any("Demo data" in n or "demo" in n for n in notes(app)), "")
        assert any("40 fictional evaluations loaded" in n for n in notes(app))


# --- 2. demo data is marked and removable --------------------------------------------------


@run_async
async def test_2_demo_is_marked_on_the_list_and_removed_in_one_step(
    workspace: Any, settings: Any, db_url: str
) -> None:
    from qa_tui.demo import generate
    from qa_tui.store.queries import list_evaluations
    from qa_tui.tui.dialogs.confirm import ConfirmDialog
    from qa_tui.tui.messages import RemoveDemo

    real = add_evaluation(workspace, "AB-100001")
    generate(workspace, 6, 1)
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        status = str(home(app).query_one("#home-status").render())
        assert "7 evaluations (includes 6 demo)" in status
        cells = [str(c) for c in home(app).query_one("EvaluationList").get_column("status")]
        assert sum("demo" in c for c in cells) == 6
        app.post_message(RemoveDemo())  # the palette's "Remove demo data"
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        assert "6 demo evaluations" in str(app.screen.query_one(".title").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: len(workspace.read(list_evaluations)) == 1, "removal")
        await settle(pilot)
        assert "6 demo evaluations removed" in " ".join(notes(app))
        status = str(home(app).query_one("#home-status").render())
        assert status.startswith("1 evaluation ·")
    assert [r.id for r in workspace.read(list_evaluations)] == [real]


# --- 3. new evaluation --------------------------------------------------------------------------


@run_async
async def test_3_new_evaluation_type_first_suggests_its_template_and_fits_80x24(
    workspace: Any, settings: Any, db_url: str
) -> None:
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await burst(pilot, "<ctrl+n>")
        dialog = app.screen
        assert isinstance(dialog, NewEvaluationDialog)
        assert app.focused is dialog.query_one("#evaluation_type")  # the choice first
        for selector in ("#template", "#evaluation_date", "#theme", "#start"):
            assert inside(dialog.query_one(selector), SMALL), selector  # nothing below the fold
        assert dialog.query_one("#evaluation_date", Input).value == FROZEN_NOW.date().isoformat()
        dialog.query_one("#evaluation_type", Select).value = "dip_sample"
        await pilot.pause()
        template = dialog.query_one("#template", Select).value
        assert isinstance(template, tuple) and template[0] == "quality_of_practice_audit"
        assert "usual template" in str(dialog.query_one("#template-hint").render())
        await burst(pilot, "<tab>", "<tab>", "AB-12345", "<tab>", "<tab>", "Children in need")
        await burst(pilot, "<tab>", "Locality North", "<tab>", "Sam Hughes", "<tab>")
        await burst(pilot, "Social worker", "<tab>", "<enter>")  # present: yes
        said = str(dialog.query_one("#present-hint").render())
        assert said == "Sam Hughes joins the participants, as Social worker."
        await burst(pilot, "<ctrl+s>")
        await wait_for(pilot, lambda: isinstance(app.screen, EvaluationScreen), "the editor")
        eid = app.screen.evaluation_id
    view = read_view(workspace, eid)
    ev = view.evaluation
    assert (ev.evaluation_type, ev.template_id, ev.evaluation_date) == (
        "dip_sample",
        "quality_of_practice_audit",
        FROZEN_NOW.date(),
    )
    assert (ev.case_reference, ev.team, ev.practitioner, ev.practitioner_present) == (
        "AB-12345",
        "Locality North",
        "Sam Hughes",
        True,
    )
    assert [(p.name, p.role) for p in view.participants][1:] == [("Sam Hughes", "Social worker")]


# --- 4. graded items ------------------------------------------------------------------------


@run_async
async def test_4_focus_on_the_missing_grade_with_its_question_and_honest_labels(
    workspace: Any,
) -> None:
    from qa_tui.tui.messages import ReviewResult

    eid = new_evaluation(workspace, "collaborative_practice_evaluation")
    async with make(workspace).run_test(size=SMALL) as pilot:
        await open_editor(pilot, eid)
        await burst(pilot, "<ctrl+n>", "<ctrl+n>")  # practice standards: the grade first
        screen = editor(pilot)
        assert pilot.app.focused.id == "f-standards_met-grade"
        prompt = screen.query_one("#t-standards_met .prompt")
        assert inside(prompt, SMALL) and prompt.region.y >= 2  # the question is in view
        assert "(required)" in str(screen.query_one("#t-standards_met .evidence-label").render())
        await burst(pilot, *["<down>"] * 4, "<enter>")  # not applicable
        assert not screen.query_one("#t-standards_met .evidence-label").display
        reason_label = str(screen.query_one("#t-standards_met .na-label").render())
        assert "(required; no evidence is needed)" in reason_label
        await burst(pilot, "<up>", "<up>", "<enter>")  # requires improvement: evidence again
        await settled(pilot)
        # The review's "go to it": the evidence, with its question scrolled into view.
        await go_to(pilot, "overall")
        screen._reviewed(
            ReviewResult(jump_to=_missing(screen, "standards_met"))
        )  # as the review's Enter does
        await wait_for(pilot, lambda: screen.section_key == "practice_standards", "the jump")
        await settled(pilot)
        assert pilot.app.focused.id == "f-standards_met-evidence"
        assert inside(screen.query_one("#t-standards_met .prompt"), SMALL)


def _missing(screen: Any, target: str) -> Any:
    return next(m for m in screen.snapshot.todo if m.target == target)


# --- 5. rules that act at a distance ----------------------------------------------------------


@run_async
async def test_5_a_grade_below_good_says_actions_now_has_one_to_do(workspace: Any) -> None:
    eid = new_evaluation(workspace, "collaborative_practice_evaluation")
    async with make(workspace).run_test(size=SMALL) as pilot:
        await open_editor(pilot, eid)
        await burst(pilot, "<ctrl+n>", "<ctrl+n>")
        await burst(pilot, "<down>", "<down>", "<enter>")  # requires improvement
        screen = editor(pilot)
        await wait_for(pilot, lambda: bool(screen.query(".rule-notice")), "the notice")
        said = str(screen.query_one("#t-standards_met .rule-notice").render())
        assert said == ("An action is required for any grade below good: Actions now has 1 to do.")
        assert screen.section_map.todo("actions") == 1


# --- 6. the overall state at every size; review sentences ------------------------------------


@run_async
async def test_6_the_overall_state_shows_at_30_lines_and_the_review_speaks_in_sentences(
    workspace: Any,
) -> None:
    from qa_tui.tui.dialogs.review import ReviewDialog

    eid = new_evaluation(workspace, "collaborative_practice_evaluation")
    async with make(workspace).run_test(size=(100, 30)) as pilot:
        await open_editor(pilot, eid)
        screen = editor(pilot)
        total = len(screen.snapshot.todo)
        bar = str(screen.query_one("#section-bar").render())
        # The same facts in fewer words when the line is short of room.
        assert f"In all: {total} things to do" in bar or f"In all {total} to do" in bar
        assert "Section 1 of 12" in bar or "1/12" in bar
        await burst(pilot, "<ctrl+r>")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewDialog), "review")
        dialog = pilot.app.screen
        await wait_for(pilot, lambda: dialog._state is not None, "the list")
        options = dialog.query_one("#missing")
        lines = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "Overall judgement & summary" in lines
        assert "  • The summary of strengths is required." in lines
        assert not any(line.count(":") > 1 for line in lines)  # no "X: Y: required"
        assert inside(dialog.query_one("#close"), (100, 30))


# --- 7. long text in lists ------------------------------------------------------------------


@run_async
async def test_7_long_feedback_grows_its_box_and_is_kept_whole(workspace: Any) -> None:
    from qa_tui.tui.widgets.long_field import LongField

    eid = new_evaluation(workspace, "collaborative_practice_evaluation")
    said = "Mum said the plan finally makes sense to her and that the visits " * 3
    async with make(workspace).run_test(size=SMALL) as pilot:
        await open_editor(pilot, eid)
        await go_to(pilot, "service_user_feedback")
        screen = editor(pilot)
        new_row = screen.query_one("#f-feedback_found-new")
        box = new_row.query_one(".what", LongField)
        assert box.placeholder == "What they said, or what the record shows"
        small = box.region.height
        await burst(pilot, "<tab>", "Mum", "<tab>", said)
        assert box.region.height > small  # it grew: the whole saying can be read
        await burst(pilot, "<enter>")
        await settled(pilot)
    (feedback,) = read_view(workspace, eid).feedback["feedback_found"]
    assert (feedback.given_by, feedback.text) == ("Mum", said)


# --- 8. finishing ---------------------------------------------------------------------------


@run_async
async def test_8_completing_shows_the_summary_and_the_list_keeps_the_evaluation(
    workspace: Any,
) -> None:
    from tests.tui.test_evaluation_journey import _complete_directly

    eid = new_evaluation(workspace, "collaborative_practice_evaluation")
    other = add_evaluation(workspace, "AB-900001", date=dt.date(2026, 11, 30))
    _complete_directly(workspace, eid)
    from qa_tui.domain.lifecycle import reopen

    workspace.write(reopen, eid, "to finish it again")  # editable, and nothing missing
    app = make(workspace)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        assert home(app).query_one("EvaluationList").cursor_key == other  # the newest first
        await open_editor(pilot, eid)
        await burst(pilot, "<ctrl+r>")
        await settled(pilot)
        await burst(pilot, "<ctrl+s>")  # complete
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        assert not any(isinstance(s, EvaluationScreen) for s in app.screen_stack)
        await burst(pilot, "<escape>")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the list")
        await settled(pilot)
        assert home(app).query_one("EvaluationList").cursor_key == eid
        await app.run_action("view_summary")  # the palette's "View summary"
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        assert app.screen.evaluation_id == eid


# --- 9. the home list: typing always filters -------------------------------------------------


@run_async
async def test_9_every_letter_filters_and_commands_are_on_ctrl_keys(
    workspace: Any, settings: Any, db_url: str
) -> None:
    add_evaluation(workspace, "AB-100001", "Helen Smith")
    add_evaluation(workspace, "AB-100002", "Tom Jones")
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await burst(pilot, "helen sn")  # n and s were commands: now they are letters
        assert home(app).query_one("#filter", Input).value == "helen sn"
        assert isinstance(app.screen, HomeScreen)
        await burst(pilot, "<backspace>", "<backspace>", "<backspace>", "<enter>")
        await wait_for(pilot, lambda: isinstance(app.screen, EvaluationScreen), "the editor")
        await burst(pilot, "<escape>")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the list")
        await burst(pilot, "<ctrl+n>")
        assert isinstance(app.screen, NewEvaluationDialog)


def test_9_list_has_an_immediate_concern_column_in_every_format(tmp_path: Path) -> None:
    import csv
    import io
    import json

    from click.testing import CliRunner

    from qa_tui.cli import main

    db = f"sqlite:///{(tmp_path / 'qa.db').as_posix()}"
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--db", db, "--evaluations", "20"]).exit_code == 0
    as_json = json.loads(runner.invoke(main, ["list", "--db", db, "--format", "json"]).stdout)
    assert any(row["immediate_concern"] for row in as_json)
    csv_out = runner.invoke(main, ["list", "--db", db, "--format", "csv"]).stdout
    as_csv = list(csv.DictReader(io.StringIO(csv_out)))
    assert [r["immediate_concern"] for r in as_csv] == [
        str(r["immediate_concern"]) for r in as_json
    ]
    table = runner.invoke(main, ["list", "--db", db]).stdout
    assert "immediate_concern" in table.splitlines()[0]


# --- 10. resuming ---------------------------------------------------------------------------


@run_async
async def test_10_after_a_restart_the_draft_worked_on_last_is_one_key_away(
    workspace: Any, settings: Any, db_url: str
) -> None:
    older = add_evaluation(workspace, "AB-100001", date=dt.date(2026, 9, 1))
    add_evaluation(workspace, "AB-100002", date=dt.date(2026, 11, 1))
    workspace.positions.save(older, "overall", "")  # where the user was when they quit
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = home(app)
        await wait_for(pilot, lambda: screen.query_one("#resume").display, "the offer")
        assert screen.query_one("EvaluationList").cursor_key == older
        offer = str(screen.query_one("#resume").render())
        assert "Where you left off: AB-100001 (Draft)" in offer and "Enter" in offer
        await burst(pilot, "<enter>")
        await wait_for(pilot, lambda: isinstance(app.screen, EvaluationScreen), "the editor")
        assert app.screen.evaluation_id == older
        await wait_for(pilot, lambda: app.screen.section_key == "overall", "its place")


# --- 12. the sync screen ------------------------------------------------------------------------


@run_async
async def test_12_letters_typed_into_the_address_are_text_and_export_is_in_the_app(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    from qa_tui.sync.keys import create_qa_key
    from qa_tui.tui.dialogs.export_bundle import ExportDialog
    from qa_tui.tui.screens.sync import SyncScreen

    add_evaluation(workspace, "AB-100001")
    from qa_tui.demo import generate

    generate(workspace, 3, 1)
    create_qa_key(tmp_path / "qa.key")
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await burst(pilot, "<ctrl+y>")
        assert isinstance(app.screen, SyncScreen)
        url = "sqlite:///c:/central/qa.db"
        await burst(pilot, url)  # "c" opened Conflicts once: now it is a letter
        assert isinstance(app.screen, SyncScreen)
        assert app.screen.query_one("#central-url", Input).value == url
        await burst(pilot, "<ctrl+b>")  # export a bundle instead
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        out = tmp_path / "handover.qab"
        await burst(pilot, str(tmp_path / "qa.key.pub"), "<tab>", "<ctrl+u>", str(out))
        await burst(pilot, "<ctrl+s>")
        result = dialog.query_one("#export-result")
        await wait_for(pilot, lambda: str(result.render()).startswith("Wrote"), "the export")
        said = str(result.render())
        assert "1 evaluation," in said and "3 demo evaluations left out" in said
        # The app has no --include-demo: its result does not send the user to one.
        assert "practice data stays on this laptop" in said and "--include" not in said
        assert out.is_file()
    assert load_settings(settings.config_path).qa_public_key == str(tmp_path / "qa.key.pub")


# --- 13. 80×24 --------------------------------------------------------------------------------


@run_async
async def test_13_at_80x24_the_map_folds_and_every_footer_key_fits(workspace: Any) -> None:
    eid = new_evaluation(workspace, "collaborative_practice_evaluation")
    async with make(workspace).run_test(size=SMALL) as pilot:
        await open_editor(pilot, eid)
        screen = editor(pilot)
        assert not screen.section_map.display or screen.section_map.region.width == 0
        form = screen.query_one("#eval-form")
        assert form.region.width >= 76  # the form has the width the map gave up
        keys = {k.key for k in screen.query_one(Footer).query("FooterKey")}
        assert {"f1", "escape", "ctrl+n", "ctrl+r", "ctrl+g"} <= keys
        for footer_key in screen.query_one(Footer).query("FooterKey"):
            assert inside(footer_key, SMALL), footer_key.key
        await burst(pilot, "<ctrl+g>")  # the map, in the form's place
        assert screen.section_map.has_focus and inside(screen.section_map, SMALL)
        await burst(pilot, "<down>", "<enter>", "Pat", "<tab>", "Parent", "<enter>")
        await settled(pilot)
        assert screen.section_key == "participants" and not screen.has_class("-map-open")
    people = [(p.name, p.role) for p in read_view(workspace, eid).participants]
    assert people[1:] == [("Pat", "Parent")]


# --- 14. themes -------------------------------------------------------------------------------


@run_async
async def test_14_changing_the_theme_says_it_is_saved(settings: Any, db_url: str) -> None:
    app = app_for(settings, db_url)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await burst(pilot, "<ctrl+t>")
        await pilot.pause()
        said = [n for n in notes(app) if n.startswith("Theme:")]
        assert said and "Saved" in said[0]
    assert load_settings(settings.config_path).theme == app.settings.theme != "dark"
