"""The template framework: validation errors, content hash, the registry and snapshots.

The built-in templates themselves are checked in ``test_builtin_templates.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from qa_tui.errors import NotFoundError, TemplateError
from qa_tui.framework.loader import (
    TemplateRegistry,
    builtin_templates,
    custom_template_dir,
    load_template_file,
    load_template_text,
)
from qa_tui.framework.model import Template
from qa_tui.framework.provenance import local_texts, text_parts
from qa_tui.framework.validate import content_hash, template_problems

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = (Path(__file__).parent / "templates_data" / "mini.toml").read_text(encoding="utf-8")


def builtin(template_id: str) -> Template:
    return next(t for t in builtin_templates() if t.id == template_id)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    hits = [number for number, line in enumerate(text.split("\n"), 1) if needle in line]
    return hits[occurrence - 1]


# --- validation errors --------------------------------------------------------------------


def test_minimal_template_is_valid() -> None:
    template = load_template_text(MINIMAL, "mini.toml")
    assert template.item("scale") is not None
    assert template.rules[0].message == "An action is required for any grade below good."


Mutation = Callable[[str], str]


def remove(fragment: str) -> Mutation:
    return lambda text: text.replace(fragment, "", 1)


def swap(old: str, new: str) -> Mutation:
    return lambda text: text.replace(old, new, 1)


# The line an error is reported at: the ``n``-th line of the mutated text holding a needle.
Where = tuple[str, int] | str | None

# (what, mutation, the key path, where (None: no line), a fragment of the message)
ERROR_CASES: list[tuple[str, Mutation, str, Where, str]] = [
    (
        "unknown key",
        swap("min_entries = 1", "min_entry = 1"),
        "sections[0].items[1].min_entry",
        "min_entry",
        "unknown key 'min_entry' (did you mean 'min_entries'?)",
    ),
    (
        "unknown top-level key",
        swap('name = "Mini"', 'name = "Mini"\nnmae = "x"'),
        "nmae",
        "nmae",
        "unknown key 'nmae'",
    ),
    (
        "missing item key",
        remove('prompt = "What are we worried about?"\n'),
        "sections[0].items[1].prompt",
        ("[[sections.items]]", 2),  # the key is missing: reported at its table's header
        "required key is missing",
    ),
    ("missing top-level key", remove('name = "Mini"\n'), "name", None, "required key is missing"),
    (
        "bad kind",
        swap('kind = "grade"', 'kind = "grad"'),
        "sections[0].items[0].kind",
        'kind = "grad"',
        "'grad' is not one of grade, list, scaling, feedback, yes_no, text",
    ),
    (
        "duplicate item id",
        swap('id = "worries"', 'id = "standard"'),
        "sections[0].items[1].id",
        ('id = "standard"', 2),
        "duplicate item id 'standard'",
    ),
    (
        "duplicate section id",
        swap('id = "second"', 'id = "first"'),
        "sections[1].id",
        ('id = "first"', 2),
        "duplicate section id 'first'",
    ),
    (
        "duplicate grade id",
        swap('id = "inadequate"', 'id = "good"'),
        "scale.grades[1].id",
        ('id = "good"', 2),
        "duplicate grade id 'good'",
    ),
    (
        "scaling without its low end",
        remove('scale_low = "Not safe"\n'),
        "sections[1].items[0].scale_low",
        ("[[sections.items]]", 3),
        "a scaling item must say what 0 means",
    ),
    (
        "scaling without its high end",
        swap('scale_high = "Safe enough to close"', 'scale_high = " "'),
        "sections[1].items[0].scale_high",
        "scale_high",
        "a scaling item must say what 10 means",
    ),
    (
        "feedback without sources",
        remove('[[sections.items.sources]]\nid = "assessments"\nlabel = "Within assessments"\n'),
        "sections[1].items[1].sources",
        ("[[sections.items]]", 4),
        "a feedback item needs at least one source",
    ),
    (
        "rule grade not on the scale",
        swap('grade = "good"', 'grade = "requires_improvement"'),
        "rules[0].grade",
        "grade = ",
        "'requires_improvement' is not a grade on the scale (good, inadequate)",
    ),
    (
        "unknown rule kind",
        swap('kind = "action_required_below_grade"', 'kind = "action_needed"'),
        "rules[0].kind",
        "action_needed",
        "'action_needed' is not one of",
    ),
    (
        "below-grade rule without a grade",
        remove('grade = "good"\n'),
        "rules[0].grade",
        "[[rules]]",
        "required for action_required_below_grade rules",
    ),
    (
        "key of another kind",
        swap('prompt = "The practice', 'min_entries = 2\nprompt = "The practice'),
        "sections[0].items[0].min_entries",
        "min_entries = 2",
        "applies to list items only, not grade",
    ),
    ("bad version", swap('"1.0"', '"v1"'), "version", "version", "is not a version like"),
    ("version not a string", swap('"1.0"', "1.0"), "version", "version", "must be a string"),
    ("bad id", swap('id = "mini"', 'id = "Mini Template"'), "id", 'id = "Mini', "not a valid id"),
    (
        "one grade only",
        remove('[[scale.grades]]\nid = "inadequate"\nlabel = "Inadequate"\nrank = 1\n'),
        "scale.grades",
        "[[scale.grades]]",  # the array's first (here only) element
        "at least 2 grades",
    ),
    (
        "duplicate rank",
        swap("rank = 1", "rank = 2"),
        "scale.grades[1].rank",
        ("rank = 2", 2),
        "rank 2 is also the rank of 'good'",
    ),
    (
        "rank not an integer",
        swap("rank = 1", 'rank = "1"'),
        "scale.grades[1].rank",
        'rank = "1"',
        "must be a whole number, not a string",
    ),
    (
        "empty section",
        lambda text: text + '\n[[sections]]\nid = "third"\ntitle = "Third"\nitems = []\n',
        "sections[2].items",
        "items = []",
        "a section needs at least one item",
    ),
    (
        "unknown evaluation type",
        swap('name = "Mini"', 'name = "Mini"\nevaluation_types = ["dipsample"]'),
        "evaluation_types[0]",
        "evaluation_types",
        "'dipsample' is not one of collaborative, thematic, dip_sample, practice_day",
    ),
    (
        "evaluation type not a string",
        swap('name = "Mini"', 'name = "Mini"\nevaluation_types = [["thematic"]]'),
        "evaluation_types[0]",
        "evaluation_types",
        "['thematic'] is not one of collaborative",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "key", "where", "message"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_each_validation_error_names_file_line_and_key(
    mutate: Mutation, key: str, where: Where, message: str
) -> None:
    text = mutate(MINIMAL)
    assert text != MINIMAL
    with pytest.raises(TemplateError) as caught:
        load_template_text(text, "bad.toml")
    error = str(caught.value)
    if where is None:
        location = "bad.toml"
    else:
        needle, occurrence = (where, 1) if isinstance(where, str) else where
        location = f"bad.toml:{line_of(text, needle, occurrence)}"
    assert error.startswith(f"{location}: {key}: "), error
    assert message in error
    assert "\n" not in error
    assert caught.value.field == key


PROVENANCE = (Path(__file__).parent / "templates_data" / "provenance.toml").read_text(
    encoding="utf-8"
)

# The new checks: where the words come from, prompts and stages (same shape as ERROR_CASES,
# on a template that says where its words come from).
PROVENANCE_CASES: list[tuple[str, Mutation, str, Where, str]] = [
    (
        "claims quoted with local parts",
        swap('wording = "quoted_and_local"', 'wording = "quoted"'),
        "wording",
        "wording",
        "claims every text is quoted, but 6 are marked local (the first, name, at line 3)",
    ),
    (
        "a text that does not say where it comes from",
        remove('from = { prompt = "local", guidance = "local" }\n'),
        "sections[0].items[0].prompt",
        'prompt = "How good',
        "does not say where it comes from",
    ),
    (
        "half of a from table",
        swap('from = { prompt = "local", guidance = "local" }', 'from = { prompt = "local" }'),
        "sections[0].items[0].guidance",
        "guidance = ",
        "does not say where it comes from",
    ),
    (
        "a document not declared",
        swap('from = "qpf: Appendix 1, Assessment"', 'from = "qaf: §4.2"'),
        "sections[0].items[0].prompts[0].from",
        'from = "qaf',
        "'qaf' is not a document declared in [[documents]] (qpf)",
    ),
    (
        "a place without its document",
        swap(
            'from = "qpf: Appendix 1"\n\n[[sections.items]]',
            'from = "Appendix 1"\n\n[[sections.items]]',
        ),
        "sections[0].from",
        'from = "Appendix 1"',
        'say "local", or cite a document of [[documents]] as "ID: place"',
    ),
    (
        "from for a text that is not there",
        swap(
            'from = { prompt = "local", guidance = "local" }',
            'from = { prompt = "local", guidance = "local", scale_low = "local" }',
        ),
        "sections[0].items[0].from.scale_low",
        "scale_low",
        "there is no scale_low here to attribute (texts: prompt, guidance)",
    ),
    (
        "unknown wording",
        swap('wording = "quoted_and_local"', 'wording = "verbatim"'),
        "wording",
        "wording",
        "'verbatim' is not one of quoted, quoted_and_local, local",
    ),
    (
        "a correction of an undeclared document",
        swap('document = "qpf"', 'document = "qaf"'),
        "corrections[0].document",
        'document = "qaf"',
        "'qaf' is not a document declared",
    ),
    (
        "a correction that corrects nothing",
        swap('written = "straightforward"', 'written = "straight forward"'),
        "corrections[0].written",
        "written = ",
        "is the same as found",
    ),
    (
        "a prompt id that is an item id",
        swap('id = "assessment_purpose_shared"', 'id = "assessment_judgement"'),
        "sections[0].items[0].prompts[1].id",
        ('id = "assessment_judgement"', 2),
        "duplicate item id 'assessment_judgement'",
    ),
    (
        "prompts on a list item",
        swap('kind = "grade"', 'kind = "list"'),
        "sections[0].items[0].prompts",
        "[[sections.items.prompts]]",
        "applies to grade items only, not list",
    ),
    (
        "a stage without the reason it is not reached",
        remove('not_reached_reason = "The case has not reached this stage."\n'),
        "sections[0].items[0].stage",
        "stage = true",
        "a stage needs scale.not_reached_reason",
    ),
    (
        "an unknown key of a prompt",
        swap("required = true", "requried = true"),
        "sections[0].items[0].prompts[1].requried",
        "requried",
        "did you mean 'required'?",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "key", "where", "message"),
    [case[1:] for case in PROVENANCE_CASES],
    ids=[case[0] for case in PROVENANCE_CASES],
)
def test_provenance_and_prompt_errors_name_file_line_and_key(
    mutate: Mutation, key: str, where: Where, message: str
) -> None:
    text = mutate(PROVENANCE)
    assert text != PROVENANCE
    problems = [p for p in template_problems(text, "bad.toml") if p.key == key]
    assert problems, template_problems(text, "bad.toml")
    error = str(problems[0])
    if where is not None:
        needle, occurrence = (where, 1) if isinstance(where, str) else where
        assert error.startswith(f"bad.toml:{line_of(text, needle, occurrence)}: {key}: "), error
    assert message in error, error


def test_provenance_template_reads_back_its_origins() -> None:
    template = load_template_text(PROVENANCE, "provenance.toml")
    judgement = template.item("assessment_judgement")
    assert judgement is not None and judgement.stage
    assert [p.id for p in judgement.prompts] == [
        "assessment_purpose_understood",
        "assessment_purpose_shared",
    ]
    assert template.prompt("assessment_purpose_shared").required
    assert template.judgement_of("assessment_purpose_shared") is judgement
    origins = {(p.key, p.field): p.origin for p in text_parts(template)}
    assert origins[("", "name")] == "local"
    assert origins[("sections[0].items[0].prompts[0]", "prompt")] == "qpf: Appendix 1, Assessment"
    assert origins[("rules[0]", "message")] == "qpf: Appendix 1"
    assert [p.text for p in local_texts(template)][:2] == [
        "Provenance",
        ("The case has not reached this stage."),
    ]


def test_a_template_without_provenance_is_still_valid() -> None:
    """The format before provenance (every 1.0 evaluation's stored template) still loads."""
    template = load_template_text(MINIMAL, "mini.toml")
    assert template.wording is None
    assert {p.origin for p in text_parts(template)} == {""}
    assert local_texts(template) == []


def test_line_of_missing_key_is_its_table_header() -> None:
    text = remove('prompt = "What are we worried about?"\n')(MINIMAL)
    header = line_of(text, 'id = "worries"') - 1
    assert text.split("\n")[header - 1] == "[[sections.items]]"
    assert [p.line for p in template_problems(text, "bad.toml")] == [header]


def test_invalid_toml_syntax_names_line_and_column() -> None:
    text = MINIMAL.replace("rank = 1", "rank = = 1")
    with pytest.raises(TemplateError) as caught:
        load_template_text(text, "bad.toml")
    line = line_of(text, "rank = = 1")
    assert str(caught.value).startswith(f"bad.toml:{line}:8: invalid TOML: ")


def test_all_problems_are_listed_not_only_the_first() -> None:
    text = MINIMAL.replace('kind = "grade"', 'kind = "grad"').replace("min_entries", "min_entry")
    problems = [str(problem) for problem in template_problems(text, "bad.toml")]
    assert len(problems) == 2
    assert "kind" in problems[0] and "min_entry" in problems[1]


def test_unreadable_or_non_utf8_file_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"missing\.toml: cannot read"):
        load_template_file(tmp_path / "missing.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(MINIMAL.replace("Mini", "Mïni").encode("latin-1"))
    with pytest.raises(TemplateError, match=r"latin\.toml:3: the file is not UTF-8"):
        load_template_file(latin)


# --- content hash -------------------------------------------------------------------------


def test_content_hash_is_stable_and_follows_content(tmp_path: Path) -> None:
    first = load_template_text(MINIMAL, "a.toml")
    again = load_template_text(MINIMAL, "b.toml")
    assert first.content_hash == again.content_hash == content_hash(MINIMAL)
    assert first.content_hash == hashlib.sha256(MINIMAL.encode("utf-8")).hexdigest()
    crlf = tmp_path / "crlf.toml"
    crlf.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode("utf-8"))
    from_file = load_template_file(crlf)
    assert from_file.content_hash == first.content_hash
    assert from_file.source_text == MINIMAL
    changed = load_template_text(MINIMAL.replace('name = "Mini"', 'name = "Mini 2"'), "c.toml")
    assert changed.content_hash != first.content_hash


