"""The in-memory shape of an evaluation template.

Templates are data (TOML files, see ``docs/templates.md``); this module is what a loaded and
validated template looks like to the rest of the core. Everything here is immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# The grade every scale may allow beside its own (with a reason).
NOT_APPLICABLE = "not_applicable"

# The default grading scale's words (both built-in templates use it); the home list shows
# these before the templates have loaded.
DEFAULT_GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
    NOT_APPLICABLE: "Not applicable",
}


class ItemKind(StrEnum):
    """What an item asks the auditor for."""

    GRADE = "grade"  # a judgement on the grading scale, plus evidence
    LIST = "list"  # free-text entries (working well, worries, what needs to happen, …)
    SCALING = "scaling"  # 0–10 per participant, with a rationale; both ends described
    FEEDBACK = "feedback"  # direct feedback, or where in the record it was found
    YES_NO = "yes_no"  # yes / no, with a reason
    TEXT = "text"  # one free-text answer


class RuleKind(StrEnum):
    """Completion rules a template can switch on."""

    # An action is required when any grade in the evaluation is below ``grade``.
    ACTION_BELOW_GRADE = "action_required_below_grade"
    # Every participant gives a scale and a rationale on every scaling item.
    ALL_PARTICIPANTS_SCALE = "all_participants_scale"
    # An overall judgement below ``grade`` needs at least one area for development.
    DEVELOPMENT_BELOW_GRADE = "development_required_below_grade"


@dataclass(frozen=True)
class Grade:
    id: str
    label: str
    rank: int  # higher is better
    description: str = ""


@dataclass(frozen=True)
class GradingScale:
    grades: tuple[Grade, ...]
    allow_not_applicable: bool = True
    not_applicable_label: str = "Not applicable"

    def get(self, grade_id: str) -> Grade | None:
        return next((g for g in self.grades if g.id == grade_id), None)

    def label(self, grade_id: str | None) -> str:
        if grade_id == NOT_APPLICABLE:
            return self.not_applicable_label
        grade = self.get(grade_id or "")
        return grade.label if grade else ""

    def ids(self) -> tuple[str, ...]:
        extra = (NOT_APPLICABLE,) if self.allow_not_applicable else ()
        return tuple(g.id for g in self.grades) + extra

    def is_below(self, grade_id: str | None, threshold_id: str) -> bool:
        """True when ``grade_id`` ranks strictly below ``threshold_id`` (N/A never is)."""
        grade, threshold = self.get(grade_id or ""), self.get(threshold_id)
        return bool(grade and threshold and grade.rank < threshold.rank)


@dataclass(frozen=True)
class FeedbackSource:
    id: str
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    kind: ItemKind
    prompt: str
    guidance: str = ""
    required: bool = True
    # LIST
    min_entries: int = 1
    # SCALING: what 0 and 10 mean
    scale_low: str = ""
    scale_high: str = ""
    # FEEDBACK: where feedback can be found when direct feedback was not possible
    sources: tuple[FeedbackSource, ...] = ()
    # GRADE: whether evidence text is required with the grade
    evidence_required: bool = True


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    guidance: str = ""


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    grade: str = ""
    message: str = ""


@dataclass(frozen=True)
class Template:
    id: str
    version: str
    name: str
    description: str
    scale: GradingScale
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...] = ()
    source: str = ""
    evaluation_types: tuple[str, ...] = ()
    content_hash: str = ""
    path: str = ""
    builtin: bool = False
    # The TOML text the template was loaded from (UTF-8, ``\n`` line endings), whose sha256 is
    # ``content_hash``: evaluations store it so that they stay readable after a template changes.
    source_text: str = field(default="", compare=False, repr=False)
    _items: dict[str, tuple[Section, Item]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for item in section.items:
                self._items[item.id] = (section, item)

    def item(self, item_id: str) -> Item | None:
        found = self._items.get(item_id)
        return found[1] if found else None

    def section_of(self, item_id: str) -> Section | None:
        found = self._items.get(item_id)
        return found[0] if found else None

    def items(self, kind: ItemKind | None = None) -> list[Item]:
        return [
            item
            for section in self.sections
            for item in section.items
            if kind is None or item.kind == kind
        ]
