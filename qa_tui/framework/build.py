"""Parsed template data (already validated) to the immutable model of :mod:`.model`."""

from __future__ import annotations

from typing import Any

from qa_tui.framework.model import (
    LOCAL,
    Correction,
    Document,
    FeedbackSource,
    Grade,
    GradingScale,
    Item,
    ItemKind,
    Origins,
    Prompt,
    Rule,
    RuleKind,
    Section,
    Template,
    Wording,
)
from qa_tui.framework.provenance import TEXT_FIELDS

# The message of a rule that gives none; ``{grade}`` is the grade's label in lower case.
_DEFAULT_RULE_MESSAGES = {
    RuleKind.ACTION_BELOW_GRADE: "An action is required for any grade below {grade}.",
    RuleKind.ALL_PARTICIPANTS_SCALE: "All members provide a scale and rationale.",
    RuleKind.DEVELOPMENT_BELOW_GRADE: (
        "An overall judgement below {grade} needs at least one area for development."
    ),
    RuleKind.DEVELOPMENT_ALWAYS: "Record at least one area for development.",
}


def origins(data: dict[str, Any], kind: str, default: str = "") -> Origins:
    """(text field, origin) for each text of a table that its file gives, from its ``from``."""
    given = data.get("from")
    texts = [name for name in TEXT_FIELDS[kind] if isinstance(data.get(name), str)]
    if isinstance(given, str):
        return tuple((name, given.strip()) for name in texts)
    table = given if isinstance(given, dict) else {}
    return tuple((name, str(table.get(name, default)).strip()) for name in texts)


def build_template(
    data: dict[str, Any],
    *,
    path: str,
    text: str,
    content_hash: str,
    builtin: bool,
    previous: bool = False,
) -> Template:
    """The template of parsed data that passed every check of :mod:`.validate`."""
    wording = Wording(data["wording"]) if "wording" in data else None
    default = LOCAL if wording is Wording.LOCAL else ""
    scale = data["scale"]
    grading = GradingScale(
        grades=tuple(_build_grade(grade, default) for grade in scale["grades"]),
        allow_not_applicable=scale.get("allow_not_applicable", True),
        not_applicable_label=scale.get("not_applicable_label", "Not applicable").strip(),
        not_reached_reason=scale.get("not_reached_reason", "").strip(),
        origins=origins(scale, "scale", default),
    )
    return Template(
        id=data["id"],
        version=data["version"],
        name=data["name"].strip(),
        description=data.get("description", "").strip(),
        scale=grading,
        sections=tuple(_build_section(section, default) for section in data["sections"]),
        rules=tuple(_build_rule(rule, grading, default) for rule in data.get("rules", [])),
        source=data.get("source", "").strip(),
        evaluation_types=tuple(data.get("evaluation_types", ())),
        wording=wording,
        documents=tuple(Document(d["id"], d["title"].strip()) for d in data.get("documents", ())),
        corrections=tuple(
            Correction(c["document"], c["found"], c["written"]) for c in data.get("corrections", ())
        ),
        origins=origins(data, "template", default),
        content_hash=content_hash,
        path=path,
        builtin=builtin,
        previous=previous,
        source_text=text,
    )


def _build_grade(data: dict[str, Any], default: str) -> Grade:
    return Grade(
        id=data["id"],
        label=data["label"].strip(),
        rank=data["rank"],
        description=data.get("description", "").strip(),
        origins=origins(data, "grade", default),
    )


def _build_section(data: dict[str, Any], default: str) -> Section:
    return Section(
        id=data["id"],
        title=data["title"].strip(),
        items=tuple(_build_item(item, default) for item in data["items"]),
        guidance=data.get("guidance", "").strip(),
        origins=origins(data, "section", default),
    )


def _build_item(data: dict[str, Any], default: str) -> Item:
    skip = ("kind", "sources", "prompts", "from")
    fields = {name: value for name, value in data.items() if name not in skip}
    for name in ("prompt", "guidance", "scale_low", "scale_high"):
        if name in fields:
            fields[name] = fields[name].strip()
    sources = tuple(
        FeedbackSource(s["id"], s["label"].strip(), origins(s, "source", default))
        for s in data.get("sources", ())
    )
    prompts = tuple(
        Prompt(
            id=p["id"],
            prompt=p["prompt"].strip(),
            guidance=p.get("guidance", "").strip(),
            required=p.get("required", False),
            origins=origins(p, "prompt", default),
        )
        for p in data.get("prompts", ())
    )
    return Item(
        kind=ItemKind(data["kind"]),
        sources=sources,
        prompts=prompts,
        origins=origins(data, "item", default),
        **fields,
    )


def _build_rule(data: dict[str, Any], scale: GradingScale, default: str) -> Rule:
    kind = RuleKind(data["kind"])
    grade = data.get("grade", "")
    message = data.get("message", "").strip()
    if not message:
        message = _DEFAULT_RULE_MESSAGES[kind].format(grade=scale.label(grade).lower())
    return Rule(kind=kind, grade=grade, message=message, origins=origins(data, "rule", default))