# --- registry -----------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_registry_loads_custom_templates_and_reports_broken_ones(tmp_path: Path) -> None:
    folder = custom_template_dir(tmp_path)
    assert folder == tmp_path / "templates"
    write(folder, "mini.toml", MINIMAL)
    write(folder, "mini_1_1.toml", MINIMAL.replace('version = "1.0"', 'version = "1.1"'))
    write(folder, "broken.toml", MINIMAL.replace('kind = "grade"', 'kind = "grad"'))
    write(folder, "notes.txt", "not a template")
    registry = TemplateRegistry.for_config_dir(tmp_path)
    assert len(registry.errors) == 1
    assert "broken.toml:" in registry.errors[0] and "'grad'" in registry.errors[0]
    ids = [(t.id, t.version) for t in registry.all()]
    assert ids == [
        ("collaborative_practice_evaluation", "1.1"),
        ("mini", "1.1"),
        ("mini", "1.0"),
        ("quality_of_practice_audit", "2.0"),
    ]
    assert [t.version for t in registry.latest() if t.id == "mini"] == ["1.1"]
    mini = registry.get("mini")
    assert mini is not None and mini.version == "1.1" and not mini.builtin
    assert registry.get("mini", "1.0") is not None
    assert registry.get("mini", "2.0") is None
    with pytest.raises(NotFoundError, match=r"'mini' version '2\.0'"):
        registry.require("mini", "2.0")


