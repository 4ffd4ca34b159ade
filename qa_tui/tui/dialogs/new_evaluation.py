"""Step 1 of the journey: the case details of a new evaluation, and its template.

The choices that decide everything come first (the type of evaluation, which suggests its
usual template, then the template), one field a line so the whole form fits 80×24; what is
below the fold says so. The date is today's unless changed, and the practitioner, when
present, joins the participants with the role given here.
"""

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
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, RadioSet, Select, Static

from qa_tui.domain.evaluation import CaseDetails, clean_details
from qa_tui.errors import ValidationError
from qa_tui.framework.model import Template
from qa_tui.tui.text import SafeInput, ShownLabel, line, rich_text
from qa_tui.tui.widgets.choice import Choice
from qa_tui.vocab import EVALUATION_TYPES, MAX_SHORT_TEXT, USUAL_TEMPLATE

TEXT_FIELDS = (
    ("case_reference", "Case reference", "the ID from the case-management system, never a name"),
    ("evaluation_date", "Date", "YYYY-MM-DD or DD/MM/YYYY"),
    ("service_area", "Service area", ""),
    ("team", "Team", ""),
    ("practitioner", "Practitioner", "their name"),
    ("practitioner_role", "Their role", "e.g. Social worker"),
)
EXTRA_FIELDS = (
    ("practice_day", "Practice day", "optional"),
    ("theme", "Theme", "for a thematic evaluation"),
)
DETAIL_FIELDS = ("case_reference", "service_area", "team", "practitioner", "practice_day", "theme")
ERROR_FIELDS = (
    *(f for f, _, _ in TEXT_FIELDS),
    "evaluation_type",
    "template",
    "practitioner_present",
    *(f for f, _, _ in EXTRA_FIELDS),
)


@dataclass(frozen=True)
class NewEvaluationRequest:
    """What the dialog gathered: the case details, the chosen template and the role of the
    practitioner (who joins the participants when present)."""

    details: CaseDetails
    template_id: str
    template_version: str
    practitioner_role: str = ""


def case_reference_hint(pattern: str) -> str:
    return (
        "This does not look like a case reference: use the ID from the case-management "
        f"system (this authority's pattern is {pattern})."
    )


def usual_template(templates: list[Template], evaluation_type: str) -> Template | None:
    """The template an evaluation of this type usually uses, among those offered."""
    wanted = USUAL_TEMPLATE.get(evaluation_type)
    found = next((t for t in templates if t.id == wanted), None)
    if found is None:  # a custom set of templates: the first that lists the type first
        found = next((t for t in templates if t.evaluation_types[:1] == (evaluation_type,)), None)
    return found


