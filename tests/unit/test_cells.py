"""CSV and spreadsheet cells: every control character made visible and reversible, formulas
neutralised, nothing dropped — for every cell writer the project has (``textsafe.cell``, used
by ``qa-tui list --format csv``)."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from pathlib import Path

from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from qa_tui.cli import main
from qa_tui.cli.core import LIST_COLUMNS, csv_text
from qa_tui.textsafe import cell, json_text, printable, uncell, unprintable

C0 = [chr(c) for c in range(0x20)]
C1 = [chr(c) for c in range(0x7F, 0xA0)]  # DEL and the C1 controls
BIDI = [chr(c) for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
SEPARATORS = ["\u2028", "\u2029"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
# What no cell may hold: every control character and everything that reorders or breaks a line.
FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# The pieces most likely to break an escape or a formula rule, mixed with ordinary text.
TRICKY = [*C0, *C1, *BIDI, *SEPARATORS, *SURROGATES, "\\", "x", "u", "1", "b", "f", "'", " ",
          "\u00a0", "\u3000", "=", "+", "-", "@", "é", "ß", "中", "😀"]  # fmt: skip


def _joined(alphabet: list[str], min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    # Lists of pieces joined, not st.text(st.sampled_from(...)): shrinking those can crash
    # inside Hypothesis (6.155) when the alphabet is a few scattered code points.
    pieces = st.lists(st.sampled_from(alphabet), min_size=min_size, max_size=max_size)
    return pieces.map("".join)


SPACES = [" ", "\u00a0", "\u2003", "\u3000"]
texts = st.one_of(
    _joined(TRICKY),
    st.text(max_size=40),  # any code point Hypothesis likes
    st.builds(
        lambda spaces, lead, rest: spaces + lead + rest,
        _joined(SPACES, max_size=4),
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "'=", "a"]),
        _joined(TRICKY, max_size=20),
    ),
    # very long lines
    st.builds(lambda t, n: t * n, _joined(TRICKY, 1, 8), st.integers(1_000, 8_000)),
)


def _first_non_space(text: str) -> str:
    return text.lstrip("".join(SPACES))[:1]


@given(texts)
@example("  =1+1")
@example("\x1b]0;pwned\x07\x1b[2J")
@example("\\x1b is not an escape")
@example("'=quoted already")
@example("\u202egnp.exe")
def test_a_cell_holds_no_control_character_and_gives_the_text_back(text: str) -> None:
    written = cell(text)
    assert not FORBIDDEN.search(written), repr(written)
    assert uncell(written) == text
    if _first_non_space(text) in ("=", "+", "-", "@", "\t", "\r"):
        assert written.startswith("'"), repr(written)


@given(texts)
def test_printable_round_trips(text: str) -> None:
    for keep_breaks in (True, False):
        shown = printable(text, keep_breaks=keep_breaks)
        assert unprintable(shown) == text
        allowed = "\t\n" if keep_breaks else ""
        assert all(c in allowed for c in FORBIDDEN.findall(shown)), repr(shown)


@given(st.lists(texts, min_size=1, max_size=4))
def test_the_list_csv_writer_uses_cell_for_every_cell(values: list[str]) -> None:
    rows = [
        {column: values[(n + i) % len(values)] for i, column in enumerate(LIST_COLUMNS)}
        for n in range(len(values))
    ]
    out = csv_text(rows)
    body = out.replace("\n", "")  # the row terminators are the only line breaks
    assert not FORBIDDEN.search(body), repr(out[:200])
    limit = csv.field_size_limit(sys.maxsize)  # the reader's default stops at 128 KiB
    try:
        read = list(csv.DictReader(io.StringIO(out)))
    finally:
        csv.field_size_limit(limit)
    assert [{k: uncell(v) for k, v in r.items()} for r in read] == rows


@given(st.lists(st.fixed_dictionaries({"a": texts, "b": st.integers()}), max_size=3))
def test_json_output_escapes_every_control_character_and_loads_back(data: list) -> None:
    out = json_text(data)
    assert not FORBIDDEN.search(out.replace("\n", "")), repr(out[:200])
    # What JSON itself carries: a lone high surrogate then a lone low one read back as the one
    # character the pair encodes, from any JSON writer (json.dumps's ASCII output included).
    assert json.loads(out) == json.loads(json.dumps(data))


def test_non_text_values_are_left_alone() -> None:
    assert cell(3) == 3 and cell(None) is None and cell(-2.5) == -2.5 and cell(True) is True


def test_every_control_character_is_named_not_dropped() -> None:
    for char in [*C0, *C1]:
        assert cell(f"a{char}b") == f"a\\x{ord(char):02x}b"
    for char in [*BIDI, *SEPARATORS]:
        assert cell(f"a{char}b") == f"a\\u{ord(char):04x}b"
        assert unicodedata.category(char) in ("Cf", "Zl", "Zp")


NASTY = {
    "team": "North\x1b]0;owned\x07\x1b[2J",
    "practitioner": '  =HYPERLINK("http://x")',
    "service_area": "Early help\u202e\u0085\x9b31m",
}


def test_qa_tui_list_csv_and_table_end_to_end(tmp_path: Path) -> None:
    """Through the real command: nothing raw on the way out, everything back on the way in."""
    from qa_tui.domain import evaluation as ev
    from qa_tui.framework.loader import builtin_templates
    from qa_tui.store.history import Actor
    from qa_tui.store.migrate import open_store

    db = f"sqlite:///{(tmp_path / 'qa.db').as_posix()}"
    store = open_store(db)
    actor = Actor("Alex\x07 Auditor", "0b5b7c1e-3f0a-4c55-9d2e-6a1f0e6d9a01")
    with store.session() as session:
        ev.create_evaluation(
            session,
            actor,
            builtin_templates()[0],
            ev.CaseDetails(case_reference="ABC-\x1b[31m1234", **NASTY),
            ".*",
        )
    store.dispose()
    result = CliRunner().invoke(main, ["list", "--db", db, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert not FORBIDDEN.search(result.stdout.replace("\n", ""))
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert uncell(row["case_reference"]) == "ABC-\x1b[31m1234"
    assert uncell(row["auditor"]) == "Alex\x07 Auditor"
    assert row["practitioner"].startswith("'  =")
    for key, value in NASTY.items():
        assert uncell(row[key]) == value
    as_json = CliRunner().invoke(main, ["list", "--db", db, "--format", "json"])
    assert as_json.exit_code == 0 and not FORBIDDEN.search(as_json.stdout.replace("\n", ""))
    (data,) = json.loads(as_json.stdout)
    assert {k: data[k] for k in NASTY} == NASTY
    table = CliRunner().invoke(main, ["list", "--db", db])
    assert table.exit_code == 0 and not FORBIDDEN.search(table.stdout.replace("\n", ""))
    assert len(table.stdout.splitlines()) == 2  # the header and one row, however nasty
