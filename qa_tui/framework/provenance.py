"""Where a template's words come from: the texts of a template with their origins, and a check
of a quotation against the document it cites.

Every text a template shows (a prompt, a help text, a grade, a rule's message, a scaling end, a
feedback source…) can say where its words come from with a ``from`` key: ``"local"`` (written
by the template's authors, for the QA team to confirm) or ``"DOC: place"``, a document the
template declares in ``[[documents]]`` and the place in it (a section, or an Appendix 1 stage).
See ``docs/templates.md``.

:func:`find_quote` is how a claim of quotation is checked rather than asserted: it finds a
quoted text in the document's own text, allowing only for what a document's layout does to a
sentence (white space, markup, a statement split across table cells) and for the corrections
the template declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from qa_tui.framework.model import LOCAL, Origins, TextPart, Wording

if TYPE_CHECKING:
    from qa_tui.framework.model import Correction, Template

# The text fields of each kind of table: the ones ``from`` speaks for.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "template": ("name", "description"),
    "scale": ("not_applicable_label", "not_reached_reason"),
    "grade": ("label", "description"),
    "rule": ("message",),
    "section": ("title", "guidance"),
    "item": ("prompt", "guidance", "scale_low", "scale_high"),
    "prompt": ("prompt", "guidance"),
    "source": ("label",),
}

_REFERENCE = re.compile(r"^([a-z0-9_]+)\s*(?::\s*(.*))?$", re.S)


def reference_document(origin: str) -> str | None:
    """The document id an origin cites (``"qpf: Appendix 1"`` → ``"qpf"``); None for
    ``local``, for an empty origin, or for text that is not a reference."""
    if origin in ("", LOCAL):
        return None
    match = _REFERENCE.match(origin.strip())
    return match.group(1) if match else None


def local_texts(template: Template) -> list[TextPart]:
    """The texts written by the template's authors (``from = "local"``)."""
    return [part for part in text_parts(template) if part.origin == LOCAL]


def text_parts(template: Template) -> list[TextPart]:
    """Every text of ``template`` that its file gives, in file order, with its origin."""
    default = LOCAL if template.wording is Wording.LOCAL else ""
    parts: list[TextPart] = []

    def add(key: str, origins: Origins, values: dict[str, str]) -> None:
        for name, origin in origins:
            text = values.get(name, "")
            if text:
                parts.append(TextPart(key, name, text, origin or default))

    add("", template.origins, {"name": template.name, "description": template.description})
    scale = template.scale
    add(
        "scale",
        scale.origins,
        {
            "not_applicable_label": scale.not_applicable_label,
            "not_reached_reason": scale.not_reached_reason,
        },
    )
    for index, grade in enumerate(scale.grades):
        add(
            f"scale.grades[{index}]",
            grade.origins,
            {"label": grade.label, "description": grade.description},
        )
    for index, rule in enumerate(template.rules):
        add(f"rules[{index}]", rule.origins, {"message": rule.message})
    for s_index, section in enumerate(template.sections):
        key = f"sections[{s_index}]"
        add(key, section.origins, {"title": section.title, "guidance": section.guidance})
        for i_index, item in enumerate(section.items):
            item_key = f"{key}.items[{i_index}]"
            add(item_key, item.origins, _fields(item, TEXT_FIELDS["item"]))
            for p_index, prompt in enumerate(item.prompts):
                add(
                    f"{item_key}.prompts[{p_index}]",
                    prompt.origins,
                    _fields(prompt, TEXT_FIELDS["prompt"]),
                )
            for o_index, source in enumerate(item.sources):
                add(f"{item_key}.sources[{o_index}]", source.origins, {"label": source.label})
    return parts


def _fields(thing: object, names: Iterable[str]) -> dict[str, str]:
    return {name: str(getattr(thing, name, "")) for name in names}


# --- checking a quotation against its document -----------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # a markdown link: its text stays
_BOLD = re.compile(r"\*\*")
_BREAKS = re.compile(r"<[^>]+>|\t|[▪•●]|-{2,}")  # a table cell's or a list item's edge
_SPACE = re.compile(r"\s+")
BREAK = "¶"  # where the document's layout breaks the text (a cell, a list item)
_RUN_OF_BREAKS = re.compile(r"¶(?: ¶| -(?= ))*")  # and a sub-bullet's dash after one
_DASH_ITEM = re.compile(r"(?<=[.;:]) - (?=[A-Z])")  # "…concern. - The triage worker…"
_END_PUNCTUATION = ".?:;,…"


