"""HTML renderings: one self-contained page (inline CSS, no script, no external resource), so
a printed or opened file makes no network request. jinja2 escapes every value (autoescape)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from qa_tui.documents.model import NoticeDoc, SummaryDoc


@cache
def _environment() -> Any:
    from jinja2 import DictLoader, Environment, StrictUndefined

    folder = resources.files("qa_tui.documents") / "templates"
    templates = {
        name: (folder / name).read_text(encoding="utf-8")
        for name in ("notice.html", "summary.html", "style.css")
    }
    from markupsafe import Markup

    from qa_tui.textsafe import printable

    def finalize(value: Any) -> Any:
        # Control characters made visible, then escaped (our own CSS is Markup: left alone).
        return (
            printable(value) if isinstance(value, str) and not isinstance(value, Markup) else value
        )

    return Environment(
        loader=DictLoader(templates),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=True,
    )


def _render(name: str, doc: Any) -> str:
    from markupsafe import Markup

    env = _environment()
    style = Markup(env.loader.get_source(env, "style.css")[0])  # our own CSS, not user text
    return str(env.get_template(name).render(doc=doc, style=style))


def notice_html(doc: NoticeDoc) -> str:
    """The written notice as one HTML page that prints on one A4 sheet."""
    return _render("notice.html", doc)


def summary_html(doc: SummaryDoc) -> str:
    """The feedback summary as an HTML page that prints on A4."""
    return _render("summary.html", doc)
