"""Loading templates: from text, from files, the built-in ones, and a registry of them all.

A loaded :class:`~qa_tui.framework.model.Template` keeps the TOML it came from in
``template.source_text`` (UTF-8, ``\\n`` line endings) and that text's sha256 in
``template.content_hash``; an evaluation stores both, and :meth:`TemplateRegistry.add_snapshot`
brings such a stored text back, so an old evaluation stays readable after its template has
changed or gone.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from importlib import resources
from pathlib import Path

from qa_tui.errors import NotFoundError, TemplateError
from qa_tui.framework.locate import KeyLocator
from qa_tui.framework.model import Template
from qa_tui.framework.validate import content_hash, decode_template_bytes, parse_template

BUILTIN_PACKAGE = "qa_tui.framework"
BUILTIN_FOLDER = "builtin"
PREVIOUS_FOLDER = "previous"  # inside BUILTIN_FOLDER
SNAPSHOT_PATH = "<snapshot>"


def load_template_text(text: str, path: str) -> Template:
    """Parse and validate template TOML; ``path`` names it in messages and in ``Template.path``.

    Raises :class:`~qa_tui.errors.TemplateError` with a one-line message naming the file, the
    line and the key of the first problem.
    """
    return parse_template(text, path)


def load_template_file(path: Path) -> Template:
    """Read, parse and validate a template file (:class:`TemplateError` if it cannot be)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise TemplateError(f"{path}: cannot read the file: {err.strerror or err}") from err
    return parse_template(decode_template_bytes(raw, str(path)), str(path))


def builtin_templates() -> list[Template]:
    """The templates shipped in ``qa_tui/framework/builtin/``, in file-name order."""
    return list(_builtin_templates(BUILTIN_FOLDER))


def previous_templates() -> list[Template]:
    """Earlier versions of the built-in templates (``builtin/previous/``), exactly as they
    shipped: never offered for new evaluations, kept so that evaluations made with them open
    on any device, even one whose database never stored their text (a central database that
    merges a bundle from a laptop not yet upgraded)."""
    return list(_builtin_templates(f"{BUILTIN_FOLDER}/{PREVIOUS_FOLDER}"))


def shipped_templates(hashes: Collection[str]) -> dict[str, Template]:
    """The built-in templates and their previous versions whose content hash is one of
    ``hashes``, by hash. Only those are parsed (a report reading a year's evaluations needs
    the one or two they used: parsing every shipped template cost it 30 ms)."""
    found: dict[str, Template] = {}
    for folder_name in (BUILTIN_FOLDER, f"{BUILTIN_FOLDER}/{PREVIOUS_FOLDER}"):
        for path, text in _shipped_texts(folder_name):
            if content_hash(text) in hashes:
                template = _shipped(path, text, folder_name != BUILTIN_FOLDER)
                found.setdefault(template.content_hash, template)
    return found


@functools.cache
def _shipped_texts(folder_name: str) -> tuple[tuple[str, str], ...]:
    """Each shipped template file's path and normalised text, in file-name order."""
    folder = resources.files(BUILTIN_PACKAGE).joinpath(*folder_name.split("/"))
    entries = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )
    texts = []
    for entry in entries:
        path = f"{folder_name}/{entry.name}"
        texts.append((path, decode_template_bytes(entry.read_bytes(), path)))
    return tuple(texts)


@functools.cache
def _shipped(path: str, text: str, previous: bool) -> Template:
    return parse_template(text, path, builtin=True, previous=previous)


@functools.cache
def _builtin_templates(folder_name: str) -> tuple[Template, ...]:
    previous = folder_name != BUILTIN_FOLDER
    return tuple(_shipped(path, text, previous) for path, text in _shipped_texts(folder_name))


def custom_template_dir(config_dir: Path) -> Path:
    """Where a QA team's own templates live: ``templates/`` in the config directory."""
    return config_dir / "templates"


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10"`` sorts after ``"1.9"``; ``"1.0"`` and ``"1.0.0"`` sort together."""
    parts = tuple(int(part) for part in version.split(".") if part.isdigit())
    return parts + (0,) * (3 - len(parts))


