"""The store: SQLAlchemy models, engine and sessions, change history, queries and views (a whole
evaluation read at once), migrations."""
