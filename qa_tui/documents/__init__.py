"""Documents a manager can use the same day: the written notice of an immediate concern and a
completed evaluation's feedback summary, as HTML, Word (.docx), Markdown and an email draft.

Headless (no Textual): :mod:`model` computes what a document says once; ``render_*`` lay it
out; :mod:`files` decides where files go and writes them.
"""