def test_custom_template_cannot_override_a_builtin(tmp_path: Path) -> None:
    collab = builtin("collaborative_practice_evaluation")
    folder = tmp_path / "templates"
    write(folder, "copy.toml", collab.source_text.replace('name = "Coll', 'name = "My coll'))
    registry = TemplateRegistry(folder)
    assert len(registry.errors) == 1
    assert (
        "copy.toml:" in registry.errors[0] and "already defined by a built-in" in registry.errors[0]
    )
    assert registry.get("collaborative_practice_evaluation") is collab


def test_registry_without_a_custom_folder(tmp_path: Path) -> None:
    registry = TemplateRegistry(tmp_path / "nowhere")
    assert registry.errors == []
    assert len(registry.all()) == 2
    assert TemplateRegistry(builtins=[]).all() == []


# --- snapshots ----------------------------------------------------------------------------


def test_snapshot_keeps_an_old_version_readable() -> None:
    registry = TemplateRegistry(builtins=[load_template_text(MINIMAL, "mini.toml")])
    old_text = MINIMAL.replace('version = "1.0"', 'version = "0.9"')
    assert registry.get("mini", "0.9") is None
    snapshot = registry.add_snapshot(old_text)
    assert registry.get("mini", "0.9") is snapshot
    assert registry.is_snapshot(snapshot)
    assert registry.get("mini").version == "1.0"
    assert [t.version for t in registry.all()] == ["1.0"]
    assert registry.by_hash(content_hash(old_text)) is snapshot
    assert snapshot.source_text == old_text


