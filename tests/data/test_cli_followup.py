"""The follow-through commands: actions (list, update), concerns, notice and summary."""

from __future__ import annotations

import email
import io
import json
from email import policy
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from qa_tui.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _demo(tmp_path: Path) -> str:
    url = f"sqlite:///{(tmp_path / 'qa.db').as_posix()}"
    code, _out, err = run("demo", "--db", url, "--evaluations", "40")
    assert code == 0, err
    return url


def test_actions_list_update_and_overdue(tmp_path: Path, isolated_dirs: Any) -> None:
    url = _demo(tmp_path)
    code, out, _err = run("actions", "--db", url, "--overdue", "--format", "json")
    overdue = json.loads(out)
    assert code == 0 and overdue and all(r["overdue"] for r in overdue)
    dates = [r["due_date"] for r in overdue]
    assert dates == sorted(dates)
    first = overdue[0]["id"]
    code, out, err = run(
        "actions", "--db", url, "update", first, "--status", "done", "--note", "Met"
    )
    assert code == 0, err
    code, out, _err = run("actions", "--db", url, "--overdue", "--format", "json")
    assert first not in {r["id"] for r in json.loads(out)}
    code, out, _err = run("actions", "--db", url, "--status", "done", "--format", "csv")
    assert first in out and "Met" in out
    code, _out, err = run("actions", "--db", url, "update", "nope", "--status", "done")
    assert code == 1 and err.strip() == "Error: No action with id nope"


def test_concerns_notice_and_summary(tmp_path: Path, isolated_dirs: Any) -> None:
    import docx

    url = _demo(tmp_path)
    code, out, _err = run("concerns", "--db", url, "--format", "json")
    concerns = json.loads(out)
    assert code == 0 and concerns
    eid = concerns[0]["evaluation_id"]
    eml = tmp_path / "out" / "notice.eml"
    code, _out, err = run(
        "notice",
        eid,
        "--db",
        url,
        "--format",
        "eml",
        "--out",
        str(eml),
        "--to",
        "Jo=jo@example.org",
    )
    assert code == 0, err
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "jo@example.org"
    code, _out, err = run("concerns", "acknowledge", eid, "--db", url, "--role", "team_manager")
    assert code == 0, err
    code, _out, err = run("concerns", "close", eid, "--db", url, "--outcome", "Plan reviewed.")
    assert code == 0, err
    code, out, _err = run("concerns", "--db", url, "--format", "json")
    assert eid not in {c["evaluation_id"] for c in json.loads(out)}
    code, _out, err = run("concerns", "close", eid, "--db", url, "--outcome", "Again")
    assert code == 1 and "already closed" in err
    out_docx = tmp_path / "out" / "summary.docx"
    code, _out, err = run("summary", eid, "--db", url, "--format", "docx", "--out", str(out_docx))
    if code == 1:  # the concern may be on a draft in the demo data: a one-line refusal
        assert "not completed" in err and not out_docx.exists()
        return
    document = docx.Document(io.BytesIO(out_docx.read_bytes()))
    assert any("feedback" in p.text.lower() for p in document.paragraphs)


def test_summary_refuses_unknown_and_missing_databases(tmp_path: Path, isolated_dirs: Any) -> None:
    url = _demo(tmp_path)
    out = tmp_path / "s.html"
    code, _o, err = run("summary", "nope", "--db", url, "--format", "html", "--out", str(out))
    assert code == 1 and err.strip() == "Error: No evaluation with id nope" and not out.exists()
    missing = f"sqlite:///{(tmp_path / 'absent.db').as_posix()}"
    code, _o, err = run("actions", "--db", missing)
    assert code == 1 and not (tmp_path / "absent.db").exists()
