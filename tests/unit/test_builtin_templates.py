"""The built-in templates: transcribed faithfully and completely from the seeds.

Seed 000 is the Quality Assurance Framework (§4 Collaborative Practice Evaluation); seed 004 is
the Quality of Practice Framework (Appendix 1). Statements are asserted word for word; where each
text comes from is checked against the seeds themselves in ``test_template_provenance.py``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from qa_tui.framework.describe import describe_template
from qa_tui.framework.loader import (
    TemplateRegistry,
    builtin_templates,
    load_template_file,
    load_template_text,
    previous_templates,
    shipped_templates,
)
from qa_tui.framework.model import NOT_APPLICABLE, ItemKind, RuleKind, Template, Wording
from qa_tui.framework.validate import template_problems

ROOT = Path(__file__).resolve().parents[2]
BUILTIN_DIR = ROOT / "qa_tui" / "framework" / "builtin"


def builtin(template_id: str) -> Template:
    return next(t for t in builtin_templates() if t.id == template_id)


CURRENT = {"collaborative_practice_evaluation": "1.1", "quality_of_practice_audit": "2.0"}
# The sha256 of the 1.0 files as they shipped: evaluations made with them store this hash,
# so the files in builtin/previous/ must never change by a byte.
PREVIOUS = {
    "collaborative_practice_evaluation": (
        "1.0",
        "e312b2e0b61f183f4e04b0a3a6b1e1c831264991d132d5df97b6727e8f2a9d7f",
    ),
    "quality_of_practice_audit": (
        "1.0",
        "2c56f20145204d83d63993553c04e38c27071e1435c57de6d6d0d9571718104d",
    ),
}


def test_builtin_templates_load_and_validate() -> None:
    templates = builtin_templates()
    assert {t.id: t.version for t in templates} == CURRENT
    for template in templates:
        assert template.builtin and not template.previous
        assert template.wording is Wording.QUOTED_AND_LOCAL
        assert template_problems(template.source_text, template.path) == []
        assert [g.id for g in template.scale.grades] == [
            "outstanding",
            "good",
            "requires_improvement",
            "inadequate",
        ]
        assert template.scale.label("requires_improvement") == "Requires improvement to be good"
        assert NOT_APPLICABLE in template.scale.ids()
        # Areas for development at every grade (seed 004 Appendix 1 / seed 000 §1.1), no
        # longer only below good.
        assert {(r.kind, r.grade) for r in template.rules} == {
            (RuleKind.ACTION_BELOW_GRADE, "good"),
            (RuleKind.ALL_PARTICIPANTS_SCALE, ""),
            (RuleKind.DEVELOPMENT_ALWAYS, ""),
        }


def test_builtin_files_validate_from_disk() -> None:
    paths = sorted(BUILTIN_DIR.glob("*.toml")) + sorted((BUILTIN_DIR / "previous").glob("*.toml"))
    assert len(paths) == 4
    for path in paths:
        assert template_problems(path.read_text(encoding="utf-8"), path.name) == []
        assert (
            load_template_file(path).content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
        )


def test_previous_versions_are_kept_byte_for_byte_and_never_offered() -> None:
    previous = previous_templates()
    assert {t.id: (t.version, t.content_hash) for t in previous} == PREVIOUS
    assert all(t.builtin and t.previous for t in previous)
    registry = TemplateRegistry()
    assert {(t.id, t.version) for t in registry.all()} == set(CURRENT.items())
    for template_id, (version, digest) in PREVIOUS.items():
        found = registry.get(template_id, version, digest)
        assert found is not None and found.previous  # an old evaluation still opens
        assert registry.get(template_id).version == CURRENT[template_id]


def test_shipped_templates_are_found_by_content_hash() -> None:
    """A report finds the shipped templates its evaluations used by their hash: the current
    and the previous versions, each as the registry has it, and nothing for another hash."""
    shipped = {t.content_hash: t for t in (*builtin_templates(), *previous_templates())}
    assert len(shipped) == 4
    assert shipped_templates(set(shipped)) == shipped
    (old,) = [t for t in previous_templates() if t.id == "quality_of_practice_audit"]
    found = shipped_templates({old.content_hash, "0" * 64})
    assert list(found) == [old.content_hash] and found[old.content_hash].previous
    assert shipped_templates(set()) == {}


def previous(template_id: str) -> Template:
    return next(t for t in previous_templates() if t.id == template_id)


SEVEN_STATEMENTS = [
    "Decisions are risk sensible; always considering the strengths and worries to make balanced "
    "decisions about what needs to happen next.",
    "The child’s voice is always clear throughout practice and documentation.",
    "Collaboration with families, or attempts of, are always evident throughout practice and "
    "documentation.",
    "All recording and documents produced are analysis based, always considering the impact on "
    "the child.",
    "The language used in practice and documentation is simple and straight forward. It is "
    "consistently respectful, compassionate, and understanding.",
    "The consideration and application of professional knowledge and research relevant to the "
    "situation, is evident throughout practice and documentation.",
    "Regular feedback is always being sought from families about the quality of the service they "
    "receive. This will be considered as part of our efforts to continuously improve the service "
    "we deliver to children and families.",
]

# Prompts per stage, counted from seed 004 Appendix 1 (the contact-records bullet's two
# sub-bullets, triage manager and triage worker, are one prompt each: 8 bullets, 9 prompts).
AUDIT_STAGES = {
    "we_would_expect_to_see": 7,
    "contact_referral": 9,
    "basic_information": 2,
    "assessment": 11,
    "planning": 4,
    "review": 11,
    "management_oversight": 7,
}
AUDIT_OTHERS = {"signs_of_safety": 4, "family_feedback": 1, "making_a_difference": 4}
STAGES = {
    "contact_referral": "Contact/Referral",
    "basic_information": "Basic information",
    "assessment": "Assessment",
    "planning": "Planning",
    "review": "Review",
    "management_oversight": "Management oversight",
}


def prompts(template: Template, section_id: str) -> list[str]:
    """The words of a section's prompts (2.0) or, without any, of its items (1.0)."""
    section = next(s for s in template.sections if s.id == section_id)
    found = [p.prompt for item in section.items for p in item.prompts]
    return found or [item.prompt for item in section.items]


