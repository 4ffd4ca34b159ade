"""A template as plain text, for ``qa-tui template show ID`` and for reading in a pager."""

from __future__ import annotations

import textwrap

from qa_tui.framework.model import Item, ItemKind, Section, Template


def describe_template(template: Template, width: int = 88) -> str:
    """Everything a template asks, in reading order, as plain text wrapped to ``width``."""
    parts = [
        _header(template, width),
        _scale(template, width),
        _rules(template, width),
        *(_section(number, section, width) for number, section in enumerate(template.sections, 1)),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _wrap(text: str, width: int, indent: str = "", first: str | None = None) -> str:
    """Wrap each paragraph of ``text``; ``first`` prefixes the first line instead of ``indent``."""
    lines: list[str] = []
    for number, paragraph in enumerate(text.split("\n\n")):
        lead = first if first is not None and number == 0 else indent
        lines += textwrap.wrap(
            " ".join(paragraph.split()),
            width=width,
            initial_indent=lead,
            subsequent_indent=indent,
        ) or [lead.rstrip()]
    return "\n".join(lines)


def _header(template: Template, width: int) -> str:
    origin = "built-in" if template.builtin else (template.path or "custom")
    lines = [
        template.name,
        "=" * min(len(template.name), width),
        f"id: {template.id}    version: {template.version}    ({origin})",
    ]
    if template.source:
        lines.append(_wrap(template.source, width, "    ", "source: "))
    if template.evaluation_types:
        lines.append("evaluation types: " + ", ".join(template.evaluation_types))
    if template.content_hash:
        lines.append(f"content hash: {template.content_hash}")
    if template.description:
        lines += ["", _wrap(template.description, width)]
    return "\n".join(lines)


def _scale(template: Template, width: int) -> str:
    scale = template.scale
    lines = ["Grading scale"]
    for grade in sorted(scale.grades, key=lambda grade: grade.rank, reverse=True):
        text = f"{grade.label} [{grade.id}]" + (
            f": {grade.description}" if grade.description else ""
        )
        lines.append(_wrap(text, width, "      ", f"  {grade.rank:>2}  "))
    if scale.allow_not_applicable:
        lines.append(f"   –  {scale.not_applicable_label}, with a reason")
    return "\n".join(lines)


def _rules(template: Template, width: int) -> str:
    if not template.rules:
        return ""
    lines = ["Rules"]
    for rule in template.rules:
        detail = f"{rule.kind}" + (f": {rule.grade}" if rule.grade else "")
        lines.append(_wrap(f"{rule.message} ({detail})", width, "    ", "  - "))
    return "\n".join(lines)


def _section(number: int, section: Section, width: int) -> str:
    lines = [f"{number}. {section.title} [{section.id}]"]
    if section.guidance:
        lines.append(_wrap(section.guidance, width, "   "))
    for index, item in enumerate(section.items, 1):
        lines.append(_item(f"{number}.{index}", item, width))
    return "\n".join(lines)


def _item(label: str, item: Item, width: int) -> str:
    indent = " " * (len(label) + 4)
    lines = [_wrap(item.prompt, width, indent, f"   {label} ")]
    notes = [str(item.kind)]
    if item.kind == ItemKind.GRADE and item.evidence_required:
        notes.append("evidence required")
    if item.kind == ItemKind.LIST and item.min_entries:
        notes.append(f"at least {item.min_entries} entr{'y' if item.min_entries == 1 else 'ies'}")
    if not item.required:
        notes.append("optional")
    lines.append(f"{indent}[{item.id}] {', '.join(notes)}")
    if item.guidance:
        lines.append(_wrap(item.guidance, width, indent + "  ", indent + "» "))
    if item.kind == ItemKind.SCALING:
        lines.append(_wrap(item.scale_low, width, indent + "     ", indent + "0:   "))
        lines.append(_wrap(item.scale_high, width, indent + "     ", indent + "10:  "))
    for source in item.sources:
        lines.append(_wrap(f"{source.label} [{source.id}]", width, indent + "  ", indent + "- "))
    return "\n".join(lines)
