"""How a sentence counts the root records of a bundle or a merge, of each kind."""

from __future__ import annotations

import pytest

from qa_tui.store.entities import ROOT_TYPES
from qa_tui.sync.aggregates import ROOT_NOUNS, roots_in_words


@pytest.mark.parametrize(
    ("counts", "said"),
    [
        ({}, "0 evaluations"),
        ({"evaluation": 1}, "1 evaluation"),
        ({"evaluation": 3, "moderation_session": 0}, "3 evaluations"),
        ({"evaluation": 0, "plan": 0}, "0 evaluations"),
        ({"evaluation": 30, "moderation_session": 20}, "30 evaluations and 20 moderation sessions"),
        ({"moderation_session": 1}, "1 moderation session"),
        ({"evaluation": 0, "plan": 2}, "2 plans"),
        (
            {"board_action": 2, "plan": 1, "evaluation": 5, "board_meeting": 1},
            "5 evaluations, 1 plan, 1 board meeting and 2 board actions",
        ),
        ({"evaluation": 1, "visit_note": 2}, "1 evaluation and 2 visit note records"),
    ],
)
def test_each_kind_is_named_and_counted(counts: dict[str, int], said: str) -> None:
    assert roots_in_words(counts) == said


def test_every_kind_of_root_record_has_its_nouns() -> None:
    assert set(ROOT_NOUNS) == set(ROOT_TYPES)
