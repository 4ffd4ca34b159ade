"""Sync brings back what the laptop needs offline: moderations of the user's evaluations, the
teams and the templates the QA team published. Moderations merge like any other record."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qa_tui.cli import main
from qa_tui.domain import moderation as mod
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.framework.loader import load_template_file
from qa_tui.framework.model import ItemKind
from qa_tui.store import models
from qa_tui.store.history import Actor
from qa_tui.sync import reference_data as reference
from qa_tui.sync.direct import sync_now
from qa_tui.workspace import open_workspace
from tests.sync.helpers import TEMPLATE, Laptop, conflicts, consistent, copy_into, make_central
from tests.sync.helpers import state as db_state
from tests.sync.test_retention_and_sync import _complete, laptop_settings

MINI = Path(__file__).resolve().parents[1] / "unit" / "templates_data" / "mini.toml"
GRADED = [item.id for item in TEMPLATE.items(ItemKind.GRADE)]


def _moderate(central, evaluation_id: str, item: str, grade: str, why: str) -> str:
    qa = Actor("Sam Moderator", str(uuid.uuid4()))
    with central.session() as s:
        mid = mod.start_moderation(
            s, qa, evaluation_id, "Sam Moderator", "Head of Service", "2026-11-30"
        )
        mod.judge(s, qa, TEMPLATE, mid, item, grade, why)
        mod.update_moderation(s, qa, mid, learning_points="Record the child's words.")
    return mid


def _teams(store) -> list[tuple[str, str, bool]]:
    with store.reader() as s:
        return [(t.name, t.service_area, t.retired) for t in reference.list_teams(s, True)]


def test_sync_brings_back_moderations_teams_and_published_templates(
    make_db, tmp_path: Path, settings
) -> None:
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    evaluation_id = laptop.new_evaluation("ABC-12345")
    _complete(laptop, evaluation_id)
    own = laptop_settings(laptop, settings)
    sync_now(laptop.store, own, central.url)

    mid = _moderate(central, evaluation_id, GRADED[0], "inadequate", "No [b]direct[/b] work seen.")
    with central.session() as s:
        reference.add_team(s, "Locality North", "Children in Need")
        reference.add_team(s, "Fostering East", "Children in Care")
        reference.retire_team(s, "fostering east")
        reference.publish_template(s, load_template_file(MINI))
    report = sync_now(laptop.store, own, central.url)
    assert report.pulled_evaluations == 1 and report.teams == 2 and report.templates == 1

    with laptop.store.reader() as s:
        (view,) = mod.moderation_views(s, TEMPLATE, evaluation_id)
    assert view.moderation.id == mid and view.moderation.learning_points.startswith("Record")
    (judgement,) = view.judgements
    assert (judgement.item_id, judgement.moderated_grade) == (GRADED[0], "inadequate")
    assert judgement.rationale == "No [b]direct[/b] work seen."
    assert db_state(laptop.store)["moderations"] == db_state(central)["moderations"]
    assert (
        db_state(laptop.store)["moderation_judgements"]
        == db_state(central)["moderation_judgements"]
    )
    assert (
        _teams(laptop.store)
        == _teams(central)
        == [
            ("Fostering East", "Children in Care", True),
            ("Locality North", "Children in Need", False),
        ]
    )
    assert consistent(laptop.store) == []

    # The published template is usable on the laptop for new work, offline.
    laptop_ws = open_workspace(settings, str(laptop.store.url))
    try:
        mini = laptop_ws.templates.get("mini", "1.0")
        assert mini is not None and not laptop_ws.templates.is_snapshot(mini)
        assert mini in laptop_ws.templates.latest()
    finally:
        laptop_ws.close()

    again = sync_now(laptop.store, own, central.url)
    assert (again.teams, again.templates, again.pulled_changes) == (0, 0, 0)
    with central.session() as s:  # a rename on the central database follows on the laptop
        s.scalars(
            select(models.Team).where(models.Team.name == "Locality North")
        ).one().name = "Locality North & West"
        reference.add_team(s, "Fostering East")  # retired team comes back
    assert sync_now(laptop.store, own, central.url).teams == 2
    assert _teams(laptop.store) == _teams(central)
    assert ("Locality North & West", "Children in Need", False) in _teams(laptop.store)
    central.dispose()
    laptop.store.dispose()


def test_moderations_merge_field_by_field_and_conflict_on_the_same_item(
    make_db, tmp_path: Path
) -> None:
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    evaluation_id = laptop.new_evaluation("ABC-12345")
    _complete(laptop, evaluation_id)
    group = Laptop(make_db(), tmp_path, "Moderation laptop")
    copy_into(group.store, laptop.store)
    mid = group.do(mod.start_moderation, evaluation_id, "Group", "", "2026-11-30", "November group")
    copy_into(laptop.store, group.store)
    # Two moderators, offline, on two devices: different items merge, the same item conflicts.
    group.do(mod.judge, TEMPLATE, mid, GRADED[0], "inadequate", "Thin evidence.")
    group.do(mod.update_moderation, mid, learning_points="Group: chronology.")
    laptop.do(mod.judge, TEMPLATE, mid, GRADED[0], "outstanding", "Excellent direct work.")
    laptop.do(mod.judge, TEMPLATE, mid, GRADED[1], "good", "Sound analysis.")
    copy_into(laptop.store, group.store)
    copy_into(group.store, laptop.store)
    assert db_state(laptop.store) == db_state(group.store)
    found = conflicts(laptop.store)
    assert [(c.entity_type, c.field) for c in found] == [
        ("moderation_judgement", "moderated_grade"),
        ("moderation_judgement", "rationale"),
    ]
    with laptop.store.reader() as s:
        assert s.get(models.Moderation, mid).learning_points == "Group: chronology."
        (view,) = mod.moderation_views(s, TEMPLATE, evaluation_id)
    assert [j.item_id for j in view.judgements] == GRADED[:2]
    assert consistent(laptop.store) == [] and consistent(group.store) == []
    laptop.store.dispose()
    group.store.dispose()


def test_reference_data_is_refused_clearly(sqlite_db, tmp_path: Path) -> None:
    laptop = Laptop(sqlite_db(), tmp_path, "Alex Auditor")
    central = make_central(sqlite_db(), tmp_path / "qa.key", laptop)
    with central.session() as s:
        reference.add_team(s, "Locality North")
    for bad, message in [
        (lambda s: reference.add_team(s, "locality north "), "already exists"),
        (lambda s: reference.add_team(s, "   "), "give the team a name"),
        (lambda s: reference.add_team(s, "x" * 201), "Team"),
        (lambda s: reference.retire_team(s, "Nobody"), "no current team"),
        (lambda s: reference.publish_template(s, TEMPLATE), "built in"),
    ]:
        with central.session() as s, pytest.raises((ValidationError, NotFoundError), match=message):
            bad(s)
    with laptop.store.session() as s, pytest.raises(Exception, match="not a central database"):
        reference.add_team(s, "Locality North")
    changed = MINI.read_text().replace('name = "Mini"', 'name = "Mini, reworded"')
    other = tmp_path / "mini.toml"
    other.write_text(changed)
    with central.session() as s:
        first = reference.publish_template(s, load_template_file(MINI)).published_at
        assert reference.publish_template(s, load_template_file(MINI)).published_at == first
    with central.session() as s, pytest.raises(ValidationError, match="new version"):
        reference.publish_template(s, load_template_file(other))
    central.dispose()
    laptop.store.dispose()


def test_central_team_and_template_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'central.db'}"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d")}

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    run("central", "init", "--db", db, "--key-out", str(tmp_path / "qa.key"))
    assert "added" in run("central", "team", "add", "--db", db, "--name", "[b]North[/b]")
    run("central", "team", "add", "--db", db, "--name", "South", "--service-area", "CIN")
    out = run("central", "team", "add", "--db", db, "--name", "south", code=1)
    assert "Error: Team: 'South' already exists" in out and "Traceback" not in out
    assert run("central", "team", "list", "--db", db) == "[b]North[/b]\nSouth  CIN\n"
    run("central", "team", "retire", "--db", db, "--name", "SOUTH")
    assert run("central", "team", "list", "--db", db) == "[b]North[/b]\n"
    assert '"retired": true' in run(
        "central", "team", "list", "--db", db, "--all", "--format", "json"
    )
    assert "published mini version 1.0" in run(
        "central", "template", "publish", "--db", db, str(MINI)
    )
    assert run("central", "template", "list", "--db", db).startswith(
        "mini  version 1.0  published "
    )
    listed = run("template", "list", "--db", db)
    assert "mini\t1.0\tMini\t<published template mini 1.0>" in listed
    assert "(<published template mini 1.0>)" in run("template", "show", "mini", "--db", db)
    missing = tmp_path / "nothing-here.db"
    assert "mini" not in run("template", "list", "--db", f"sqlite:///{missing}")
    assert not missing.exists()  # listing templates never creates a database
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\nversion = 1\n')
    out = run("central", "template", "publish", "--db", db, str(broken), code=1)
    assert str(broken) in out and len(out.strip().splitlines()) == 1
