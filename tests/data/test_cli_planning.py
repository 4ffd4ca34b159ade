"""The planning commands in-process: import, sample (table, csv, json, onto a plan), plan,
allocate (a rule that cannot hold is one line naming it and what would work), show, mine,
begin, thematic terms; each failure one line and exit status 1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from qa_tui.cli import main
from qa_tui.store import models

CASES = "Case reference,Service area,Team,Allocated worker,Category\n" + "".join(
    f"LCS-91{i:04d},Children in Need,{('Locality North', 'Locality South')[i % 2]},"
    f"Worker {i % 3},{('CP', 'CIN')[i % 2]}\n"
    for i in range(40)
)


def test_the_planning_commands(workspace: Any, settings: Any, db_url: str, tmp_path: Path) -> None:
    from qa_tui.config import save_settings

    save_settings(settings)  # the commands read the settings' file: Alex Auditor works here
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        done = runner.invoke(main, [*args, "--db", db_url])
        assert done.exit_code == code, done.output
        return done.output

    path = tmp_path / "cases.csv"
    path.write_text(CASES)
    assert "Imported 40 cases." in run("cases", "import", str(path))
    table = run("sample", "--frame", "cases", "--size", "6", "--strata", "team", "--seed", "11")
    assert table.startswith("Drew 6 of 40 imported cases, stratified by team, seed 11")
    assert "Locality North: 3 of 20" in table
    drawn = json.loads(
        run(
            "sample",
            "--frame",
            "cases",
            "--size",
            "6",
            "--strata",
            "team",
            "--seed",
            "11",
            "--format",
            "json",
        )
    )
    csv_out = run(
        "sample",
        "--frame",
        "cases",
        "--size",
        "6",
        "--strata",
        "team",
        "--seed",
        "11",
        "--format",
        "csv",
    )
    assert [row[1] for row in drawn["drawn"]] == [
        line.split(",")[1] for line in csv_out.splitlines()[1:]
    ]
    assert "only 40" in run("sample", "--frame", "cases", "--size", "41", "--seed", "1", code=1)
    assert "not one of" in run(
        "sample", "--frame", "cases", "--size", "4", "--seed", "1", "--where", "colour=red", code=1
    )

    plan_id = run(
        "plan", "new", "--kind", "practice_day", "--title", "Practice day", "--date", "2026-12-03"
    ).strip()
    run(
        "plan",
        "members",
        plan_id,
        "--manager",
        "Alex Auditor|Locality North|Worker 1",
        "--manager",
        "Bea Osei|Locality North",
    )
    run(
        "sample",
        "--frame",
        "cases",
        "--size",
        "4",
        "--seed",
        "11",
        "--where",
        "team=Locality North",
        "--plan",
        plan_id,
    )
    refused = run("plan", "allocate", plan_id, code=1)
    assert "each manager one case outside their own line cannot hold" in refused
    assert "nearest that works" in refused
    assert "4 allocation(s) changed" in run("plan", "allocate", plan_id, "--no-outside-line")
    shown = run("plan", "show", plan_id)
    assert "4 case(s): allocated 4" in shown
    mine = run("plan", "mine").splitlines()
    assert len(mine) == 2 and "Allocated to you for 3 December (Practice day)" in mine[0]
    evaluation_id = run("plan", "begin", mine[0].split()[0]).strip()
    with workspace.store.reader() as s:
        made = s.get(models.Evaluation, evaluation_id)
        assert made is not None and made.evaluation_type == "practice_day"
        assert made.team == "Locality North"

    thematic = run("plan", "new", "--kind", "thematic", "--title", "Neglect").strip()
    assert "without its terms of reference" in run("plan", "start", thematic, code=1)
    run(
        "thematic",
        "terms",
        thematic,
        "--why",
        "Rising referrals",
        "--scope",
        "CIN",
        "--criteria",
        "Policy",
        "--who",
        "QA team",
        "--methods",
        "focus groups",
        "--timescale",
        "March",
    )
    run("plan", "start", thematic)
    run("thematic", "findings", thematic, "--strengths", "Good chronologies")
    with workspace.store.reader() as s:
        plan = s.scalars(select(models.Plan).where(models.Plan.id == thematic)).one()
        assert (plan.status, plan.findings_strengths) == ("under_way", "Good chronologies")
    assert "not-a-plan" in run("plan", "show", "not-a-plan", code=1)


def test_plan_edit_changes_the_title_and_dates_as_history(
    workspace: Any, settings: Any, db_url: str
) -> None:
    """``plan edit``: the title and dates change through the history (one change a field,
    merged like any other); the cases due on the old day follow the day; a bad date, an end
    before the start or a practice day without a date are one line, and nothing changes."""
    from qa_tui.config import save_settings
    from qa_tui.domain import plans as pl

    save_settings(settings)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        done = runner.invoke(main, [*args, "--db", db_url])
        assert done.exit_code == code, done.output
        return done.output

    plan_id = run(
        "plan", "new", "--kind", "practice_day", "--title", "Practice day", "--date", "2026-12-03"
    ).strip()
    run("plan", "add-cases", plan_id, "LCS-810001", "LCS-810002")
    with workspace.store.session() as s:  # one case due on a day of its own: it stays
        pl.add_cases(s, workspace.actor, plan_id, [pl.PlannedCase("LCS-810003")], r".+",
                     due_on=dt.date(2026, 12, 1))  # fmt: skip
    said = run("plan", "edit", plan_id, "--title", "Practice fortnight", "--date", "2026-12-07",
               "--end", "2026-12-18")  # fmt: skip
    assert "field(s) changed" in said
    with workspace.store.reader() as s:
        plan = s.get(models.Plan, plan_id)
        assert plan is not None
        assert (plan.title, plan.starts_on, plan.ends_on) == (
            "Practice fortnight",
            dt.date(2026, 12, 7),
            dt.date(2026, 12, 18),
        )
        due = {a.case_reference: a.due_on for a in pl.allocations(s, plan_id)}
        assert due == {
            "LCS-810001": dt.date(2026, 12, 18),
            "LCS-810002": dt.date(2026, 12, 18),
            "LCS-810003": dt.date(2026, 12, 1),
        }
        c = models.Change
        fields = s.scalars(
            select(c.field).where(c.entity_id == plan_id, c.entity_type == "plan")
        ).all()
        assert {"title", "starts_on", "ends_on"} <= set(fields)
    for args, said in (
        (("--date", "31/02/2026"), "'31/02/2026' is not a date"),
        (("--end", "2026-12-01"), "the last day is before the first"),
        (("--date", ""), "a practice day needs its date"),
        ((), "give --title, --date, --end"),
    ):
        out = run("plan", "edit", plan_id, *args, code=1)
        assert said in out and len(out.strip().splitlines()) == 1, out
    assert "1 field(s) changed" in run("plan", "edit", plan_id, "--end", "")
    with workspace.store.reader() as s:
        plan = s.get(models.Plan, plan_id)
        assert plan is not None and (plan.starts_on, plan.ends_on) == (dt.date(2026, 12, 7), None)
        assert {a.due_on for a in pl.allocations(s, plan_id)} == {
            dt.date(2026, 12, 7),
            dt.date(2026, 12, 1),
        }
