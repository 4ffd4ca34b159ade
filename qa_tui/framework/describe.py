"""A template as plain text, for ``qa-tui template show ID`` and for reading in a pager."""

from __future__ import annotations

import re
import textwrap

from qa_tui.framework.model import LOCAL, Item, ItemKind, Section, Template, origin_of
from qa_tui.framework.provenance import local_texts


def describe_template(template: Template, width: int = 88) -> str:
    """Everything a template asks, in reading order, as plain text wrapped to ``width``, then
    where its words come from: the documents it quotes and the texts that are its own."""
    parts = [
        _header(template, width),
        _scale(template, width),
        _rules(template, width),
        *(_section(number, section, width) for number, section in enumerate(template.sections, 1)),
        _provenance(template, width),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _provenance(template: Template, width: int) -> str:
    """The documents quoted, the corrections made, and every local text (for the QA team)."""
    lines = ["Where the words come from"]
    if template.wording is None:
        lines.append(
            _wrap(
                "This template does not say which of its texts are quoted and which are its "
                "own (no `wording` key).",
                width,
                "  ",
            )
        )
        return "\n".join(lines)
    lines.append(f"  wording: {template.wording}")
    for document in template.documents:
        lines.append(_wrap(f"{document.id}: {document.title}", width, "      ", "  - "))
    for fix in template.corrections:
        text = f"corrected in {fix.document}: “{fix.found}” → “{fix.written}”"
        lines.append(_wrap(text, width, "      ", "  - "))
    local = local_texts(template)
    lines.append(
        f"Local texts: {len(local)} written for this template, not quoted "
        "(for the QA team to confirm or change)"
    )
    for part in local:
        where = f"{_place(template, part.key)}, {_FIELD_NAMES.get(part.field, part.field)}"
        lines.append(_wrap(f"{where}: {part.text}", width, "      ", "  - "))
    return "\n".join(lines)


_FIELD_NAMES = {
    "guidance": "help text",
    "scale_low": "what 0 means",
    "scale_high": "what 10 means",
    "not_applicable_label": "not applicable",
    "not_reached_reason": "the reason a stage is not reached",
}
_INDEX = re.compile(r"([a-z_]+)\[(\d+)\]")


def _place(template: Template, key: str) -> str:
    """A key path in the words of this view: ``sections[1].items[0]`` is "2.1 [id]"."""
    steps = [(name, int(index)) for name, index in _INDEX.findall(key)]
    if not key:
        return "template"
    if not steps:
        return "grading scale"
    name, index = steps[0]
    if name == "grades":
        return f"grade [{template.scale.grades[index].id}]"
    if name == "rules":
        return f"rule ({template.rules[index].kind})"
    section = template.sections[index]
    if len(steps) == 1:
        return f"section {index + 1} [{section.id}]"
    item = section.items[steps[1][1]]
    label = f"{index + 1}.{steps[1][1] + 1} [{item.id}]"
    if len(steps) == 2:
        return label
    kind, number = steps[2]
    if kind == "prompts":
        return f"{label} prompt [{item.prompts[number].id}]"
    return f"{label} source [{item.sources[number].id}]"


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
    if scale.not_reached_reason:
        text = f"a stage not reached: {scale.not_applicable_label}, “{scale.not_reached_reason}”"
        lines.append(_wrap(text, width, "      ", "   –  "))
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
    if item.stage:
        notes.append("a stage: not applicable in one key when not reached")
    if not item.required:
        notes.append("optional")
    origin = origin_of(item.origins, "prompt")
    if origin:
        notes.append("ours" if origin == LOCAL else f"from {origin}")
    lines.append(f"{indent}[{item.id}] {', '.join(notes)}")
    if item.guidance:
        lines.append(_wrap(item.guidance, width, indent + "  ", indent + "» "))
    if item.kind == ItemKind.SCALING:
        lines.append(_wrap(item.scale_low, width, indent + "     ", indent + "0:   "))
        lines.append(_wrap(item.scale_high, width, indent + "     ", indent + "10:  "))
    for source in item.sources:
        lines.append(_wrap(f"{source.label} [{source.id}]", width, indent + "  ", indent + "- "))
    if item.prompts:
        lines.append(f"{indent}Prompts: examples to look for, each seen / not seen / n/a")
    for prompt in item.prompts:
        required = "" if not prompt.required else ", required"
        origin = origin_of(prompt.origins, "prompt")
        where = "" if not origin else (", ours" if origin == LOCAL else f", from {origin}")
        text = f"{prompt.prompt} [{prompt.id}{required}{where}]"
        lines.append(_wrap(text, width, indent + "  ", indent + "- "))
    return "\n".join(lines)
