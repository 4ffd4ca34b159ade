"""Widgets of the evaluation editor, one a file."""
