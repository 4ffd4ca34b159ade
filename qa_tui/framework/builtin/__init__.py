"""The built-in templates, as TOML files transcribed from the framework documents.

A package (not only a folder) so that its ``*.toml`` files ship as package data.
"""
