"""The terminal interface: a thin skin over the headless core."""
