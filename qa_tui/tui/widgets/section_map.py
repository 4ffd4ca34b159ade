"""The map of the evaluation's sections, each with how much is left to do (in words)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qa_tui.tui.text import rich_text


@dataclass(frozen=True)
class SectionEntry:
    """One place in the journey: ``key`` is the section id used by completion's ``Missing``."""

    key: str
    title: str


def marker(todo: int | None) -> str:
    if todo is None:
        return "…"
    return "✓ done" if todo == 0 else f"{todo} to do"


class SectionMap(OptionList):
    """Sections in order; Enter or a click opens one."""

    def __init__(self, sections: list[SectionEntry], **kwargs: Any) -> None:
        super().__init__(*(self._option(s, None) for s in sections), **kwargs)
        self.sections = sections
        self._counts: dict[str, int] = {}

    @staticmethod
    def _prompt(section: SectionEntry, todo: int | None) -> Text:
        prompt = rich_text(section.title)
        prompt.append("\n")
        style = "dim" if todo else "bold"
        prompt.append(f"  {marker(todo)}", style=style)
        return prompt

    def _option(self, section: SectionEntry, todo: int | None) -> Option:
        return Option(self._prompt(section, todo), id=f"map-{section.key}")

    def index_of(self, key: str) -> int:
        return next((i for i, s in enumerate(self.sections) if s.key == key), 0)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Update the markers (only those that changed are redrawn)."""
        for index, section in enumerate(self.sections):
            todo = counts.get(section.key, 0)
            if self._counts.get(section.key) != todo:
                self.replace_option_prompt_at_index(index, self._prompt(section, todo))
        self._counts = {s.key: counts.get(s.key, 0) for s in self.sections}

    def todo(self, key: str) -> int | None:
        return self._counts.get(key)