class NewEvaluationDialog(ModalScreen[NewEvaluationRequest | None]):
    """The case details form; validates with the core's own rules before dismissing."""

    CSS_PATH = "dialogs.tcss"
    # Focused in on_mount instead: Textual's auto-focus scrolls to the field before the first
    # layout, which left the form scrolled past its first field.
    AUTO_FOCUS = ""
    HELP = (
        "The type of evaluation comes first and suggests its usual template (change it if "
        "you need another). Tab moves between fields, Enter too; ctrl+s starts the "
        "evaluation. The practitioner, when present, joins the participants with the role "
        "given here."
    )
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
        if field == "practitioner_role":
            return self._initial.practitioner_role
        value = getattr(self._initial.details, field)
        return value.isoformat() if isinstance(value, dt.date) else str(value or "")

    def _template_options(self) -> list[tuple[Text, tuple[str, str]]]:
        return [
            (rich_text(f"{t.name} (version {t.version})"), (t.id, t.version))
            for t in self._templates
        ]

    # --- the form -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="panel wide"):
            yield Static("New evaluation: case details", classes="title")
            with VerticalScroll(classes="form", id="new-form"):
                yield from self._compose_choices()
                for field, label, placeholder in TEXT_FIELDS:
                    yield from self._row(label, self._text_input(field, placeholder), field)
                    if field == "team":
                        yield self._hint("team-hint")
                yield from self._compose_present()
                for field, label, placeholder in EXTRA_FIELDS:
                    yield from self._row(label, self._text_input(field, placeholder), field)
            yield Static("▼ more below: scroll, or Tab on", id="more-below", classes="hint")
            yield ShownLabel("", id="form-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Start evaluation", id="start", variant="primary", compact=True)
        yield Footer()

    def _row(self, label: str, widget: Widget, field: str) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield ShownLabel(label, classes="row-label")
            yield widget
        yield ShownLabel("", id=f"{field}-error", classes="field-error")

    def _text_input(self, field: str, placeholder: str) -> SafeInput:
        validators = []
        if field == "case_reference":
            validators = [
                Function(
                    lambda value: re.fullmatch(self._pattern, value.strip()) is not None,
                    case_reference_hint(self._pattern),
                )
            ]
        default = self._today.isoformat() if field == "evaluation_date" else ""
        return SafeInput(
            self._initial_value(field, default),
            placeholder=placeholder,
            id=field,
            max_length=MAX_SHORT_TEXT,
            validators=validators,
            validate_on=["blur", "submitted"],
        )

    def _compose_choices(self) -> ComposeResult:
        kind = self._initial_value("evaluation_type", "collaborative")
        yield from self._row(
            "Type",
            Select(
                [(label, key) for key, label in EVALUATION_TYPES.items()],
                value=kind,
                allow_blank=False,
                compact=True,
                id="evaluation_type",
            ),
            "evaluation_type",
        )
        chosen = (
            (self._initial.template_id, self._initial.template_version) if self._initial else None
        )
        if chosen is None:
            usual = usual_template(self._templates, kind)
            chosen = (usual.id, usual.version) if usual else None
        options = self._template_options()
        yield from self._row(
            "Template",
            Select(
                options,
                value=chosen or (options[0][1] if options else Select.NULL),
                allow_blank=not options,
                compact=True,
                id="template",
            ),
            "template",
        )
        yield self._hint("template-hint")

    @staticmethod
    def _hint(id: str) -> ShownLabel:
        hint = ShownLabel("", id=id, classes="hint")
        hint.display = False  # until there is something to say
        return hint

    def _say(self, id: str, text: str) -> None:
        hint = self.query_one(f"#{id}", Label)
        hint.update(text)
        hint.display = bool(text)

    def _compose_present(self) -> ComposeResult:
        present = self._initial.details.practitioner_present if self._initial else None
        with Horizontal(classes="field-row"):
            yield Label("Present?", classes="row-label")
            with RadioSet(id="practitioner_present"):
                yield Choice("Yes", value=present is True, id="present-yes")
                yield Choice("No", value=present is False, id="present-no")
        yield ShownLabel("", id="practitioner_present-error", classes="field-error")
        yield self._hint("present-hint")

    def on_mount(self) -> None:
        self.query_one("#evaluation_type", Select).focus(scroll_visible=False)
        if not self._templates:
            self.show_error("template", "No templates are installed: see `qa-tui template list`.")
        if self._pending_error is not None:
            self.show_error(self._pending_error.field or "form", str(self._pending_error))
        if self._read_teams is not None:
            self._load_teams()
        form = self.query_one("#new-form", VerticalScroll)
        self.watch(form, "scroll_y", self._update_more, init=False)
        self.call_after_refresh(self._update_more)
        self._update_present_hint()

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_more)

    def _update_more(self, *_: object) -> None:
        """Say so when part of the form is below the fold."""
        form = self.query_one("#new-form", VerticalScroll)
        self.query_one("#more-below").display = form.scroll_y < form.max_scroll_y

    # --- the type suggests its template; the practitioner joins the participants --------

    @on(Select.Changed, "#evaluation_type")
    def _type_changed(self, event: Select.Changed) -> None:
        usual = usual_template(self._templates, str(event.value))
        if usual is None:
            return
        template = self.query_one("#template", Select)
        if template.value != (usual.id, usual.version):
            template.value = (usual.id, usual.version)
            kind = EVALUATION_TYPES.get(str(event.value), str(event.value)).lower()
            self._say("template-hint", f"The usual template for a {kind}: {line(usual.name, 60)}.")

    @on(Input.Changed, "#practitioner")
    @on(Input.Changed, "#practitioner_role")
    @on(RadioSet.Changed, "#practitioner_present")
    def _update_present_hint(self) -> None:
        name = self.query_one("#practitioner", Input).value.strip()
        role = self.query_one("#practitioner_role", Input).value.strip() or "Practitioner"
        present = self._present()
        if present and name:
            text = f"{line(name, 40)} joins the participants, as {line(role, 40)}."
        elif present:
            text = "The practitioner joins the participants once named."
        elif present is False:
            text = "Not present: the practitioner is not added to the participants."
        else:
            text = "Was the practitioner present? If so they join the participants."
        self._say("present-hint", text)

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
        self._say("team-hint", f"{len(teams)} known teams: start typing, → accepts the suggestion")

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
        for label in self.query(".field-error.-shown").results(Label):
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
        text = {f: self.query_one(f"#{f}", Input).value.strip() for f in DETAIL_FIELDS}
        evaluation_type = self.query_one("#evaluation_type", Select).value
        template = self.query_one("#template", Select).value
        details = CaseDetails(
            evaluation_type=str(evaluation_type),
            evaluation_date=self.query_one("#evaluation_date", Input).value.strip(),
            practitioner_present=self._present(),
            **text,
        )
        template_id, version = template if isinstance(template, tuple) else ("", "")
        role = self.query_one("#practitioner_role", Input).value.strip()
        return NewEvaluationRequest(details, template_id, version, role)

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
