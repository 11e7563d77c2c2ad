"""Admin room: content versions (edit, validate, publish, rollback, export), NLU misses and commune reports."""
