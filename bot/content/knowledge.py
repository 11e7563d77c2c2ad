"""Turn catalog content into the plain `KnowledgeItem`s the NLU learns from.

The NLU package never imports `bot`; this is the one place that translates.
"""
from __future__ import annotations

from bot.content.snapshot import ContentSnapshot
from nlu.api import KnowledgeItem


def knowledge_items(snapshot: ContentSnapshot) -> list[KnowledgeItem]:
    """Names (strong evidence) and document names/summary (weak evidence) per procedure."""
    items: list[KnowledgeItem] = []
    for pid, proc in snapshot.procedures.items():
        names = (proc.name, proc.official_name, *proc.colloquial_names)
        texts: list[str] = [d.name for d in proc.documents]
        if proc.summary:
            texts.append(proc.summary)
        if proc.form:
            texts.append(proc.form.name)
        items.append(KnowledgeItem(label=pid, names=tuple(dict.fromkeys(names)), texts=tuple(texts)))
    for entry in snapshot.spec:
        if entry.kind == "procedure" and entry.id not in snapshot.procedures:
            items.append(KnowledgeItem(label=entry.id, names=(entry.name,)))
    if snapshot.elsewhere and "out_of_scope" in snapshot.intent_ids:
        # Requests other bodies handle teach the NLU what is *not* a commune procedure.
        phrases = (p for e in snapshot.elsewhere for p in (e.name, *e.phrases))
        items.append(KnowledgeItem(label="out_of_scope", names=tuple(dict.fromkeys(phrases))))
    return items


def labels(snapshot: ContentSnapshot) -> list[str]:
    """Every label the NLU may output: procedures of spec and catalog, then intents."""
    out = [e.id for e in snapshot.spec if e.kind == "procedure"]
    out += [p for p in snapshot.procedures if p not in out]
    out += [e.id for e in snapshot.spec if e.kind == "intent"]
    return out
