"""The report as one self-contained HTML file that prints well on A4.

Jinja2 with autoescape on: every piece of text is escaped; charts are inline SVG made by
:mod:`qa_tui.reports.render.svg` (their labels escaped there) and marked safe only then. No
script, no stylesheet or font from elsewhere, so opening or printing the file makes no network
request.
"""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup

from qa_tui.reports.model import Chart, Figure, Paragraph, Report, Table
from qa_tui.reports.render.svg import chart_svg
from qa_tui.reports.render.values import shown_value
from qa_tui.textsafe import printable

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ r.title }} — {{ r.period.label }}</title>
<style>
  @page { size: A4; margin: 16mm 14mm; }
  body { font-family: "Segoe UI", Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a;
         max-width: 180mm; margin: 0 auto; line-height: 1.35; }
  h1 { font-size: 18pt; margin: 0 0 2mm; color: #1f4e79; }
  h2 { font-size: 13pt; margin: 7mm 0 2mm; color: #1f4e79; border-bottom: 1px solid #9bb7d4;
       page-break-after: avoid; }
  .meta { color: #444; font-size: 9pt; margin-bottom: 3mm; }
  .note { background: #fff4ce; border-left: 3px solid #c19c00; padding: 2mm 3mm; margin: 2mm 0; }
  .figures { display: flex; flex-wrap: wrap; gap: 3mm; margin: 2mm 0; }
  .figure { border: 1px solid #9bb7d4; border-radius: 2mm; padding: 2mm 3mm; min-width: 38mm;
            page-break-inside: avoid; }
  .figure .label { font-size: 8.5pt; color: #444; }
  .figure .value { font-size: 13pt; font-weight: 600; }
  .figure .n { font-size: 8pt; color: #555; }
  table { border-collapse: collapse; width: 100%; margin: 2mm 0 1mm; font-size: 9pt;
          page-break-inside: auto; }
  caption { text-align: left; font-weight: 600; padding: 1mm 0; }
  th, td { border: 1px solid #c8d3df; padding: 1mm 1.5mm; vertical-align: top;
           overflow-wrap: break-word; }
  table.wide { font-size: 7.5pt; }
  table.wide th, table.wide td { padding: 0.6mm 1mm; }
  th { background: #e9f0f7; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr { page-break-inside: avoid; }
  .tnote { font-size: 8.5pt; color: #555; margin-bottom: 2mm; }
  figure { margin: 2mm 0; page-break-inside: avoid; }
  figcaption { font-weight: 600; font-size: 9.5pt; }
  svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>{{ r.title }}</h1>
<div class="meta">{{ r.period.label }} ({{ r.period.start }} to {{ r.period.end }})
  · {{ r.scope }}
  {% for k, v in r.query.filters().items() %} · {{ k|capitalize }}: {{ v }}{% endfor %}
  · made {{ r.generated }}</div>
{% for note in r.notes %}<div class="note">{{ note }}</div>{% endfor %}
{% for section in sections %}
<h2>{{ section.title }}</h2>
{% for group in section.groups %}
{% if group.kind == "figures" %}<div class="figures">{% for f in group.entries %}
  <div class="figure"><div class="label">{{ f.label }}</div><div class="value">{{ f.text }}</div>
  {% if f.n is not none %}<div class="n">n = {{ "{:,}".format(f.n) }}</div>{% endif %}
  {% if f.note %}<div class="n">{{ f.note }}</div>{% endif %}</div>{% endfor %}</div>
{% elif group.kind == "table" %}{% set t = group.item %}
<table{% if group.columns|length > 6 %} class="wide"{% endif %}><caption>{{ t.title }}</caption>
<thead><tr>{% for c in group.columns %}<th>{{ c.label }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in group.rows %}<tr>{% for cell, num in row -%}
<td{% if num %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% else %}<tr><td colspan="{{ group.columns|length }}">None.</td></tr>{% endfor %}</tbody></table>
{% if t.note %}<div class="tnote">{{ t.note }}</div>{% endif %}
{% elif group.kind == "chart" %}<figure><figcaption>{{ group.item.title }}</figcaption>
{{ group.svg }}</figure>
{% else %}<p>{{ group.item.text }}</p>{% endif %}
{% endfor %}
{% endfor %}
</body>
</html>
"""

_ENV = Environment(autoescape=True, keep_trailing_newline=True)
_TEMPLATE = _ENV.from_string(PAGE)


def _groups(blocks: tuple[object, ...]) -> list[dict[str, object]]:
    """Consecutive figures share a row of boxes; everything else stands alone."""
    groups: list[dict[str, object]] = []
    for block in blocks:
        if isinstance(block, Figure):
            if groups and groups[-1]["kind"] == "figures":
                entries = groups[-1]["entries"]
                assert isinstance(entries, list)
                entries.append(block)
            else:
                groups.append({"kind": "figures", "entries": [block]})
        elif isinstance(block, Table) and block.data_only:
            groups.append({"kind": "text", "item": Paragraph(block.where_to_find() + ".")})
        elif isinstance(block, Table):
            columns, cells = block.for_reading()
            rows = [
                [(shown_value(v, c), c.kind != "text") for v, c in zip(row, columns, strict=True)]
                for row in cells
            ]
            groups.append({"kind": "table", "item": block, "columns": columns, "rows": rows})
        elif isinstance(block, Chart):
            groups.append({"kind": "chart", "item": block, "svg": Markup(chart_svg(block))})
        elif isinstance(block, Paragraph):
            groups.append({"kind": "text", "item": block})
    return groups


def html(report: Report) -> str:
    """The whole page. Text goes through autoescape; control characters made visible first."""
    sections = [{"title": s.title, "groups": _groups(s.blocks)} for s in report.sections]
    page = _TEMPLATE.render(r=report, sections=sections)
    return printable(page)
