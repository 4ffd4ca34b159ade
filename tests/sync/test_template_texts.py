"""Bundles and syncs carry the texts of the templates their evaluations use.

Before, neither did: a central database filled by merges knew the built-in templates (qa-tui
ships them) but not a template made on a laptop, whose items its reports then named by id.
Now a bundle's content header lists the texts (signed with the rest; a qa-tui from before
ignores the key) and a direct sync copies them; the central database keeps each one it lacks
once its hash and its content agree, says which it left out and why, and names the templates
merged evaluations use that it still has no text for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qa_tui.framework.loader import builtin_templates, load_template_text
from qa_tui.reports.standards import vocabulary
from qa_tui.store import models
from qa_tui.store.migrate import open_store
from qa_tui.sync import template_texts as tt
from tests.sync.test_demo_handover import Laptop, _desk

LOCAL_ID = "local_practice_check"
VERSION = "1.1"  # the built-in one's


def _local_template_text() -> str:
    """A template of the laptop's own: the built-in collaborative one under another id."""
    builtin = next(t for t in builtin_templates() if t.id == "collaborative_practice_evaluation")
    text = builtin.source_text.replace(
        'id = "collaborative_practice_evaluation"', f'id = "{LOCAL_ID}"', 1
    ).replace('name = "Collaborative practice evaluation"', 'name = "Local practice check"', 1)
    assert f'id = "{LOCAL_ID}"' in text
    return text


def _evaluate_with_local_template(machine: Laptop, case: str) -> str:
    """An evaluation made on ``machine`` with its own template (kept in its database)."""
    from qa_tui.config import load_settings
    from qa_tui.domain import evaluation as ev
    from qa_tui.store.history import Actor

    with pytest.MonkeyPatch.context() as env:
        for name, value in machine.env.items():
            env.setenv(name, value)
        settings = load_settings()
        template = load_template_text(_local_template_text(), "local_practice_check.toml")
        store = open_store(machine.db)
        try:
            with store.session() as session:
                ev.remember_template(session, template)  # as the app does
                return ev.create_evaluation(
                    session,
                    Actor(settings.author, settings.device_id),
                    template,
                    ev.CaseDetails(case_reference=case),
                    ".*",
                )
        finally:
            store.dispose()


def _texts(url: str) -> dict[str, str]:
    store = open_store(url, create=False)
    try:
        with store.reader() as session:
            rows = session.execute(
                select(models.TemplateSnapshot.template_id, models.TemplateSnapshot.source_text)
            )
            return {template_id: text for template_id, text in rows}
    finally:
        store.dispose()


def _hashes(url: str, column: Any) -> set[str]:
    store = open_store(url, create=False)
    try:
        with store.reader() as session:
            return set(session.scalars(select(column).distinct()))
    finally:
        store.dispose()


def _words(url: str, item: str) -> str:
    store = open_store(url, create=False)
    try:
        with store.reader() as session:
            return vocabulary(session).standard(LOCAL_ID, item).label
    finally:
        store.dispose()


def _first_item() -> tuple[str, str]:
    template = load_template_text(_local_template_text(), "local.toml")
    item = template.sections[0].items[0]
    return item.id, item.prompt


