"""``python -m qa_tui``: the same as the ``qa-tui`` command."""

from qa_tui.cli import main

if __name__ == "__main__":
    main(prog_name="qa-tui")
