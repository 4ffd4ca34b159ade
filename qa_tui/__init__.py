"""qa_tui: practice evaluation for children's social care, in the terminal."""

__version__ = "0.1.0"
