"""``qa-tui`` with no subcommand: load the settings and run the app.

A problem the user can act on (a broken settings file, a database that cannot be opened) ends
with one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qa_tui.errors import QaError


def _fail(text: str) -> None:
    print(f"qa-tui: {text}", file=sys.stderr)
    sys.exit(1)


def run_app(config_path: Path | None, db_url: str | None) -> None:
    """Run the app; the database opens in a worker once the first frame is drawn."""
    from qa_tui.config import load_settings

    try:
        settings = load_settings(config_path)
    except QaError as err:
        _fail(str(err))
        return
    from qa_tui.tui.app import make_app

    app = make_app(settings, db_url=db_url)
    app.run()
    if app.startup_error:
        _fail(app.startup_error)
    elif app.return_code:
        sys.exit(app.return_code)
