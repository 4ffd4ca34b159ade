"""The template texts a hand-over carries, so that the central database reads every
evaluation in its template's words.

Every evaluation keeps its template's text where it was made (``template_snapshots``). A bundle
carries the texts of the templates its evaluations used in its content header, under
``"templates"`` (covered by the content hash the laptop signs; a qa-tui from before this reads
the header and ignores the key, so the bundle format is unchanged). A direct sync copies them
after its push. The receiving database keeps each text it lacks once the text is shown to be
what it claims: its sha256 is the content hash it is filed under, and it is a valid template
of that id and version. A text that is not is left out, and the merge says which and why; the
evaluations merge all the same (only their words are at stake, not their records).

:func:`untexted` names the templates that merged evaluations use and the database still has
no text for (a bundle from a qa-tui before this one, or a text left out): their items show by
id in the reports until the QA team publishes the template there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.errors import TemplateError
from qa_tui.store import models
from qa_tui.textsafe import printable

KEYS = frozenset({"content_hash", "template_id", "version", "source_text"})
MAX_TEXT = 1024 * 1024  # characters: the built-in audit template is 27 KB
MAX_TEXTS = 100  # in one bundle or sync
_CHUNK = 500  # ids in one IN list


@dataclass(frozen=True)
class TemplateText:
    """One template's exact text, filed under its content hash."""

    content_hash: str
    template_id: str
    version: str
    source_text: str

    def wire(self) -> dict[str, str]:
        return {
            "content_hash": self.content_hash,
            "template_id": self.template_id,
            "version": self.version,
            "source_text": self.source_text,
        }

    @property
    def label(self) -> str:
        """Its id and version, as a message shows them (escapes visible, not obeyed)."""
        return _label(self.template_id, self.version)


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    """``ids`` a few hundred at a time (one IN list each), taken as they come."""
    them = iter(ids)
    while chunk := list(islice(them, _CHUNK)):
        yield chunk


def _label(template_id: str, version: str) -> str:
    return printable(f"{template_id[:60]} {version[:20]}", keep_breaks=False)


def used_by(session: Session, aggregate_ids: Sequence[str]) -> list[TemplateText]:
    """The texts of the templates the evaluations among ``aggregate_ids`` use, as this
    database keeps them (sorted by hash: the same bundle header for the same work)."""
    hashes: set[str] = set()
    e = models.Evaluation
    for chunk in _chunks(aggregate_ids):
        hashes.update(session.scalars(select(e.template_hash).where(e.id.in_(chunk)).distinct()))
    hashes.discard("")
    return _stored(session, sorted(hashes))


def _stored(session: Session, hashes: Sequence[str]) -> list[TemplateText]:
    s = models.TemplateSnapshot
    out: list[TemplateText] = []
    for chunk in _chunks(hashes):
        rows = session.execute(
            select(s.content_hash, s.template_id, s.version, s.source_text).where(
                s.content_hash.in_(chunk)
            )
        )
        out.extend(TemplateText(*row) for row in rows)
    return sorted(out, key=lambda text: text.content_hash)


def not_shipped(texts: Iterable[TemplateText]) -> list[TemplateText]:
    """The texts that are not of a template this qa-tui ships (every database reads those
    from qa-tui itself: a direct sync needs the same version at both ends)."""
    from qa_tui.framework.loader import shipped_templates

    texts = list(texts)
    shipped = shipped_templates({text.content_hash for text in texts})
    return [text for text in texts if text.content_hash not in shipped]


def header_entry(texts: Iterable[TemplateText]) -> list[dict[str, str]]:
    """The texts as a bundle's content header lists them."""
    return [text.wire() for text in texts]


@dataclass
class Received:
    """The texts a bundle or a sync brought, shown to be what they claim, and the reasons
    the others were left out (one line each, naming the text)."""

    texts: list[TemplateText]
    left_out: list[str]


def from_header(raw: Any) -> Received:
    """The header's ``"templates"`` entry checked (absent: none)."""
    if raw is None:
        return Received([], [])
    if not isinstance(raw, list):
        return Received([], ["the bundle's template texts are not a list"])
    if len(raw) > MAX_TEXTS:
        return Received([], [f"the bundle lists {len(raw)} template texts (at most {MAX_TEXTS})"])
    received = Received([], [])
    for number, entry in enumerate(raw, start=1):
        if (
            not isinstance(entry, dict)
            or set(entry) != KEYS
            or not all(isinstance(entry[key], str) for key in KEYS)
        ):
            received.left_out.append(f"template text {number}: not a template text")
            continue
        checked(TemplateText(**entry), received)
    return received


def checked(text: TemplateText, received: Received) -> None:
    """Add ``text`` to ``received`` if it is what it claims, else say why not."""
    from qa_tui.framework.loader import load_template_text

    name = f"template '{text.label}'"
    if len(text.source_text) > MAX_TEXT:
        received.left_out.append(f"{name}: text longer than {MAX_TEXT} characters")
        return
    try:
        template = load_template_text(text.source_text, f"<{name}>")
    except TemplateError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not a valid template"
        reason = printable(reason[:200], keep_breaks=False)
        received.left_out.append(f"{name}: not a valid template ({reason})")
        return
    if template.content_hash != text.content_hash:
        received.left_out.append(f"{name}: its text does not match its content hash")
        return
    if (template.id, template.version) != (text.template_id, text.version):
        received.left_out.append(
            f"{name}: its text is template '{_label(template.id, template.version)}'"
        )
        return
    received.texts.append(text)


def lacking(session: Session, texts: Iterable[TemplateText]) -> list[TemplateText]:
    """The texts this database does not have (by content hash), each once."""
    texts = list(texts)
    s = models.TemplateSnapshot
    have: set[str] = set()
    for chunk in _chunks(sorted({text.content_hash for text in texts})):
        have.update(session.scalars(select(s.content_hash).where(s.content_hash.in_(chunk))))
    out = []
    for text in texts:
        if text.content_hash not in have:
            have.add(text.content_hash)
            out.append(text)
    return out


def keep(session: Session, texts: Iterable[TemplateText]) -> list[TemplateText]:
    """Add each text this database lacks (in ``session``'s transaction); the ones added."""
    added = lacking(session, texts)
    session.add_all(
        models.TemplateSnapshot(
            content_hash=text.content_hash,
            template_id=text.template_id,
            version=text.version,
            source_text=text.source_text,
        )
        for text in added
    )
    return added


def untexted(session: Session, aggregate_ids: Iterable[str]) -> dict[str, int]:
    """The templates the evaluations among ``aggregate_ids`` use that this database has no
    text for and qa-tui does not ship: ``"id version"`` → how many evaluations."""
    from qa_tui.framework.loader import shipped_templates

    e, s = models.Evaluation, models.TemplateSnapshot
    used: Counter[tuple[str, str, str]] = Counter()
    for chunk in _chunks(aggregate_ids):
        rows = session.execute(
            select(e.template_hash, e.template_id, e.template_version)
            .outerjoin(s, s.content_hash == e.template_hash)
            .where(e.id.in_(chunk), s.content_hash.is_(None), ~e.deleted)
        )
        used.update((h, i, v) for h, i, v in rows)
    shipped = shipped_templates({h for h, _i, _v in used})
    out: Counter[str] = Counter()
    for (content_hash, template_id, version), count in used.items():
        if content_hash not in shipped:
            out[_label(template_id, version)] += count
    return dict(sorted(out.items()))