def test_snapshot_with_same_version_but_other_content_is_found_by_hash() -> None:
    current = load_template_text(MINIMAL, "mini.toml")
    registry = TemplateRegistry(builtins=[current])
    edited = MINIMAL.replace('title = "First"', 'title = "First (old wording)"')
    snapshot = registry.add_snapshot(edited)
    assert registry.get("mini", "1.0") is current
    assert registry.get("mini", "1.0", content_hash=snapshot.content_hash) is snapshot
    assert registry.get("mini", "1.0", content_hash="0" * 64) is None
    assert registry.add_snapshot(MINIMAL) is current  # same content: the active template
    with pytest.raises(TemplateError):
        registry.add_snapshot("id = ")


def test_lines_are_found_after_multiline_strings_and_inline_tables() -> None:
    text = MINIMAL.replace(
        'name = "Mini"', 'name = "Mini"\ndescription = """\nid = "not a key"\n[[sections]]\n"""'
    ).replace('kind = "list"', 'kind = "lists"')
    (problem,) = template_problems(text, "bad.toml")
    assert problem.line == line_of(text, 'kind = "lists"')
    inline = MINIMAL.replace(
        '[[sections.items.sources]]\nid = "assessments"\nlabel = "Within assessments"\n',
        'sources = [{ id = "Bad Id", label = "x" }]\n',
    )
    (problem,) = template_problems(inline, "bad.toml")
    assert (problem.key, problem.line) == (
        "sections[1].items[1].sources[0].id",
        line_of(inline, "sources"),
    )
