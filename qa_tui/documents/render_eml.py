"""An email draft (.eml) of the written notice for the user's own mail client: addressed to
the recipients the manager entered, the notice in the body and attached as a Word document.
qa-tui never sends it. Headers are built with the standard library's email API, which refuses
a line break in any header; names and addresses are checked first for a one-line error."""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

from qa_tui.documents.model import NoticeDoc
from qa_tui.documents.render_docx import notice_docx
from qa_tui.documents.render_md import notice_md
from qa_tui.errors import ValidationError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$")
_BREAKS = re.compile(r"[\r\n\x00-\x1f\x7f\u2028\u2029\x85]")


def _address(name: str, addr: str) -> Address:
    addr = addr.strip()
    if _BREAKS.search(name) or _BREAKS.search(addr):
        raise ValidationError(
            "Email draft: a name or address contains a line break or control character",
            field="email",
        )
    if not _ADDRESS.match(addr):
        raise ValidationError(f"Email draft: {addr[:60]!r} is not an email address", field="email")
    return Address(display_name=name.strip(), addr_spec=addr)


def notice_eml(
    doc: NoticeDoc, recipients: Sequence[tuple[str, str]], sender: tuple[str, str] | None = None
) -> bytes:
    """The draft as bytes: ``recipients`` are ``(name, address)`` pairs (at least one)."""
    if not recipients:
        raise ValidationError("Email draft: give at least one recipient's address", field="email")
    message = EmailMessage(policy=SMTP)
    message["To"] = [_address(name, addr) for name, addr in recipients]
    if sender is not None and sender[1].strip():
        message["From"] = _address(*sender)
    subject = " ".join(doc.title.split())
    if _BREAKS.search(subject):
        raise ValidationError("Email draft: the case reference contains a line break")
    message["Subject"] = f"[OFFICIAL-SENSITIVE] {subject}"
    message["X-Unsent"] = "1"  # mail clients open it as a draft to send, not a received mail
    message.set_content(
        notice_md(doc) + "\n\nThe notice is attached as a Word document.\n", cte="quoted-printable"
    )
    message.add_attachment(
        notice_docx(doc),
        maintype="application",
        subtype=DOCX.split("/", 1)[1],
        filename=f"{doc.file_stem}.docx",
    )
    return message.as_bytes()
