"""A completed evaluation as a clean one-page summary (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from qa_tui.errors import QaError
from qa_tui.textsafe import printable
from qa_tui.tui.messages import EvaluationsChanged

if TYPE_CHECKING:
    from qa_tui.domain.views import EvaluationView
    from qa_tui.framework.model import Item, Template
    from qa_tui.tui.app import QaApp
    from qa_tui.workspace import Workspace

Block = tuple[str, str]  # (css class, plain text shown literally)


@dataclass(frozen=True)
class SummaryData:
    case_reference: str
    status: str
    immediate_concern: bool
    blocks: list[Block]


def _yes_no(value: bool | None) -> str:
    return "not recorded" if value is None else ("yes" if value else "no")


def _pairs(pairs: list[tuple[str, str]]) -> list[Block]:
    return [("pair", f"{label}: {printable(value) or '—'}") for label, value in pairs]


def _details(view: EvaluationView, template: Template) -> list[Block]:
    from qa_tui.domain.vocab import EVALUATION_TYPES, STATUSES

    ev = view.evaluation
    people = ", ".join(" ".join(f"{p.name} ({p.role})".split()) for p in view.participants)
    auditor = ev.auditor + (f", {ev.auditor_role}" if ev.auditor_role.strip() else "")
    pairs = [
        ("Status", STATUSES.get(ev.status, ev.status)),
        ("Date", ev.evaluation_date.isoformat() if ev.evaluation_date else ""),
        ("Type", EVALUATION_TYPES.get(ev.evaluation_type, ev.evaluation_type)),
        ("Template", f"{template.name}, version {template.version}"),
        ("Service area", ev.service_area),
        ("Team", ev.team),
        ("Practitioner", ev.practitioner),
        ("Practitioner present", _yes_no(ev.practitioner_present)),
        ("Evaluated by", auditor),
        ("Who took part", people),
    ]
    pairs += [("Practice day", ev.practice_day)] if ev.practice_day.strip() else []
    pairs += [("Theme", ev.theme)] if ev.theme.strip() else []
    return [("h2", "Case details"), *_pairs(pairs)]


def _grade_item(view: EvaluationView, template: Template, item: Item) -> list[Block]:
    response = view.responses.get(item.id)
    if response is None or not response.grade:
        return [("grade missing", "Grade: not given")]
    out = [("grade", f"Grade: {template.scale.label(response.grade)}")]
    if response.na_reason.strip():
        out.append(("text", f"Why not applicable: {printable(response.na_reason)}"))
    if response.evidence.strip():
        out.append(("text", printable(response.evidence)))
    return out


def _scaling_item(view: EvaluationView, item: Item) -> list[Block]:
    out: list[Block] = [("hint", f"0 = {item.scale_low}    10 = {item.scale_high}")]
    names = {p.id: " ".join(f"{p.name} ({p.role})".split()) for p in view.participants}
    for scale in view.scales[item.id]:
        score = "—" if scale.score is None else f"{scale.score}/10"
        who = names.get(scale.participant_id, "someone no longer listed")
        out.append(("bullet", f"{printable(who)}: {score}. {printable(scale.rationale)}"))
    return out if len(out) > 1 else [*out, ("missing", "No scales given")]


def _item_blocks(view: EvaluationView, template: Template, item: Item) -> list[Block]:
    from qa_tui.framework.model import ItemKind

    response = view.responses.get(item.id)
    if item.kind is ItemKind.GRADE:
        return _grade_item(view, template, item)
    if item.kind is ItemKind.LIST:
        entries = [e for e in view.entries[item.id] if e.text.strip()]
        return [("bullet", f"• {printable(e.text)}") for e in entries] or [
            ("missing", "None recorded")
        ]
    if item.kind is ItemKind.SCALING:
        return _scaling_item(view, item)
    if item.kind is ItemKind.FEEDBACK:
        labels = {s.id: s.label for s in item.sources} | {"direct": "Direct feedback"}
        rows = [
            (
                "bullet",
                f"{labels.get(f.source, f.source)}"
                f"{' — ' + printable(f.given_by) if f.given_by.strip() else ''}: "
                f"{printable(f.text)}",
            )
            for f in view.feedback[item.id]
        ]
        return rows or [("missing", "No feedback recorded")]
    if item.kind is ItemKind.YES_NO:
        answer = _yes_no(response.answer if response else None).capitalize()
        reason = printable(response.text) if response else ""
        return [("text", f"{answer}. {reason}".strip())]
    text = printable(response.text) if response and response.text.strip() else ""
    return [("text", text)] if text else [("missing", "Not answered")]


def _sections(view: EvaluationView, template: Template) -> list[Block]:
    out: list[Block] = []
    for section in template.sections:
        out.append(("h2", section.title))
        for item in section.items:
            out.append(("prompt", item.prompt))
            out.extend(_item_blocks(view, template, item))
    return out


def _actions_and_concern(view: EvaluationView) -> list[Block]:
    from qa_tui.domain.vocab import ACTION_STATUSES, CONCERN_RECIPIENTS

    out: list[Block] = [("h2", "Actions")]
    for a in view.actions:
        due = a.due_date.isoformat() if a.due_date else "no date"
        status = ACTION_STATUSES.get(a.status, a.status)
        out.append(
            (
                "bullet",
                f"• {printable(a.description)} — {printable(a.owner) or 'no owner'}, "
                f"by {due} ({status})",
            )
        )
    if not view.actions:
        out.append(("hint", "No actions agreed"))
    ev = view.evaluation
    out += [
        ("h2", "Immediate concerns"),
        ("pair", f"Immediate concern: {_yes_no(ev.immediate_concern)}"),
    ]
    if ev.immediate_concern:
        out.append(("concern", f"⚠ {printable(ev.concern_description) or 'not described'}"))
        for s in view.shares:
            who = CONCERN_RECIPIENTS.get(s.recipient_role, s.recipient_role)
            name = f" ({printable(s.recipient_name)})" if s.recipient_name.strip() else ""
            when = s.shared_on.isoformat() if s.shared_on else "date not recorded"
            out.append(("bullet", f"Notice shared with the {who.lower()}{name} on {when}"))
        if not view.shares:
            out.append(("missing", "The written notice is not yet recorded as shared"))
    return out


def _overall(view: EvaluationView, template: Template) -> list[Block]:
    ev = view.evaluation
    out: list[Block] = [
        ("h2", "Overall judgement"),
        ("grade", f"Overall: {template.scale.label(ev.overall_grade) or 'not given'}"),
    ]
    if ev.overall_na_reason.strip():
        out.append(("text", f"Why not applicable: {printable(ev.overall_na_reason)}"))
    out += [
        ("prompt", "Strengths"),
        ("text", printable(ev.summary_strengths) or "—"),
        ("prompt", "Areas for development"),
        ("text", printable(ev.summary_development) or "—"),
    ]
    if view.events:
        out.append(("h2", "History"))
        for event in view.events:
            reason = f": {printable(event.reason)}" if event.reason.strip() else ""
            out.append(
                (
                    "hint",
                    f"{event.kind.capitalize()} by {printable(event.created_by)} "
                    f"at {event.created_at[:16].replace('T', ' ')}{reason}",
                )
            )
    return out


def read_summary(ws: Workspace, evaluation_id: str) -> SummaryData:
    """Everything the summary shows, as literal text blocks (runs in a worker thread)."""
    from qa_tui.domain.views import load_view

    with ws.store.reader() as session:
        view = load_view(session, evaluation_id)
        template = ws.template_for(view.evaluation)
        ev = view.evaluation
        blocks = [
            ("h1", f"Case {printable(ev.case_reference)}"),
            *_details(view, template),
            *_sections(view, template),
            *_actions_and_concern(view),
            *_overall(view, template),
        ]
        return SummaryData(ev.case_reference, ev.status, bool(ev.immediate_concern), blocks)


class SummaryScreen(Screen[None]):
    """The one-page summary; ``r`` reopens (asks why), ``n`` shows the concern notice."""

    CSS_PATH = "summary.tcss"
    TITLE = "Evaluation summary"
    HELP = (
        "A completed evaluation is read-only. Reopen it (r) to change it: you are asked why, "
        "and the reason is recorded. If it records an immediate concern, n shows the written "
        "notice for the practitioner, team manager, service manager and Director of Social "
        "Care, and records with whom and when it was shared."
    )
    BINDINGS = [
        Binding("e,escape", "back", "Back", id="summary.back"),
        Binding("r", "reopen", "Reopen", id="summary.reopen"),
        Binding("n", "notice", "Concern notice", id="summary.notice"),
    ]

    def __init__(self, workspace: Workspace, evaluation_id: str) -> None:
        super().__init__()
        self.workspace = workspace
        self.evaluation_id = evaluation_id
        self.data: SummaryData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary-page"):
            yield Static("Reading the evaluation…", id="summary-loading")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#summary-page").focus()
        self.load()

    @work(thread=True, exclusive=True, group="summary")
    def load(self) -> None:
        try:
            data = read_summary(self.workspace, self.evaluation_id)
        except QaError as err:
            self.app.call_from_thread(
                self.app.notify, str(err), title="Cannot show", severity="error"
            )
            return
        self.app.call_from_thread(self.show, data)

    async def show(self, data: SummaryData) -> None:
        self.data = data
        self.sub_title = printable(data.case_reference)
        page = self.query_one("#summary-page", VerticalScroll)
        await page.remove_children()
        await page.mount_all(
            [Static(text, markup=False, classes=f"block {kind}") for kind, text in data.blocks]
        )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return self.data is not None and self.data.status == "completed"
        if action == "notice":
            return self.data is not None and self.data.immediate_concern
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_notice(self) -> None:
        from qa_tui.tui.dialogs.concern_notice import ConcernNoticeDialog

        def done(recorded: bool | None) -> None:
            if recorded:
                self.load()

        today = self.workspace.clock().date()
        self.app.push_screen(ConcernNoticeDialog(self.workspace, self.evaluation_id, today), done)

    def action_reopen(self) -> None:
        from qa_tui.tui.dialogs.reopen import ReopenDialog

        if self.data is None:
            return

        def reopen_with(reason: str | None) -> None:
            if reason:
                self.reopen(reason)

        self.app.push_screen(ReopenDialog(self.data.case_reference), reopen_with)

    @work(thread=True, exclusive=True, group="summary-write")
    def reopen(self, reason: str) -> None:
        from qa_tui.domain.lifecycle import reopen

        try:
            self.workspace.write(reopen, self.evaluation_id, reason)
        except QaError as err:
            self.app.call_from_thread(
                self.app.notify, str(err), title="Not reopened", severity="error"
            )
            return
        self.app.call_from_thread(self._reopened)

    def _reopened(self) -> None:
        app: QaApp = self.app  # type: ignore[assignment]
        app.notify("Reopened: the reason is recorded with the evaluation.", title="Reopened")
        app.post_message(EvaluationsChanged())
        self.dismiss(None)
        app.open_evaluation(self.evaluation_id, "reopened")
