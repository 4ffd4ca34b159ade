"""Word (.docx) renderings with python-docx: text, headings and tables only (no fields, no
macros, no links, no images), which case-management systems accept as an attachment."""

from __future__ import annotations

import functools
import io
import re
from typing import Any

from qa_tui.documents.model import NoticeDoc, SummaryDoc
from qa_tui.textsafe import printable

# XML 1.0 refuses these characters; python-docx would raise on them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """User text for Word: control characters made visible (as in every other format)."""
    return _NOT_XML.sub("?", printable(value))


def _new(title: str) -> Any:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10.5)
    props = document.core_properties
    props.author, props.title, props.comments = "qa-tui", _text(title), ""
    props.last_modified_by = "qa-tui"
    # python-docx finds a style by name by walking every style (and again for the default)
    # for each paragraph and table: two thirds of a summary's time. The names are fixed
    # strings, so each is looked up once per document.
    part = document.part
    cached = functools.cache(part.get_style_id)
    part.get_style_id = cached  # type: ignore[method-assign]  # on this document's part only
    return document


def _pairs(document: Any, pairs: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in pairs:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(_text(label)).bold = True
        cells[1].text = _text(value)


def _bullets(document: Any, lines: list[str], empty: str) -> None:
    if not lines:
        document.add_paragraph(empty)
    for line in lines:
        document.add_paragraph(_text(line), style="List Bullet")


def _table(document: Any, headings: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.paragraphs[0].add_run(heading).bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = _text(value)


def _bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def notice_docx(doc: NoticeDoc) -> bytes:
    """The written notice as a Word document."""
    document = _new(doc.title)
    document.add_heading(_text(doc.title), level=1)
    document.add_paragraph(_text(doc.intro))
    if doc.concern or doc.shared:
        document.add_heading("To", level=2)
        _bullets(document, [f"{r}: {n}" if n else r for r, n in doc.recipients], "")
        document.add_heading("The evaluation", level=2)
        _pairs(document, doc.details)
        document.add_heading("The concern", level=2)
        para = document.add_paragraph()
        para.add_run("Immediate concern. ").bold = True
        para.add_run(_text(doc.concern or "(no description recorded)"))
        document.add_heading("Shared with", level=2)
        _bullets(document, doc.shared, "Not yet recorded as shared.")
        if doc.lifecycle:
            document.add_heading("Since", level=2)
            _bullets(document, doc.lifecycle, "")
    document.add_paragraph(f"Prepared on {doc.prepared_on} with qa-tui.")
    return _bytes(document)


def summary_docx(doc: SummaryDoc) -> bytes:
    """The feedback summary as a Word document."""
    document = _new(doc.title)
    document.add_heading(_text(doc.title), level=1)
    document.add_paragraph(_text(doc.intro))
    document.add_heading("The evaluation", level=2)
    _pairs(document, doc.details)
    document.add_heading("Overall judgement", level=2)
    document.add_paragraph().add_run(_text(doc.overall)).bold = True
    document.add_heading("Strengths", level=2)
    document.add_paragraph(_text(doc.strengths))
    document.add_heading("Areas for development", level=2)
    document.add_paragraph(_text(doc.development))
    document.add_heading("Grades", level=2)
    for title, items in doc.graded:
        document.add_heading(_text(title), level=3)
        rows = [[i.prompt, i.grade, i.evidence] for i in items]
        _table(document, ["What we looked at", "Grade", "Evidence"], rows)
    if doc.scaling:
        document.add_heading("Scaling", level=2)
        for scaling in doc.scaling:
            document.add_paragraph(_text(f"{scaling.prompt} ({scaling.ends})"))
            rows = [list(s) for s in scaling.scales] or [["No scales given", "", ""]]
            _table(document, ["Who", "Scale", "Rationale"], rows)
    document.add_heading("Actions", level=2)
    if doc.actions:
        rows = [[a.description, a.owner, a.due, a.status] for a in doc.actions]
        _table(document, ["Action", "Owner", "By", "Status"], rows)
    else:
        document.add_paragraph("No actions agreed.")
    if doc.moderation:
        document.add_heading("Moderation", level=2)
        lines = [
            f"{m.by}, {m.on}: {m.overall}; {m.agreement}."
            + (f" Learning points: {m.learning_points}" if m.learning_points.strip() else "")
            for m in doc.moderation
        ]
        _bullets(document, lines, "")
    document.add_heading("Shared with", level=2)
    _bullets(document, doc.shared, "Not yet recorded as shared.")
    document.add_paragraph(f"Prepared on {doc.prepared_on} with qa-tui.")
    return _bytes(document)
