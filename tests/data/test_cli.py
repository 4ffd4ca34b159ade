"""The headless command line: demo, list, templates, and one-line errors for bad databases."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa_tui.cli import main
from qa_tui.cli.core import LIST_COLUMNS
from qa_tui.store.migrate import open_store
from qa_tui.vocab import STATUSES

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = list(LIST_COLUMNS)
AS_ROOT = os.name == "posix" and os.geteuid() == 0


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def test_demo_is_deterministic_per_seed(tmp_path: Path) -> None:
    outputs = []
    for name in ("a.db", "b.db"):
        code, out, _ = run(
            "demo", "--db", url(tmp_path / name), "--evaluations", "30", "--seed", "7"
        )
        assert code == 0 and "Added 30 demo evaluations" in out
        code, out, _ = run("list", "--db", url(tmp_path / name), "--format", "json")
        assert code == 0
        outputs.append(out)
    assert outputs[0] == outputs[1]
    rows = json.loads(outputs[0])
    assert len(rows) == 30 and list(rows[0]) == COLUMNS
    code, _, _ = run("demo", "--db", url(tmp_path / "c.db"), "--evaluations", "30", "--seed", "8")
    _, other, _ = run("list", "--db", url(tmp_path / "c.db"), "--format", "json")
    assert other != outputs[0]


def test_list_formats_have_the_same_columns(tmp_path: Path) -> None:
    db = url(tmp_path / "qa.db")
    run("demo", "--db", db, "--evaluations", "12", "--seed", "3")
    _, table, _ = run("list", "--db", db)
    _, as_csv, _ = run("list", "--db", db, "--format", "csv")
    _, as_json, _ = run("list", "--db", db, "--format", "json")
    assert table.splitlines()[0].split() == COLUMNS
    assert len(table.splitlines()) == 13
    reader = csv.DictReader(io.StringIO(as_csv))
    assert reader.fieldnames == COLUMNS
    from_csv = list(reader)
    from_json = json.loads(as_json)
    assert [r["id"] for r in from_csv] == [r["id"] for r in from_json]
    assert all(isinstance(r["open_actions"], int) for r in from_json)
    assert {r["status"] for r in from_json} <= set(STATUSES)


def test_list_of_an_empty_database(tmp_path: Path) -> None:
    open_store(url(tmp_path / "empty.db")).dispose()
    code, out, _ = run("list", "--db", url(tmp_path / "empty.db"), "--format", "json")
    assert code == 0 and json.loads(out) == []


READ_ONLY = [
    ["list"],
    ["list", "--format", "csv"],
    ["conflicts"],
    ["conflicts", "--format", "json"],
    ["template", "list"],
    ["template", "show", "collaborative_practice_evaluation"],
    ["central", "devices"],
    ["central", "team", "list"],
    ["central", "template", "list"],
]


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_commands_that_only_read_never_create_a_database(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nowhere" / "qa.db"
    code, out, err = run(*command, "--db", url(missing))
    if command[0] == "template":  # templates still list; the database just is not read
        assert code == 0, err
    else:
        assert code == 1
        assert err.strip().count("\n") == 0 and f"no database at {missing}" in err, err
        assert "Traceback" not in err + out
    assert not missing.exists() and not missing.parent.exists()


def test_writing_commands_do_not_create_a_database_named_by_db(tmp_path: Path) -> None:
    missing = tmp_path / "qa.db"
    pub = tmp_path / "qa.key.pub"
    run(
        "central",
        "init",
        "--db",
        url(tmp_path / "central.db"),
        "--key-out",
        str(tmp_path / "qa.key"),
    )
    for command in (
        ["export", "--to", str(pub), "--out", str(tmp_path / "b.qab")],
        ["purge"],
        ["conflicts", "resolve", "0" * 32, "--pick", "x"],
        ["sync", "--central", url(tmp_path / "central.db")],
        ["central", "enrol", "--device-key", "x"],
    ):
        code, _, err = run(*command, "--db", url(missing))
        assert code == 1 and err.strip().count("\n") == 0, (command, err)
        assert not missing.exists(), command


def test_the_laptops_own_database_is_made_only_by_commands_that_write() -> None:
    from qa_tui.config import data_dir, default_db_url
    from qa_tui.store.quicklist import sqlite_file

    own = sqlite_file(default_db_url(data_dir()))
    assert own is not None and not own.exists()
    code, _, err = run("list")
    assert code == 1 and f"no database at {own}" in err and not own.exists()
    code, _, err = run("conflicts")
    assert code == 1 and not own.exists()
    code, _, err = run("purge")
    assert code == 0 and own.exists(), err


def test_demo_and_central_init_create_a_new_database(tmp_path: Path) -> None:
    code, _, err = run("demo", "--db", url(tmp_path / "a" / "demo.db"), "--evaluations", "1")
    assert code == 0 and (tmp_path / "a" / "demo.db").is_file(), err
    key = tmp_path / "qa.key"
    code, _, err = run("central", "init", "--db", url(tmp_path / "c.db"), "--key-out", str(key))
    assert code == 0 and (tmp_path / "c.db").is_file(), err


def test_merge_into_a_missing_database_says_how_to_make_one(tmp_path: Path) -> None:
    key = tmp_path / "qa.key"
    run("central", "init", "--db", url(tmp_path / "c.db"), "--key-out", str(key))
    bundle = tmp_path / "b.qab"
    bundle.write_bytes(b"x")
    missing = tmp_path / "new-central.db"
    code, _, err = run("merge", "--into", url(missing), "--key", str(key), str(bundle))
    assert code == 1 and "no database at" in err and "central init" in err
    assert not missing.exists()
    code, out, _ = run("merge", "--help")
    assert "never created here" in " ".join(out.split())


def test_template_list_and_show() -> None:
    code, out, _ = run("template", "list")
    assert code == 0
    ids = [line.split("\t")[0] for line in out.splitlines()]
    assert {"collaborative_practice_evaluation", "quality_of_practice_audit"} <= set(ids)
    code, out, _ = run("template", "show", "collaborative_practice_evaluation")
    assert code == 0 and "Collaborative practice evaluation" in out
    code, _, err = run("template", "show", "no_such_template")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "no_such_template" in err


def test_template_validate_valid_and_invalid(tmp_path: Path) -> None:
    from tests.unit.test_domain import SMALL

    good = tmp_path / "good.toml"
    good.write_text(SMALL, encoding="utf-8")
    code, out, _ = run("template", "validate", str(good))
    assert code == 0 and "valid" in out and "test_small" in out
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.replace('kind = "scaling"', 'kind = "scalin"'), encoding="utf-8")
    line = SMALL.replace('kind = "scaling"', "@@").split("\n").index("@@") + 1
    code, out, err = run("template", "validate", str(bad))
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert f"{bad}:{line}" in err and "kind" in err
    assert "Traceback" not in err + out


def _corrupt(tmp_path: Path) -> str:
    path = tmp_path / "corrupt.db"
    path.write_bytes(os.urandom(4096))
    return url(path)


def _newer(tmp_path: Path) -> str:
    path = tmp_path / "newer.db"
    open_store(url(path)).dispose()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    db.close()
    return url(path)


def _unwritable(tmp_path: Path) -> str:
    if AS_ROOT:
        (tmp_path / "file").write_text("x")
        return url(tmp_path / "file" / "qa.db")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    return url(folder / "qa.db")


@pytest.mark.parametrize("make", [_corrupt, _newer, _unwritable], ids=lambda f: f.__name__)
@pytest.mark.parametrize("command", [["list"], ["demo", "--evaluations", "2"]])
def test_bad_database_is_one_line_exit_1(tmp_path: Path, make, command: list[str]) -> None:
    db = make(tmp_path)
    code, out, err = run(*command, "--db", db)
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err + out


def test_bad_top_level_db_option_too(tmp_path: Path) -> None:
    code, _, err = run("--db", _corrupt(tmp_path), "list")
    assert code == 1 and len(err.strip().splitlines()) == 1
