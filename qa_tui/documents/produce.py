"""Producing the documents of one evaluation: read it once, build the document, render it in
each format asked for, write the files. Shared by the CLI and the app (called in a worker)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qa_tui.documents.model import NoticeDoc, SummaryDoc, build_notice, build_summary
from qa_tui.errors import ValidationError

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace

FORMATS = ("html", "docx", "md")
SUFFIX = {"html": ".html", "docx": ".docx", "md": ".md", "eml": ".eml"}


@dataclass(frozen=True)
class Saved:
    """What was written, for the message shown after a save."""

    paths: list[Path]

    @property
    def folder(self) -> Path:
        return self.paths[0].parent

    def describe(self) -> str:
        names = ", ".join(p.name for p in self.paths)
        return f"Saved to {self.folder}: {names}"


def read_notice(ws: Workspace, evaluation_id: str, today: dt.date) -> NoticeDoc:
    """The notice of one evaluation's immediate concern (one-line error if it has none)."""
    from qa_tui.store.views import load_view

    with ws.store.reader() as session:
        view = load_view(session, evaluation_id)
        template = ws.template_for(view.evaluation)
        if not view.evaluation.immediate_concern:
            raise ValidationError(
                f"Evaluation {view.evaluation.case_reference} records no immediate concern",
                field="immediate_concern",
            )
        return build_notice(view, template, today)


def read_summary_doc(ws: Workspace, evaluation_id: str, today: dt.date) -> SummaryDoc:
    """The feedback summary of a completed evaluation (one-line error for a draft)."""
    from qa_tui.domain.followup import require_completed
    from qa_tui.domain.moderation import moderation_views
    from qa_tui.store.views import load_view

    with ws.store.reader() as session:
        require_completed(session, evaluation_id)
        view = load_view(session, evaluation_id)
        template = ws.template_for(view.evaluation)
        moderations = moderation_views(session, template, evaluation_id)
        return build_summary(view, template, moderations, today)


def render(doc: NoticeDoc | SummaryDoc, fmt: str) -> bytes:
    """``doc`` in one format: html, docx or md."""
    from qa_tui.documents import render_docx, render_html, render_md

    if fmt == "html":
        if isinstance(doc, NoticeDoc):
            return render_html.notice_html(doc).encode("utf-8")
        return render_html.summary_html(doc).encode("utf-8")
    if fmt == "md":
        if isinstance(doc, NoticeDoc):
            return render_md.notice_md(doc).encode("utf-8")
        return render_md.summary_md(doc).encode("utf-8")
    if fmt == "docx":
        if isinstance(doc, NoticeDoc):
            return render_docx.notice_docx(doc)
        return render_docx.summary_docx(doc)
    raise ValidationError(f"Format: {fmt!r} is not one of {', '.join(FORMATS)}", field="format")


def save(doc: NoticeDoc | SummaryDoc, folder: Path, formats: Sequence[str]) -> Saved:
    """Write ``doc`` in each format into ``folder`` (named from the case reference and date).

    Everything is rendered first, so a format that fails leaves no file behind.
    """
    from qa_tui.documents.files import write_document

    rendered = [(SUFFIX[fmt], render(doc, fmt)) for fmt in formats]
    return Saved([write_document(folder / f"{doc.file_stem}{s}", data) for s, data in rendered])


def save_email(doc: NoticeDoc, folder: Path, recipients: Sequence[tuple[str, str]]) -> Saved:
    """Write the email draft (.eml) of the notice into ``folder``."""
    from qa_tui.documents.files import write_document
    from qa_tui.documents.render_eml import notice_eml

    data = notice_eml(doc, recipients)
    return Saved([write_document(folder / f"{doc.file_stem}.eml", data)])
