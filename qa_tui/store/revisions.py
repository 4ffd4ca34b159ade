"""The schema revisions the migration scripts define, read from the scripts themselves.

Alembic runs the scripts, but importing it costs about a quarter of a second: the start-up fast
path (:mod:`qa_tui.store.quicklist`), the check that a database needs no upgrade and the bundle
reader only need each script's ``revision`` and ``down_revision`` lines, so they read those
(standard library only). tests/unit/test_quicklist.py keeps the answers equal to Alembic's.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

VERSIONS = Path(__file__).with_name("migrations") / "versions"

# ``revision = "0003"`` or ``down_revision: str | None = "0002"`` at the start of a line; a
# merge revision's down_revision is a tuple of names.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\b[^=\n]*=(.*)$", re.MULTILINE)
_NAME = re.compile(r"[\"']([^\"']+)[\"']")


@cache
def _graph() -> tuple[frozenset[str], frozenset[str]]:
    """Every revision the scripts define, and every one a script revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        for name, value in _ASSIGNMENT.findall(script.read_text(encoding="utf-8")):
            (revisions if name == "revision" else revised).update(_NAME.findall(value))
    return frozenset(revisions), frozenset(revised)


def known_revisions() -> frozenset[str]:
    """Every schema revision this version of qa-tui knows."""
    return _graph()[0]


def head_revision() -> str:
    """The schema revision this version of qa-tui writes: the one no script revises."""
    revisions, revised = _graph()
    heads = sorted(revisions - revised)
    if len(heads) != 1:
        raise RuntimeError(f"{VERSIONS}: the migrations have {len(heads)} heads, not one")
    return heads[0]
