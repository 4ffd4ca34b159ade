"""The planning screens' forms (what each dialog asks) and how typed text becomes the
service's arguments: one manager a line, case references separated by anything, filters
as FIELD=VALUE."""

from __future__ import annotations

import re

from qa_tui.domain.dip_sample import STRATA_FIELDS
from qa_tui.domain.plans import FINDINGS, PLAN_KINDS, TERMS, MemberInput, PlannedCase
from qa_tui.errors import ValidationError
from qa_tui.tui.dialogs.plan_form import Field, Form

NEW_PLAN = Form(
    "Plan a practice day, a dip sample or a thematic evaluation",
    (
        Field("kind", "Kind", "choice", choices=tuple(PLAN_KINDS.items())),
        Field("title", "Title", hint="e.g. Practice day, Children in Need"),
        Field("starts_on", "Date (the first day)", hint="YYYY-MM-DD"),
        Field("ends_on", "Until (a practice fortnight; empty: one day)", hint="YYYY-MM-DD"),
        Field("service_area", "Service area"),
        Field("template_id", "Template of its evaluations (empty: the usual one)"),
        Field("hypothesis", "Hypothesis (a dip sample: what it tests)", "text"),
    ),
    "Plan",
)

EDIT_PLAN = Form(
    "The plan: title, dates and what it is about",
    (
        Field("title", "Title"),
        Field("starts_on", "Date (the first day)", hint="YYYY-MM-DD"),
        Field("ends_on", "Until (a practice fortnight; empty: one day)", hint="YYYY-MM-DD"),
        Field("service_area", "Service area"),
        Field("hypothesis", "Hypothesis (a dip sample: what it tests)", "text"),
        Field("notes", "Notes", "text"),
    ),
)

EDITABLE = frozenset(f.name for f in EDIT_PLAN.fields)

MEMBERS = Form(
    "The review group",
    (
        Field(
            "members",
            "One manager a line: Name | own team | whom they supervise (comma-separated)",
            "text",
        ),
    ),
)

CASES = Form(
    "Cases to evaluate",
    (Field("references", "Case references (one a line, or separated by spaces)", "text"),),
    "Add",
)

SAMPLE = Form(
    "Draw a dip sample",
    (
        Field(
            "frame",
            "From",
            "choice",
            choices=(("cases", "The imported case list"), ("evaluations", "Completed evaluations")),
        ),
        Field("size", "How many", hint="e.g. 20"),
        Field("strata", "Stratified by (empty: a simple sample)", hint="team, category…"),
        Field("where", "Only (FIELD=VALUE, comma-separated)", hint="service_area=Children in Need"),
        Field("seed", "Seed (the same seed draws the same sample)", hint="e.g. 4711"),
        Field("hypothesis", "Hypothesis it tests", "text"),
    ),
    "Draw",
)

TERMS_FORM = Form(
    "Terms of reference",
    tuple(Field(name, label, "text") for name, label in TERMS.items()),
)

FINDINGS_FORM = Form(
    "Findings",
    tuple(Field(name, label, "text") for name, label in FINDINGS.items()),
)

IMPORT = Form(
    "Import a case list (CSV from the case-management system)",
    (
        Field("path", "File", hint="/path/to/cases.csv"),
        Field("map", "Map columns (COLUMN=FIELD, comma-separated; empty: by header)"),
        Field(
            "skip",
            "Lines with problems",
            "choice",
            choices=(
                ("no", "Import nothing while there are any"),
                ("yes", "Leave them out and import the rest"),
            ),
        ),
    ),
    "Check and import",
)


def members_from_text(text: str) -> list[MemberInput]:
    """One manager a line: ``Name | own team | supervisee, supervisee``."""
    people = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        name, _s, rest = raw.partition("|")
        team, _s, supervised = rest.partition("|")
        workers = tuple(w.strip() for w in supervised.split(",") if w.strip())
        people.append(MemberInput(name.strip(), team=team.strip(), supervises=workers))
    if not people:
        raise ValidationError("Review group: one manager a line", field="members")
    return people


def members_to_text(rows: list[tuple[str, str, str]]) -> str:
    """The review group as the form shows it ((name, team, supervises one a line))."""
    return "\n".join(
        f"{name} | {team} | {', '.join(s for s in supervises.splitlines() if s)}".rstrip(" |")
        for name, team, supervises in rows
    )


def references_from_text(text: str) -> list[PlannedCase]:
    refs = [r for r in re.split(r"[\s,;]+", text) if r]
    if not refs:
        raise ValidationError("Cases: give at least one case reference", field="references")
    return [PlannedCase(r) for r in dict.fromkeys(refs)]


def where_from_text(text: str, frame: str) -> dict[str, str]:
    out = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in STRATA_FIELDS.get(frame, ()):
            known = ", ".join(STRATA_FIELDS.get(frame, ()))
            raise ValidationError(f"Only: write FIELD=VALUE, FIELD one of {known}", field="where")
        out[name] = value.strip()
    return out


def whole_number(text: str, label: str, field: str) -> int:
    if not text.strip().isdigit():
        raise ValidationError(f"{label}: a whole number", field=field)
    return int(text.strip())
