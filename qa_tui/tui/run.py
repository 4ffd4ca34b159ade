"""``qa-tui`` with no subcommand: load the settings and run the app.

A problem the user can act on (a broken settings file, a database that cannot be opened) ends
with one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from qa_tui.errors import QaError

if TYPE_CHECKING:
    from qa_tui.config import Settings
    from qa_tui.store.quicklist import FirstRead


def _fail(text: str) -> None:
    print(f"qa-tui: {text}", file=sys.stderr)
    sys.exit(1)


def _first_read(settings: Settings, db_url: str | None) -> FirstRead | None:
    """The home list's first read, started before Textual is even imported (None for a
    database the fast path does not read)."""
    from qa_tui.config import default_db_url
    from qa_tui.store.home_window import IN_MEMORY_UP_TO, PAGE
    from qa_tui.store.quicklist import FirstRead, quick_source

    source = quick_source(db_url or default_db_url(settings.data_dir))
    return FirstRead(source, IN_MEMORY_UP_TO, PAGE) if source is not None else None


def run_app(config_path: Path | None, db_url: str | None) -> None:
    """Run the app; the database opens in a worker once the first frame is drawn."""
    from qa_tui.config import load_settings

    try:
        settings = load_settings(config_path)
    except QaError as err:
        _fail(str(err))
        return
    first = _first_read(settings, db_url)
    from qa_tui.tui.app import make_app  # Textual: most of start-up, the list read meanwhile

    app = make_app(settings, db_url=db_url, first=first)
    app.run()
    if app.startup_error:
        _fail(app.startup_error)
    elif app.return_code:
        sys.exit(app.return_code)
