"""Where the built-in templates' words come from: every claim checked against the seeds.

A text cited as ``"qaf: …"`` (seed 000) or ``"qpf: …"`` (seed 004) must be found in that
document word for word, allowing only for white space, the document's markup, a statement
split across its table cells (listed below, so a new split is a deliberate change), a list
fragment given a capital or a question mark, and the template's declared corrections. A text
marked ``local`` must not be found in either document: it is ours, and says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_tui.framework.loader import builtin_templates, load_template_text
from qa_tui.framework.model import LOCAL, Correction, Template, TextPart
from qa_tui.framework.provenance import (
    appears_in,
    find_quote,
    local_texts,
    reference_document,
    text_parts,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "seeds"
DOCUMENTS = {
    "qaf": (SEEDS / "000_bfc9b3fc98b2c371.txt").read_text(encoding="utf-8"),
    "qpf": (SEEDS / "004_bae21f71f9ff2454.txt").read_text(encoding="utf-8"),
}

# Texts the document's layout splits in two (table cells of Appendix 1 and Table 1, and the
# two sub-bullets of "Consistent evidence in all contact records:"), by template and key.
SPLIT = {
    ("quality_of_practice_audit", key)
    for key in (
        "sections[1].items[0].prompts[1].prompt",  # "…relevant information that | outlines…"
        "sections[1].items[0].prompts[2].prompt",  # "…contact records: | the triage manager…"
        "sections[1].items[0].prompts[3].prompt",  # "…contact records: | the triage worker…"
        "sections[2].items[0].prompts[1].prompt",  # "…worry statement, outcome | focused…"
        "sections[3].items[0].prompts[2].prompt",  # "…with families, | their networks…"
        "sections[3].items[0].prompts[6].prompt",  # "…and recommend | appropriate next steps…"
        "sections[4].items[0].prompts[1].prompt",  # "…where we start and | where we want…"
        "sections[5].items[0].prompts[1].prompt",  # "…review meetings are | taking place…"
        "sections[5].items[0].prompts[6].prompt",  # "…if there is no | evidence the child's…"
        "sections[6].items[0].prompts[1].prompt",  # "…regularly taking place, | which will…"
        "sections[6].items[0].prompts[4].prompt",  # "…will be using them | to identify…"
        "sections[8].guidance",  # "…organisational culture. Without | this information…"
        "sections[8].items[0].sources[3].label",  # "Total | Mobile"
    )
}
# Local texts too short to tell a quotation from a common word ("Good" is in seed 000's "Good
# communication…"): checked to be these, and nothing else.
SHORT_LOCAL = {"Outstanding", "Good", "Inadequate", "Not applicable"}


def parts(template: Template) -> list[TextPart]:
    return text_parts(template)


def cited(template: Template) -> list[tuple[TextPart, str]]:
    return [
        (part, document)
        for part in parts(template)
        if (document := reference_document(part.origin)) is not None
    ]


def corrections(template: Template, document: str) -> list[Correction]:
    return [c for c in template.corrections if c.document == document]


@pytest.mark.parametrize("template", builtin_templates(), ids=lambda t: t.id)
def test_every_builtin_text_says_where_it_comes_from(template: Template) -> None:
    unmarked = [f"{p.key}.{p.field}" for p in parts(template) if not p.origin]
    assert unmarked == []
    documents = {d.id for d in template.documents}
    assert {document for _, document in cited(template)} <= documents <= set(DOCUMENTS)


def test_every_quoted_text_is_found_in_its_seed() -> None:
    splits = set()
    checked = 0
    for template in builtin_templates():
        for part, document in cited(template):
            found = find_quote(part.text, DOCUMENTS[document], corrections(template, document))
            assert found is not None, (template.id, part.key, part.field, part.text)
            if any(len(pieces) > 1 for pieces in found):
                splits.add((template.id, f"{part.key}.{part.field}"))
            checked += 1
    assert splits == SPLIT
    assert checked > 100  # every one of the 51 statements among them


def test_every_local_text_is_absent_from_both_seeds() -> None:
    short = set()
    for template in builtin_templates():
        for part in parts(template):
            if part.origin != LOCAL:
                continue
            if len(part.text.split()) < 3:
                short.add(part.text)
                continue
            for name, document in DOCUMENTS.items():
                assert not appears_in(part.text, document), (template.id, part.key, name)
    assert short == SHORT_LOCAL


# What the issue found invented and unmarked in 1.0: each is marked local now.
INVENTED = {
    "collaborative_practice_evaluation": [
        "What needs to happen?",
        "Direct feedback from the child or family",
        "An action is required for any grade below good.",
        "All members provide a scale and rationale.",
    ],
    "quality_of_practice_audit": [
        "What are we worried about?",
        "What is working well?",
        "What needs to happen?",
        "Direct feedback from the child or family",
        "An action is required for any grade below good.",
        "All members provide a scale and rationale.",
    ],
}


@pytest.mark.parametrize("template", builtin_templates(), ids=lambda t: t.id)
def test_what_is_not_in_the_seeds_is_marked_local(template: Template) -> None:
    local = {part.text for part in local_texts(template)}
    for grade in template.scale.grades:  # the four-grade scale and every description
        assert {grade.label, grade.description} <= local
    for item in template.items():
        if item.kind == "scaling":  # the scaling question and its two ends
            assert {item.prompt, item.scale_low, item.scale_high} <= local
    assert set(INVENTED[template.id]) <= local


def test_the_rule_of_seed_004_is_quoted_not_contradicted() -> None:
    audit = next(t for t in builtin_templates() if t.id == "quality_of_practice_audit")
    (rule,) = [r for r in audit.rules if r.kind == "development_required"]
    assert rule.message.startswith("We would expect there always to be areas to be developed")
    assert dict(rule.origins) == {"message": "qpf: Appendix 1"}


# --- the check itself refuses what is not a quotation ----------------------------------------


@pytest.mark.parametrize(
    ("text", "document"),
    [
        # A word changed, added, dropped or reordered is not a quotation.
        ("The child’s voice is always heard throughout practice and documentation.", "qpf"),
        ("The child’s voice is always clear throughout all practice and documentation.", "qpf"),
        ("What are we worried about?", "qaf"),  # seed 000: "what we are worried about"
        ("All members provide a scale and rationale.", "qpf"),
        ("What needs to happen?", "qaf"),
        # Pieces out of reading order are not one quotation.
        ("focused safety/wellbeing/ success goal All open children will have", "qpf"),
    ],
)
def test_find_quote_refuses_what_is_not_in_the_document(text: str, document: str) -> None:
    assert find_quote(text, DOCUMENTS[document]) is None


def test_find_quote_applies_declared_corrections_only() -> None:
    corrected = "what their lived experience is and what needs to change"
    assert find_quote(corrected, DOCUMENTS["qaf"]) is None
    fix = Correction("qaf", "what their lied experience is", "what their lived experience is")
    assert find_quote(corrected, DOCUMENTS["qaf"], [fix]) == [[corrected]]


# --- the validator and `template show` ---------------------------------------------------------


def test_validator_refuses_a_claim_of_quotation_with_local_parts() -> None:
    audit = next(t for t in builtin_templates() if t.id == "quality_of_practice_audit")
    text = audit.source_text.replace('wording = "quoted_and_local"', 'wording = "quoted"')
    with pytest.raises(Exception, match=r"wording: claims every text is quoted, but \d+ are"):
        load_template_text(text, "audit.toml")


def test_template_show_lists_the_local_texts() -> None:
    from click.testing import CliRunner

    from qa_tui.cli import main

    result = CliRunner().invoke(main, ["template", "show", "quality_of_practice_audit"])
    assert result.exit_code == 0, result.output
    audit = next(t for t in builtin_templates() if t.id == "quality_of_practice_audit")
    local = local_texts(audit)
    assert f"Local texts: {len(local)} written for this template" in result.output
    flat = " ".join(result.output.split())
    for part in local:
        assert " ".join(part.text.split()) in flat
    assert "qpf: Quality of Practice Framework" in flat
