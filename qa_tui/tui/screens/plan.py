"""One plan: what it is, its review group, its cases and who evaluates each, and how far each
has got (allocated, started, completed, shared) as laptops sync."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qa_tui.domain.plan_views import PROGRESS
from qa_tui.domain.plans import FINDINGS, TERMS
from qa_tui.errors import QaError
from qa_tui.services.planning import PlanningService
from qa_tui.tui.dialogs.plan_form import Form, PlanFormDialog
from qa_tui.tui.messages import EvaluationsChanged, OpenEvaluation
from qa_tui.tui.screens import plan_forms as pf
from qa_tui.tui.screens.plan_text import COLUMNS, describe
from qa_tui.tui.text import Shown, line
from qa_tui.tui.widgets.table import Table

if TYPE_CHECKING:
    from qa_tui.domain.allocation import AllocationError
    from qa_tui.domain.plan_views import PlanDetail
    from qa_tui.services.writer import Writer
    from qa_tui.workspace import Workspace


THEMATIC_ONLY = frozenset({"terms", "findings", "report"})


def plan_screen(workspace: Workspace, writer: Writer, plan_id: str, kind: str) -> PlanScreen:
    """The screen for a plan of this kind (a thematic evaluation's footer shows its own keys)."""
    screen = ThematicPlanScreen if kind == "thematic" else PlanScreen
    return screen(workspace, writer, plan_id)


class PlanScreen(Screen[None]):
    """A plan's cases and progress; keys add cases, draw a sample, allocate, start."""

    CSS_PATH = "planning.tcss"
    TITLE = "Plan"
    HELP = (
        "One plan. e changes its title, dates, service area, hypothesis or notes (the cases "
        "due on its day follow the day). g names the review group (one manager a line: name |"
        " own team | whom they supervise). c adds cases by reference; d draws a dip sample "
        "from the imported case list or from completed evaluations, with a seed, the frame's "
        "size and its strata kept so it can be drawn again and explained. a allocates the "
        "cases to the group: balanced, one case outside each manager's own line, none they "
        "supervise — if the rules cannot all hold it says which and offers the nearest that "
        "works. s starts the evaluation of the highlighted case, its details filled in. t "
        "records a thematic evaluation's terms of reference (it cannot start without them), f"
        " its findings. r writes a thematic evaluation's board paper (the thematic report, "
        "HTML) to your documents folder. u marks the plan under way, x closes it. Progress "
        "updates as laptops sync."
    )
    BINDINGS = [
        Binding("e", "edit", "Edit", id="plan.edit"),
        Binding("g", "group", "Group", id="plan.group"),
        Binding("c", "cases", "Cases", id="plan.cases"),
        Binding("d", "sample", "Sample", id="plan.sample"),
        Binding("a", "allocate", "Allocate", id="plan.allocate"),
        Binding("s", "start_case", "Start", id="plan.start_case"),
        Binding("t", "terms", "Terms", id="plan.terms"),
        Binding("f", "findings", "Findings", id="plan.findings"),
        Binding("r", "report", "Report", id="plan.report"),
        Binding("u", "under_way", "Under way", id="plan.under_way", show=False),
        Binding("x", "close_plan", "Close", id="plan.close", show=False),
        Binding("escape", "back", "Back", id="plan.back"),
    ]

    def __init__(self, workspace: Workspace, writer: Writer, plan_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.writer = writer
        self.plan_id = plan_id
        self.service = PlanningService(workspace)
        self.detail: PlanDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Shown("Reading the plan…", id="plan-info")
        yield Table(id="allocations", cursor_type="row", zebra_stripes=True)
        yield Static("", id="plan-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.load()
        # Progress arrives as laptops sync: read the plan again every half minute.
        self.set_interval(30, self.load)

    def on_screen_resume(self) -> None:
        if self.detail is not None:  # back from another screen; not the mount's own read again
            self.load()

    @work(thread=True, exclusive=True, group="plan-load")
    def load(self) -> None:
        try:
            detail = self.service.detail(self.plan_id)
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: PlanDetail) -> None:
        kind_changed = self.detail is None or self.detail.plan.kind != detail.plan.kind
        self.detail = detail
        if kind_changed:
            self.refresh_bindings()
        self.sub_title = line(detail.plan.title, 60)
        self.query_one("#plan-info", Shown).update(describe(detail))
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for a in detail.allocations:
            cells = (
                line(a.case_reference, 20),
                line(a.team, 30),
                line(a.category, 20),
                line(a.reviewer, 30) or "—",
                a.due_on.isoformat() if a.due_on else "",
                PROGRESS[a.progress],
            )
            table.add_row(*(Text(c) for c in cells), key=a.id)
        if detail.allocations:
            table.move_cursor(row=min(max(row, 0), len(detail.allocations) - 1))
        loads = ", ".join(f"{line(k, 24)} {v}" for k, v in sorted(detail.loads.items()))
        self.query_one("#plan-status", Static).update(
            line(loads or "Nothing allocated yet (a allocates the cases)", 300)
        )

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Terms of reference, findings and the board paper belong to a thematic evaluation:
        hidden on other plans (at 80 columns the footer cannot hold every key)."""
        if action in THEMATIC_ONLY:
            return self.detail is not None and self.detail.plan.kind == "thematic"
        return True

    # --- forms and writes -------------------------------------------------------------------

    def ask(
        self,
        form: Form,
        then: Callable[[dict[str, str]], object],
        values: dict[str, str] | None = None,
        error: str = "",
    ) -> None:
        def done(result: dict[str, str] | None) -> None:
            if result is not None:
                then(result)

        self.app.push_screen(PlanFormDialog(form, values, error), done)

    @work(thread=True, group="plan-write")
    def perform(
        self, job: Callable[[], Any], done: str, retry: tuple[Form, Any, dict[str, str]] | None
    ) -> None:
        """Run one write; on success say ``done`` and read the plan again, on a refusal
        show the form again (``retry``: form, its follow-up, the values) with the error."""
        try:
            job()
        except QaError as err:
            if retry is not None:
                form, then, values = retry
                self.app.call_from_thread(self.ask, form, then, values, str(err))
            else:
                self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.app.notify, done)
        self.app.call_from_thread(self.load)

    def action_edit(self) -> None:
        p = self.detail.plan if self.detail else None
        if p is None:
            return
        values = {f.name: getattr(p, f.name) or "" for f in pf.EDIT_PLAN.fields}
        for name in ("starts_on", "ends_on"):
            day = getattr(p, name)
            values[name] = day.isoformat() if day else ""
        self.ask(pf.EDIT_PLAN, self.save_edit, values)

    def save_edit(self, values: dict[str, str]) -> None:
        clean: dict[str, Any] = {k: v for k, v in values.items() if k in pf.EDITABLE}
        clean["starts_on"] = clean.get("starts_on", "").strip() or None
        clean["ends_on"] = clean.get("ends_on", "").strip() or None
        retry = (pf.EDIT_PLAN, self.save_edit, values)
        self.perform(lambda: self.service.update(self.plan_id, **clean), "Plan saved.", retry)

    def action_group(self) -> None:
        rows = [(m.name, m.team, m.supervises) for m in self.detail.members] if self.detail else []
        self.ask(pf.MEMBERS, self.save_group, {"members": pf.members_to_text(rows)})

    def save_group(self, values: dict[str, str]) -> None:
        def job() -> None:
            self.service.put_members(self.plan_id, pf.members_from_text(values["members"]))

        self.perform(job, "Review group saved.", (pf.MEMBERS, self.save_group, values))

    def action_cases(self) -> None:
        self.ask(pf.CASES, self.add_cases)

    def add_cases(self, values: dict[str, str]) -> None:
        def job() -> None:
            from qa_tui.domain.dip_sample import DipSample, Unit

            refs = [c.case_reference for c in pf.references_from_text(values["references"])]
            chosen = DipSample("cases", 0, 0, 0, "", {}, "", drawn=[Unit(r, r) for r in refs])
            self.service.add_cases(self.plan_id, self.service.planned_cases(chosen))

        self.perform(job, "Cases added.", (pf.CASES, self.add_cases, values))

    def action_sample(self) -> None:
        self.ask(pf.SAMPLE, self.draw, {"seed": str(self.workspace.clock().toordinal())})

    def draw(self, values: dict[str, str]) -> None:
        def job() -> None:
            frame = values["frame"]
            drawn = self.service.sample(
                frame,
                pf.whole_number(values["size"], "How many", "size"),
                pf.whole_number(values["seed"], "Seed", "seed"),
                values["strata"].strip(),
                pf.where_from_text(values["where"], frame),
                values["hypothesis"],
            )
            self.service.add_sample(self.plan_id, drawn)

        self.perform(job, "Sample drawn and recorded.", (pf.SAMPLE, self.draw, values))

    def action_allocate(self) -> None:
        self.allocate(None)

    @work(thread=True, group="plan-write")
    def allocate(self, rules: Any) -> None:
        from qa_tui.domain.allocation import AllocationError

        try:
            changed = self.service.allocate(self.plan_id, rules)
        except AllocationError as err:
            self.app.call_from_thread(self._offer_nearest, err)
            return
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.app.call_from_thread(self.app.notify, f"Allocated: {changed} allocations changed.")
        self.app.call_from_thread(self.load)

    def _offer_nearest(self, err: AllocationError) -> None:
        from qa_tui.tui.dialogs.confirm import ConfirmDialog

        nearest = err.nearest
        if nearest is None:
            self.app.notify(str(err), severity="error")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.allocate(nearest)

        question = f"{err}\n\nAllocate with these rules instead: {nearest.describe()}?"
        self.app.push_screen(ConfirmDialog(question, yes="Allocate"), answered)

    def action_start_case(self) -> None:
        table = self.query_one(DataTable)
        if self.detail is None or not 0 <= table.cursor_row < len(self.detail.allocations):
            return
        self.start_case(self.detail.allocations[table.cursor_row].id)

    @work(thread=True, group="plan-write")
    def start_case(self, allocation_id: str) -> None:
        try:
            evaluation_id = self.service.start_allocated(allocation_id)
        except QaError as err:
            self.app.call_from_thread(self.app.notify, str(err), severity="error")
            return
        self.post_message(EvaluationsChanged())
        self.post_message(OpenEvaluation(evaluation_id, "draft"))

    def _texts(self, form: Form) -> dict[str, str]:
        p = self.detail.plan if self.detail else None
        return {f.name: getattr(p, f.name) for f in form.fields} if p else {}

    def action_terms(self) -> None:
        self.ask(pf.TERMS_FORM, self.save_terms, self._texts(pf.TERMS_FORM))

    def save_terms(self, values: dict[str, str]) -> None:
        clean = {k: v for k, v in values.items() if k in TERMS}
        retry = (pf.TERMS_FORM, self.save_terms, values)
        self.perform(lambda: self.service.update(self.plan_id, **clean), "Terms saved.", retry)

    def action_findings(self) -> None:
        self.ask(pf.FINDINGS_FORM, self.save_findings, self._texts(pf.FINDINGS_FORM))

    def save_findings(self, values: dict[str, str]) -> None:
        clean = {k: v for k, v in values.items() if k in FINDINGS}
        retry = (pf.FINDINGS_FORM, self.save_findings, values)
        self.perform(lambda: self.service.update(self.plan_id, **clean), "Findings saved.", retry)

    def action_under_way(self) -> None:
        self.perform(lambda: self.service.start(self.plan_id), "The plan is under way.", None)

    def action_close_plan(self) -> None:
        self.perform(lambda: self.service.close(self.plan_id), "The plan is closed.", None)

    # --- the board paper -------------------------------------------------------------------

    def action_report(self) -> None:
        if self.detail is None:  # hidden until a thematic plan is shown (check_action)
            return
        # The title in the name (letters and digits only), the id's start to keep it apart.
        words = re.sub(r"[^a-z0-9]+", "-", self.detail.plan.title.lower()).strip("-")[:48]
        folder = self.workspace.settings.documents_path / "reports"
        self.write_report(folder / f"thematic-{words or 'evaluation'}-{self.plan_id[:8]}.html")

    @work(thread=True, group="plan-report")
    def write_report(self, out: Path) -> None:
        from qa_tui.reports.kinds import build
        from qa_tui.reports.model import ReportQuery
        from qa_tui.reports.render import write_report
        from qa_tui.reports.thematic import plan_period

        today = self.workspace.clock().date()
        try:
            period = self.workspace.read(plan_period, self.plan_id, today)
            made = build(
                self.workspace.store,
                "thematic",
                ReportQuery(period, today=today, plan=self.plan_id),
            )
            write_report(made, "html", out)
        except QaError as err:
            self.app.call_from_thread(self.app.notify, f"Not made: {err}", severity="error")
            return
        except OSError as err:
            said = f"Not written: {err.strerror or err}: {out}"
            self.app.call_from_thread(self.app.notify, said, severity="error")
            return
        self.app.call_from_thread(self.app.notify, f"The board paper is written to {out}")


class ThematicPlanScreen(PlanScreen):
    """A thematic evaluation's plan. At 80 columns the footer holds about seven keys: it shows
    the terms of reference, findings and board paper; the review group, sample and allocation
    keys still work and are named in the plan's text above and in the help (f1)."""

    BINDINGS = [
        Binding("g", "group", "Group", id="plan.group", show=False),
        Binding("d", "sample", "Sample", id="plan.sample", show=False),
        Binding("a", "allocate", "Allocate", id="plan.allocate", show=False),
    ]
