"""Step 1 of the journey: the case details of a new evaluation, and its template."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.validation import Function
from textual.widgets import Button, Footer, Input, Label, RadioSet, Select, Static

from qa_tui.domain.evaluation import CaseDetails, clean_details
from qa_tui.errors import ValidationError
from qa_tui.framework.model import Template
from qa_tui.tui.text import SafeInput, ShownLabel, rich_text
from qa_tui.tui.widgets.choice import Choice
from qa_tui.vocab import EVALUATION_TYPES, MAX_SHORT_TEXT

TEXT_FIELDS = (
    ("case_reference", "Case reference (from the case-management system, never a name)"),
    ("service_area", "Service area"),
    ("team", "Team"),
    ("practitioner", "Practitioner"),
)
EXTRA_FIELDS = (
    ("practice_day", "Practice day (optional)"),
    ("theme", "Theme (for a thematic evaluation)"),
)
ERROR_FIELDS = (
    *(f for f, _ in TEXT_FIELDS),
    "evaluation_type",
    "template",
    "evaluation_date",
    "practitioner_present",
    *(f for f, _ in EXTRA_FIELDS),
)


@dataclass(frozen=True)
class NewEvaluationRequest:
    """What the dialog gathered: the case details and the chosen template."""

    details: CaseDetails
    template_id: str
    template_version: str


def case_reference_hint(pattern: str) -> str:
    return (
        "This does not look like a case reference: use the ID from the case-management "
        f"system (this authority's pattern is {pattern})."
    )


class NewEvaluationDialog(ModalScreen[NewEvaluationRequest | None]):
    """The case details form; validates with the core's own rules before dismissing."""

    CSS_PATH = "dialogs.tcss"
    # Focused in on_mount instead: Textual's auto-focus scrolls to the field before the first
    # layout, which left the form scrolled past the case reference's label.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new_evaluation.cancel"),
        Binding("ctrl+s", "start", "Start", id="new_evaluation.start"),
    ]

    def __init__(
        self,
        templates: list[Template],
        case_pattern: str,
        today: dt.date,
        initial: NewEvaluationRequest | None = None,
        error: ValidationError | None = None,
        teams: Callable[[], list[tuple[str, str]]] | None = None,
    ) -> None:
        """``teams`` reads the known teams as (name, service area), off the UI thread."""
        super().__init__(classes="dialog")
        self._read_teams = teams
        self._teams: dict[str, str] = {}  # casefolded name -> service area
        self._templates = templates
        self._pattern = case_pattern
        self._today = today
        self._initial = initial
        self._pending_error = error

    def _initial_value(self, field: str, default: str = "") -> str:
        if self._initial is None:
            return default
        value = getattr(self._initial.details, field)
        return value.isoformat() if isinstance(value, dt.date) else str(value or "")

    def _template_options(self) -> list[tuple[Text, tuple[str, str]]]:
        return [
            (rich_text(f"{t.name} (version {t.version})"), (t.id, t.version))
            for t in self._templates
        ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Static("New evaluation: case details", classes="title")
            with VerticalScroll(classes="form"):
                yield from self._compose_text_fields(TEXT_FIELDS)
                yield from self._compose_choices()
                yield from self._compose_text_fields(EXTRA_FIELDS)
            yield ShownLabel("", id="form-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Start evaluation", id="start", variant="primary")
        yield Footer()

    def _compose_text_fields(self, fields: tuple[tuple[str, str], ...]) -> ComposeResult:
        for field, label in fields:
            yield ShownLabel(label, classes="field-label")
            validators = []
            if field == "case_reference":
                validators = [
                    Function(
                        lambda value: re.fullmatch(self._pattern, value.strip()) is not None,
                        case_reference_hint(self._pattern),
                    )
                ]
            yield SafeInput(
                self._initial_value(field),
                id=field,
                max_length=MAX_SHORT_TEXT,
                validators=validators,
                validate_on=["blur", "submitted"],
            )
            yield ShownLabel("", id=f"{field}-error", classes="field-error")
            if field == "team":
                hint = ShownLabel("", id="team-hint", classes="hint")
                hint.display = False  # shown once there are known teams to suggest
                yield hint

    def _compose_choices(self) -> ComposeResult:
        yield Label("Type of evaluation", classes="field-label")
        yield Select(
            [(label, key) for key, label in EVALUATION_TYPES.items()],
            value=self._initial_value("evaluation_type", "collaborative"),
            allow_blank=False,
            compact=True,
            id="evaluation_type",
        )
        yield ShownLabel("", id="evaluation_type-error", classes="field-error")
        yield Label("Template", classes="field-label")
        chosen = (
            (self._initial.template_id, self._initial.template_version) if self._initial else None
        )
        options = self._template_options()
        yield Select(
            options,
            value=chosen or (options[0][1] if options else Select.NULL),
            allow_blank=not options,
            compact=True,
            id="template",
        )
        yield ShownLabel("", id="template-error", classes="field-error")
        yield Label("Date (YYYY-MM-DD or DD/MM/YYYY)", classes="field-label")
        yield SafeInput(
            self._initial_value("evaluation_date", self._today.isoformat()), id="evaluation_date"
        )
        yield ShownLabel("", id="evaluation_date-error", classes="field-error")
        yield Label("Was the practitioner present?", classes="field-label")
        present = self._initial.details.practitioner_present if self._initial else None
        with RadioSet(id="practitioner_present"):
            yield Choice("Yes", value=present is True, id="present-yes")
            yield Choice("No", value=present is False, id="present-no")
        yield ShownLabel("", id="practitioner_present-error", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#case_reference", Input).focus(scroll_visible=False)
        if not self._templates:
            self.show_error("template", "No templates are installed: see `qa-tui template list`.")
        if self._pending_error is not None:
            self.show_error(self._pending_error.field or "form", str(self._pending_error))
        if self._read_teams is not None:
            self._load_teams()

    # --- the teams the QA team keeps (copied here by sync) ---------------------------------

    @work(thread=True, exclusive=True, group="teams")
    def _load_teams(self) -> None:
        assert self._read_teams is not None
        teams = self._read_teams()
        if teams:
            self.app.call_from_thread(self._offer_teams, teams)

    def _offer_teams(self, teams: list[tuple[str, str]]) -> None:
        """Suggest known teams and service areas as they are typed (→ accepts)."""
        self._teams = {name.casefold(): area for name, area in teams}
        self.query_one("#team", Input).suggester = SuggestFromList(
            [name for name, _area in teams], case_sensitive=False
        )
        areas = sorted({area for _name, area in teams if area})
        self.query_one("#service_area", Input).suggester = SuggestFromList(
            areas, case_sensitive=False
        )
        hint = self.query_one("#team-hint", Label)
        hint.update(f"{len(teams)} known teams: start typing, → accepts the suggestion")
        hint.display = True

    @on(Input.Changed, "#team")
    def _team_changed(self, event: Input.Changed) -> None:
        """A known team fills in its service area when that is still empty."""
        area = self._teams.get(event.value.strip().casefold())
        service_area = self.query_one("#service_area", Input)
        if area and not service_area.value.strip():
            service_area.value = area

    # --- errors next to the field -------------------------------------------------------

    def show_error(self, field: str, text: str) -> None:
        """Show ``text`` under ``field`` (or under the form when no such field) and focus it."""
        target = field if field in ERROR_FIELDS else "form"
        label = self.query_one(f"#{target}-error", Label)
        label.update(text)
        label.set_class(bool(text), "-shown")
        if text and target != "form":
            self.query_one(f"#{target}").focus()

    def _clear_errors(self) -> None:
        for label in self.query(".field-error").results(Label):
            label.update("")
            label.remove_class("-shown")

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        result = event.validation_result
        if event.input.id and result is not None:
            label = self.query_one(f"#{event.input.id}-error", Label)
            label.update("" if result.is_valid else " ".join(result.failure_descriptions))
            label.set_class(not result.is_valid, "-shown")

    # --- gathering and submitting -------------------------------------------------------

    def _present(self) -> bool | None:
        pressed = self.query_one("#practitioner_present", RadioSet).pressed_button
        return None if pressed is None else pressed.id == "present-yes"

    def _request(self) -> NewEvaluationRequest:
        text = {f: self.query_one(f"#{f}", Input).value for f, _ in (*TEXT_FIELDS, *EXTRA_FIELDS)}
        evaluation_type = self.query_one("#evaluation_type", Select).value
        template = self.query_one("#template", Select).value
        details = CaseDetails(
            case_reference=text["case_reference"].strip(),
            service_area=text["service_area"].strip(),
            team=text["team"].strip(),
            practitioner=text["practitioner"].strip(),
            evaluation_type=str(evaluation_type),
            evaluation_date=self.query_one("#evaluation_date", Input).value.strip(),
            practice_day=text["practice_day"].strip(),
            theme=text["theme"].strip(),
            practitioner_present=self._present(),
        )
        template_id, version = template if isinstance(template, tuple) else ("", "")
        return NewEvaluationRequest(details, template_id, version)

    def action_start(self) -> None:
        self._clear_errors()
        request = self._request()
        if not request.template_id:
            self.show_error("template", "Choose a template.")
            return
        try:
            clean_details(vars(request.details), self._pattern)
        except ValidationError as err:
            self.show_error(err.field or "form", str(err))
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()
        else:
            self.action_cancel()
