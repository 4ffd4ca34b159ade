"""Real reports and the tidy data on a small fixture full of hostile text, read back the way a
user's program would: an HTML parser, openpyxl cell by cell, the csv module, pyarrow.

Also: an empty period says it is empty; an unknown kind, a bad period or an unknown team is
one line listing what is allowed; a laptop's report says it covers this laptop only.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qa_tui.cli import main
from qa_tui.reports.kinds import CENTRAL_SCOPE, KINDS, LAPTOP_SCOPE
from qa_tui.textsafe import uncell

HOSTILE_TEAM = '=HYPERLINK("http://evil.example/x","click")'
HOSTILE_TEXT = '<script>alert(1)</script> <img src="http://evil.example/p.png"> # *bold* \x1b[31m'
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Twenty demo evaluations, then a team, a strength and a concern made hostile."""
    home = tmp_path_factory.mktemp("outputs")
    with pytest.MonkeyPatch.context() as patch:
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            patch.setenv(var, str(home / var.lower()))
        patch.setenv("HOME", str(home))
        url = f"sqlite:///{(home / 'small.db').as_posix()}"
        made = CliRunner().invoke(main, ["demo", "--db", url, "--evaluations", "60", "--seed", "4"])
        assert made.exit_code == 0, made.output
        _poison(url)
        yield {"url": url, "home": home}


def _poison(url: str) -> None:
    from sqlalchemy import select

    from qa_tui.config import load_settings
    from qa_tui.domain.lifecycle import complete, reopen
    from qa_tui.domain.record_writes import set_fields
    from qa_tui.store import models
    from qa_tui.workspace import open_workspace

    ws = open_workspace(load_settings(), url)
    try:
        with ws.store.session() as session:
            ids = session.scalars(
                select(models.Evaluation.id)
                .where(models.Evaluation.status == "completed")
                .order_by(models.Evaluation.evaluation_date.desc())
                .limit(8)
            ).all()
            for eid in ids:
                reopen(session, ws.actor, eid, "Fixture: hostile text")
                set_fields(
                    session,
                    ws.actor,
                    "evaluation",
                    eid,
                    {
                        "team": HOSTILE_TEAM,
                        "summary_strengths": HOSTILE_TEXT,
                        "summary_development": HOSTILE_TEXT,
                    },
                )
                evaluation = session.get(models.Evaluation, eid)
                assert evaluation is not None
                complete(session, ws.actor, ws.template_for(evaluation), eid)
    finally:
        ws.close()


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def make(fixture_db: dict[str, Any], kind: str, fmt: str, *extra: str) -> Path:
    out = fixture_db["home"] / f"{kind}-{'-'.join(extra) or 'all'}.{fmt}".replace("/", "_")
    done = run(
        "report",
        kind,
        "--db",
        fixture_db["url"],
        "--period",
        "2026",
        *extra,
        "--format",
        fmt,
        "--out",
        str(out),
    )
    assert done.exit_code == 0, done.output
    return out


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_html_of_every_kind_escapes_and_fetches_nothing(
    fixture_db: dict[str, Any], kind: str
) -> None:
    extra = ("--team", HOSTILE_TEAM) if kind == "team" else ()
    page = make(fixture_db, kind, "html", *extra).read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(page)
    assert not {"script", "img", "link", "iframe", "object"} & set(parsed.tags)
    assert "\x1b" not in page
    for name, value in parsed.attrs:
        if name != "xmlns":
            assert not (value or "").lower().startswith(("http:", "https:", "//", "file:")), (
                name,
                value,
            )
    assert "@import" not in page and "url(" not in page
    text = "".join(parsed.text)
    if kind in ("team", "monthly", "actions"):
        assert HOSTILE_TEAM in text  # shown as text
    if kind == "team":
        assert "<script>alert(1)</script>" in text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_markdown_of_every_kind_escapes_user_text(fixture_db: dict[str, Any], kind: str) -> None:
    extra = ("--team", HOSTILE_TEAM) if kind == "team" else ()
    text = make(fixture_db, kind, "md", *extra).read_text(encoding="utf-8")
    prose = "".join(text.split("```")[0::2])  # outside chart code blocks
    assert not re.search(r"(?<!\\)<(script|img)", prose) and "\x1b" not in text
    if kind == "team":
        assert "\\<script\\>" in prose


