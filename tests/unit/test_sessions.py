"""Moderation sessions in the core: preparing, sampling, the blind pass, the reveal, agreeing,
the outcome and closing; what is refused (and writes nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from qa_tui.domain import moderation as mod
from qa_tui.domain import sampling
from qa_tui.domain import sessions as ses
from qa_tui.domain.lifecycle import complete
from qa_tui.domain.session_views import HIDDEN, list_sessions, load_session, side_by_side
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.framework.model import NOT_APPLICABLE, Template
from qa_tui.store import models
from qa_tui.store.history import check_consistency
from tests.unit.test_domain import dump, fill, new_eval, tpl  # noqa: F401  (tpl is a fixture)

PEOPLE = [("Priya Okafor", "Head of Service"), ("Tom Lindqvist", "Principal Social Worker")]


def completed(ws: Any, t: Template, **details: Any) -> str:
    eid = new_eval(ws, **details)
    fill(ws, t, eid)
    ws.write(complete, t, eid)
    return eid


@pytest.fixture
def prepared(workspace: Any, tpl: Template) -> tuple[str, list[str]]:  # noqa: F811
    ids = [completed(workspace, tpl, case_reference=f"LCS-20481{n}") for n in range(3)]
    sid = workspace.write(ses.create_session, "2026-10-14", "", PEOPLE)
    for eid in ids:
        workspace.write(ses.add_evaluation, sid, eid)
    return sid, ids


def _moderator(ws: Any, sid: str, name: str) -> str:
    return ses.moderator_id(sid, name)


def test_a_whole_session_blind_pass_reveal_agree_outcome_close(
    workspace: Any,
    tpl: Template,  # noqa: F811
    prepared: tuple[str, list[str]],
) -> None:
    sid, ids = prepared
    eid = ids[0]
    priya, tom = (_moderator(workspace, sid, n) for n, _r in PEOPLE)
    for who, grades in ((priya, ("good", "inadequate")), (tom, ("good", "requires_improvement"))):
        for item, grade in zip(("assessment", "planning"), grades, strict=True):
            workspace.write(ses.set_blind_grade, tpl, sid, who, eid, item, grade)
    workspace.write(ses.set_blind_grade, tpl, sid, tom, eid, mod.OVERALL, "requires_improvement")
    with workspace.store.reader() as s:
        blind = side_by_side(s, tpl, sid, eid)
    assert blind.hidden
    assert all(i.grade == "" for i in blind.left if i.graded)
    assert {i.grade_text for i in blind.left if i.graded} == {HIDDEN}
    assert [c.grade for c in blind.right["planning"].blind] == [
        "inadequate",
        "requires_improvement",
    ]
    with pytest.raises(ValidationError, match="reveal the auditor's grades first"):
        workspace.write(ses.agree, tpl, sid, eid, "planning", "inadequate", "Thin.")

    workspace.write(ses.reveal, sid, eid)
    with pytest.raises(ValidationError, match="already revealed"):
        workspace.write(ses.set_blind_grade, tpl, sid, priya, eid, "planning", "good")
    workspace.write(ses.agree, tpl, sid, eid, "assessment", "", "", "agree")
    workspace.write(ses.agree, tpl, sid, eid, "planning", "inadequate", "No plan dates.", "lower")
    workspace.write(ses.agree, tpl, sid, eid, mod.OVERALL, "requires_improvement", "", "agree")
    workspace.write(
        ses.record_outcome,
        sid,
        eid,
        learning_points="Plans need dates.",
        feedback_strengths="The child's voice is clear.",
        feedback_gaps="[b]No[/b] contingency plan.",
    )
    with workspace.store.reader() as s:
        seen = side_by_side(s, tpl, sid, eid)
        summary = mod.moderation_views(s, tpl, eid)
    assert not seen.hidden
    graded = ["good", "requires_improvement", "requires_improvement"]  # the two items, overall
    assert [i.grade for i in seen.left if i.graded] == graded
    planning = seen.right["planning"]
    assert (planning.agreed, planning.agreement, planning.steps) == ("inadequate", "lower", -1)
    (view,) = summary
    assert view.moderation.feedback_gaps == "[b]No[/b] contingency plan."
    assert view.moderation.session_id == sid and view.moderation.moderator.startswith("Priya")

    with pytest.raises(ValidationError, match=r"2 evaluation\(s\) have no overall moderated grade"):
        workspace.write(ses.close_session, sid)
    for other in ids[1:]:
        workspace.write(ses.remove_evaluation, sid, other)
    workspace.write(ses.close_session, sid)
    with pytest.raises(ValidationError, match="is closed"):
        workspace.write(ses.agree, tpl, sid, eid, "planning", "good", "On reflection.")
    with workspace.store.reader() as s:
        (row,) = list_sessions(s)
        detail = load_session(s, sid)
        assert check_consistency(s) == []
    assert (row.status, row.moderators, row.evaluations) == ("closed", 2, 1)
    assert row.title == "Moderation group, 14 October 2026"
    (member,) = detail.members
    assert (member.blind_grades, member.agreed, member.overall) == (5, 3, "requires_improvement")


def test_moderating_a_draft_is_refused_with_the_reason(
    workspace: Any,
    tpl: Template,  # noqa: F811
    prepared: tuple[str, list[str]],
) -> None:
    sid, _ids = prepared
    draft = new_eval(workspace, case_reference="LCS-999999")
    before = dump(workspace)
    with pytest.raises(ValidationError, match="LCS-999999 is draft, not completed"):
        workspace.write(ses.add_evaluation, sid, draft)
    assert dump(workspace) == before


@pytest.mark.parametrize(
    ("grade", "item", "message"),
    [
        ("excellent", "planning", "not on the grading scale"),
        ("good", "working_well", "not a graded item"),
    ],
)
def test_a_grade_off_the_scale_or_an_ungraded_item_is_refused(
    workspace: Any,
    tpl: Template,  # noqa: F811
    prepared: tuple[str, list[str]],
    grade: str,
    item: str,
    message: str,
) -> None:
    sid, ids = prepared
    before = dump(workspace)
    who = _moderator(workspace, sid, "Priya Okafor")
    with pytest.raises(ValidationError, match=message):
        workspace.write(ses.set_blind_grade, tpl, sid, who, ids[0], item, grade)
    workspace.write(ses.reveal, sid, ids[0])
    after_reveal = dump(workspace)
    with pytest.raises(ValidationError, match=message):
        workspace.write(ses.agree, tpl, sid, ids[0], item, grade, "why")
    assert dump(workspace) == after_reveal != before


def test_not_applicable_is_a_blind_grade_and_withdrawing_takes_it_back(
    workspace: Any,
    tpl: Template,  # noqa: F811
    prepared: tuple[str, list[str]],
) -> None:
    sid, ids = prepared
    who = _moderator(workspace, sid, "Tom Lindqvist")
    workspace.write(ses.set_blind_grade, tpl, sid, who, ids[0], "planning", NOT_APPLICABLE)
    workspace.write(ses.set_blind_grade, tpl, sid, who, ids[0], "assessment", "good")
    workspace.write(ses.set_blind_grade, tpl, sid, who, ids[0], "assessment", "")
    with workspace.store.reader() as s:
        right = side_by_side(s, tpl, sid, ids[0]).right
    assert [c.grade for c in right["planning"].blind] == ["", NOT_APPLICABLE]
    assert [c.grade for c in right["assessment"].blind] == ["", ""]


def test_a_session_without_evaluations_cannot_be_closed_and_needs_moderators(
    workspace: Any,
    tpl: Template,  # noqa: F811
) -> None:
    before = dump(workspace)
    with pytest.raises(ValidationError, match="name at least one moderator"):
        workspace.write(ses.create_session, "2026-10-14", "October", [("  ", "")])
    with pytest.raises(ValidationError, match="listed twice"):
        workspace.write(ses.create_session, "2026-10-14", "October", [("Ann", ""), ("ann ", "")])
    with pytest.raises(ValidationError, match="Date"):
        workspace.write(ses.create_session, "31/02/2026", "October", PEOPLE)
    assert dump(workspace) == before
    sid = workspace.write(ses.create_session, dt.date(2026, 10, 14), "October", PEOPLE)
    with pytest.raises(ValidationError, match="it has no evaluations, so it cannot be closed"):
        workspace.write(ses.close_session, sid)


def test_without_a_blind_pass_the_grades_show_at_once(
    workspace: Any,
    tpl: Template,  # noqa: F811
) -> None:
    eid = completed(workspace, tpl)
    sid = workspace.write(ses.create_session, "2026-10-14", "Open book", PEOPLE, False)
    workspace.write(ses.add_evaluation, sid, eid)
    with workspace.store.reader() as s:
        view = side_by_side(s, tpl, sid, eid)
    assert not view.hidden and view.left[0].grade == "good"
    with pytest.raises(ValidationError, match="no blind first pass"):
        workspace.write(
            ses.set_blind_grade,
            tpl,
            sid,
            ses.moderator_id(sid, "Priya Okafor"),
            eid,
            "planning",
            "good",
        )
    workspace.write(ses.agree, tpl, sid, eid, "planning", "good", "Better than it looked.")


def test_moderators_come_and_go_by_name(
    workspace: Any,
    tpl: Template,  # noqa: F811
    prepared: tuple[str, list[str]],
) -> None:
    sid, _ids = prepared
    grace = workspace.write(ses.add_moderator, sid, "Grace  Mensah", "IRO Manager")
    assert grace == ses.moderator_id(sid, "grace mensah")
    workspace.write(ses.remove_moderator, sid, grace)
    assert workspace.write(ses.add_moderator, sid, "GRACE MENSAH", "IRO manager") == grace
    with workspace.store.reader() as s:
        names = [(m.name, m.role) for m in ses.moderators(s, sid)]
        assert check_consistency(s) == []
    assert names == [
        ("Grace Mensah", "IRO manager"),
        ("Priya Okafor", "Head of Service"),
        ("Tom Lindqvist", "Principal Social Worker"),
    ]
    with pytest.raises(NotFoundError):
        workspace.write(ses.set_blind_grade, tpl, sid, "nobody", _ids[0], "planning", "good")


# --- sampling -------------------------------------------------------------------------------


def test_a_sample_is_reproducible_and_explained(workspace: Any, tpl: Template) -> None:  # noqa: F811
    for n in range(8):
        area = "North" if n % 2 else "South"
        completed(workspace, tpl, case_reference=f"LCS-30000{n}", service_area=area)
    new_eval(workspace, case_reference="LCS-400000", service_area="North")  # a draft: never drawn
    flt = sampling.EvaluationFilter(service_area="North")
    first = workspace.write(ses.create_session, "2026-10-14", "A", PEOPLE)
    second = workspace.write(ses.create_session, "2026-10-15", "B", PEOPLE)
    a = workspace.write(sampling.draw_sample, first, flt, 3, 4711)
    b = workspace.write(sampling.draw_sample, second, flt, 3, 4711)
    assert a.drawn == b.drawn and len(set(a.drawn)) == 3
    assert a.describe() == "3 of 4 completed evaluations (service area North), seed 4711"
    with workspace.store.reader() as s:
        pool = sampling.pool(s, flt)
        (kept,) = sampling.samples_of(ses.get_session(s, first))
        members = {m.evaluation_id for m in load_session(s, first).members}
    assert kept.drawn == a.drawn == sampling.draw(pool, 3, 4711) and members == set(a.drawn)
    # One left in the pool reads in the singular (it read "only 1 completed evaluations match").
    with pytest.raises(
        ValidationError, match=r"2 asked for, but only 1 completed evaluation not already in "
    ) as refused:
        workspace.write(sampling.draw_sample, first, flt, 2, 1)
    assert "in this session matches (service area North)" in str(refused.value)
    with pytest.raises(
        ValidationError,
        match=r"9 asked for, but only 5 completed evaluations not already in this session",
    ):
        workspace.write(sampling.draw_sample, first, sampling.EvaluationFilter(), 9, 1)
    # The draw is Python's guaranteed random() sequence: a published, fixed result.
    assert sampling.draw(["a", "b", "c", "d", "e"], 2, 4711) == sampling.draw(
        ["e", "d", "c", "b", "a"], 2, 4711
    )


def test_a_sample_of_a_large_pool_reads_with_thousands_separators() -> None:
    record = sampling.SampleRecord(4711, 12, 1133, "dated 2026", [])
    assert record.describe() == "12 of 1,133 completed evaluations (dated 2026), seed 4711"


def test_the_evaluation_record_keeps_the_session(
    workspace: Any,
    tpl: Template,  # noqa: F811
    prepared: tuple[str, list[str]],
) -> None:
    sid, ids = prepared
    with workspace.store.reader() as s:
        rows = s.scalars(select(models.Moderation).where(models.Moderation.session_id == sid))
        found = {m.evaluation_id: m.id for m in rows}
    assert found == {eid: ses.session_moderation_id(sid, eid) for eid in ids}


def test_units_count_each_blind_grade_once_kept_grouped_or_grouped_here(
    workspace: Any,
    tpl: Template,  # noqa: F811
    prepared: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The blind grades of a unit, read as the database keeps them grouped (``blind_units``,
    kept by triggers) and counted per grade, are those grouped from the blind grades
    themselves (a database before migration 0023), with or without who gave them; an
    evaluation graded blind only gives units of its own; a moderator removed from the session
    has their grades left out."""
    from qa_tui.reports import moderation_units as mu

    sid, (first, second, _third) = prepared
    grace = workspace.write(ses.add_moderator, sid, "Grace Mensah", "IRO Manager")
    priya, tom = (_moderator(workspace, sid, n) for n, _r in PEOPLE)
    given = {priya: ("good", "inadequate"), tom: ("good", "requires_improvement")}
    for eid in (first, second):
        for who, grades in (*given.items(), (grace, ("outstanding", "outstanding"))):
            for item, grade in zip(("assessment", "planning"), grades, strict=True):
                workspace.write(ses.set_blind_grade, tpl, sid, who, eid, item, grade)
    workspace.write(ses.reveal, sid, first)
    workspace.write(ses.agree, tpl, sid, first, "assessment", "", "", "agree")
    workspace.write(ses.agree, tpl, sid, first, "planning", "inadequate", "No dates.", "lower")
    workspace.write(ses.remove_moderator, sid, grace)
    with workspace.store.session() as s:  # the template's text, as a central database keeps it
        snapshot = {"template_id": tpl.id, "version": tpl.version, "source_text": tpl.source_text}
        s.add(models.TemplateSnapshot(content_hash=tpl.content_hash, **snapshot))
    flt = mu.AgreementFilter(dt.date(2026, 1, 1), dt.date(2026, 12, 31))

    def units(who: bool = True) -> dict[tuple[str, str], tuple[str, int, tuple[float, ...]]]:
        with workspace.store.reader() as s:
            found, _templates = mu.read_units(s, flt, who=who)
        position = {g: i for i, g in enumerate(found.grades)}
        assert found.blind_counts.sum(axis=1).tolist() == found.blind_given
        out = {}
        for i, (eid, item) in enumerate(zip(found.evaluation, found.item, strict=True)):
            counts = tuple(found.blind_counts[i].tolist())
            assert counts[position["outstanding"]] == 0  # Grace's grades: left out
            out[eid, item] = (found.agreed[i], found.blind_given[i], counts)
        return out

    kept = units()
    assert units(who=False) == kept
    dialect = type(workspace.store.engine.dialect)
    monkeypatch.setattr(dialect, "has_table", lambda *_args, **_kw: False)  # before 0023
    assert units() == kept and units(who=False) == kept
    assert {key: value[:2] for key, value in kept.items()} == {
        (first, "assessment"): ("good", 2),
        (first, "planning"): ("inadequate", 2),
        (second, "assessment"): ("", 2),  # graded blind only
        (second, "planning"): ("", 2),
    }