def normalise_document(text: str, corrections: Iterable[Correction] = ()) -> str:
    """A document's words as one line: markup and bullets become :data:`BREAK` marks, runs of
    white space one space, and each declared correction is applied (``found`` → ``written``).
    """
    flat = _BREAKS.sub(f" {BREAK} ", _BOLD.sub("", _LINK.sub(r"\1", text)))
    flat = _DASH_ITEM.sub(f" {BREAK} ", _SPACE.sub(" ", flat))
    flat = _RUN_OF_BREAKS.sub(BREAK, flat).strip()
    for correction in corrections:
        flat = flat.replace(_flat(correction.found), _flat(correction.written))
    return flat


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def find_quote(
    text: str, document: str, corrections: Iterable[Correction] = (), max_pieces: int = 2
) -> list[list[str]] | None:
    """Find a quoted ``text`` in ``document``: the pieces each paragraph was found in, or None.

    Each paragraph of ``text`` (separated by a blank line) is a quotation of its own. A
    paragraph is found when it occurs in the normalised document (:func:`normalise_document`)
    at word boundaries, allowing a capital first letter, a heading the document sets in
    capitals, and a different final punctuation mark (a list fragment used as a prompt); or in
    up to ``max_pieces`` pieces in reading order where the document's layout breaks it, each
    piece but the last ending at the edge of a table cell or list item and each but the first
    starting at one (a statement split across cells). Any other difference — a word changed,
    added, dropped or reordered — and it is not found.
    """
    flat_document = normalise_document(document, corrections)
    found: list[list[str]] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        pieces = _find_pieces(_flat(paragraph).split(" "), flat_document, max_pieces)
        if pieces is None:
            return None
        found.append(pieces)
    return found


def _find_pieces(words: list[str], document: str, max_pieces: int) -> list[str] | None:
    pieces: list[str] = []
    start = 0
    while words:
        if len(pieces) == max_pieces:
            return None
        for length in range(len(words), 0, -1):
            candidate = " ".join(words[:length])
            final = length == len(words)
            where = _locate(candidate, document, start, final=final, first=not pieces)
            if where is not None:
                pieces.append(candidate)
                start, words = where, words[length:]
                break
        else:
            return None
    return pieces


def _locate(candidate: str, document: str, start: int, *, final: bool, first: bool) -> int | None:
    """Where a match of ``candidate`` at or after ``start`` ends in ``document``, or None.

    A piece that is not the last must end at a break of the layout, one that is not the first
    must start at one.
    """
    variants = {candidate, candidate[:1].swapcase() + candidate[1:], candidate.upper()}
    if final and candidate[-1:] in _END_PUNCTUATION:
        variants |= {v[:-1] for v in variants if len(v) > 1}
    best: int | None = None
    for variant in variants:
        at = document.find(variant, start)
        while at >= 0:
            end = at + len(variant)
            starts = _boundary(document, at - 1) and (first or document[:at].endswith(BREAK + " "))
            ends = _boundary(document, end) and (final or document[end:].startswith(" " + BREAK))
            if starts and ends:
                best = end if best is None else min(best, end)
                break
            at = document.find(variant, at + 1)
    return best


def _boundary(document: str, index: int) -> bool:
    return index < 0 or index >= len(document) or not document[index].isalnum()


def appears_in(text: str, document: str) -> bool:
    """True when ``text`` occurs word for word (white space aside, at word boundaries) in the
    normalised document, across its layout's breaks: how a text marked ``local`` is checked
    not to be a quotation."""
    flat_document = normalise_document(document).replace(f"{BREAK} ", "").replace(BREAK, "")
    candidate = _flat(text)
    at = flat_document.find(candidate)
    while at >= 0:
        if _boundary(flat_document, at - 1) and _boundary(flat_document, at + len(candidate)):
            return True
        at = flat_document.find(candidate, at + 1)
    return False


# --- telling a reader where a text comes from ------------------------------------------------

FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "title": "Title",
    "guidance": "Help text",
    "prompt": "Wording",
    "scale_low": "What 0 means",
    "scale_high": "What 10 means",
    "label": "Label",
    "message": "Message",
    "not_applicable_label": "Not applicable",
    "not_reached_reason": "Reason a stage is not reached",
}


def origin_text(template: Template, origin: str) -> str:
    """Where a text comes from, in words: the document (by its id) and the place, or local."""
    if origin == LOCAL:
        return "written for this template, not quoted (local: for the QA team to confirm)"
    document = reference_document(origin)
    if document is None:
        return "not recorded in the template"
    place = origin.split(":", 1)[1].strip() if ":" in origin else ""
    return f"quoted from {document}" + (f", {place}" if place else "")


def origin_lines(template: Template, origins: Origins) -> list[str]:
    """One line a text: its label and where its words come from."""
    default = LOCAL if template.wording is Wording.LOCAL else ""
    return [
        f"{FIELD_LABELS.get(name, name)}: {origin_text(template, origin or default)}"
        for name, origin in origins
    ]
