"""Admin pages of the console: content editor, version history, misses, reports."""
