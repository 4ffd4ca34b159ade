"""Hand-over to the QA team: keys, encrypted signed bundles, the merge, direct sync, conflicts.

Headless: nothing here imports ``textual`` or ``rich``. The CLI (:mod:`qa_tui.cli.sync`) and the
TUI call :func:`qa_tui.sync.direct.sync_now`, :func:`qa_tui.sync.central.merge_bundle_file`,
:func:`qa_tui.sync.conflicts.list_conflicts` and friends.
"""
