"""Templates: the TOML format, its loader and validator, and the built-in templates."""
