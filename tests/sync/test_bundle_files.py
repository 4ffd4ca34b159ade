"""The bundles a merge is given: one file, or every .qab file of a folder in name order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa_tui.sync.central import Unfound, bundle_files


def test_a_folder_gives_its_bundle_files_in_name_order_and_nothing_else(tmp_path: Path) -> None:
    for name in ("b.qab", "A.QAB", "notes.txt", "c.qab.part"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub.qab").mkdir()  # a folder named like a bundle is not one
    assert [p.name for p in bundle_files(str(tmp_path))] == ["A.QAB", "b.qab"]


def test_one_file_is_taken_as_it_is_whatever_its_name(tmp_path: Path) -> None:
    given = tmp_path / "handover.bin"
    given.write_bytes(b"x")
    assert bundle_files(str(given)) == [given]


def test_nothing_to_merge_says_what_and_where(tmp_path: Path) -> None:
    with pytest.raises(Unfound, match=re.escape("no bundle file (.qab) in this folder")):
        bundle_files(str(tmp_path))
    with pytest.raises(Unfound, match=re.escape("missing.qab: no such file or folder")):
        bundle_files(str(tmp_path / "missing.qab"))


def test_a_folder_that_cannot_be_listed_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(self: Path) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refused)
    with pytest.raises(Unfound, match=re.escape("cannot read this folder (Permission denied)")):
        bundle_files(str(tmp_path))
