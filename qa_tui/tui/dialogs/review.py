"""Completing an evaluation: what is still missing (each a link to its field) and the rules."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from qa_tui.domain.completion import Missing
from qa_tui.errors import QaError
from qa_tui.framework.model import Rule, RuleKind, Template
from qa_tui.tui.messages import ReviewResult
from qa_tui.tui.text import Shown, ShownLabel, line, literal
from qa_tui.workspace import Workspace

PLACES = {
    "details": "Case details",
    "participants": "Who took part",
    "actions": "Actions",
    "concerns": "Immediate concerns",
    "overall": "Overall judgement & summary",
}


@dataclass(frozen=True)
class ReviewState:
    case_reference: str
    status: str
    missing: list[Missing]
    rules: list[str]
    places: dict[str, str]


def describe_rule(rule: Rule, template: Template) -> str:
    if rule.message:
        return rule.message
    grade = template.scale.label(rule.grade).lower()
    if rule.kind is RuleKind.ACTION_BELOW_GRADE:
        return f"An action is required for any grade below {grade}."
    if rule.kind is RuleKind.ALL_PARTICIPANTS_SCALE:
        return "Everyone who took part gives a scale and a rationale."
    return f"An overall judgement below {grade} needs an area for development."


def review_state(ws: Workspace, evaluation_id: str) -> ReviewState:
    """Read what the review shows (runs in a worker thread)."""
    from qa_tui.domain.completion import missing
    from qa_tui.store.views import load_view

    with ws.store.reader() as session:
        view = load_view(session, evaluation_id)
        template = ws.template_for(view.evaluation)
        places = {**PLACES, **{s.id: s.title for s in template.sections}}
        return ReviewState(
            case_reference=view.evaluation.case_reference,
            status=view.evaluation.status,
            missing=missing(view, template),
            rules=[describe_rule(rule, template) for rule in template.rules],
            places=places,
        )


def complete_evaluation(ws: Workspace, evaluation_id: str) -> None:
    """Complete the evaluation through the core (runs in a worker thread)."""
    from qa_tui.domain.lifecycle import complete
    from qa_tui.store.queries import get_evaluation

    with ws.store.session() as session:
        template = ws.template_for(get_evaluation(session, evaluation_id))
        complete(session, ws.actor, template, evaluation_id)


class ReviewDialog(ModalScreen[ReviewResult]):
    """Review before completing; dismisses with a :class:`ReviewResult`."""

    CSS_PATH = "dialogs.tcss"
    HELP = (
        "Everything still missing is listed under its section: choose one (Enter) to go "
        "straight to it. When nothing is missing, Complete (ctrl+s) makes the evaluation "
        "read-only and shows its summary."
    )
    BINDINGS = [
        Binding("escape", "close", "Back to the evaluation", id="review.close"),
        Binding("ctrl+s", "complete", "Complete", id="review.complete"),
    ]

    def __init__(self, workspace: Workspace, evaluation_id: str) -> None:
        super().__init__(classes="dialog")
        self.workspace = workspace
        self.evaluation_id = evaluation_id
        self._state: ReviewState | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Static("Review before completing", id="review-title", classes="title")
            yield Shown("Checking what is missing…", id="review-summary")
            yield OptionList(id="missing")
            yield Static("The template's rules", classes="field-label")
            yield Shown("", id="rules")
            yield ShownLabel("", id="problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Back", id="close", compact=True)
                yield Button(
                    "Complete", id="complete", variant="success", disabled=True, compact=True
                )
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="review")
    def load(self) -> None:
        try:
            state = review_state(self.workspace, self.evaluation_id)
        except QaError as err:
            self.app.call_from_thread(self.show_problem, str(err))
        else:
            self.app.call_from_thread(self.show_state, state)

    def show_state(self, state: ReviewState) -> None:
        self._state = state
        title = f"Review before completing: {line(state.case_reference, 40)}"
        self.query_one("#review-title", Static).update(literal(title))
        options = self.query_one("#missing", OptionList)
        options.clear_options()
        # Grouped under their section's title, each a sentence of its own.
        section = None
        for index, item in enumerate(state.missing):
            if item.section != section:
                section = item.section
                place = state.places.get(item.section, item.section)
                options.add_option(Option(literal(place), disabled=True))
            options.add_option(Option(literal(f"  • {line(item.message, 400)}"), id=str(index)))
        count = len(state.missing)
        summary = self.query_one("#review-summary", Static)
        if state.status == "completed":
            summary.update("This evaluation is already completed.")
        elif count:
            summary.update(
                f"{count} thing{'s' if count != 1 else ''} to do before completing "
                "(Enter on one goes to it):"
            )
        else:
            summary.update("Nothing is missing: the evaluation can be completed.")
        options.display = bool(count)
        if count:
            options.highlighted = 1  # the first thing missing (0 is its section's title)
        self.query_one("#rules", Static).update("\n".join(f"• {r}" for r in state.rules) or "None.")
        button = self.query_one("#complete", Button)
        button.disabled = bool(count) or state.status == "completed"
        button.display = not button.disabled
        (options if count else button).focus()

    def show_problem(self, text: str) -> None:
        self.query_one("#problem", Label).update(text)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self._state is not None and event.option.id is not None:
            self.dismiss(ReviewResult(jump_to=self._state.missing[int(event.option.id)]))

    def action_complete(self) -> None:
        if (
            self._state is not None
            and not self._state.missing
            and self._state.status != "completed"
        ):
            self.query_one("#complete", Button).disabled = True
            self.complete()

    @work(thread=True, exclusive=True, group="review")
    def complete(self) -> None:
        try:
            complete_evaluation(self.workspace, self.evaluation_id)
        except QaError as err:
            self.app.call_from_thread(self.show_problem, str(err))
            self.app.call_from_thread(self.load)
        else:
            self.app.call_from_thread(self.dismiss, ReviewResult(completed=True))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "complete":
            self.action_complete()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.dismiss(ReviewResult())
