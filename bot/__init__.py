"""motcua: the one-stop desk chatbot (channels, dialogue engine, handoff, dossier, web, storage)."""

__version__ = "0.1.0"
