"""The monthly reminder: an email draft (.eml) a QA officer opens in their own mail client,
addresses and sends — qa-tui never sends it. Built with the standard library's email API."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import SMTP
from itertools import groupby

from qa_tui.domain.expectation import Expected, Month


def reminder_text(month: Month, rows: Sequence[Expected]) -> str:
    """The reminder's body: who has not yet completed this month's evaluation, by service
    and team."""
    waiting = [r for r in rows if not r.met]
    lines = [
        f"Collaborative practice evaluation: {month.label}",
        "",
        "Every manager completes one collaborative evaluation a month, inside or outside "
        "their own line. By our records these managers have not completed theirs for "
        f"{month.label} yet ({len(waiting)} of {len(rows)}):",
        "",
    ]
    for (area, team), people in groupby(waiting, key=lambda r: (r.service_area, r.team)):
        lines.append(f"{area or 'No service area'} · {team or 'no team'}")
        lines += [f"  - {p.name}" for p in people]
        lines.append("")
    lines.append(f"Please complete and sync yours by {month.last.day} {month.last:%B}.")
    return "\n".join(lines) + "\n"


def reminder_eml(month: Month, rows: Sequence[Expected]) -> bytes:
    """The draft, unaddressed (the QA officer adds the recipients), as bytes."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = f"Reminder: collaborative practice evaluation, {month.label}"
    message["X-Unsent"] = "1"  # mail clients open it as a draft to send, not a received mail
    message.set_content(reminder_text(month, rows), cte="quoted-printable")
    return message.as_bytes()
