"""Services over a workspace for the app: the typed editor of one evaluation, and the one
writer thread every edit runs on. Headless (no Textual), so tests drive them directly."""