def test_report_xlsx_cell_by_cell(fixture_db: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    data = json.loads(make(fixture_db, "monthly", "json").read_text(encoding="utf-8"))
    book = load_workbook(make(fixture_db, "monthly", "xlsx"))
    assert book.sheetnames[0] == "Summary" and "Charts" in book.sheetnames
    assert len(book["Charts"]._charts) >= 2
    for name, table in data["tables"].items():
        sheet = book[name[:31]]
        assert sheet.freeze_panes == "A2"
        assert [c.value for c in sheet[1]] == [c["label"] for c in table["columns"]]
        for r, record in enumerate(table["rows"], start=2):
            for c, column in enumerate(table["columns"], start=1):
                found, wanted = sheet.cell(r, c), record[column["key"]]
                assert found.data_type != "f"
                if wanted is None or wanted == "":
                    assert found.value is None, (name, r, c)
                elif column["kind"] == "text":
                    assert uncell(found.value) == wanted, (name, r, c)
                else:
                    assert found.value == pytest.approx(wanted), (name, r, c)
                    expected = {"int": "#,##0", "float": "0.00", "percent": "0%"}.get(
                        column["kind"]
                    )
                    if expected:
                        assert found.number_format == expected
    team_cells = [c.value for row in book["completed_by_team"].iter_rows() for c in row]
    assert "'" + HOSTILE_TEAM in team_cells  # never a formula


def test_tidy_data_in_every_format_carries_the_same_cells(fixture_db: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    home, url = fixture_db["home"], fixture_db["url"]
    for fmt, out in (("csv", home / "csv"), ("xlsx", home / "data.xlsx"), ("parquet", home / "pq")):
        done = run("data", "--db", url, "--format", fmt, "--out", str(out))
        assert done.exit_code == 0, done.output
    tables: dict[str, list[list[str]]] = {}
    for path in (home / "csv").glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            tables[path.stem] = list(csv.reader(handle))
    from qa_tui.reports.tidy import TABLE_NAMES

    assert set(tables) == set(TABLE_NAMES)
    teams = [r[3] for r in tables["evaluations"][1:]]
    assert "'" + HOSTILE_TEAM in teams and HOSTILE_TEAM not in teams
    book = load_workbook(home / "data.xlsx", read_only=True)
    import pyarrow.parquet as pq

    for name, found in tables.items():
        sheet = list(book[name].iter_rows(values_only=True))
        assert list(sheet[0]) == found[0]
        assert len(sheet) == len(found)
        arrow = pq.read_table(home / "pq" / f"{name}.parquet").to_pylist()
        assert len(arrow) == len(found) - 1
        for line, xlsx_row, record in zip(found[1:], sheet[1:], arrow, strict=True):
            for key, text, cell_value in zip(found[0], line, xlsx_row, strict=True):
                value = record[key]
                if text == "":
                    assert cell_value is None and value in (None, "")
                elif isinstance(cell_value, dt.datetime):
                    assert cell_value.date().isoformat() == text == value.isoformat()
                elif isinstance(cell_value, bool):
                    assert text == str(cell_value).lower() and value is cell_value
                elif isinstance(cell_value, int | float):
                    assert float(text) == cell_value == value
                else:
                    assert cell_value == text and uncell(text) == value


def test_a_folder_format_refuses_a_file(fixture_db: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("mine")
    done = run("data", "--db", fixture_db["url"], "--format", "csv", "--out", str(target))
    assert done.exit_code == 1 and "is a file" in done.output and "Traceback" not in done.output
    assert target.read_text() == "mine"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_empty_period_says_so(fixture_db: dict[str, Any], kind: str) -> None:
    extra = ["--service-area", "Children in Need"] if kind == "team" else []
    out = fixture_db["home"] / f"empty-{kind}.md"
    done = run(
        "report",
        kind,
        "--db",
        fixture_db["url"],
        "--period",
        "2019",
        *extra,
        "--format",
        "md",
        "--out",
        str(out),
    )
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert "> " in text and (
        "no evaluation" in text.lower()
        or "no action" in text.lower()
        or "no manager" in text.lower()
        or "no thematic evaluation" in text.lower()
    )


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (
            ["report", "weekly"],
            "report 'weekly': the kinds are actions, coverage, moderation, monthly, quarterly, "
            "team",
        ),
        (
            ["report", "monthly", "--period", "2026-13"],
            "2026, 2026-Q3, 2026-10, or 2026-01-01..2026-06-30",
        ),
        (
            ["report", "monthly", "--team", "Nowhere"],
            "team 'Nowhere' is not in this database; known: ",
        ),
        (["report", "team"], "the team report is about one team: give --team"),
    ],
)
def test_bad_requests_are_one_line_listing_what_is_allowed(
    fixture_db: dict[str, Any], tmp_path: Path, args: list[str], wanted: str
) -> None:
    out = tmp_path / "r.md"
    done = run(*args, "--db", fixture_db["url"], "--format", "md", "--out", str(out))
    assert done.exit_code == 1
    assert wanted in done.output and len(done.output.strip().splitlines()) == 1
    assert not out.exists()


def test_the_scope_says_laptop_or_central(fixture_db: dict[str, Any], tmp_path: Path) -> None:
    import shutil

    from qa_tui.store.migrate import open_store
    from qa_tui.sync.central import init_central

    laptop = make(fixture_db, "monthly", "md").read_text(encoding="utf-8")
    assert LAPTOP_SCOPE in laptop
    copy = tmp_path / "central.db"
    shutil.copyfile(fixture_db["home"] / "small.db", copy)
    store = open_store(f"sqlite:///{copy.as_posix()}")
    init_central(store, tmp_path / "qa.key")
    store.dispose()
    out = tmp_path / "c.html"
    done = run(
        "report",
        "monthly",
        "--db",
        f"sqlite:///{copy.as_posix()}",
        "--period",
        "2026",
        "--format",
        "html",
        "--out",
        str(out),
    )
    assert done.exit_code == 0, done.output
    assert CENTRAL_SCOPE in out.read_text(encoding="utf-8")


def test_docs_data_md_lists_every_column() -> None:
    from qa_tui.reports.tidy import columns_markdown

    docs = (Path(__file__).resolve().parents[2] / "docs" / "data.md").read_text(encoding="utf-8")
    assert columns_markdown() in docs  # regenerate the tables part if a column changes


def test_parquet_without_pyarrow_is_one_line(
    fixture_db: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    done = run(
        "data", "--db", fixture_db["url"], "--format", "parquet", "--out", str(tmp_path / "p")
    )
    assert done.exit_code == 1
    assert "parquet needs pyarrow: pip install 'qa-tui[parquet]'" in done.output
    assert not (tmp_path / "p").exists()


def test_codes_for_analysis_stay_out_of_what_people_read(fixture_db: dict[str, Any]) -> None:
    md = make(fixture_db, "monthly", "md").read_text(encoding="utf-8")
    html = make(fixture_db, "monthly", "html").read_text(encoding="utf-8")
    data = json.loads(make(fixture_db, "monthly", "json").read_text(encoding="utf-8"))
    assert "Standard id" not in md and "Standard id" not in html
    assert "| Standard |" in md
    assert all("standard_id" in r for r in data["tables"]["grades_by_standard"]["rows"])