def test_the_side_by_side_reads_what_the_whole_evaluation_shows_in_one_short_read(
    workspace: Any,
    tpl: Template,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One transaction of a few queries (the view opens while the screen mounts, and on
    PostgreSQL each round trip waits for the screen's turn), showing exactly what the whole
    evaluation's read shows: feedback given in one millisecond in the order it was given,
    though its ids sort the other way; scales with the names of those who gave them."""
    from sqlalchemy import event

    from qa_tui.domain import evaluation as ev
    from qa_tui.domain.session_views import auditor_items
    from qa_tui.services.moderation import SessionService
    from qa_tui.store.views import load_view

    eid = new_eval(workspace)
    fill(workspace, tpl, eid)
    ids_backwards = iter(f"ffffffff-ffff-7fff-bfff-{n:012x}" for n in range(999, 0, -1))
    monkeypatch.setattr("qa_tui.domain.record_writes.new_id", lambda: next(ids_backwards))
    said = ["First.", "Second.", "Third."]
    for text in said:  # the frozen clock: one created_at for all three
        workspace.write(ev.add_feedback, tpl, eid, "child_voice", "direct", "Mum", text)
    monkeypatch.undo()
    workspace.write(complete, tpl, eid)
    sid = workspace.write(ses.create_session, "2026-10-14", "", PEOPLE)
    workspace.write(ses.add_evaluation, sid, eid)
    tom = ses.moderator_id(sid, "Tom Lindqvist")
    workspace.write(ses.set_blind_grade, tpl, sid, tom, eid, "planning", "good")
    statements: list[str] = []

    def counted(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(workspace.store.engine, "before_cursor_execute", counted)
    try:
        data = SessionService(workspace).side_by_side(sid, eid)
    finally:
        event.remove(workspace.store.engine, "before_cursor_execute", counted)
    assert len(statements) <= 8, statements  # 20, in two transactions, before

    with workspace.store.reader() as s:
        whole = auditor_items(load_view(s, eid), tpl, hidden=True)
    assert data.left == whole
    voice = next(i for i in data.left if i.item_id == "child_voice")
    assert [line for line in voice.lines if line.startswith("• Mum")] == [
        f"• Mum: {text}" for text in said
    ]
    scale = next(i for i in data.left if i.item_id == "safety_scale")
    assert len(scale.lines) > 1 and not any("someone" in line for line in scale.lines)
    assert [c.grade for c in data.right["planning"].blind] == ["", "good"]  # Priya, Tom
    assert [m.name for m in data.moderators] == ["Priya Okafor", "Tom Lindqvist"]


def test_the_side_by_side_says_what_is_missing(
    workspace: Any,
    tpl: Template,  # noqa: F811
    prepared: tuple[str, list[str]],
) -> None:
    sid, ids = prepared
    other = completed(workspace, tpl, case_reference="LCS-999999")
    with workspace.store.reader() as s:
        with pytest.raises(NotFoundError, match="No moderation session with id nowhere"):
            side_by_side(s, tpl, "nowhere", ids[0])
        with pytest.raises(NotFoundError, match=f"Evaluation {other} is not in this moderation"):
            side_by_side(s, tpl, sid, other)
        assert side_by_side(s, tpl, sid, ids[1]).evaluation.id == ids[1]