class TemplateRegistry:
    """The templates an app can use: built-ins, a folder of custom ones, and snapshots.

    - Custom ``*.toml`` files that fail to load, or that reuse the id and version of a template
      already registered (a built-in one included: custom templates never override), are not
      registered; their one-line messages are in :attr:`errors` for the app to show.
    - Snapshots (:meth:`add_snapshot`) are the stored texts of templates that evaluations used;
      :meth:`get` falls back to them, but :meth:`all` lists only the active templates. The
      previous versions of the built-in templates (:func:`previous_templates`) are known the
      same way whenever the built-ins are.
    """

    def __init__(
        self,
        custom_dir: Path | None = None,
        *,
        builtins: Iterable[Template] | None = None,
    ) -> None:
        """Register ``builtins`` (default: :func:`builtin_templates`), then ``custom_dir``."""
        self.errors: list[str] = []
        self._active: dict[tuple[str, str], Template] = {}
        self._snapshots: dict[str, Template] = {}  # by content hash, oldest first
        for template in builtin_templates() if builtins is None else builtins:
            self.add(template)
        for template in previous_templates() if builtins is None else ():
            self._snapshots.setdefault(template.content_hash, template)
        if custom_dir is not None:
            self.load_dir(custom_dir)

    @classmethod
    def for_config_dir(cls, config_dir: Path) -> TemplateRegistry:
        """Built-ins plus the custom templates of :func:`custom_template_dir`."""
        return cls(custom_template_dir(config_dir))

    def load_dir(self, directory: Path) -> None:
        """Register every ``*.toml`` of ``directory`` (if it exists); failures go to ``errors``."""
        if not directory.exists():
            return
        if not directory.is_dir():
            self.errors.append(f"{directory}: not a folder of templates")
            return
        for path in sorted(directory.glob("*.toml")):
            try:
                self.add(load_template_file(path))
            except TemplateError as err:
                self.errors.append(str(err))

    def add(self, template: Template) -> None:
        """Register a template; :class:`TemplateError` if its id and version are taken."""
        key = (template.id, template.version)
        existing = self._active.get(key)
        if existing is not None:
            line = KeyLocator(template.source_text).line("version")
            where = f"{template.path}:{line}" if line else template.path
            kind = "a built-in template" if existing.builtin else existing.path
            raise TemplateError(
                f"{where}: version: template {template.id!r} version {template.version!r} "
                f"is already defined by {kind}; give this one a new version or id"
            )
        self._active[key] = template

    def add_snapshot(self, toml_text: str, path: str = SNAPSHOT_PATH) -> Template:
        """Register the stored text of a template an evaluation used, and return it.

        When an active template has the same content it is returned instead, so there is one
        object per content. Raises :class:`TemplateError` if the text does not validate.
        """
        template = parse_template(toml_text, path)
        for known in (*self._active.values(), *self._snapshots.values()):
            if known.content_hash == template.content_hash:
                return known
        self._snapshots[template.content_hash] = template
        return template

    def get(
        self, template_id: str, version: str | None = None, content_hash: str | None = None
    ) -> Template | None:
        """A template by id: ``version`` exactly, or else the newest version.

        Active templates come first; when none matches, snapshots do (for one id and version
        with different contents, the one added last). With ``content_hash``, only a template
        with exactly that content matches. ``None`` when nothing matches.
        """

        def wanted(template: Template) -> bool:
            return (
                template.id == template_id
                and (version is None or template.version == version)
                and (content_hash is None or template.content_hash == content_hash)
            )

        for pool in (self._active.values(), reversed(self._snapshots.values())):
            found = [template for template in pool if wanted(template)]
            if found:
                return max(found, key=lambda template: version_key(template.version))
        return None

    def require(
        self, template_id: str, version: str | None = None, content_hash: str | None = None
    ) -> Template:
        """As :meth:`get`, but :class:`~qa_tui.errors.NotFoundError` when nothing matches."""
        template = self.get(template_id, version, content_hash)
        if template is None:
            wanted = f"template {template_id!r}" + (f" version {version!r}" if version else "")
            raise NotFoundError(f"{wanted} is not installed; see `qa-tui template list`")
        return template

    def by_hash(self, content_hash: str) -> Template | None:
        """The active template or snapshot with exactly this content, if any."""
        for template in (*self._active.values(), *self._snapshots.values()):
            if template.content_hash == content_hash:
                return template
        return None

    def is_snapshot(self, template: Template) -> bool:
        """True for a template known only from a snapshot (not active)."""
        return self._active.get((template.id, template.version)) is not template

    def previous(self) -> list[Template]:
        """The previous versions of built-in templates this registry knows, by id and version."""
        found = [t for t in self._snapshots.values() if t.previous]
        return sorted(found, key=lambda t: (t.id, version_key(t.version)))

    def all(self) -> list[Template]:
        """Every active template (all versions), by id then newest version first."""
        newest_first = sorted(self._active.values(), key=lambda t: version_key(t.version))
        newest_first.reverse()
        return sorted(newest_first, key=lambda t: t.id)

    def latest(self) -> list[Template]:
        """The newest active version of each template id, by id."""
        seen: dict[str, Template] = {}
        for template in self.all():
            seen.setdefault(template.id, template)
        return list(seen.values())
