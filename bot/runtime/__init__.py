"""The imperative shell: the only place a turn awaits (locks, NLU, storage, effects, delivery)."""
