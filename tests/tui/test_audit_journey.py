"""The quality-of-practice audit 2.0 with keys alone at 80×24, and a 1.0 audit after the
upgrade: opened, continued, summarised, handed to the QA team and merged, still on 1.0.

The journey's keys are in ``audit_driver`` (shared with ``tests/benchmarks/bench_audit_keys.py``,
which counts them for both versions of the audit on the same case).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from qa_tui.cli import main
from qa_tui.domain import evaluation as ev
from qa_tui.domain import outcomes
from qa_tui.domain.lifecycle import complete
from qa_tui.framework.loader import previous_templates
from qa_tui.framework.model import NOT_APPLICABLE, ItemKind, Template
from qa_tui.store import models
from qa_tui.store.history import check_consistency
from qa_tui.store.views import load_view
from qa_tui.tui.app import make_app
from qa_tui.tui.messages import OpenEvaluation
from qa_tui.workspace import open_workspace
from tests.conftest import frozen_clock
from tests.tui.audit_driver import CaseAnswers, Keys, complete_audit, wait_for
from tests.tui.screens_setup import home_loaded

SMALL = (80, 24)
# Short texts: the journey is about the keys that move and choose, not about typing speed.
SHORT = replace(
    CaseAnswers(),
    stage_evidence="Seen.",
    not_seen_note="Missing.",
    worry="W",
    working_well="G",
    needs_to_happen="N",
    rationale="R",
    feedback="F",
    difference="D",
    action="A",
    action_owner="Jo",
    strengths="S",
    development="Dv",
)


def audit(ws: Any) -> Template:
    template = ws.templates.get("quality_of_practice_audit")
    assert template is not None and template.version == "2.0"
    return template


def test_new_audit_with_keys_alone_at_80x24(workspace: Any) -> None:
    template = audit(workspace)
    app = make_app(workspace.settings, workspace_factory=lambda: workspace, clock=frozen_clock)

    async def journey() -> tuple[str, int]:
        async with app.run_test(size=SMALL) as pilot:
            await home_loaded(pilot)
            keys = Keys(pilot)
            eid = await complete_audit(keys, SHORT, template, template_index=1)
            return eid, keys.count

    eid, count = asyncio.run(journey())
    with workspace.store.reader() as session:
        view = load_view(session, eid)
        assert check_consistency(session) == []
        prompt_changes = session.scalars(
            select(models.Change.field).where(
                models.Change.evaluation_id == eid,
                models.Change.entity_type == "response",
                models.Change.field == "grade",
            )
        ).all()
    ev_ = view.evaluation
    assert (ev_.status, ev_.template_version, ev_.case_reference) == (
        "completed",
        "2.0",
        SHORT.case_reference,
    )
    for section in template.sections:
        judgement = next((i for i in section.items if i.prompts), None)
        if judgement is None:
            continue
        response = view.responses[judgement.id]
        wanted = SHORT.stage_grades[section.id]
        if wanted == "not_reached":  # one key: not applicable, with the template's reason
            assert (response.grade, response.na_reason) == (
                NOT_APPLICABLE,
                template.scale.not_reached_reason,
            )
            assert not any(view.responses.get(p.id) for p in judgement.prompts)
            continue
        assert (response.grade, response.evidence) == (wanted, SHORT.stage_evidence)
        for index, prompt in enumerate(judgement.prompts):
            answer = view.responses[prompt.id]
            mark = SHORT.mark(section.id, index)
            where = (section.id, index, mark, answer.grade, answer.evidence)
            assert answer.grade == mark, where
            assert answer.evidence == (SHORT.not_seen_note if mark == "not_seen" else ""), where
    marks = Counter(r.grade for r in view.responses.values() if template.prompt(r.item_id))
    assert marks == {"seen": 33, "not_seen": 7}  # 51 statements, the 11 of review not reached
    assert len(prompt_changes) >= 7 + 40  # every mark is history, like any other answer
    assert (ev_.overall_grade, ev_.summary_development) == (SHORT.overall, SHORT.development)
    assert count < 600, count  # the measured figures are in bench_audit_keys.py


# --- a 1.0 audit after the upgrade --------------------------------------------------------------


class Machine:
    """A laptop or the QA desk: its own config and data folders, driven by the CLI."""

    def __init__(self, root: Path, name: str) -> None:
        home = root / name
        self.env = {
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "HOME": str(home),
        }
        self.db = f"sqlite:///{(home / 'qa.db').as_posix()}"

    def run(self, *args: str) -> str:
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def workspace(self) -> Any:
        from qa_tui.config import load_settings

        old = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            settings = load_settings().with_changes(
                auditor_name="Alex Auditor", auditor_role="Team manager"
            )
            from qa_tui.config import save_settings

            save_settings(settings)
            return open_workspace(settings, self.db, clock=frozen_clock)
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def answer_1_0(ws: Any, template: Template, eid: str, finish: bool) -> None:
    """Every item of the 1.0 audit answered as its version asked (51 graded statements)."""
    with ws.store.session() as s:
        actor = ws.actor
        ev.update_details(
            s,
            actor,
            eid,
            {
                "service_area": "CIN",
                "team": "CIN Team",
                "practitioner": "Jo",
                "practitioner_present": False,
            },
            ws.settings.case_reference_pattern,
        )
        participants = load_view(s, eid).participants
        for item in template.items():
            if item.kind is ItemKind.GRADE:
                ev.set_response(s, actor, template, eid, item.id, grade="good", evidence="Seen.")
            elif item.kind is ItemKind.LIST:
                ev.add_entry(s, actor, template, eid, item.id, "entry")
            elif item.kind is ItemKind.SCALING:
                for person in participants:
                    ev.set_scale(s, actor, template, eid, item.id, person.id, 5, "why")
            elif item.kind is ItemKind.FEEDBACK:
                ev.add_feedback(s, actor, template, eid, item.id, "direct", "Mum", "fine")
            else:
                ev.set_response(s, actor, template, eid, item.id, text="answer")
        outcomes.set_concern(s, actor, eid, False, "")
        outcomes.set_overall(
            s,
            actor,
            template,
            eid,
            overall_grade="good",
            summary_strengths="S",
            summary_development="D",
        )
        if finish:
            complete(s, actor, template, eid)


def start(ws: Any, template: Template, case: str) -> str:
    with ws.store.session() as s:
        eid = ev.create_evaluation(
            s, ws.actor, template, ev.CaseDetails(case), ws.settings.case_reference_pattern
        )
        ev.remember_template(s, template)  # as the app does when it starts an evaluation
    return eid


def test_a_1_0_audit_after_the_upgrade(tmp_path: Path) -> None:
    old = next(t for t in previous_templates() if t.id == "quality_of_practice_audit")
    laptop, desk = Machine(tmp_path, "laptop"), Machine(tmp_path, "desk")
    ws = laptop.workspace()
    # Made before the upgrade, on 1.0: one completed, one still a draft.
    done = start(ws, old, "LCS-100001")
    answer_1_0(ws, old, done, finish=True)
    draft = start(ws, old, "LCS-100002")
    answer_1_0(ws, old, draft, finish=False)
    # After the upgrade, on 2.0: prompts marked.
    new = audit(ws)
    fresh = start(ws, new, "LCS-100003")
    with ws.store.session() as s:
        ev.set_prompt(s, ws.actor, new, fresh, "assessment_child_seen", mark="seen")
        ev.set_prompt(s, ws.actor, new, fresh, "assessment_child_seen", evidence="Visit, 3/11")
        ev.mark_not_reached(s, ws.actor, new, fresh, "review_judgement")
    for eid in (done, draft):  # still the 1.0 template, found by its hash
        template = ws.template_for(ws.read(load_view, eid).evaluation)
        assert (template.version, template.content_hash) == ("1.0", old.content_hash)

    # Opened in the app after the upgrade: the draft continues on 1.0, the completed one
    # shows its summary with every statement graded.
    app = make_app(ws.settings, workspace_factory=lambda: ws, clock=frozen_clock)

    async def look() -> None:
        from qa_tui.tui.screens.evaluation import EvaluationScreen
        from qa_tui.tui.screens.summary import SummaryScreen
        from qa_tui.tui.widgets.grade_item import GradeItem
        from qa_tui.tui.widgets.prompts_item import PromptsItem

        async with app.run_test(size=SMALL) as pilot:
            await home_loaded(pilot)
            app.post_message(OpenEvaluation(draft, "draft"))
            await wait_for(pilot, lambda: isinstance(app.screen, EvaluationScreen), "editor")
            screen: Any = app.screen
            await wait_for(pilot, lambda: screen.snapshot is not None, "the evaluation")
            assert screen.snapshot.template.version == "1.0"
            screen.show_section("assessment")
            await wait_for(pilot, lambda: screen.section_key == "assessment", "assessment")
            await pilot.pause()
            assert len(screen.query(GradeItem)) == 11 and not screen.query(PromptsItem)
            grade = screen.query_one("#f-assessment_purpose_understood-grade")
            grade.focus()
            await pilot.pause()
            buttons = list(grade.query("RadioButton"))
            wanted = next(i for i, b in enumerate(buttons) if "improvement" in str(b.label))
            start = grade._selected or 0  # the cursor starts on the grade chosen (good)
            await pilot.press(*(["down"] * (wanted - start)), "enter")  # requires improvement
            await wait_for(pilot, lambda: screen.saver.idle, "saved")
            await pilot.press("escape")
            app.post_message(OpenEvaluation(done, "completed"))
            await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), "summary")
            summary: Any = app.screen
            await wait_for(pilot, lambda: summary.data is not None, "the summary")
            texts = [text for _css, text in summary.data.blocks]
            assert "Template: Quality of practice audit, version 1.0" in texts
            for item in old.items(ItemKind.GRADE):
                assert item.prompt in texts
            assert texts.count("Grade: Good") == 51

    asyncio.run(look())
    changed = ws.read(load_view, draft).responses["assessment_purpose_understood"]
    assert changed.grade == "requires_improvement"
    ws.close()

    # Handed to the QA team: a bundle merged into a central database that never saw 1.0 (the
    # bundle carries its text; the evaluations open with the shipped builtin/previous/ one).
    key = tmp_path / "qa.key"
    central = f"sqlite:///{(tmp_path / 'central.db').as_posix()}"
    desk.run("central", "init", "--db", central, "--key-out", str(key))
    shown = json.loads(laptop.run("keys", "show", "--format", "json"))
    token = f"{shown['device_id']}:{shown['public_key']}"
    desk.run("central", "enrol", "--db", central, "--device-key", token, "--name", "laptop")
    bundle = tmp_path / "laptop.qab"
    laptop.run("export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(bundle))
    assert "new changes" in desk.run("merge", "--into", central, "--key", str(key), str(bundle))
    listed = json.loads(desk.run("list", "--db", central, "--format", "json"))
    assert {row["id"]: row["status"] for row in listed} == {
        done: "completed",
        draft: "draft",
        fresh: "draft",
    }

    from qa_tui.config import load_settings
    from qa_tui.tui.screens.summary_text import read_summary

    qa = open_workspace(load_settings(), central, clock=frozen_clock)
    try:
        with qa.store.reader() as session:
            carried = session.get(models.TemplateSnapshot, old.content_hash)  # in the bundle
            assert carried is not None and carried.source_text == old.source_text
            assert check_consistency(session) == []
        template = qa.template_for(qa.read(load_view, done).evaluation)
        assert template.previous and template.version == "1.0"  # from builtin/previous/
        blocks = [text for _css, text in read_summary(qa, done).blocks]
        assert blocks.count("Grade: Good") == 51
        # The 2.0 prompt answers arrived as ordinary responses, with their history.
        view = qa.read(load_view, fresh)
        seen = view.responses["assessment_child_seen"]
        assert (seen.grade, seen.evidence) == ("seen", "Visit, 3/11")
        assert view.responses["review_judgement"].grade == NOT_APPLICABLE
        summary = [text for _css, text in read_summary(qa, fresh).blocks]
        assert "Seen: " + new.prompt("assessment_child_seen").prompt in summary
    finally:
        qa.close()


# --- a required example, found from the review -------------------------------------------------


def test_the_review_goes_to_an_example_still_to_be_marked(workspace: Any) -> None:
    """A template may require an example to be marked: the review lists it, Enter goes to it
    (its list focused, the cursor on it), one key marks it."""
    from qa_tui.framework.loader import load_template_text
    from qa_tui.tui.dialogs.review import ReviewDialog
    from qa_tui.tui.screens.evaluation import EvaluationScreen
    from qa_tui.tui.widgets.prompts_item import PromptList

    text = (Path(__file__).parents[1] / "unit" / "templates_data" / "provenance.toml").read_text(
        encoding="utf-8"
    )
    template = load_template_text(text, "provenance.toml")
    workspace.templates.add(template)
    eid = start(workspace, template, "LCS-100004")
    app = make_app(workspace.settings, workspace_factory=lambda: workspace, clock=frozen_clock)

    async def journey() -> None:
        async with app.run_test(size=SMALL) as pilot:
            await home_loaded(pilot)
            app.post_message(OpenEvaluation(eid, "draft"))
            await wait_for(pilot, lambda: isinstance(app.screen, EvaluationScreen), "editor")
            screen: Any = app.screen
            await wait_for(pilot, lambda: bool(screen.section_key) and screen.saver.idle, "open")
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: isinstance(app.screen, ReviewDialog), "the review")
            dialog: Any = app.screen
            await wait_for(pilot, lambda: dialog._state is not None, "the list")
            targets = [m.target for m in dialog._state.missing]
            assert "assessment_purpose_shared" in targets
            await pilot.press(*(["down"] * targets.index("assessment_purpose_shared")), "enter")
            await wait_for(pilot, lambda: isinstance(app.focused, PromptList), "the examples")
            prompts: Any = app.focused
            assert prompts.current.id == "assessment_purpose_shared"
            await pilot.press("n")
            await wait_for(pilot, lambda: screen.saver.idle, "saved")

    asyncio.run(journey())
    answer = workspace.read(load_view, eid).responses["assessment_purpose_shared"]
    assert answer.grade == "not_seen"
