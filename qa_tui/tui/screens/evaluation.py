"""The evaluation editor: the map of sections on the left, the current section on the right.

Every change is saved as it is typed: widgets hand typed calls of
:class:`~qa_tui.services.editor.EvaluationEditor` to the screen's autosaver
(:mod:`qa_tui.tui.widgets.autosave`), which the app's writer thread runs in order. Reads run in
worker threads after the writes made before them. Nothing here touches the database or a file
on the UI thread. A completed evaluation is shown read-only.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.events import DescendantBlur, DescendantFocus, Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, HelpPanel, OptionList

from qa_tui.domain.completion import DETAILS
from qa_tui.services.editor import EvaluationEditor
from qa_tui.tui.input_order import InputHold, hold_input
from qa_tui.tui.messages import EvaluationsChanged, OpenEvaluation
from qa_tui.tui.screens.editor_snapshot import Snapshot, read_snapshot
from qa_tui.tui.text import Shown
from qa_tui.tui.widgets.autosave import Autosaver, SaveIndicator
from qa_tui.tui.widgets.base import EditorContext
from qa_tui.tui.widgets.form_focus import field_for, find_place, first_missing_target, reveal
from qa_tui.tui.widgets.prompts_item import PromptRow, PromptsItem
from qa_tui.tui.widgets.rule_notice import explain_new_missing
from qa_tui.tui.widgets.section_bar import SectionBar
from qa_tui.tui.widgets.section_form import build_section, journey
from qa_tui.tui.widgets.section_map import SectionMap

if TYPE_CHECKING:
    from qa_tui.services.writer import Writer
    from qa_tui.tui.messages import ReviewResult
    from qa_tui.workspace import Workspace

PLACE_PREFIXES = ("f-", "t-", "e-", "a-", "p-", "s-", "b-", "j-")
NARROW = 100  # below this many columns the section map folds away (ctrl+g shows it)


class EvaluationScreen(Screen[None]):
    """Edit one evaluation, section by section, saving as the user types."""

    CSS_PATH = "evaluation.tcss"
    HELP_TITLE = "Evaluation"
    HELP = (
        "The map of sections (on the left; ctrl+g shows it in a narrow terminal) lists every "
        "section with what is left to do; Enter on one opens it, ctrl+n / ctrl+b go to the "
        "next or previous section, and focus goes to the first thing missing there. The line "
        "above the form says where you are and how much is left in all. Tab moves between "
        "fields. Grades: arrows choose, Enter or Space picks; “not applicable” asks its "
        "reason where the evidence would be. Lists: type and press Enter to add; alt+up / "
        "alt+down move an entry, ctrl+delete removes it (or the row you are in). Examples "
        "to look for under a judgement (one list): arrows move, s seen, n not seen, "
        "a not applicable, e evidence; x marks a stage the case has not reached. Everything "
        "is saved as you type. ctrl+r reviews what is missing and completes."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n,ctrl+pagedown", "next_section", "Next section", id="evaluation.next"),
        Binding(
            "ctrl+b,ctrl+pageup",
            "previous_section",
            "Previous section",
            id="evaluation.previous",
            show=False,
        ),
        Binding("ctrl+r", "review", "Review", id="evaluation.review"),
        Binding("ctrl+g", "sections", "Sections", id="evaluation.sections"),
        Binding("ctrl+s", "save_now", "Save now", id="evaluation.save", show=False),
        Binding("f1", "help", "Help", id="evaluation.help"),
        Binding("escape", "back", "Back", id="evaluation.back"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        writer: Writer,
        evaluation_id: str,
        focus_target: str | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.writer = writer
        self.evaluation_id = evaluation_id
        self.focus_target = focus_target
        self.snapshot: Snapshot | None = None
        self.ctx: EditorContext | None = None
        self.section_key = ""
        self._wanted = ""
        self._focus_id = ""
        self._request = 0
        self.saver: Autosaver | None = None
        # Keys typed while a section is read and mounted wait for its first field.
        self._keys_hold: InputHold | None = None

    # --- layout and loading ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="eval-top"):
            yield Shown("Loading the evaluation…", id="eval-title")
            yield SaveIndicator(id="save-indicator")
        yield SectionBar("", id="section-bar")
        with Horizontal(id="eval-body"):
            yield VerticalScroll(id="eval-form")
        yield Footer()

    def on_mount(self) -> None:
        self.saver = Autosaver(
            self, self.writer, self.query_one(SaveIndicator), clock=self.workspace.clock
        )
        self.saver.start()
        self._hold_keys()
        self._read(self._loaded, with_position=True)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    def _hold_keys(self) -> None:
        """Keys wait until the section being opened has its focus (see input_order)."""
        self._release_keys()
        self._keys_hold = hold_input(self, "opening a section")

    def _release_keys(self) -> None:
        if self._keys_hold is not None:
            self._keys_hold.release()
            self._keys_hold = None

    def _read(self, then: Any, with_position: bool = False) -> None:
        """Read the evaluation once every edit made so far is written, then ``then``."""
        assert self.saver is not None
        self.saver.read(
            partial(read_snapshot, self.workspace, self.evaluation_id, with_position), then
        )

    def _loaded(self, snapshot: Snapshot) -> None:
        assert self.saver is not None
        self.snapshot = snapshot
        view, template = snapshot.view, snapshot.template
        self.saver.read_only = view.read_only
        editor = EvaluationEditor(self.workspace, template, self.evaluation_id)
        self.ctx = EditorContext(editor, self.saver, read_only=view.read_only)
        self._show_title()
        if not self.query(SectionMap):  # on a reload (after completing) the map stays
            section_map = SectionMap(journey(template), id="section-map")
            self.query_one("#eval-body").mount(section_map, before=0)
        self.section_map.set_counts(snapshot.counts())
        key, focus = self._start_place(snapshot.position)
        self._request += 1
        self.call_later(self._mount_section, self._request, key, snapshot, focus)

    def _show_title(self) -> None:
        assert self.snapshot is not None
        self.query_one("#eval-title", Shown).update(self.snapshot.title())
        self.set_class(self.snapshot.view.read_only, "-read-only")

    def _start_place(self, remembered: tuple[str, str]) -> tuple[str, str]:
        """Where to start: the requested target, else where the user was, else the start."""
        keys = {s.key for s in self.section_map.sections}
        if self.focus_target:
            section, _, target = self.focus_target.partition("/")
            self.focus_target = None
            if section in keys:
                return section, target
        section, focus = remembered
        return (section, focus) if section in keys else (DETAILS, "")

    @property
    def section_map(self) -> SectionMap:
        return self.query_one(SectionMap)

    # --- moving between sections ----------------------------------------------------------

    def show_section(self, key: str, focus: str = "") -> None:
        """Open section ``key`` (after pending saves land), focusing ``focus`` if given."""
        if self.saver is None or self.ctx is None:
            return
        self._request += 1
        self._wanted = key  # where the next ctrl+n / ctrl+b counts from, even before it opens
        request = self._request
        self._hold_keys()

        def after(snapshot: Snapshot) -> None:
            self.call_later(self._mount_section, request, key, snapshot, focus)

        self._read(after)

    async def _mount_section(self, request: int, key: str, snapshot: Snapshot, focus: str) -> None:
        if request != self._request or self.ctx is None:
            return  # a newer request is on its way (and holds the keys)
        self.snapshot = snapshot
        section_map = self.section_map
        index = section_map.index_of(key)
        entry = section_map.sections[index]
        form = self.query_one("#eval-form", VerticalScroll)
        with self.app.batch_update():
            await form.remove_children()
            await form.mount_all(build_section(self.ctx, entry.key, entry.title, snapshot.view))
        # At once, not deferred: a deferred scroll is queued by the form's own message pump,
        # which may be served after the screen has queued the reveal below, and undo it.
        form.scroll_home(animate=False, immediate=True)
        self.section_key = entry.key
        self._wanted = ""
        section_map.highlighted = index
        self._show_counts(snapshot)
        self._focus_place(focus or first_missing_target(snapshot.todo, entry.key))
        self._remember()
        self._release_keys()

    def _focus_place(self, target: str) -> None:
        form = self.query_one("#eval-form", VerticalScroll)
        row = find_place(form, target)
        if isinstance(row, PromptRow):  # an example of a judgement: its list, the cursor on it
            row.reveal()
            return
        field = field_for(form, target)
        if field is not None:
            # Not Textual's scroll-to-centre on focus: it can run before the new section is
            # laid out; once laid out, the item's question is scrolled into view with it.
            field.focus(scroll_visible=False)
            self.call_after_refresh(reveal, form, field)

    def _show_counts(self, snapshot: Snapshot) -> None:
        counts = snapshot.counts()
        section_map = self.section_map
        section_map.set_counts(counts)
        index = section_map.index_of(self.section_key)
        entry = section_map.sections[index]
        bar = self.query_one(SectionBar)
        bar.show(index, len(section_map.sections), entry.title, counts.get(entry.key, 0), counts)

    def _step(self, offset: int) -> None:
        sections = self.section_map.sections if self.ctx else []
        if not sections:
            return
        index = self.section_map.index_of(self._wanted or self.section_key) + offset
        if 0 <= index < len(sections):
            self.show_section(sections[index].key)

    def action_next_section(self) -> None:
        self._step(1)

    def action_previous_section(self) -> None:
        self._step(-1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if isinstance(event.option_list, SectionMap):
            event.stop()
            self.remove_class("-map-open")
            self.show_section(event.option_list.sections[event.option_index].key)

    def action_sections(self) -> None:
        """The map of sections: folded away below NARROW columns, so shown in the form's
        place until a section is chosen (or ctrl+g / escape again)."""
        if not self.query(SectionMap):
            return
        if self.has_class("-narrow") and self.has_class("-map-open"):
            self.remove_class("-map-open")
            self._focus_place(self._focus_id)
            return
        self.add_class("-map-open")
        self.section_map.focus()

    # --- saving ---------------------------------------------------------------------------

    def on_autosaver_done(self, message: Autosaver.Done) -> None:
        if self.saver is None:
            return
        self.saver.finished(message)
        if self.saver.idle:  # everything written: how much is left to do, per section
            self._read(self._recount)

    def on_autosaver_read(self, message: Autosaver.Read) -> None:
        if self.saver is not None:
            self.saver.read_finished(message)

    def _recount(self, snapshot: Snapshot) -> None:
        if not self.query(SectionMap):
            return
        before, self.snapshot = self.snapshot, snapshot
        self._show_counts(snapshot)
        if before is not None:  # a rule acting at a distance says so where it happened
            form = self.query_one("#eval-form", VerticalScroll)
            explain_new_missing(form, self.app.focused, before.todo, snapshot, self.section_map)

    def on_prompts_item_reload(self, message: PromptsItem.Reload) -> None:
        message.stop()
        self.show_section(self.section_key, message.focus)

    def show_error(self, field: str, message: str) -> None:
        """Errors that belong to no field (loading): shown as a notification."""
        self.notify(message, title="Problem", severity="error")

    def clear_error(self, field: str) -> None:
        """Nothing to clear: loading errors are notifications."""

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        if self.saver is not None:
            self.saver.flush_all()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        for node in (event.widget, *event.widget.ancestors):
            if isinstance(node, Widget) and node.id and node.id.startswith(PLACE_PREFIXES):
                if node.id != self._focus_id:
                    self._focus_id = node.id
                    self._remember()  # so a killed process still returns to this field
                return

    def action_save_now(self) -> None:
        if self.saver is not None:
            self.saver.flush_all()

    def _remember(self) -> None:
        """Keep the place (a small file written by the writer thread, after the edits before
        it, so a killed process still returns here)."""
        if self.section_key:
            save = self.workspace.positions.save
            where = (self.evaluation_id, self.section_key, self._focus_id)
            self.writer.submit(partial(save, *where), None)

    def on_unmount(self) -> None:
        # No writing here: what is pending goes to the writer thread, which outlives this
        # screen and finishes before the process ends (see qa_tui.services.writer).
        self._release_keys()
        if self.saver is not None:
            self.saver.close()
        self._remember()

    # --- review, help, back ---------------------------------------------------------------

    def action_review(self) -> None:
        """Save everything, then open the review (what is missing, and complete)."""
        if self.saver is None or self.snapshot is None:
            return
        if self.snapshot.view.read_only:
            self.notify("This evaluation is completed and read-only.")
            return
        from qa_tui.tui.dialogs.review import ReviewDialog

        dialog = ReviewDialog(self.workspace, self.evaluation_id)
        # Opened once every edit is written, so the review sees them all.
        self.saver.read(lambda: None, lambda _: self.app.push_screen(dialog, self._reviewed))

    def _reviewed(self, result: ReviewResult | None) -> None:
        if result is None:
            return
        if result.completed:  # its summary, in the editor's place
            self.notify("Evaluation completed: it is now read-only.", title="Completed")
            self._post_changed()
            self.app.post_message(OpenEvaluation(self.evaluation_id, "completed"))
            self.app.pop_screen()
        elif result.jump_to is not None:
            self.show_section(result.jump_to.section, result.jump_to.target)

    def help_about(self) -> str:
        """For F1: the focused item's words and where they come from (quoted from which
        document and place, or written locally), for a QA officer checking a template."""
        if self.snapshot is None or self.app.focused is None:
            return ""
        from qa_tui.tui.widgets.provenance_note import about_focused

        return about_focused(self.snapshot.template, self.section_key, self.app.focused)

    def action_help(self) -> None:
        app_help = getattr(self.app, "action_help", None)
        if callable(app_help):
            app_help()  # the app's help dialog: this screen's keys and HELP
        elif self.query(HelpPanel):
            self.app.action_hide_help_panel()
        else:
            self.app.action_show_help_panel()

    def action_view_summary(self) -> None:
        """This evaluation's summary (the palette's "View summary"), once edits are written."""
        if self.saver is None:
            return
        summary = OpenEvaluation(self.evaluation_id, summary=True)
        self.saver.read(lambda: None, lambda _: self.app.post_message(summary))

    def action_back(self) -> None:
        if self.has_class("-map-open"):
            self.action_sections()
            return
        if self.saver is not None:
            self.saver.flush_all()
        self._post_changed()
        self.app.pop_screen()

    def _post_changed(self) -> None:
        self.app.post_message(EvaluationsChanged())

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        if action == "review" and self.snapshot is not None and self.snapshot.view.read_only:
            return None  # shown disabled: a completed evaluation cannot be completed again
        return True
