"""Demo data never leaves a laptop by accident (issue 9, item 2).

A laptop holding demo evaluations and real work: export and sync send the real work only and
say how many demo evaluations stayed behind; ``--include-demo`` takes them (tests, training);
a central database refuses a bundle holding demo evaluations unless the merge asks for them,
keeps them marked as demo, and ``qa-tui list`` says the list includes them; ``qa-tui demo
--remove`` takes every demo evaluation away and leaves real work and a consistent history.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qa_tui.cli import main
from tests.sync.test_cli_handover import Machine, _evaluate


class Laptop(Machine):
    def out(self, *args: str, ok: bool = True) -> tuple[str, str]:
        """stdout and stderr apart (a note about demo data goes to stderr)."""
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.stdout, result.stderr


def _desk(tmp_path: Path, central_url: str, *laptops: Laptop) -> tuple[Laptop, Path]:
    desk = Laptop(tmp_path, "desk")
    key = tmp_path / "qa.key"
    desk.run("central", "init", "--db", central_url, "--key-out", str(key))
    for laptop in laptops:
        shown = json.loads(laptop.run("keys", "show", "--format", "json"))
        token = f"{shown['device_id']}:{shown['public_key']}"
        desk.run("central", "enrol", "--db", central_url, "--device-key", token)
    return desk, key


def _ids(machine: Laptop, db: str) -> dict[str, bool]:
    stdout, _ = machine.out("list", "--db", db, "--format", "json")
    return {row["id"]: row["demo"] for row in json.loads(stdout)}


def test_bundles_leave_demo_behind_and_a_central_database_refuses_it(
    tmp_path: Path, make_db
) -> None:
    laptop = Laptop(tmp_path, "one")
    real = _evaluate(laptop, "ABC-10001")
    laptop.run("demo", "--db", laptop.db, "--evaluations", "5")
    rows = _ids(laptop, laptop.db)
    assert len(rows) == 6 and rows[real] is False and sum(rows.values()) == 5
    _, note = laptop.out("list", "--db", laptop.db)
    assert "includes 5 demo evaluations" in note

    central_url = make_db()
    desk, key = _desk(tmp_path, central_url, laptop)
    bundle = tmp_path / "one.qab"
    stdout, _ = laptop.out("export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(bundle))
    assert "1 evaluation," in stdout and "5 demo evaluations left out" in stdout
    assert "(--include-demo takes them)" in stdout  # the command line has the flag
    desk.run("merge", "--into", central_url, "--key", str(key), str(bundle))
    assert _ids(desk, central_url) == {real: False}

    with_demo = tmp_path / "with-demo.qab"
    laptop.run(
        "export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(with_demo), "--all",
        "--include-demo",
    )  # fmt: skip
    _, refused = desk.out(
        "merge", "--into", central_url, "--key", str(key), str(with_demo), ok=False
    )
    assert "holds demo evaluations" in refused and "--include-demo" in refused
    assert _ids(desk, central_url) == {real: False}  # nothing of the bundle was written

    desk.run("merge", "--into", central_url, "--key", str(key), "--include-demo", str(with_demo))
    on_desk = _ids(desk, central_url)
    assert on_desk == rows  # the demo evaluations arrived, still marked as demo
    _, note = desk.out("list", "--db", central_url, "--format", "csv")
    assert "includes 5 demo evaluations" in note


def test_sync_leaves_demo_behind_and_says_so(tmp_path: Path, make_db) -> None:
    laptop = Laptop(tmp_path, "one")
    real = _evaluate(laptop, "ABC-10001")
    laptop.run("demo", "--db", laptop.db, "--evaluations", "3")
    central_url = make_db()
    desk, _key = _desk(tmp_path, central_url, laptop)
    said = laptop.run("sync", "--db", laptop.db, "--central", central_url)
    assert "1 evaluation sent to the QA team" in said
    assert "3 demo evaluations stayed on this laptop" in said
    assert _ids(desk, central_url) == {real: False}


def test_demo_remove_takes_demo_away_and_keeps_real_work(tmp_path: Path) -> None:
    from qa_tui.store.history import check_consistency
    from qa_tui.store.migrate import open_store

    laptop = Laptop(tmp_path, "one")
    real = _evaluate(laptop, "ABC-10001")
    laptop.run("demo", "--db", laptop.db, "--evaluations", "4")
    said = laptop.run("demo", "--db", laptop.db, "--remove")
    assert "4 demo evaluations removed" in said
    assert _ids(laptop, laptop.db) == {real: False}
    _, note = laptop.out("list", "--db", laptop.db)
    assert note == ""
    store = open_store(laptop.db, create=False)
    try:
        with store.reader() as session:
            assert check_consistency(session) == []
            from sqlalchemy import func, select

            from qa_tui.store import models

            changes = session.scalars(select(func.count()).select_from(models.Change)).one()
            mine = session.scalars(
                select(func.count())
                .select_from(models.Change)
                .where(models.Change.evaluation_id == real)
            ).one()
            assert changes == mine  # no history of a demo evaluation is left
            assert session.scalars(select(func.count()).select_from(models.Team)).one() == 0
    finally:
        store.dispose()


def test_demo_moderation_sessions_stay_behind_and_go_with_remove(tmp_path: Path, make_db) -> None:
    """Demo data holds moderation sessions too (aggregates of their own): sync leaves them
    behind with the demo evaluations, and --remove takes them and their history away."""
    from sqlalchemy import func, select

    from qa_tui.store import models
    from qa_tui.store.migrate import open_store

    laptop = Laptop(tmp_path, "one")
    real = _evaluate(laptop, "ABC-10001")
    laptop.run("demo", "--db", laptop.db, "--evaluations", "80")

    def count(url: str, model: type) -> int:
        store = open_store(url, create=False)
        try:
            with store.reader() as session:
                return int(session.scalar(select(func.count()).select_from(model)) or 0)
        finally:
            store.dispose()

    sessions = count(laptop.db, models.ModerationSession)
    assert sessions > 0  # the demo holds sessions, so the checks below can fail
    central_url = make_db()
    desk, _key = _desk(tmp_path, central_url, laptop)
    laptop.run("sync", "--db", laptop.db, "--central", central_url)
    assert _ids(desk, central_url) == {real: False}
    assert count(central_url, models.ModerationSession) == 0
    assert count(central_url, models.SessionModerator) == 0

    laptop.run("demo", "--db", laptop.db, "--remove")
    for model in (models.ModerationSession, models.SessionModerator, models.BlindGrade):
        assert count(laptop.db, model) == 0
    store = open_store(laptop.db, create=False)
    try:
        with store.reader() as session:
            aggregates = set(session.scalars(select(models.Change.evaluation_id).distinct()))
    finally:
        store.dispose()
    assert aggregates == {real}


def test_the_demo_programme_stays_behind_and_goes_with_remove(tmp_path: Path, make_db) -> None:
    """The demo's plans, board meetings and systemic actions (marked by their ids) never
    reach the central database by sync, are taken for demo data by a merge, and go with
    --remove; a real plan made on the laptop syncs and stays."""
    from sqlalchemy import func, select

    from qa_tui.store import models
    from qa_tui.store.migrate import open_store
    from qa_tui.store.queries import demo_programme_present
    from qa_tui.sync.checking import is_demo
    from qa_tui.sync.export import iter_aggregates

    laptop = Laptop(tmp_path, "one")
    real = _evaluate(laptop, "ABC-10001")
    laptop.run("demo", "--db", laptop.db, "--evaluations", "30")
    plan = laptop.run("plan", "new", "--db", laptop.db, "--kind", "thematic", "--title", "Real")
    plan = plan.strip()

    def count(url: str, model: type) -> int:
        store = open_store(url, create=False)
        try:
            with store.reader() as session:
                return int(session.scalar(select(func.count()).select_from(model)) or 0)
        finally:
            store.dispose()

    assert count(laptop.db, models.Plan) == 4 and count(laptop.db, models.BoardAction) == 3
    store = open_store(laptop.db, create=False)
    try:
        with store.reader() as session:
            ids = demo_programme_present(session)
            assert len(ids) == 12
            assert all(is_demo(a) for a in iter_aggregates(session, ids))
            assert not any(is_demo(a) for a in iter_aggregates(session, [plan]))
    finally:
        store.dispose()
    central_url = make_db()
    desk, _key = _desk(tmp_path, central_url, laptop)
    laptop.run("sync", "--db", laptop.db, "--central", central_url)
    assert _ids(desk, central_url) == {real: False}
    assert count(central_url, models.Plan) == 1  # the real plan only
    for model in (models.BoardMeeting, models.BoardAction, models.Allocation):
        assert count(central_url, model) == 0, model

    said = laptop.run("demo", "--db", laptop.db, "--remove")
    assert "the demo programme (12 plans, board meetings and actions)" in said
    assert count(laptop.db, models.Plan) == 1
    for model in (models.BoardMeeting, models.BoardAction, models.PlanMember, models.CaseRecord):
        assert count(laptop.db, model) == 0, model
