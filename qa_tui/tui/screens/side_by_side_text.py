"""The cells of the two-pane screen: one item of an evaluation, and what the group made of it.

Pure functions from the core's views to Textual ``Content``: every piece of text that is not
ours (prompts, evidence, names, rationales) goes through :func:`qa_tui.tui.text.literal`, so it
is shown exactly as written, never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from qa_tui.tui.text import literal

if TYPE_CHECKING:
    from qa_tui.domain.session_views import AuditorItem, ModerationItem
    from qa_tui.framework.model import GradingScale

AGREEMENT_WORDS = {
    "agree": "agrees with the auditor",
    "higher": "moderated higher",
    "lower": "moderated lower",
    "different": "differs (not applicable on one side)",
}


def _line(text: str, style: str = "") -> Content:
    return literal(text).stylize(style) if style else literal(text)


def _join(parts: list[Content]) -> Content:
    return Content("\n").join(parts)


def auditor_cell(item: AuditorItem | None, heading: str = "") -> Content:
    """The auditor's record of one item: prompt, grade, evidence or entries."""
    if item is None:
        return Content("Not in this evaluation's template").stylize("italic $text-muted")
    parts = [_line(f"{heading}{item.prompt}", "bold")]
    if item.graded:
        hidden = not item.grade and "hidden" in item.grade_text
        style = "italic $warning" if hidden else "bold $accent"
        parts.append(_line(f"Grade: {item.grade_text}", style))
    parts.extend(_line(text) for text in item.lines)
    return _join(parts)


def _grade(scale: GradingScale, grade: str) -> str:
    return scale.label(grade) or grade or "—"


def _blind_lines(
    item: ModerationItem, scale: GradingScale, hidden: bool, acting: str
) -> list[Content]:
    if not item.blind:
        return []
    out = [Content("Blind grades").stylize("bold")]
    width = max(len(cell.name) for cell in item.blind) + 2
    for cell in item.blind:
        you = cell.moderator_id == acting
        if hidden and not you:
            shown = "given (hidden until revealed)" if cell.grade else "not yet"
        else:
            shown = _grade(scale, cell.grade) if cell.grade else "not yet"
        marker = "▸ " if you and hidden else "  "
        name = literal(f"{marker}{cell.name}".ljust(width + 2))
        style = "bold $accent" if you and hidden else ""
        out.append(Content.assemble(name, _line(shown, style)))
    return out


def moderation_cell(
    item: ModerationItem | None,
    scale: GradingScale,
    hidden: bool,
    acting: str,
    prompt: str = "",
) -> Content:
    """What the group made of one item: each blind grade, the agreed grade, the rationale
    (``prompt`` first when the panes are shown one at a time)."""
    head = [_line(prompt, "bold")] if prompt else []
    if item is None:
        return _join(
            [*head, Content("Not graded: nothing to moderate").stylize("italic $text-muted")]
        )
    parts = head + _blind_lines(item, scale, hidden, acting)
    if hidden:
        parts.append(Content("Agreed grade: after the reveal (v)").stylize("italic $text-muted"))
        return _join(parts)
    if item.agreed:
        words = AGREEMENT_WORDS.get(item.agreement, item.agreement)
        steps = (
            f", {abs(item.steps)} step{'s' if abs(item.steps) != 1 else ''}" if item.steps else ""
        )
        style = "bold $success" if item.agreement == "agree" else "bold $warning"
        parts.append(_line(f"Agreed: {_grade(scale, item.agreed)} — {words}{steps}", style))
        if item.rationale.strip():
            parts.append(_line(item.rationale))
    else:
        parts.append(
            Content("Agreed grade: not yet (a: agree, 1–4 or 0: the group's grade)").stylize(
                "italic $text-muted"
            )
        )
    return _join(parts)


def scale_legend(scale: GradingScale) -> str:
    """ "1 Outstanding · 2 Good · 3 Requires improvement to be good · 4 Inadequate · 0 N/A"."""
    ranked = sorted(scale.grades, key=lambda g: -g.rank)
    keys = [f"{i} {g.label}" for i, g in enumerate(ranked[:9], start=1)]
    if scale.allow_not_applicable:
        keys.append(f"0 {scale.not_applicable_label}")
    return " · ".join(keys)


def grade_for_key(scale: GradingScale, key: str) -> str | None:
    """The grade a digit key stands for (1 = the best grade; 0 = not applicable)."""
    from qa_tui.framework.model import NOT_APPLICABLE

    if key == "0":
        return NOT_APPLICABLE if scale.allow_not_applicable else None
    ranked = sorted(scale.grades, key=lambda g: -g.rank)
    index = int(key) - 1 if key.isdigit() else -1
    return ranked[index].id if 0 <= index < len(ranked) else None


def outcome_lines(strengths: str, gaps: str, learning: str) -> list[Content]:
    """The outcome recorded with the overall judgement (o changes it)."""
    out = []
    for label, text in (
        ("What was evidenced well", strengths),
        ("What was not evidenced well", gaps),
        ("Learning points", learning),
    ):
        if text.strip():
            out += [Content(label).stylize("bold"), literal(text)]
    return out or [Content("Outcome: not yet recorded (o)").stylize("italic $text-muted")]
