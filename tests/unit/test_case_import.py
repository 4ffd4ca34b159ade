"""The case-list importer against messy real-world exports: Excel's BOM, semicolons, CRLF,
quoted line breaks, Windows-1252, duplicates, bad dates, names where references belong, junk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from qa_tui.cli import main
from qa_tui.domain.case_import import parse_mapping, read_case_list
from qa_tui.errors import ValidationError
from qa_tui.services.planning import PlanningService
from qa_tui.store import models

CLEAN = (
    "Case reference,Service area,Team,Allocated worker,Category,Open date,Close date\n"
    "LCS-100001,Children in Need,Locality North,Worker A,CIN,2026-01-05,\n"
    "LCS-100002,Children in Need,Locality South,Worker B,CP,05/02/2026,\n"
)


def test_a_clean_comma_file_maps_its_columns_by_header() -> None:
    found = read_case_list(CLEAN.encode())
    assert found.problem_count == 0
    assert found.mapping["Allocated worker"] == "worker"
    assert [r.reference for r in found.rows] == ["LCS-100001", "LCS-100002"]
    assert found.rows[1].opened_on == dt.date(2026, 2, 5)
    assert found.rows[0].closed_on is None


def test_excel_bom_semicolons_crlf_and_quoted_line_breaks() -> None:
    data = (
        "\ufeffCase Reference;Team;Category;Notes\r\n"
        'LCS-200001;North;CP;"two\r\nlines"\r\n'
        "LCS-200002;South;CIN;\r\n"
        "LCS-200001;South;CIN;\r\n"
        "\r\n"
    ).encode()
    found = read_case_list(data)
    assert found.delimiter == ";"
    assert found.mapping["Case Reference"] == "reference"  # the BOM is not part of the header
    assert found.rows[0].extra == (("Notes", "two\r\nlines"),)
    # the record after a quoted line break is on line 4 of the file, the duplicate on line 5
    assert [p.describe() for p in found.problems] == [
        "line 5: Case reference: LCS-200001 is also on line 2"
    ]
    assert len(found.rows) == 2 and found.bad_rows == 1


def test_windows_1252_is_read_when_the_file_is_not_utf8() -> None:
    data = "Ref,Team\nLCS-300001,Équipe Nord\n".encode("cp1252")
    found = read_case_list(data)
    assert found.encoding == "windows-1252"
    assert found.rows[0].team == "Équipe Nord"


def test_bad_dates_and_names_where_references_belong_are_problems_by_line() -> None:
    data = b"Case ref,Open date\nLCS-400001,31/02/2026\nJane Smith,2026-01-01\n,\nLCS-4 !,\n"
    found = read_case_list(data)
    assert [p.describe() for p in found.problems] == [
        "line 2: Opened: '31/02/2026' is not a date (use YYYY-MM-DD)",
        "line 3: Case reference: looks like a name, not a case reference",
        "line 5: Case reference: 'LCS-4 !' is not a case reference",
    ]
    assert found.rows == []


def test_a_column_that_looks_like_a_name_is_refused_and_never_kept() -> None:
    data = b"Case reference,Child name,Forename,DOB,Team\nLCS-500001,X,Y,2015-01-01,North\n"
    found = read_case_list(data)
    assert found.ignored == ["Child name", "Forename", "DOB"]
    assert found.rows[0].extra == ()
    assert found.problem_count == 0


def test_missing_reference_column_is_fatal_and_map_names_it() -> None:
    data = b"Identifier,Team\nLCS-600001,North\n"
    found = read_case_list(data)
    assert found.fatal
    assert "no column for the case reference" in found.problems[0].message
    mapped = read_case_list(data, parse_mapping(["Identifier=reference"]))
    assert not mapped.fatal and mapped.rows[0].reference == "LCS-600001"


@pytest.mark.parametrize(
    ("pairs", "message"),
    [(["Identifier"], "write COLUMN=FIELD"), (["Identifier=nickname"], "is not one of")],
)
def test_a_bad_map_is_one_line(pairs: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_mapping(pairs)


def test_junk_is_refused_as_not_text() -> None:
    with pytest.raises(ValidationError, match="not text"):
        read_case_list(bytes(range(256)) * 40_000)  # 10 MB of binary junk


def test_import_refuses_a_file_with_problems_and_writes_nothing(workspace: Any) -> None:
    service = PlanningService(workspace)
    found = read_case_list((CLEAN + "LCS-100001,x,y,z,w,never,\n").encode())
    with pytest.raises(ValidationError, match="nothing imported"):
        service.import_cases(found)
    assert service.case_count() == 0
    assert service.import_cases(found, skip_bad=True) == 2
    assert service.case_count() == 2


def test_an_import_replaces_the_list(workspace: Any) -> None:
    service = PlanningService(workspace)
    service.import_cases(read_case_list(CLEAN.encode()))
    service.import_cases(read_case_list(b"Ref\nLCS-700001\n"))
    with workspace.store.reader() as s:
        assert list(s.scalars(select(models.CaseRecord.reference))) == ["LCS-700001"]


def test_cli_dry_run_previews_and_imports_nothing(
    workspace: Any, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(b"\xef\xbb\xbfRef;Child name;Open date\r\nLCS-800001;X;nope\r\n")
    runner = CliRunner()
    done = runner.invoke(main, ["cases", "import", str(path), "--db", db_url, "--dry-run"])
    assert done.exit_code == 0, done.output
    assert "Column 'Child name' refused" in done.output
    assert "line 2: Opened: 'nope' is not a date" in done.output
    refused = runner.invoke(main, ["cases", "import", str(path), "--db", db_url])
    assert refused.exit_code == 1
    assert "nothing imported" in refused.output
    with workspace.store.reader() as s:
        assert s.scalar(select(func.count()).select_from(models.CaseRecord)) == 0
