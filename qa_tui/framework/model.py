"""The in-memory shape of an evaluation template.

Templates are data (TOML files, see ``docs/templates.md``); this module is what a loaded and
validated template looks like to the rest of the core. Everything here is immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# The grade every scale may allow beside its own, and the default scale's words: plain data
# in vocab (the home list's start-up read needs them without this module).
from qa_tui.vocab import DEFAULT_GRADE_LABELS as DEFAULT_GRADE_LABELS
from qa_tui.vocab import NOT_APPLICABLE as NOT_APPLICABLE


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
    # Areas for development are recorded at every grade (seed 004, Appendix 1: "We would
    # expect there always to be areas to be developed").
    DEVELOPMENT_ALWAYS = "development_required"


# How a prompt (an example to look for under a judgement) is marked; stored as the ``grade``
# of the prompt's response.
PROMPT_MARKS = {"seen": "Seen", "not_seen": "Not seen", NOT_APPLICABLE: "Not applicable"}

# Where a text comes from: ``LOCAL`` (written by us, for the QA team to confirm) or a reference
# to a declared document, ``"DOC: place"``.
LOCAL = "local"


class Wording(StrEnum):
    """What a template claims about its words as a whole (the ``wording`` key)."""

    QUOTED = "quoted"  # every text is quoted from a declared document: no local text
    QUOTED_AND_LOCAL = "quoted_and_local"  # each text says which: a document, or local
    LOCAL = "local"  # every text is the template author's own


Origins = tuple[tuple[str, str], ...]  # (text field, where it comes from), in field order


def origin_of(origins: Origins, name: str) -> str:
    """Where field ``name`` comes from ("" when the template does not say)."""
    return next((origin for field_name, origin in origins if field_name == name), "")


@dataclass(frozen=True)
class Grade:
    id: str
    label: str
    rank: int  # higher is better
    description: str = ""
    origins: Origins = ()


@dataclass(frozen=True)
class GradingScale:
    grades: tuple[Grade, ...]
    allow_not_applicable: bool = True
    not_applicable_label: str = "Not applicable"
    # The reason recorded when a stage item (``Item.stage``) is marked "not applicable" with
    # one key: the case has not reached that stage.
    not_reached_reason: str = ""
    origins: Origins = ()

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
    origins: Origins = ()


@dataclass(frozen=True)
class Prompt:
    """An example to look for under a graded judgement: marked seen, not seen or not
    applicable (``PROMPT_MARKS``), with optional evidence; it is not graded."""

    id: str
    prompt: str
    guidance: str = ""
    required: bool = False
    origins: Origins = ()


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
    # GRADE: examples to look for under this judgement
    prompts: tuple[Prompt, ...] = ()
    # GRADE: a stage of the case (contact, assessment, …) that a case may not have reached yet:
    # "not applicable" with the scale's ``not_reached_reason`` in one key
    stage: bool = False
    origins: Origins = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    guidance: str = ""
    origins: Origins = ()


@dataclass(frozen=True)
class Rule:
    kind: RuleKind
    grade: str = ""
    message: str = ""
    origins: Origins = ()


@dataclass(frozen=True)
class Document:
    """A document a template quotes, named in provenance as ``"ID: place"``."""

    id: str
    title: str


@dataclass(frozen=True)
class Correction:
    """A typo in a document corrected in the template's quotation of it."""

    document: str
    found: str
    written: str


@dataclass(frozen=True)
class TextPart:
    """One text a template shows, where it is in the file, and where its words come from."""

    key: str  # the key path of its table, e.g. "sections[2].items[0]"
    field: str  # e.g. "prompt"
    text: str
    origin: str  # LOCAL, "DOC: place", or "" when the template does not say


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
    wording: Wording | None = None
    documents: tuple[Document, ...] = ()
    corrections: tuple[Correction, ...] = ()
    origins: Origins = ()
    content_hash: str = ""
    path: str = ""
    builtin: bool = False
    # A version kept only so the evaluations made with it still open: never offered for new work.
    previous: bool = False
    # The TOML text the template was loaded from (UTF-8, ``\n`` line endings), whose sha256 is
    # ``content_hash``: evaluations store it so that they stay readable after a template changes.
    source_text: str = field(default="", compare=False, repr=False)
    _items: dict[str, tuple[Section, Item]] = field(default_factory=dict, compare=False, repr=False)
    _prompts: dict[str, tuple[Item, Prompt]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for section in self.sections:
            for item in section.items:
                self._items[item.id] = (section, item)
                for prompt in item.prompts:
                    self._prompts[prompt.id] = (item, prompt)

    def prompt(self, prompt_id: str) -> Prompt | None:
        found = self._prompts.get(prompt_id)
        return found[1] if found else None

    def judgement_of(self, prompt_id: str) -> Item | None:
        """The graded item a prompt belongs to."""
        found = self._prompts.get(prompt_id)
        return found[0] if found else None

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