def test_audit_is_one_judgement_per_stage_with_the_statements_as_prompts() -> None:
    audit = builtin("quality_of_practice_audit")
    assert [s.id for s in audit.sections] == [*AUDIT_STAGES, *AUDIT_OTHERS]
    titles = {s.id: s.title for s in audit.sections}
    for section in audit.sections:
        if section.id in AUDIT_STAGES:
            (judgement,) = section.items
            assert judgement.kind is ItemKind.GRADE and judgement.evidence_required
            assert len(judgement.prompts) == AUDIT_STAGES[section.id]
            assert not any(p.required for p in judgement.prompts)  # a guide, not a checklist
            assert judgement.stage == (section.id in STAGES)  # "not reached" in one key
        else:
            assert len(section.items) == AUDIT_OTHERS[section.id]
    for section_id, title in STAGES.items():
        assert titles[section_id] == title
    assert len(audit.items(ItemKind.GRADE)) == 7
    assert audit.scale.not_reached_reason == "The case has not reached this stage."


def test_audit_2_0_prompts_are_the_1_0_statements_word_for_word() -> None:
    """The 51 statements and their ids carry over unchanged: only their role changes."""
    old = previous("quality_of_practice_audit")
    new = builtin("quality_of_practice_audit")
    statements = [(i.id, i.prompt) for i in old.items(ItemKind.GRADE)]
    assert len(statements) == 51
    assert [(p.id, p.prompt) for i in new.items(ItemKind.GRADE) for p in i.prompts] == statements
    assert len(old.items(ItemKind.GRADE)) == 51 and not any(i.prompts for i in old.items())


def test_audit_template_quotes_the_seven_statements_verbatim() -> None:
    audit = builtin("quality_of_practice_audit")
    assert prompts(audit, "we_would_expect_to_see") == SEVEN_STATEMENTS
    assert prompts(previous("quality_of_practice_audit"), "we_would_expect_to_see") == (
        SEVEN_STATEMENTS
    )


@pytest.mark.parametrize(
    ("section_id", "statement"),
    [
        (
            "contact_referral",
            "All relevant sections of the MARF will be completed with clear and relevant "
            "information that outlines the strengths and worries, with evidence of an analysis "
            "and judgement from the referrer that is based on facts and specific behaviours.",
        ),
        (
            "contact_referral",
            "All decisions about all new referrals are made by First Contact/EDT within 24-hours "
            "of the contact record being created.",
        ),
        (
            "contact_referral",
            "Consistent evidence in all contact records: the triage manager provides an overview "
            "of the referral, clear direction for any required actions, appropriate to the "
            "concern.",
        ),
        (
            "basic_information",
            "All open children will have clear and focused behavioural danger/worry statement, "
            "outcome focused safety/wellbeing/ success goal and clearly defined scaling "
            "questions.",
        ),
        (
            "assessment",
            "Assessments clearly identify strengths and worries, distinguish fact from opinion. "
            "They will provide a detailed analysis (not a narrative) and recommend appropriate "
            "next steps that reflect the child's circumstances.",
        ),
        (
            "planning",
            "The child’s plan is written so everyone relevant understands where we start and "
            "where we want to get to. The timeline outlines tasks, who will do them and by when.",
        ),
        (
            "review",
            "Scaling is consistently used to understand the progress that is being made. All "
            "members of the review provide a scale and rationale for their decision.",
        ),
        (
            "review",
            "Managers and IROs/ CPCCs will provide challenge if there is no evidence the child's "
            "Plan is working or that it has been tested.",
        ),
        (
            "review",
            "There will be evidence of a strong learning culture, a strong focus on the quality "
            'of practice, with examples of "good" practice being shared.',
        ),
        (
            "management_oversight",
            "Any issues with drift and delay will have a clear plan to address this and will be "
            "evident in the child's record from the manager or CSM.",
        ),
    ],
)
def test_audit_template_quotes_stage_statements_verbatim(section_id: str, statement: str) -> None:
    assert statement in prompts(builtin("quality_of_practice_audit"), section_id)
    assert statement in prompts(previous("quality_of_practice_audit"), section_id)


