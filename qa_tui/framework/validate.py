"""From template TOML text to a validated :class:`~qa_tui.framework.model.Template`.

The text is parsed with :mod:`tomllib` and checked against the format of ``docs/templates.md``.
Every problem is a :class:`Problem` that names the file, the line (found by
:mod:`qa_tui.framework.locate`, since tomllib gives no positions) and the key path, e.g.
``collab.toml:14: sections[2].items[0].kind: 'grad' is not one of grade, list, …``.
:func:`template_problems` lists them all (for ``qa-tui template validate``);
:func:`parse_template` raises the first as a :class:`~qa_tui.errors.TemplateError`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from qa_tui.errors import TemplateError
from qa_tui.framework.build import build_template
from qa_tui.framework.locate import KeyLocator, join_key
from qa_tui.framework.model import (
    LOCAL,
    NOT_APPLICABLE,
    ItemKind,
    RuleKind,
    Template,
    Wording,
)
from qa_tui.framework.provenance import TEXT_FIELDS, reference_document
from qa_tui.vocab import EVALUATION_TYPES

ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
VERSION_PATTERN = re.compile(r"^\d+\.\d+(\.\d+)?$")

# For each table of the format: key -> (the Python type tomllib gives, whether it is required).
# ``from`` (where the table's texts come from) is a string or a table: checked on its own.
_Spec = dict[str, tuple[type, bool]]
_FROM: tuple[type, bool] = (object, False)
TEMPLATE_KEYS: _Spec = {
    "id": (str, True),
    "version": (str, True),
    "name": (str, True),
    "description": (str, False),
    "source": (str, False),
    "evaluation_types": (list, False),
    "wording": (str, False),
    "documents": (list, False),
    "corrections": (list, False),
    "from": _FROM,
    "scale": (dict, True),
    "rules": (list, False),
    "sections": (list, True),
}
SCALE_KEYS: _Spec = {
    "allow_not_applicable": (bool, False),
    "not_applicable_label": (str, False),
    "not_reached_reason": (str, False),
    "from": _FROM,
    "grades": (list, True),
}
GRADE_KEYS: _Spec = {
    "id": (str, True),
    "label": (str, True),
    "rank": (int, True),
    "description": (str, False),
    "from": _FROM,
}
RULE_KEYS: _Spec = {
    "kind": (str, True),
    "grade": (str, False),
    "message": (str, False),
    "from": _FROM,
}
SECTION_KEYS: _Spec = {
    "id": (str, True),
    "title": (str, True),
    "guidance": (str, False),
    "from": _FROM,
    "items": (list, True),
}
ITEM_KEYS: _Spec = {
    "id": (str, True),
    "kind": (str, True),
    "prompt": (str, True),
    "guidance": (str, False),
    "required": (bool, False),
    "evidence_required": (bool, False),
    "min_entries": (int, False),
    "scale_low": (str, False),
    "scale_high": (str, False),
    "sources": (list, False),
    "prompts": (list, False),
    "stage": (bool, False),
    "from": _FROM,
}
PROMPT_KEYS: _Spec = {
    "id": (str, True),
    "prompt": (str, True),
    "guidance": (str, False),
    "required": (bool, False),
    "from": _FROM,
}
SOURCE_KEYS: _Spec = {"id": (str, True), "label": (str, True), "from": _FROM}
DOCUMENT_KEYS: _Spec = {"id": (str, True), "title": (str, True)}
CORRECTION_KEYS: _Spec = {"document": (str, True), "found": (str, True), "written": (str, True)}

# Keys that mean something for one kind of item only; elsewhere they are mistakes.
KIND_ONLY_KEYS: dict[str, ItemKind] = {
    "evidence_required": ItemKind.GRADE,
    "prompts": ItemKind.GRADE,
    "stage": ItemKind.GRADE,
    "min_entries": ItemKind.LIST,
    "scale_low": ItemKind.SCALING,
    "scale_high": ItemKind.SCALING,
    "sources": ItemKind.FEEDBACK,
}
BELOW_GRADE_RULES = (RuleKind.ACTION_BELOW_GRADE, RuleKind.DEVELOPMENT_BELOW_GRADE)
_EXPECTED: dict[type, str] = {
    str: "a string",
    bool: "true or false",
    int: "a whole number",
    list: "an array",
    dict: "a table",
    object: "a string or a table",
}
_RESERVED_GRADE = f"{NOT_APPLICABLE!r} is reserved: use scale.allow_not_applicable"
_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template file, and where."""

    path: str
    line: int | None
    key: str  # the key path, e.g. "sections[2].items[0].kind"; "" for a syntax error
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        where += f":{self.line}" if self.line else ""
        where += f":{self.column}" if self.line and self.column else ""
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


