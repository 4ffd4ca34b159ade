"""The store: SQLAlchemy models, engine and sessions, change history, migrations."""
