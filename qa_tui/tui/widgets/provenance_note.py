"""What F1 says about the focused item: its words, and where each comes from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa_tui.framework.provenance import origin_lines
from qa_tui.tui.text import line

if TYPE_CHECKING:
    from textual.widget import Widget

    from qa_tui.framework.model import Item, Prompt, Template


def _focused_item(widget: Widget) -> tuple[Item | None, Prompt | None]:
    """The template item the focused widget belongs to, and the prompt under its cursor."""
    from qa_tui.tui.widgets.prompts_item import PromptList

    prompt = widget.current if isinstance(widget, PromptList) else None
    for node in (widget, *widget.ancestors):
        item = getattr(node, "item", None)
        if item is not None and hasattr(item, "kind"):
            return item, prompt
    return None, prompt


def about_focused(template: Template, section_key: str, widget: Widget) -> str:
    """Plain text: the section, the item and (in a list of prompts) the current prompt, each
    with where its words come from; the template's own claim last."""
    lines: list[str] = []
    section = next((s for s in template.sections if s.id == section_key), None)
    if section is not None:
        lines += [f"Section “{line(section.title, 60)}”"]
        lines += [f"  {text}" for text in origin_lines(template, section.origins)]
    item, prompt = _focused_item(widget)
    if item is not None:
        lines += ["", f"Item “{line(item.prompt, 60)}”"]
        lines += [f"  {text}" for text in origin_lines(template, item.origins)]
        for source in item.sources:
            where = origin_lines(template, source.origins)
            lines += [f"  Source “{line(source.label, 40)}”: {w.split(': ', 1)[1]}" for w in where]
    if prompt is not None:
        lines += ["", f"Example “{line(prompt.prompt, 60)}”"]
        lines += [f"  {text}" for text in origin_lines(template, prompt.origins)]
    claim = {
        None: "The template does not say which of its texts are quoted.",
        "quoted": "The template says every text is quoted.",
        "quoted_and_local": "The template says which texts are quoted and which are its own.",
        "local": "The template's texts are its authors' own.",
    }[template.wording]
    version = f"{template.name}, version {template.version}"
    lines += ["", f"{version}. {claim} `qa-tui template show {template.id}` lists them all."]
    if template.documents:
        lines += [f"  {d.id}: {d.title}" for d in template.documents]
    return "\n".join(lines).strip()
