"""The test tiers stay what docs/architecture.md says: tests/unit and tests/data start no
process; real processes carry the ``slow`` mark and live in tests/process."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_unit_tier_starts_no_process() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for tier in ("unit", "data")
        for path in sorted((ROOT / "tests" / tier).rglob("*.py"))
        if any(word in path.read_text(encoding="utf-8") for word in ("subprocess", "mark.slow"))
    ]
    assert offenders == []


def test_process_tests_are_marked_slow() -> None:
    for path in sorted((ROOT / "tests" / "process").glob("test_*.py")):
        assert "pytestmark = pytest.mark.slow" in path.read_text(encoding="utf-8"), path.name
