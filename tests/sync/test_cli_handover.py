"""Done-when: two laptops (separate XDG dirs) hand over by bundle and by sync, via the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qa_tui.cli import main


class Machine:
    """One simulated laptop (or the QA desk): its own config and data directories."""

    def __init__(self, root: Path, name: str) -> None:
        home = root / name
        self.env = {
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "HOME": str(home),
        }
        self.db = f"sqlite:///{home / 'data' / 'qa-tui' / 'qa_tui.db'}"

    def run(self, *args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code != 0, result.output
        return result.output


def _evaluate(machine: Machine, case: str) -> str:
    import os

    from qa_tui.config import load_settings
    from qa_tui.domain import evaluation as ev
    from qa_tui.domain import outcomes
    from qa_tui.framework.loader import builtin_templates
    from qa_tui.store.history import Actor
    from qa_tui.store.migrate import open_store

    old = {k: os.environ.get(k) for k in machine.env}
    os.environ.update(machine.env)
    try:
        settings = load_settings().with_changes(auditor_name=f"Auditor {case}")
        from qa_tui.config import save_settings

        save_settings(settings)
        store = open_store(machine.db)
        actor = Actor(settings.author, settings.device_id)
        tpl = builtin_templates()[0]
        with store.session() as s:
            evaluation_id = ev.create_evaluation(
                s, actor, tpl, ev.CaseDetails(case_reference=case), ".*"
            )
            ev.add_entry(
                s, actor, tpl, evaluation_id, "working_well", "Clear plan agreed with family"
            )
            outcomes.add_action(
                s, actor, evaluation_id, "Update the plan", settings.author, "2026-12-01"
            )
        store.dispose()
        return evaluation_id
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_two_laptops_by_bundle_and_by_sync(tmp_path: Path, make_db) -> None:
    desk, one, two = (Machine(tmp_path, n) for n in ("desk", "one", "two"))
    central_url = make_db()
    key = tmp_path / "qa.key"
    out = desk.run("central", "init", "--db", central_url, "--key-out", str(key))
    assert out.strip().splitlines()[-1].startswith("x25519:")
    assert (key.stat().st_mode & 0o777) == 0o600
    for laptop in (one, two):
        shown = json.loads(laptop.run("keys", "show", "--format", "json"))
        token = f"{shown['device_id']}:{shown['public_key']}"
        desk.run("central", "enrol", "--db", central_url, "--device-key", token, "--name", "x")

    first = _evaluate(one, "ABC-10001")
    second = _evaluate(two, "ABC-20002")
    bundle = tmp_path / "one.qab"
    one.run("export", "--db", one.db, "--to", f"{key}.pub", "--out", str(bundle))
    merged = desk.run("merge", "--into", central_url, "--key", str(key), str(bundle))
    assert "new changes" in merged
    again = desk.run("merge", "--into", central_url, "--key", str(key), str(bundle))
    assert "already merged" in again

    synced = two.run("sync", "--db", two.db, "--central", central_url)
    assert "sent" in synced
    listed = json.loads(desk.run("list", "--db", central_url, "--format", "json"))
    assert {row["id"] for row in listed} == {first, second}
    assert "0 conflicts" in desk.run("conflicts", "--db", central_url)
    assert "purged 0" in two.run("purge", "--db", two.db)


def test_sync_to_an_unreachable_central_database(tmp_path: Path) -> None:
    laptop = Machine(tmp_path, "one")
    _evaluate(laptop, "ABC-10001")
    missing = f"sqlite:///{tmp_path / 'nowhere' / 'central.db'}"
    out = laptop.run("sync", "--db", laptop.db, "--central", missing, ok=False)
    assert "not reachable" in out and "nothing was changed" in out
    pg = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    out = laptop.run("sync", "--db", laptop.db, "--central", pg, ok=False)
    assert "not reachable" in out


def test_merge_refusal_is_one_line(tmp_path: Path) -> None:
    desk = Machine(tmp_path, "desk")
    url = f"sqlite:///{tmp_path / 'central.db'}"
    desk.run("central", "init", "--db", url, "--key-out", str(tmp_path / "qa.key"))
    junk = tmp_path / "junk.qab"
    junk.write_bytes(b"hello" * 1000)
    out = desk.run("merge", "--into", url, "--key", str(tmp_path / "qa.key"), str(junk), ok=False)
    assert out.strip().count("\n") == 0 and "not a qa-tui bundle" in out


def test_central_init_use_key_needs_no_key_out(tmp_path: Path) -> None:
    desk = Machine(tmp_path, "desk")
    key = tmp_path / "qa.key"
    first = desk.run(
        "central", "init", "--db", f"sqlite:///{tmp_path / 'a.db'}", "--key-out", str(key)
    )
    public = first.strip().splitlines()[-1]
    second = desk.run(
        "central", "init", "--db", f"sqlite:///{tmp_path / 'b.db'}", "--use-key", str(key)
    )
    assert second.strip().splitlines() == [public]  # no word of a --key-out it did not write
    for args in ([], ["--key-out", str(tmp_path / "k2"), "--use-key", str(key)]):
        out = desk.run("central", "init", "--db", f"sqlite:///{tmp_path / 'c.db'}", *args, ok=False)
        assert out.strip().count("\n") == 0 and "--key-out FILE" in out and "--use-key FILE" in out
    assert not (tmp_path / "c.db").exists() and not (tmp_path / "k2").exists()
    junk = tmp_path / "junk.key"
    junk.write_text("not a key")
    out = desk.run(
        "central",
        "init",
        "--db",
        f"sqlite:///{tmp_path / 'd.db'}",
        "--use-key",
        str(junk),
        ok=False,
    )
    assert "not a private key" in out and not (tmp_path / "d.db").exists()
