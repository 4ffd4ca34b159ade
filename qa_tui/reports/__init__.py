"""Reports: figures computed in the database, then rendered.

A report kind (``kinds.py``) is a function from a :class:`~qa_tui.reports.model.ReportQuery`
and a database session to a :class:`~qa_tui.reports.model.Report` — every aggregate in SQL
(``GROUP BY`` in the database, the same query on SQLite and PostgreSQL), never every row
loaded into Python. The same report is then handed to each renderer (``render/``: Markdown,
HTML with inline SVG charts, CSV, XLSX, JSON), so the formats always agree. Headless: the
CLI's ``qa-tui report`` and the app's screens both call :func:`~qa_tui.reports.kinds.build`.
"""
