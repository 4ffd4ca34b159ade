"""The notice and the feedback summary, in every format, parsed back and checked against the
evaluation: HTML with an HTML parser (escaping, completeness, nothing remote), .docx with
python-docx (text only), .eml with the standard library (headers safe, notice attached)."""

from __future__ import annotations

import datetime as dt
import email
import io
import zipfile
from email import policy
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from qa_tui.documents import produce
from qa_tui.documents.render_eml import notice_eml
from qa_tui.documents.render_md import md
from qa_tui.domain import outcomes
from qa_tui.domain.followup import (
    acknowledge_concern,
    record_action_update,
    record_summary_shares,
)
from qa_tui.domain.lifecycle import complete
from qa_tui.errors import QaError, ValidationError
from qa_tui.framework.model import Template
from tests.unit.test_domain import dump, fill, new_eval, tpl  # noqa: F401  (fixture)

TODAY = dt.date(2026, 11, 20)
SCRIPT = "<script>alert('x')</script>"
STRENGTHS = f"Warm & direct work {SCRIPT} <img src=http://evil.example/p.png>"


class Page(HTMLParser):
    """Text, tags and every attribute that could fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.remote: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data"):
                self.remote.append(f"{tag} {name}={value}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.fixture
def completed(workspace: Any, tpl: Template) -> str:  # noqa: F811
    eid = new_eval(workspace)
    fill(workspace, tpl, eid, concern=True)
    workspace.write(
        outcomes.set_overall, tpl, eid, summary_strengths=STRENGTHS, summary_development="Dates."
    )
    workspace.write(complete, tpl, eid)
    return eid


def test_summary_html_escapes_user_text_and_is_complete(workspace: Any, completed: str) -> None:
    doc = produce.read_summary_doc(workspace, completed, TODAY)
    html = produce.render(doc, "html").decode()
    page = parse(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert page.remote == []  # no src/href at all: printing or opening fetches nothing
    assert "http://" not in html.replace("http://evil.example", "")  # only the user's text
    text = " ".join(" ".join(page.text).split())
    assert STRENGTHS in text  # shown as text, exactly
    for want in (
        "LCS-204817",
        "Requires improvement",
        "Make the plan SMART",
        "Jo Reilly (SW)",
        "2026-12-31",
        "Some progress.",
        "6/10",
        "Areas for development",
        "Dates.",
    ):
        assert want in text, want


def test_summary_docx_is_text_only_and_complete(workspace: Any, completed: str) -> None:
    import docx

    doc = produce.read_summary_doc(workspace, completed, TODAY)
    data = produce.render(doc, "docx")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert STRENGTHS in text
    assert "Make the plan SMART" in cells and "Jo Reilly (SW)" in cells
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = package.namelist()
        xml = b"".join(package.read(n) for n in names if n.endswith(".xml") or n.endswith(".rels"))
    assert not [n for n in names if "vbaProject" in n or n.endswith(".bin")]  # no macros
    assert b"<w:fldSimple" not in xml and b"<w:fldChar" not in xml  # no fields
    assert b'TargetMode="External"' not in xml  # no external links
    assert document.core_properties.author == "qa-tui"


def test_summary_markdown_reads_as_typed(workspace: Any, completed: str) -> None:
    text = produce.render(produce.read_summary_doc(workspace, completed, TODAY), "md").decode()
    assert md(STRENGTHS) in text
    assert "\\<script\\>" in text
    assert md("# not a heading") == "\\# not a heading"


def test_notice_in_every_format(workspace: Any, completed: str) -> None:
    import docx

    workspace.write(acknowledge_concern, completed, "team_manager", "Kim Lloyd", "2026-11-22")
    doc = produce.read_notice(workspace, completed, TODAY)
    page = parse(produce.render(doc, "html").decode())
    text = " ".join(" ".join(page.text).split())
    assert "Bruising not followed up." in text
    assert "Director of Social Care" in text
    assert "Acknowledged by the team manager (Kim Lloyd) on 2026-11-22" in text
    assert page.remote == []
    document = docx.Document(io.BytesIO(produce.render(doc, "docx")))
    assert "Bruising not followed up." in "\n".join(p.text for p in document.paragraphs)
    assert doc.file_stem == "concern-notice-LCS-204817-" + doc.evaluation_date


def test_eml_draft_parses_back_with_the_notice_attached(workspace: Any, completed: str) -> None:
    doc = produce.read_notice(workspace, completed, TODAY)
    raw = notice_eml(doc, [("Jo Reilly", "jo.reilly@example.org"), ("", "tm@example.org")])
    message = email.message_from_bytes(raw, policy=policy.default)
    assert [a.addr_spec for a in message["To"].addresses] == [
        "jo.reilly@example.org",
        "tm@example.org",
    ]
    assert "LCS-204817" in message["Subject"]
    assert message["X-Unsent"] == "1"
    body = message.get_body(("plain",))
    assert body is not None and "Bruising not followed up." in body.get_content()
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{doc.file_stem}.docx"]


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("Jo\r\nBcc: all@example.org", "jo@example.org"),
        ("Jo", "jo@example.org\r\nBcc: all@example.org"),
        ("Jo", "not an address"),
    ],
)
def test_eml_headers_cannot_be_injected(
    workspace: Any, completed: str, name: str, address: str
) -> None:
    doc = produce.read_notice(workspace, completed, TODAY)
    with pytest.raises(ValidationError, match="Email draft") as err:
        notice_eml(doc, [(name, address)])
    assert "\n" not in str(err.value)


def test_a_case_reference_with_a_line_break_cannot_reach_a_header(
    workspace: Any, completed: str
) -> None:
    doc = produce.read_notice(workspace, completed, TODAY)
    broken = type(doc)(**{**vars(doc), "title": "Immediate concern: case X\r\nBcc: a@b.org"})
    raw = notice_eml(broken, [("", "jo@example.org")])
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]


def test_a_draft_is_refused_and_nothing_is_written(
    workspace: Any,
    tpl: Template,  # noqa: F811
    tmp_path: Path,
) -> None:
    eid = new_eval(workspace)
    before = dump(workspace)
    with pytest.raises(ValidationError, match="not completed") as err:
        produce.read_summary_doc(workspace, eid, TODAY)
    assert "\n" not in str(err.value)
    with pytest.raises(QaError, match="No evaluation"):
        produce.read_summary_doc(workspace, "no-such-id", TODAY)
    with pytest.raises(ValidationError):
        workspace.write(record_summary_shares, eid, [("practitioner", "Jo")], None, "email")
    assert dump(workspace) == before


def test_an_unwritable_folder_is_one_line_and_writes_nothing(
    workspace: Any, completed: str, tmp_path: Path
) -> None:
    import os

    if os.name != "posix" or os.geteuid() == 0:
        blocked = tmp_path / "a-file"
        blocked.write_text("not a folder")
        folder = blocked / "sub"
    else:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o500)
    doc = produce.read_summary_doc(workspace, completed, TODAY)
    with pytest.raises(QaError, match="cannot be written") as err:
        produce.save(doc, folder, produce.FORMATS)
    assert "\n" not in str(err.value)
    assert not folder.exists() or not list(folder.iterdir())


def test_documents_go_to_the_documents_folder_by_default(
    settings: Any, isolated_dirs: Path
) -> None:
    folder = settings.documents_path
    assert folder.name == "qa-tui"
    assert not any(part.startswith(".") for part in folder.relative_to(isolated_dirs).parts)
    assert settings.with_changes(documents_dir=str(isolated_dirs / "x")).documents_path == (
        isolated_dirs / "x"
    )


def test_summary_lists_the_latest_status_and_shares(workspace: Any, completed: str) -> None:
    from qa_tui.store.views import load_view

    with workspace.store.reader() as session:
        action = load_view(session, completed).actions[0].id
    workspace.write(record_action_update, action, "done", "SMART plan agreed.", "2026-11-25")
    workspace.write(
        record_summary_shares,
        completed,
        [("child_record", ""), ("practitioner", "Jo")],
        None,
        "attached",
    )
    doc = produce.read_summary_doc(workspace, completed, TODAY)
    assert doc.actions[0].status == "Done (2026-11-25)"
    assert doc.shared == [
        "Child's electronic record: 2026-11-20, attached to the electronic record",
        "Practitioner (Jo): 2026-11-20, attached to the electronic record",
    ]
