"""Modal dialogs, one a file."""
