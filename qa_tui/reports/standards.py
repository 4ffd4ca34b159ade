"""What the numbers in the database mean: the standards (graded items) and the grades.

Evaluations store a template id and item ids; people read the item's words. The words and
the grading scale come from the templates qa-tui ships and the texts the database keeps
(``template_snapshots``: those a laptop's evaluations used, those the QA team published) — a
handful of small texts, never the evaluations — so a report says "The social worker's
understanding of the child's context…", not an id, on a laptop and on a central database
alike.

"Good or better" is the share the board asks about: a grade at or above the scale's "good"
(the grade named ``good``; on a scale without one, the upper half of the ranks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.errors import TemplateError
from qa_tui.framework.model import NOT_APPLICABLE, GradingScale, ItemKind, Template
from qa_tui.store import models


@dataclass(frozen=True)
class Standard:
    """One graded item of one template, as people read it."""

    template_id: str
    item_id: str
    label: str  # the item's prompt
    section: str
    template_name: str


@dataclass(frozen=True)
class GradeInfo:
    grade_id: str
    label: str
    rank: int
    good_or_better: bool


@dataclass
class Vocabulary:
    """Standards and grades of every template the database's evaluations used."""

    standards: dict[tuple[str, str], Standard] = field(default_factory=dict)
    scaling: dict[tuple[str, str], Standard] = field(default_factory=dict)  # scaling items
    items: dict[tuple[str, str], Standard] = field(default_factory=dict)  # every item
    # The examples looked for under a judgement (marked seen / not seen, never graded): their
    # marks are stored as responses too, and must never be counted as a standard's grades.
    # By (template id, version, prompt id): an id can be an example in one version of a
    # template and a graded item in another (the audit's 1.0 items became 2.0's examples).
    prompt_keys: set[tuple[str, str, str]] = field(default_factory=set)
    prompts: dict[tuple[str, str], Standard] = field(default_factory=dict)  # their words
    grades: dict[tuple[str, str], GradeInfo] = field(default_factory=dict)
    template_names: dict[str, str] = field(default_factory=dict)

    def standard(self, template_id: str, item_id: str) -> Standard:
        found = self.items.get((template_id, item_id))
        if found is None:  # a template whose text is not here: say what we know
            name = self.template_names.get(template_id, template_id)
            return Standard(template_id, item_id, item_id.replace("_", " "), "", name)
        return found

    def is_prompt(self, template_id: str, version: str, item_id: str) -> bool:
        """Whether ``item_id`` is an example under a judgement in that version of the
        template (its mark is not a grade)."""
        return (template_id, version, item_id) in self.prompt_keys

    def grade(self, template_id: str, grade_id: str) -> GradeInfo | None:
        return self.grades.get((template_id, grade_id))

    def grade_order(self) -> list[tuple[str, str]]:
        """(grade id, label) of every grade, best first, "not applicable" last."""
        best: dict[str, GradeInfo] = {}
        for info in self.grades.values():
            if info.grade_id not in best or info.rank > best[info.grade_id].rank:
                best[info.grade_id] = info
        ordered = sorted(best.values(), key=lambda g: (-g.rank, g.grade_id))
        return [(g.grade_id, g.label) for g in ordered if g.grade_id != NOT_APPLICABLE] + [
            (NOT_APPLICABLE, "Not applicable")
        ]

    def good_or_better_pairs(self) -> list[tuple[str, str]]:
        """(template id, grade id) of every grade that counts as good or better."""
        return [key for key, info in self.grades.items() if info.good_or_better]

    def ranked_pairs(self) -> list[tuple[str, str, int]]:
        return [(t, g, info.rank) for (t, g), info in self.grades.items() if info.rank > 0]


def good_threshold(scale: GradingScale) -> int:
    """The lowest rank that counts as good or better on ``scale``."""
    good = scale.get("good")
    if good is not None:
        return good.rank
    ranks = sorted(g.rank for g in scale.grades)
    return ranks[len(ranks) // 2] if ranks else 0


def _add(vocab: Vocabulary, template: Template) -> None:
    vocab.template_names[template.id] = template.name
    for section in template.sections:
        for item in section.items:
            found = Standard(template.id, item.id, item.prompt, section.title, template.name)
            vocab.items[(template.id, item.id)] = found
            if item.kind is ItemKind.GRADE:
                vocab.standards[(template.id, item.id)] = found
                for prompt in item.prompts:
                    vocab.prompt_keys.add((template.id, template.version, prompt.id))
                    vocab.prompts[(template.id, prompt.id)] = Standard(
                        template.id, item.id, prompt.prompt, section.title, template.name
                    )
            elif item.kind is ItemKind.SCALING:
                vocab.scaling[(template.id, item.id)] = found
    threshold = good_threshold(template.scale)
    for grade in template.scale.grades:
        vocab.grades[(template.id, grade.id)] = GradeInfo(
            grade.id, grade.label, grade.rank, grade.rank >= threshold
        )
    vocab.grades[(template.id, NOT_APPLICABLE)] = GradeInfo(
        NOT_APPLICABLE, template.scale.not_applicable_label, 0, False
    )


_PARSED: dict[frozenset[str], Vocabulary] = {}  # by the content hashes it was read from


def vocabulary(session: Session) -> Vocabulary:
    """The standards and grades of every template kept in the database and of every template
    qa-tui ships (the built-in ones and their previous versions), older versions first so the
    newest wording of an item wins.

    The shipped ones are there because a central database filled by bundles from a qa-tui
    before template texts travelled with them (:mod:`qa_tui.sync.template_texts`) has none
    stored (its words and grades were then unknown: every standard labelled by its id, and
    no grade good or better). A template's text never changes under its content hash, so the
    result is kept for the next call that finds the same stored hashes, and a stored copy of
    a shipped template is not parsed again."""
    from qa_tui.framework.loader import (
        builtin_templates,
        load_template_text,
        previous_templates,
        version_key,
    )

    snap = models.TemplateSnapshot
    stored = frozenset(session.scalars(select(snap.content_hash)))
    if stored in _PARSED:
        return _PARSED[stored]
    templates = {t.content_hash: t for t in (*previous_templates(), *builtin_templates())}
    missing = stored - templates.keys()
    if missing:
        rows = session.execute(
            select(snap.template_id, snap.version, snap.source_text).where(
                snap.content_hash.in_(missing)
            )
        )
        for template_id, version, text in rows:
            try:
                found = load_template_text(text, f"<template {template_id} {version}>")
            except TemplateError:
                continue  # a text that no longer validates: its items are shown by id
            templates[found.content_hash] = found
    vocab = Vocabulary()
    for template in sorted(templates.values(), key=lambda t: (t.id, version_key(t.version))):
        _add(vocab, template)
    _PARSED[stored] = vocab
    return vocab
