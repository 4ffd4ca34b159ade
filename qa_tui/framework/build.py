"""Parsed template data (already validated) to the immutable model of :mod:`.model`."""

from __future__ import annotations

from typing import Any

from qa_tui.framework.model import (
    FeedbackSource,
    Grade,
    GradingScale,
    Item,
    ItemKind,
    Rule,
    RuleKind,
    Section,
    Template,
)

# The message of a rule that gives none; ``{grade}`` is the grade's label in lower case.
_DEFAULT_RULE_MESSAGES = {
    RuleKind.ACTION_BELOW_GRADE: "An action is required for any grade below {grade}.",
    RuleKind.ALL_PARTICIPANTS_SCALE: "All members provide a scale and rationale.",
    RuleKind.DEVELOPMENT_BELOW_GRADE: (
        "An overall judgement below {grade} needs at least one area for development."
    ),
}


def build_template(
    data: dict[str, Any], *, path: str, text: str, content_hash: str, builtin: bool
) -> Template:
    """The template of parsed data that passed every check of :mod:`.validate`."""
    scale = data["scale"]
    grading = GradingScale(
        grades=tuple(Grade(**grade) for grade in scale["grades"]),
        allow_not_applicable=scale.get("allow_not_applicable", True),
        not_applicable_label=scale.get("not_applicable_label", "Not applicable"),
    )
    return Template(
        id=data["id"],
        version=data["version"],
        name=data["name"].strip(),
        description=data.get("description", "").strip(),
        scale=grading,
        sections=tuple(_build_section(section) for section in data["sections"]),
        rules=tuple(_build_rule(rule, grading) for rule in data.get("rules", [])),
        source=data.get("source", "").strip(),
        evaluation_types=tuple(data.get("evaluation_types", ())),
        content_hash=content_hash,
        path=path,
        builtin=builtin,
        source_text=text,
    )


def _build_section(data: dict[str, Any]) -> Section:
    return Section(
        id=data["id"],
        title=data["title"].strip(),
        items=tuple(_build_item(item) for item in data["items"]),
        guidance=data.get("guidance", "").strip(),
    )


def _build_item(data: dict[str, Any]) -> Item:
    fields = {name: value for name, value in data.items() if name not in ("kind", "sources")}
    for name in ("prompt", "guidance", "scale_low", "scale_high"):
        if name in fields:
            fields[name] = fields[name].strip()
    sources = tuple(FeedbackSource(**source) for source in data.get("sources", ()))
    return Item(kind=ItemKind(data["kind"]), sources=sources, **fields)


def _build_rule(data: dict[str, Any], scale: GradingScale) -> Rule:
    kind = RuleKind(data["kind"])
    grade = data.get("grade", "")
    message = data.get("message", "").strip()
    if not message:
        message = _DEFAULT_RULE_MESSAGES[kind].format(grade=scale.label(grade).lower())
    return Rule(kind=kind, grade=grade, message=message)
