"""Reading a case list exported from the case-management system, and saying what is wrong.

The export is a CSV file as real systems and Excel write them: UTF-8 with or without Excel's
byte-order mark (or Windows-1252), commas, semicolons or tabs, CRLF line ends, quoted fields
holding line breaks. Its columns are mapped to the fields qa-tui keeps (:data:`FIELDS`) by
their headers (common spellings are known; ``--map COLUMN=FIELD`` says the rest), and every
row is checked. The result is a :class:`CaseList`: the clean rows and the problems, each with
the line of the file it is on, so the user sees everything wrong before anything is imported.

Case references only, never names: a column whose header looks like a person's name, birth
date or address is refused with the reason, and a reference that looks like a name ("Child A
Smith") is a problem of its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from qa_tui.errors import ValidationError

MAX_BYTES = 200 * 1024 * 1024  # larger is not a case list
MAX_PROBLEMS = 1000  # kept in full; beyond, only counted
MAX_CELL = 200

FIELDS: dict[str, str] = {
    "reference": "Case reference",
    "service_area": "Service area",
    "team": "Team",
    "worker": "Allocated worker",
    "category": "Category",
    "opened_on": "Opened",
    "closed_on": "Closed",
}
REQUIRED = ("reference",)
DATE_FIELDS = ("opened_on", "closed_on")

# Headers as case-management systems write them, folded (lower case, letters and digits).
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        (
            "casereference",
            "caseref",
            "reference",
            "ref",
            "caseid",
            "caseno",
            "casenumber",
            "lcsid",
            "personid",
            "clientid",
            "id",
        ),
        "reference",
    ),
    **dict.fromkeys(("servicearea", "service", "area", "directorate"), "service_area"),
    **dict.fromkeys(("team", "teamname", "allocatedteam"), "team"),
    **dict.fromkeys(
        ("allocatedworker", "worker", "socialworker", "practitioner", "keyworker"), "worker"
    ),
    **dict.fromkeys(
        ("category", "casecategory", "plantype", "casetype", "legalstatus"), "category"
    ),
    **dict.fromkeys(("opened", "openedon", "opendate", "startdate", "dateopened"), "opened_on"),
    **dict.fromkeys(("closed", "closedon", "closedate", "enddate", "dateclosed"), "closed_on"),
}

# Headers that name or identify a child or family: never imported (the product's rule).
NAME_LIKE = re.compile(
    r"^(child|childs?name|name|fullname|forenames?|firstnames?|givennames?|surname|lastname|"
    r"familyname|preferredname|knownas|dob|dateofbirth|birthdate|nhsnumber|nhsno|"
    r"upn|address|postcode|mother|father|parent|carer)"
)
NAME_VALUE = re.compile(r"^[A-Za-z][A-Za-z'’.-]*(\s+[A-Za-z][A-Za-z'’.-]*)+$")
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,63}$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %b %Y")


def fold(header: str) -> str:
    """A header compared loosely: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", header.casefold())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (line, column) and what."""

    line: int
    column: str
    message: str

    def describe(self) -> str:
        where = f"line {self.line}" if self.line else "header"
        return f"{where}: {self.column + ': ' if self.column else ''}{self.message}"


@dataclass(frozen=True)
class CaseRow:
    """One clean row: the mapped fields, and the other columns kept by header."""

    line: int
    reference: str
    service_area: str = ""
    team: str = ""
    worker: str = ""
    category: str = ""
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    extra: tuple[tuple[str, str], ...] = ()