def normalise_text(text: str) -> str:
    """Template text as it is hashed and stored: no byte-order mark, ``\\n`` line endings."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    """The sha256 hex digest of the normalised text encoded as UTF-8."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def decode_template_bytes(raw: bytes, path: str) -> str:
    """The normalised text of a template file's bytes; :class:`TemplateError` if not UTF-8."""
    try:
        return normalise_text(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise TemplateError(f"{path}:{line}: the file is not UTF-8 text; save it as UTF-8") from err


def template_problems(text: str, path: str) -> list[Problem]:
    """Every problem with a template's text, in the order found; empty when it is valid."""
    return _check(normalise_text(text), path)[1]


def parse_template(
    text: str, path: str, *, builtin: bool = False, previous: bool = False
) -> Template:
    """Parse and validate template text; raise :class:`TemplateError` naming the first problem.

    ``path`` names the file in messages and is kept as ``Template.path``. The returned template
    carries the normalised text as ``source_text`` and its sha256 as ``content_hash``.
    """
    text = normalise_text(text)
    data, problems = _check(text, path)
    if problems or data is None:
        first = problems[0]
        raise TemplateError(str(first), field=first.key or None)
    return build_template(
        data,
        path=path,
        text=text,
        content_hash=content_hash(text),
        builtin=builtin,
        previous=previous,
    )


def _check(text: str, path: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return None, [_syntax_problem(err, path)]
    checker = _Checker(path, text)
    checker.check(data)
    return data, checker.problems


def _syntax_problem(err: tomllib.TOMLDecodeError, path: str) -> Problem:
    message = str(err)
    position = _SYNTAX_POSITION.search(message)
    if position is None:
        return Problem(path, None, "", f"invalid TOML: {message}")
    line, column = int(position.group(1)), int(position.group(2))
    text = message[: position.start()]
    return Problem(path, line, "", f"invalid TOML: {text}", column)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "a decimal number"
    return _EXPECTED.get(type(value), "a date or time")


def _has_type(value: object, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


class _Checker:
    """Walks parsed template data and collects :class:`Problem` s."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.locator = KeyLocator(text)
        self.problems: list[Problem] = []
        self.documents: set[str] = set()
        self.not_reached = False  # whether the scale says why a stage is not reached
        # Key paths of texts marked local, and of texts that say nothing of where they come from.
        self.local: list[str] = []
        self.unmarked: list[str] = []

    def error(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.locator.line(key), key, message))

    def table(self, value: object, key: str, spec: _Spec) -> dict[str, Any] | None:
        """Check one table against ``spec``; return its keys that are known and well typed."""
        if not isinstance(value, dict):
            self.error(key, f"must be a table, not {_type_name(value)}")
            return None
        clean: dict[str, Any] = {}
        for name, item in value.items():
            if name not in spec:
                self.error(join_key(key, name), _unknown_key_message(name, spec))
            elif not _has_type(item, spec[name][0]):
                expected = _EXPECTED[spec[name][0]]
                self.error(join_key(key, name), f"must be {expected}, not {_type_name(item)}")
            elif spec[name][1] and isinstance(item, str) and not item.strip():
                self.error(join_key(key, name), "must not be empty")
            else:
                clean[name] = item
        for name, (_, required) in spec.items():
            if required and name not in value:
                self.error(join_key(key, name), "required key is missing")
        return clean

    def tables(self, value: list[Any] | None, key: str) -> list[tuple[str, dict[str, Any]]]:
        """The elements of an array of tables with their key paths (others are reported)."""
        found = []
        for index, element in enumerate(value or []):
            element_key = f"{key}[{index}]"
            if isinstance(element, dict):
                found.append((element_key, element))
            else:
                self.error(element_key, f"must be a table, not {_type_name(element)}")
        return found

    def check_id(self, key: str, value: str | None, seen: dict[str, str], what: str) -> None:
        """An id matches ``[a-z0-9_]+`` and is not a duplicate of one in ``seen``."""
        if value is None:
            return
        if not ID_PATTERN.fullmatch(value):
            self.error(key, f"{value!r} is not a valid id: use a-z, 0-9 and _ only")
        elif value in seen:
            first = self.locator.line(seen[value])
            where = f" (first used at line {first})" if first else ""
            self.error(key, f"duplicate {what} id {value!r}{where}")
        else:
            seen[value] = key

    def check(self, data: dict[str, Any]) -> None:
        top = self.table(data, "", TEMPLATE_KEYS)
        if top is None:
            return
        self._check_header(top)
        self._check_documents(top)
        self.origins("", "template", top)
        grades = self._check_scale(top.get("scale"))
        self._check_rules(top.get("rules"), grades)
        self._check_sections(top.get("sections"))
        self._check_wording(top.get("wording"))

    # --- where the words come from --------------------------------------------------------

    def _check_documents(self, top: dict[str, Any]) -> None:
        seen: dict[str, str] = {}
        for key, entry in self.tables(top.get("documents"), "documents"):
            declared = self.table(entry, key, DOCUMENT_KEYS) or {}
            self.check_id(join_key(key, "id"), declared.get("id"), seen, "document")
        self.documents = set(seen)
        for key, entry in self.tables(top.get("corrections"), "corrections"):
            correction = self.table(entry, key, CORRECTION_KEYS) or {}
            document = correction.get("document")
            if document is not None and document not in self.documents:
                self.error(join_key(key, "document"), self._unknown_document(document))
            found = correction.get("found")
            if found is not None and found == correction.get("written"):
                self.error(join_key(key, "written"), "is the same as found: nothing is corrected")

    def _unknown_document(self, document: str) -> str:
        declared = ", ".join(sorted(self.documents)) or "none declared"
        return f"{document!r} is not a document declared in [[documents]] ({declared})"

    def origins(self, key: str, kind: str, table: dict[str, Any]) -> None:
        """Check the ``from`` of one table against the texts it has, and note which are local
        and which say nothing."""
        texts = [name for name in TEXT_FIELDS[kind] if isinstance(table.get(name), str)]
        given = table.get("from")
        from_key = join_key(key, "from")
        if given is None:
            self.unmarked += [join_key(key, name) for name in texts]
            return
        if isinstance(given, str):
            if not texts:
                self.error(from_key, "this table has no text to say where it comes from")
            for name in texts:
                self._origin(from_key, join_key(key, name), given)
            return
        if not isinstance(given, dict):
            self.error(from_key, f"must be a string or a table, not {_type_name(given)}")
            return
        for name, origin in given.items():
            name_key = join_key(from_key, name)
            if name not in texts:
                has = ", ".join(texts) or "none"
                self.error(name_key, f"there is no {name} here to attribute (texts: {has})")
            elif not isinstance(origin, str):
                self.error(name_key, f"must be a string, not {_type_name(origin)}")
            else:
                self._origin(name_key, join_key(key, name), origin)
        self.unmarked += [join_key(key, name) for name in texts if name not in given]

    def _origin(self, where: str, text_key: str, origin: str) -> None:
        if origin.strip() == LOCAL:
            self.local.append(text_key)
            return
        document = reference_document(origin)
        if document is None:
            self.error(
                where,
                f'{origin!r}: say "local", or cite a document of [[documents]] as "ID: place"',
            )
        elif document not in self.documents:
            self.error(where, self._unknown_document(document))

    def _check_wording(self, wording: str | None) -> None:
        if wording is None:
            return
        if wording not in set(Wording):
            allowed = ", ".join(Wording)
            self.error("wording", f"{wording!r} is not one of {allowed}")
            return
        if wording == Wording.LOCAL:
            return
        for key in self.unmarked:
            self.error(
                key,
                f'does not say where it comes from: add from = "local" or "ID: place" '
                f"(wording is {wording!r})",
            )
        if wording == Wording.QUOTED and self.local:
            first = self.locator.line(self.local[0])
            where = f" (the first, {self.local[0]}, at line {first})" if first else ""
            self.error(
                "wording",
                f"claims every text is quoted, but {len(self.local)} are marked local{where}: "
                'say wording = "quoted_and_local"',
            )

    def _check_header(self, top: dict[str, Any]) -> None:
        self.check_id("id", top.get("id"), {}, "template")
        version = top.get("version")
        if version is not None and not VERSION_PATTERN.fullmatch(version):
            self.error("version", f'{version!r} is not a version like "1.0" or "1.0.0"')
        seen: set[str] = set()
        for index, kind in enumerate(top.get("evaluation_types", [])):
            key = f"evaluation_types[{index}]"
            if not isinstance(kind, str) or kind not in EVALUATION_TYPES:
                self.error(key, f"{kind!r} is not one of {', '.join(EVALUATION_TYPES)}")
            elif kind in seen:
                self.error(key, f"{kind!r} is listed twice")
            else:
                seen.add(kind)

    def _check_scale(self, raw: object) -> dict[str, str]:
        """Check the scale; return its grade ids (each with its key path)."""
        scale = self.table(raw, "scale", SCALE_KEYS) if raw is not None else None
        if scale is None:
            return {}
        self.origins("scale", "scale", scale)
        self.not_reached = bool(scale.get("not_reached_reason"))
        if self.not_reached and not scale.get("allow_not_applicable", True):
            self.error(
                "scale.not_reached_reason",
                "needs allow_not_applicable: a stage not reached is marked not applicable",
            )
        grades: dict[str, str] = {}
        ranks: dict[int, str] = {}
        entries = self.tables(scale.get("grades"), "scale.grades")
        for key, entry in entries:
            grade = self.table(entry, key, GRADE_KEYS) or {}
            self.origins(key, "grade", grade)
            if grade.get("id") == NOT_APPLICABLE:
                self.error(join_key(key, "id"), _RESERVED_GRADE)
                continue
            self.check_id(join_key(key, "id"), grade.get("id"), grades, "grade")
            rank = grade.get("rank")
            if rank in ranks:
                self.error(
                    join_key(key, "rank"), f"rank {rank} is also the rank of {ranks[rank]!r}"
                )
            elif rank is not None:
                ranks[rank] = grade.get("id", "")
        if "grades" in scale and len(entries) < 2:
            self.error("scale.grades", "a scale needs at least 2 grades")
        return grades

    def _check_rules(self, rules: list[Any] | None, grades: dict[str, str]) -> None:
        kinds: dict[str, str] = {}
        for key, entry in self.tables(rules, "rules"):
            rule = self.table(entry, key, RULE_KEYS) or {}
            self.origins(key, "rule", rule)
            kind = rule.get("kind")
            if kind is None:
                continue
            if kind not in set(RuleKind):
                allowed = ", ".join(RuleKind)
                self.error(join_key(key, "kind"), f"{kind!r} is not one of {allowed}")
                continue
            if kind in kinds:
                self.error(join_key(key, "kind"), f"a second {kind} rule: give each kind once")
            kinds.setdefault(kind, join_key(key, "kind"))
            self._check_rule_grade(key, RuleKind(kind), entry, grades)

    def _check_rule_grade(
        self, key: str, kind: RuleKind, entry: dict[str, Any], grades: dict[str, str]
    ) -> None:
        grade = entry.get("grade")
        grade_key = join_key(key, "grade")
        if kind not in BELOW_GRADE_RULES:
            if "grade" in entry:
                self.error(grade_key, f"{kind} rules take no grade")
        elif "grade" not in entry:
            self.error(grade_key, f"required for {kind} rules")
        elif isinstance(grade, str) and grades and grade not in grades:
            allowed = ", ".join(grades)
            self.error(grade_key, f"{grade!r} is not a grade on the scale ({allowed})")

    def _check_sections(self, sections: list[Any] | None) -> None:
        if sections is None:
            return
        entries = self.tables(sections, "sections")
        if not entries:
            self.error("sections", "a template needs at least one section")
        section_ids: dict[str, str] = {}
        item_ids: dict[str, str] = {}
        for key, entry in entries:
            section = self.table(entry, key, SECTION_KEYS)
            if section is None:
                continue
            self.origins(key, "section", section)
            self.check_id(join_key(key, "id"), section.get("id"), section_ids, "section")
            items = self.tables(section.get("items"), join_key(key, "items"))
            if "items" in section and not items:
                self.error(join_key(key, "items"), "a section needs at least one item")
            for item_key, item in items:
                self._check_item(item_key, item, item_ids)

    def _check_item(self, key: str, entry: dict[str, Any], seen: dict[str, str]) -> None:
        item = self.table(entry, key, ITEM_KEYS) or {}
        self.check_id(join_key(key, "id"), item.get("id"), seen, "item")
        self.origins(key, "item", item)
        kind = item.get("kind")
        if kind is None:
            return
        if kind not in set(ItemKind):
            self.error(join_key(key, "kind"), f"{kind!r} is not one of {', '.join(ItemKind)}")
            return
        for name, only in KIND_ONLY_KEYS.items():
            if name in entry and only != kind:
                self.error(join_key(key, name), f"applies to {only} items only, not {kind}")
        if kind == ItemKind.SCALING:
            for end, meaning in (("scale_low", "0"), ("scale_high", "10")):
                if not item.get(end, "").strip():
                    self.error(join_key(key, end), f"a scaling item must say what {meaning} means")
        if kind == ItemKind.FEEDBACK:
            self._check_sources(key, entry, item)
        if kind == ItemKind.GRADE and "prompts" in item:
            self._check_prompts(key, item, seen)
        if item.get("stage") and not self.not_reached:
            self.error(
                join_key(key, "stage"),
                "a stage needs scale.not_reached_reason (the reason recorded when not reached)",
            )
        if item.get("min_entries", 0) < 0:
            self.error(join_key(key, "min_entries"), "must be 0 or more")

    def _check_prompts(self, key: str, item: dict[str, Any], seen: dict[str, str]) -> None:
        """Prompts share the items' ids: each is answered by a response of its own."""
        prompts_key = join_key(key, "prompts")
        prompts = self.tables(item.get("prompts"), prompts_key)
        if not prompts:
            self.error(prompts_key, "a judgement's prompts need at least one prompt")
        for prompt_key, prompt_entry in prompts:
            prompt = self.table(prompt_entry, prompt_key, PROMPT_KEYS) or {}
            self.check_id(join_key(prompt_key, "id"), prompt.get("id"), seen, "item")
            self.origins(prompt_key, "prompt", prompt)

    def _check_sources(self, key: str, entry: dict[str, Any], item: dict[str, Any]) -> None:
        sources_key = join_key(key, "sources")
        sources = self.tables(item.get("sources"), sources_key)
        if not sources and ("sources" not in entry or "sources" in item):
            self.error(sources_key, "a feedback item needs at least one source")
        seen: dict[str, str] = {}
        for source_key, source_entry in sources:
            source = self.table(source_entry, source_key, SOURCE_KEYS) or {}
            self.check_id(join_key(source_key, "id"), source.get("id"), seen, "source")
            self.origins(source_key, "source", source)


def _unknown_key_message(name: str, spec: _Spec) -> str:
    close = difflib.get_close_matches(name, list(spec), n=1)
    if close:
        return f"unknown key {name!r} (did you mean {close[0]!r}?)"
    return f"unknown key {name!r} (allowed: {', '.join(spec)})"