def test_audit_template_signs_of_safety_feedback_and_difference_questions() -> None:
    audit = builtin("quality_of_practice_audit")
    lists = [item.prompt for item in audit.items(ItemKind.LIST)]
    assert lists == ["What are we worried about?", "What is working well?", "What needs to happen?"]
    (scaling,) = audit.items(ItemKind.SCALING)
    assert scaling.scale_low and scaling.scale_high
    (feedback,) = audit.items(ItemKind.FEEDBACK)
    assert "Regular feedback is always being sought from families" in feedback.guidance
    section = audit.section_of(feedback.id)
    assert section is not None
    # Table 1's sentence about staff and partners, dropped in 1.0, is back.
    assert "We also seek feedback from staff and partners around their confidence" in (
        section.guidance
    )
    assert [s.label for s in feedback.sources] == [
        "Direct feedback from the child or family",
        "Surveys",
        "Mind Of My Own",
        "Total Mobile",
        "Participation forums",
        "Audits",
        "Visits",
        "Involvement in meetings",
        "ASYE portfolio",
        "Compliments and complaints",
        "Children and young people’s forum (Voices Making Choices, Care Leavers group)",
    ]
    assert [item.prompt for item in audit.items(ItemKind.TEXT)] == [
        "What are we worried about and why?",
        "What did we do well and how did we do it?",
        "What is the impact of what we did and how do we know this?",
        "What areas do we need to celebrate or learn from, and how?",
    ]
    difference = next(s for s in audit.sections if s.id == "making_a_difference")
    assert difference.guidance.endswith("the Meaningful Measures and their indicators as:")
    assert "these four questions" not in audit.source_text
    assert "Table 1" in audit.source and "How we will know" in audit.source


PRINCIPLES = (
    "Child centred:",
    "Strengths based:",
    "Evidence based:",
    "Outcome focused:",
    "Positive:",
    "Reflective:",
    "Supporting a Learning culture:",
)


def test_collaborative_template_follows_seed_000() -> None:
    collab = builtin("collaborative_practice_evaluation")
    assert [s.id for s in collab.sections] == [
        "practice_standards",
        "signs_of_safety",
        "scaling",
        "child_context",
        "purpose_and_focus",
        "child_record",
        "service_user_feedback",
    ]
    assert [item.prompt for item in collab.items(ItemKind.LIST)] == [
        "What is working well?",
        "What are we worried about?",
        "What needs to happen?",
    ]
    (scaling,) = collab.items(ItemKind.SCALING)
    assert scaling.guidance == "All members provide a scale and rationale."
    assert scaling.scale_low and scaling.scale_high
    assert len(collab.items(ItemKind.GRADE)) == 4
    assert all(item.evidence_required for item in collab.items(ItemKind.GRADE))
    text = describe_template(collab, width=10_000)  # the words, without the file's comments
    words = text[: text.index("Where the words come from")]  # before the list of corrections
    assert "lived experience" in words and "understanding and rationale" in words
    assert "lied experience" not in words and "understating" not in words
    for principle in PRINCIPLES:  # all seven principles of §1.1, not four
        assert principle in text


def test_collaborative_template_has_every_feedback_source_of_section_4_4() -> None:
    (feedback,) = builtin("collaborative_practice_evaluation").items(ItemKind.FEEDBACK)
    assert [source.label for source in feedback.sources] == [
        "Direct feedback from the child or family",
        "Within assessments",
        "From staff and carer supervision records",
        "Within annual carer review records",
        "Within case notes (including telephone call records or emails)",
        "From complaints and compliments logs",
        "Questionnaires from LAC Reviews and Child Protection Conferences",
    ]


def test_documented_example_is_valid() -> None:
    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete example\n\n```toml\n(.*?)```", doc, re.S)
    assert example is not None
    template = load_template_text(example.group(1), "templates.md")
    assert {item.kind for item in template.items()} == set(ItemKind)


def test_describe_template_lists_everything() -> None:
    for template in [*builtin_templates(), *previous_templates()]:
        text = describe_template(template)
        assert text.startswith(template.name + "\n")
        flat = " ".join(text.split())
        for item in template.items():
            assert " ".join(item.prompt.split()) in flat
            for prompt in item.prompts:
                assert " ".join(prompt.prompt.split()) in flat
            for source in item.sources:
                assert source.label in flat
        for grade in template.scale.grades:
            assert grade.label in text
        assert "Not applicable, with a reason" in text