@dataclass
class CaseList:
    """What a file holds: its clean rows, its problems and how its columns were mapped."""

    rows: list[CaseRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # header -> field
    ignored: list[str] = field(default_factory=list)  # headers refused (name-like)
    extra_columns: list[str] = field(default_factory=list)
    lines_read: int = 0
    bad_rows: int = 0
    problem_count: int = 0
    delimiter: str = ","
    encoding: str = "utf-8"

    @property
    def fatal(self) -> bool:
        """Whether nothing can be imported at all (no header, no reference column)."""
        return any(p.line == 0 for p in self.problems)

    def preview(self, limit: int = 50) -> list[str]:
        """What the file holds and what is wrong with it, line by line (for the user to read
        before anything is imported)."""
        mapped = ", ".join(f"{h} -> {f}" for h, f in self.mapping.items())
        out = [f"Columns: {mapped or 'none mapped'}"]
        out += [
            f"Column {h!r} refused: it looks like a child's or family's name or details; "
            "qa-tui keeps case references only"
            for h in self.ignored
        ]
        if self.extra_columns:
            out.append(f"Kept as other columns: {', '.join(self.extra_columns)}")
        separator = "tab" if self.delimiter == "\t" else repr(self.delimiter)
        out.append(
            f"{self.lines_read:,} lines read, {len(self.rows):,} clean, {self.bad_rows:,} with "
            f"problems ({self.encoding}, {separator} separated)"
        )
        out += [f"  {p.describe()}" for p in self.problems[:limit]]
        if self.problem_count > limit:
            out.append(f"  … and {self.problem_count - limit:,} more")
        return out

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def parse_mapping(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``COLUMN=FIELD`` pairs (``--map``) as a dict, checked against :data:`FIELDS`."""
    out: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column.strip():
            raise ValidationError(f"--map {pair!r}: write COLUMN=FIELD", field="map")
        target = target.strip()
        if target not in FIELDS and target != "ignore":
            known = ", ".join([*FIELDS, "ignore"])
            raise ValidationError(f"--map {pair!r}: {target!r} is not one of {known}", field="map")
        out[column.strip()] = target
    return out


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and encoding: UTF-8 (with or without a BOM), else Windows-1252.
    Binary junk (NUL bytes) is refused."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"the file is {len(data) / 1e6:,.0f} MB; a case list is at most "
            f"{MAX_BYTES / 1e6:,.0f} MB",
            field="file",
        )
    if b"\x00" in data[:65536]:
        raise ValidationError(
            "the file is not text (it holds NUL bytes): export the case list as CSV",
            field="file",
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in much of Europe) or tab, from the header line."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_date(raw: str) -> dt.date | None:
    """A date as exports write it (ISO, day first with / - or ., "3 Dec 2026"), a time
    after it ignored; None for empty; ValueError for anything else."""
    text = raw.strip()
    if not text:
        return None
    text = re.split(r"[ T](?=\d{1,2}:\d{2})", text, maxsplit=1)[0]
    # The two common shapes without strptime, which costs ten times more per call.
    iso, day_first = ISO_DATE.fullmatch(text), DAY_FIRST.fullmatch(text)
    if iso:
        return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
    if day_first:
        return dt.date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _map_headers(headers: list[str], given: Mapping[str, str], out: CaseList) -> None:
    by_fold = {fold(k): v for k, v in given.items()}
    for name in given:
        if fold(name) not in {fold(h) for h in headers}:
            out.add(Problem(0, name, "--map names a column the file does not have"))
    taken: dict[str, str] = {}
    for header in headers:
        key = fold(header)
        target = by_fold.get(key) or SYNONYMS.get(key, "")
        if target == "ignore":
            continue
        if NAME_LIKE.match(key) and target != "reference":
            out.ignored.append(header)
            continue
        if not target:
            if key:
                out.extra_columns.append(header)
            continue
        if target in taken:
            out.add(Problem(0, header, f"maps to {target}, already given by {taken[target]!r}"))
            continue
        taken[target] = header
        out.mapping[header] = target
    for name in REQUIRED:
        if name not in taken:
            out.add(
                Problem(
                    0,
                    "",
                    f"no column for the {FIELDS[name].lower()} "
                    f"(columns: {', '.join(h for h in headers if h)[:200]}); "
                    f"name it with --map COLUMN={name}",
                )
            )


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each record; quoted line breaks stay in their cell."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError(
                f"line {start}: the file cannot be read as CSV ({exc})", field="file"
            ) from None
        yield start, cells
        start = reader.line_num + 1


def _check_row(
    line: int,
    cells: list[str],
    index: dict[str, int],
    extras: list[tuple[str, int]],
    seen: dict[str, int],
    out: CaseList,
) -> CaseRow | None:
    """One clean row, or None with its problems added."""
    before = out.problem_count
    values: dict[str, str] = {}
    for name, at in index.items():
        value = cells[at].strip() if at < len(cells) else ""
        if len(value) > MAX_CELL:
            out.add(Problem(line, FIELDS[name], f"{len(value)} characters (at most {MAX_CELL})"))
        values[name] = value[:MAX_CELL]
    ref = values.get("reference", "")
    if not ref:
        out.add(Problem(line, FIELDS["reference"], "empty"))
    elif NAME_VALUE.match(ref):
        out.add(Problem(line, FIELDS["reference"], "looks like a name, not a case reference"))
    elif not REFERENCE.match(ref):
        out.add(Problem(line, FIELDS["reference"], f"{ref[:40]!r} is not a case reference"))
    elif ref.casefold() in seen:
        out.add(Problem(line, FIELDS["reference"], f"{ref} is also on line {seen[ref.casefold()]}"))
    else:
        seen[ref.casefold()] = line
    dates: dict[str, dt.date | None] = {}
    for name in DATE_FIELDS:
        try:
            dates[name] = parse_date(values.get(name, ""))
        except ValueError:
            shown = values[name][:40]
            out.add(Problem(line, FIELDS[name], f"{shown!r} is not a date (use YYYY-MM-DD)"))
    if out.problem_count > before:
        return None
    return CaseRow(
        line,
        ref,
        values.get("service_area", ""),
        values.get("team", ""),
        values.get("worker", ""),
        values.get("category", ""),
        dates.get("opened_on"),
        dates.get("closed_on"),
        tuple((h, cells[at][:MAX_CELL]) for h, at in extras if at < len(cells) and cells[at]),
    )


def read_case_list(data: bytes, mapping: Mapping[str, str] | None = None) -> CaseList:
    """Read and check a case-list export (``data``: the file's bytes). Never raises for a
    bad row: every problem is in the result, with its line. Raises ValidationError only for a
    file that is not a case list at all (binary, too large, broken quoting)."""
    text, encoding = decode(data)
    out = CaseList(encoding=encoding, delimiter=sniff_delimiter(text))
    records = _records(text, out.delimiter)
    first = next(records, None)
    if first is None:
        out.add(Problem(0, "", "the file is empty"))
        return out
    headers = [h.strip() for h in first[1]]
    _map_headers(headers, mapping or {}, out)
    if out.fatal:
        return out
    index = {target: headers.index(h) for h, target in out.mapping.items()}
    extras = [(h, headers.index(h)) for h in out.extra_columns]
    seen: dict[str, int] = {}
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue  # a blank line (Excel often ends with some)
        out.lines_read += 1
        row = _check_row(line, cells, index, extras, seen, out)
        if row is None:
            out.bad_rows += 1
        else:
            out.rows.append(row)
    return out
