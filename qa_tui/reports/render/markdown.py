"""The report as Markdown that reads well in a plain editor; user text escaped so it can never
become a heading, a link, emphasis or raw HTML."""

from __future__ import annotations

import re
from functools import lru_cache

from qa_tui.reports.model import Chart, Figure, Paragraph, Report, Table
from qa_tui.reports.render.values import shown_value
from qa_tui.textsafe import printable

# Characters that mean something anywhere in a line (emphasis, code, links, HTML, tables).
_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
# What means something only at the start of a line: a heading, a list, a quote.
_LINE_START = re.compile(r"^(\s*)(\d+(?=[.)])|)([#+\-=>.)])")


@lru_cache(maxsize=4096)  # a report's tables repeat their readings, labels and figures
def md_escape(text: str) -> str:
    """``text`` as literal Markdown on one line: every character Markdown (or the HTML it may
    contain) would interpret is backslash-escaped; control characters made visible."""
    flat = " ".join(printable(text).split())
    flat = _INLINE.sub(r"\\\1", flat)
    return _LINE_START.sub(lambda m: f"{m[1]}{m[2]}\\{m[3]}", flat)


def _table(table: Table) -> list[str]:
    if table.data_only:
        return [f"*{md_escape(table.where_to_find())}.*", ""]
    if not table.rows:
        return [f"*{md_escape(table.title)}: none.*", ""]
    columns, rows = table.for_reading()
    head = [md_escape(c.label) for c in columns]
    lines = [f"**{md_escape(table.title)}**", "", "| " + " | ".join(head) + " |"]
    lines.append("| " + " | ".join("---:" if c.kind != "text" else "---" for c in columns))
    lines[-1] += " |"
    for row in rows:
        cells = [md_escape(shown_value(v, c)) for v, c in zip(row, columns, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    if table.note:
        lines += ["", f"*{md_escape(table.note)}*"]
    return [*lines, ""]


def _code_safe(text: str) -> str:
    """Text for inside a fenced code block: one line, and no backtick that could close the
    fence (the table beside the chart has the exact text)."""
    return printable(text, keep_breaks=False).replace("`", "\u02cb")


def _chart(chart: Chart) -> list[str]:
    """A chart as bars of text in a code block (plain editors show it as it is)."""
    lines = [f"**{md_escape(chart.title)}**", "", "```"]
    peak = max((v or 0 for s in chart.series for v in s.values), default=0) or 1
    label_width = min(max((len(c) for c in chart.categories), default=0), 40)
    for i, category in enumerate(chart.categories):
        for series in chart.series:
            value = series.values[i] or 0
            bar = "█" * round(value / peak * 30)
            name = f" {series.name}" if len(chart.series) > 1 else ""
            label = _code_safe(category)[:label_width].ljust(label_width)
            lines.append(f"{label}{_code_safe(name)[:14]:<15} {bar} {value:g}")
    return [*lines, "```", ""]


def markdown(report: Report) -> str:
    out = [f"# {md_escape(report.title)}", ""]
    meta = [f"Period: {md_escape(report.period.label)}", f"Data: {md_escape(report.scope)}"]
    meta += [f"{k.capitalize()}: {md_escape(v)}" for k, v in report.query.filters().items()]
    meta.append(f"Made: {md_escape(report.generated)}")
    out += [" · ".join(meta), ""]
    out += [f"> {md_escape(note)}" for note in report.notes]
    if report.notes:
        out.append("")
    for section in report.sections:
        out += [f"## {md_escape(section.title)}", ""]
        for block in section.blocks:
            if isinstance(block, Figure):
                n = f" (n = {block.n:,})" if block.n is not None else ""
                note = f" — {md_escape(block.note)}" if block.note else ""
                out.append(f"- **{md_escape(block.label)}**: {md_escape(block.text)}{n}{note}")
            elif isinstance(block, Table):
                out += ["", *_table(block)]
            elif isinstance(block, Chart):
                out += ["", *_chart(block)]
            elif isinstance(block, Paragraph):
                out += [md_escape(block.text), ""]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
