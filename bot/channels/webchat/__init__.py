"""The web chat: a small mobile-first page, no build step, talking JSON to the same turn runner."""
