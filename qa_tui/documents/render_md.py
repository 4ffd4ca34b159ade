"""Markdown renderings: user text escaped so it reads as typed, never as Markdown."""

from __future__ import annotations

import re

from qa_tui.documents.model import NoticeDoc, SummaryDoc
from qa_tui.textsafe import printable

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~])")
_LINE_START = re.compile(r"^(\s*)([-+>=]|\d+[.)])", re.MULTILINE)


def md(text: str) -> str:
    """User text for Markdown: control characters visible, markup characters escaped."""
    escaped = _SPECIAL.sub(r"\\\1", printable(text))
    return _LINE_START.sub(r"\1\\\2", escaped)


def _one_line(text: str) -> str:
    return md(" ".join(text.split())) or "—"


def _block(text: str) -> list[str]:
    lines = [md(line) for line in text.strip().splitlines()] or ["—"]
    return [f"{line}  " if i < len(lines) - 1 else line for i, line in enumerate(lines)]


def _quote(text: str) -> list[str]:
    return [f"> {line}".rstrip() for line in _block(text)]


def notice_md(doc: NoticeDoc) -> str:
    """The written notice as Markdown."""
    parts = [f"# {_one_line(doc.title)}", "", md(doc.intro), ""]
    if not doc.concern and not doc.shared:
        return "\n".join(parts)
    parts += ["## To", ""]
    parts += [
        f"- {role}" + (f": {_one_line(name)}" if name else "") for role, name in doc.recipients
    ]
    parts += ["", "## The evaluation", ""]
    parts += [f"- **{label}:** {_one_line(value)}" for label, value in doc.details]
    parts += ["", "## The concern", "", *_quote(doc.concern or "(no description recorded)"), ""]
    parts += ["## Shared with", ""]
    parts += [f"- {_one_line(line)}" for line in doc.shared] or ["Not yet recorded as shared."]
    if doc.lifecycle:
        parts += ["", "## Since", "", *(f"- {_one_line(line)}" for line in doc.lifecycle)]
    parts += ["", f"*Prepared on {doc.prepared_on} with qa-tui.*", ""]
    return "\n".join(parts)


def summary_md(doc: SummaryDoc) -> str:
    """The feedback summary as Markdown."""
    parts = [f"# {_one_line(doc.title)}", "", md(doc.intro), "", "## The evaluation", ""]
    parts += [f"- **{label}:** {_one_line(value)}" for label, value in doc.details]
    parts += ["", "## Overall judgement", "", f"**{_one_line(doc.overall)}**", ""]
    parts += ["## Strengths", "", *_block(doc.strengths), ""]
    parts += ["## Areas for development", "", *_block(doc.development), ""]
    parts += ["## Grades", ""]
    for title, items in doc.graded:
        parts += [f"### {_one_line(title)}", ""]
        for item in items:
            parts.append(f"- **{_one_line(item.prompt)}** — {_one_line(item.grade)}")
            if item.evidence.strip():
                parts.append(f"  {_one_line(item.evidence)}")
        parts.append("")
    if doc.scaling:
        parts += ["## Scaling", ""]
        for scaling in doc.scaling:
            parts += [f"**{_one_line(scaling.prompt)}** ({md(scaling.ends)})", ""]
            parts += [
                f"- {_one_line(who)}: {score}. {_one_line(why)}"
                for who, score, why in scaling.scales
            ] or ["- No scales given"]
            parts.append("")
    parts += ["## Actions", ""]
    parts += [
        f"- {_one_line(a.description)} — {_one_line(a.owner)}, by {a.due} ({md(a.status)})"
        for a in doc.actions
    ] or ["No actions agreed."]
    if doc.moderation:
        parts += ["", "## Moderation", ""]
        for m in doc.moderation:
            parts.append(f"- {_one_line(m.by)}, {m.on}: {_one_line(m.overall)}; {m.agreement}")
            if m.learning_points.strip():
                parts.append(f"  Learning points: {_one_line(m.learning_points)}")
    parts += ["", "## Shared with", ""]
    parts += [f"- {_one_line(line)}" for line in doc.shared] or ["Not yet recorded as shared."]
    parts += ["", f"*Prepared on {doc.prepared_on} with qa-tui.*", ""]
    return "\n".join(parts)
