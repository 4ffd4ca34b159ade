"""The palette finds a command by the words of its help as well as by its name."""

from __future__ import annotations

from qa_tui.tui.commands import in_words

EXPORT_HELP = "A bundle file of this laptop's work, for a USB stick or secure email (no network)"


def test_a_word_of_the_help_or_its_plural_or_its_start_finds_the_command() -> None:
    assert in_words("bundle", EXPORT_HELP)
    assert in_words("Bundles", EXPORT_HELP)  # a plural, any case
    assert in_words("usb stick", EXPORT_HELP)  # every word must be there
    assert in_words("netw", EXPORT_HELP)  # the start of a word


def test_short_or_absent_words_find_nothing() -> None:
    assert not in_words("bu", EXPORT_HELP)  # fewer than three letters: too many would match
    assert not in_words("usb merge", EXPORT_HELP)
    assert not in_words("undle", EXPORT_HELP)  # inside a word, not at its start
    assert not in_words("", EXPORT_HELP)