def test_a_bundle_carries_its_templates_and_the_central_database_reads_their_words(
    tmp_path: Path, make_db: Any
) -> None:
    laptop = Laptop(tmp_path, "one")
    _evaluate_with_local_template(laptop, "LPC-20001")
    central = make_db()
    desk, key = _desk(tmp_path, central, laptop)
    bundle = tmp_path / "one.qab"
    laptop.run("export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(bundle))

    said = desk.run("merge", "--into", central, "--key", str(key), str(bundle))
    assert f"template text kept: {LOCAL_ID} {VERSION}" in said, said
    assert "lacks" not in said
    assert _texts(central)[LOCAL_ID] == _local_template_text()  # the exact text
    item_id, prompt = _first_item()
    assert _words(central, item_id) == prompt  # its words, not its id

    # A second bundle using it: the text is there already, nothing said about it.
    _evaluate_with_local_template(laptop, "LPC-20002")
    again = tmp_path / "two.qab"
    laptop.run("export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(again))
    said = desk.run("merge", "--into", central, "--key", str(key), str(again))
    assert "template" not in said, said


def test_built_in_texts_travel_too_and_are_kept_without_a_word(
    tmp_path: Path, make_db: Any
) -> None:
    """A central database on an older qa-tui may not ship the version a laptop used."""
    laptop = Laptop(tmp_path, "one")
    laptop.run("demo", "--db", laptop.db, "--evaluations", "4", "--seed", "3")
    central = make_db()
    desk, key = _desk(tmp_path, central, laptop)
    bundle = tmp_path / "one.qab"
    laptop.run(
        "export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(bundle), "--include-demo"
    )
    said = desk.run("merge", "--into", central, "--key", str(key), "--include-demo", str(bundle))
    assert "template" not in said, said
    assert set(_texts(central)) <= {t.id for t in builtin_templates()}
    assert _hashes(central, models.TemplateSnapshot.content_hash) == _hashes(
        laptop.db, models.Evaluation.template_hash
    )  # the text of every template the laptop's evaluations used


def test_a_text_that_is_not_what_it_claims_is_left_out_and_the_merge_says_so(
    tmp_path: Path, make_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = Laptop(tmp_path, "one")
    evaluation = _evaluate_with_local_template(laptop, "LPC-20003")
    central = make_db()
    desk, key = _desk(tmp_path, central, laptop)
    real = tt.used_by

    def altered(session: Any, ids: Any) -> list[tt.TemplateText]:
        texts = real(session, ids)
        return [
            tt.TemplateText(
                t.content_hash,
                t.template_id,
                t.version,
                t.source_text.replace("Local practice check", "Someone else's check"),
            )
            for t in texts
        ]

    monkeypatch.setattr("qa_tui.sync.handover.used_by", altered)
    bundle = tmp_path / "one.qab"
    laptop.run("export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(bundle))
    said = desk.run("merge", "--into", central, "--key", str(key), str(bundle))
    assert (
        f"left out template '{LOCAL_ID} {VERSION}': its text does not match its content hash"
        in said
    ), said
    assert (
        f"1 evaluation uses template {LOCAL_ID} {VERSION}, whose text this database lacks" in said
    )
    assert "qa-tui central template publish" in said
    assert LOCAL_ID not in _texts(central)
    listed = desk.run("list", "--db", central, "--format", "json")
    assert evaluation in listed  # the evaluation merged all the same


def test_a_bundle_without_texts_names_what_the_central_database_lacks(
    tmp_path: Path, make_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle from a qa-tui before texts travelled (no ``templates`` in its header)."""
    laptop = Laptop(tmp_path, "one")
    _evaluate_with_local_template(laptop, "LPC-20004")
    _evaluate_with_local_template(laptop, "LPC-20005")
    central = make_db()
    desk, key = _desk(tmp_path, central, laptop)
    monkeypatch.setattr("qa_tui.sync.handover.used_by", lambda session, ids: [])
    bundle = tmp_path / "one.qab"
    laptop.run("export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(bundle))
    said = desk.run("merge", "--into", central, "--key", str(key), str(bundle))
    assert (
        f"2 evaluations use template {LOCAL_ID} {VERSION}, whose text this database lacks" in said
    )

    # Publishing it there fills the gap: the words come back.
    path = tmp_path / "local_practice_check.toml"
    path.write_text(_local_template_text(), encoding="utf-8")
    desk.run("central", "template", "publish", str(path), "--db", central)
    item_id, prompt = _first_item()
    assert _words(central, item_id) == prompt


def test_a_direct_sync_sends_the_texts_the_central_database_lacks(
    tmp_path: Path, make_db: Any
) -> None:
    laptop = Laptop(tmp_path, "one")
    _evaluate_with_local_template(laptop, "LPC-20006")
    central = make_db()
    _desk(tmp_path, central, laptop)
    said = laptop.run("sync", "--db", laptop.db, "--central", central)
    assert "1 template text sent" in said, said
    assert _texts(central)[LOCAL_ID] == _local_template_text()
    item_id, prompt = _first_item()
    assert _words(central, item_id) == prompt

    _evaluate_with_local_template(laptop, "LPC-20007")
    said = laptop.run("sync", "--db", laptop.db, "--central", central)
    assert "template text" not in said, said  # there already


# --- the header's entry, checked -----------------------------------------------------------


def _entry(**changed: Any) -> dict[str, Any]:
    text = _local_template_text()
    template = load_template_text(text, "local.toml")
    entry = {
        "content_hash": template.content_hash,
        "template_id": LOCAL_ID,
        "version": VERSION,
        "source_text": text,
    }
    entry.update(changed)
    return entry


def test_the_header_entry_is_checked_text_by_text() -> None:
    assert tt.from_header(None) == tt.Received([], [])
    assert tt.from_header("texts").left_out == ["the bundle's template texts are not a list"]
    many = tt.from_header([_entry()] * (tt.MAX_TEXTS + 1))
    assert many.texts == [] and "at most 100" in many.left_out[0]

    good = tt.from_header([_entry()])
    assert [t.template_id for t in good.texts] == [LOCAL_ID] and good.left_out == []

    cases = {
        "not a template text": [{"content_hash": "x"}],
        "not a template text ": [{**_entry(), "version": 1}],
        "does not match its content hash": [_entry(content_hash="0" * 64)],
        "its text is template": [_entry(version="9.9")],
        "not a valid template": [_entry(source_text="id = [unclosed")],
        "longer than": [_entry(source_text="x" * (tt.MAX_TEXT + 1))],
    }
    for words, raw in cases.items():
        received = tt.from_header(raw)
        assert received.texts == [], words
        assert len(received.left_out) == 1 and words.strip() in received.left_out[0], words


def test_escape_codes_in_a_text_left_out_are_shown_not_obeyed() -> None:
    received = tt.from_header([_entry(template_id="[bold]x\x1b[31m")])
    assert received.texts == []
    # The command line prints it: the escape made visible, never sent to the terminal.
    assert "\x1b" not in received.left_out[0]
    assert f"'[bold]x\\x1b[31m {VERSION}'" in received.left_out[0], received.left_out
