"""Vietnamese understanding for motcua: normalization, ranking, entities.

This package never imports `bot`: it sees the catalog only as plain
`KnowledgeItem`s handed to it, so it can be trained, evaluated and served
on its own (and swapped for a Rasa server).
"""
from nlu.api import (
    Candidate,
    Entity,
    Example,
    KnowledgeItem,
    ParseContext,
    Parser,
    TrainingSet,
    Understanding,
)

__all__ = [
    "Candidate",
    "Entity",
    "Example",
    "KnowledgeItem",
    "ParseContext",
    "Parser",
    "TrainingSet",
    "Understanding",
]
