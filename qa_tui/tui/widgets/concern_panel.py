"""Immediate concerns: a flag, a description, and the written notice that must follow."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import RadioSet, Static, TextArea

from qa_tui.tui.text import literal
from qa_tui.tui.widgets.autosave import Target
from qa_tui.tui.widgets.base import (
    EditorContext,
    FieldError,
    ItemWidget,
    label,
    pressed_name,
    text_area,
    yes_no_radios,
)
from qa_tui.vocab import CONCERN_RECIPIENTS

if TYPE_CHECKING:
    from qa_tui.services.editor import EvaluationEditor
    from qa_tui.store.views import EvaluationView

NOTICE = (
    "An evaluation with immediate concerns must be shared in writing with the practitioner, "
    "team manager, service manager and Director of Social Care. "
    "Press Ctrl+O to prepare the written notice and record with whom it was shared."
)


def shares_text(view: EvaluationView) -> list[str]:
    """Each required recipient and when the notice was shared with them, then the stage."""
    from qa_tui.domain.followup import concern_state, stage_words

    state = concern_state(view.evaluation, view.shares, view.concern_events)
    lines = []
    for role, label_ in CONCERN_RECIPIENTS.items():
        found = state.shared.get(role)
        lines.append(f"{label_}: {'shared ' + str(found[0].shared_on) if found else 'not yet'}")
    shared = len(CONCERN_RECIPIENTS) - len(state.unshared_roles)
    lines.append(f"Where it stands: {stage_words(state.stage, shared)}")
    return lines


def read_shares(editor: EvaluationEditor) -> list[str]:
    """The shares as they are now (runs in a worker once pending writes have landed)."""
    from qa_tui.store.views import load_view

    with editor.workspace.store.reader() as session:
        return shares_text(load_view(session, editor.evaluation_id))


class ConcernPanel(ItemWidget):
    """Step 7 of the journey."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "notice", "Written notice", id="concern.notice"),
    ]

    def __init__(self, ctx: EditorContext, view: EvaluationView) -> None:
        super().__init__(ctx, id="t-concerns")
        ev = view.evaluation
        self._flag: bool | None = ev.immediate_concern
        self._description = ev.concern_description
        self._shared = shares_text(view)

    def compose(self) -> ComposeResult:
        yield label("Are there immediate concerns about the child’s safety or welfare?", "prompt")
        yield yes_no_radios(self._flag, id="f-immediate_concern")
        yield FieldError("immediate_concern")
        yield label("Describe the concern", "field-label")
        yield text_area(self._description, id="f-concern_description", classes="answer")
        yield FieldError("concern_description")
        notice = label(NOTICE, "notice")
        notice.display = bool(self._flag)
        yield notice
        shares = label("\n".join(self._shared), "shares")
        shares.display = bool(self._flag)
        yield shares

    def _save(self, *, at_once: bool) -> None:
        description = self.query_one("#f-concern_description", TextArea).text
        target = Target("concern", self, "concern_description")
        if at_once:
            self.ctx.saver.now(target, self.ctx.editor.set_concern, self._flag, description)
        else:
            self.ctx.saver.later(target, self.ctx.editor.set_concern, self._flag, description)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        flag = pressed_name(event.radio_set) == "yes"
        for widget in self.query(".notice, .shares"):
            widget.display = flag
        if flag != self._flag:
            self._flag = flag
            self._save(at_once=True)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._save(at_once=False)

    def action_notice(self) -> None:
        """Open the written notice (the dialog lives in ``dialogs/concern_notice.py``)."""
        from qa_tui.tui.dialogs.concern_notice import ConcernNoticeDialog

        self.ctx.saver.flush_all()
        editor = self.ctx.editor
        ws = editor.workspace

        def closed(recorded: bool | None) -> None:
            # At once, not when the user next comes back to the section.
            self.ctx.saver.read(partial(read_shares, editor), self._show_shares)

        dialog = ConcernNoticeDialog(ws, editor.evaluation_id, ws.clock().date())
        self.app.push_screen(dialog, closed)

    def _show_shares(self, lines: list[str]) -> None:
        self._shared = lines
        shares = self.query_one(".shares", Static)
        shares.update(literal("\n".join(lines)))
