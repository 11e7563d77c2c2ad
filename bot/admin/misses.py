"""Learning from misses: messages the NLU was unsure about, grouped by similarity, labelled by an admin.

Grouping uses rapidfuzz on accent-folded, normalized text so "dang ky khai sinh" and "đăng kí khai
sinh" land together; an admin assigns a whole group with one click and every message becomes a
training example the NLU retrains on.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.models import TrainingExampleRow
from bot.engine.events import EventType
from bot.storage.models import EventRow
from nlu.api import Example
from nlu.normalize import fold as nfold

MISS_TYPES = (EventType.UNRECOGNIZED.value,)


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for comparing messages."""
    t = nfold(unicodedata.normalize("NFC", text).lower())
    return " ".join("".join(c if c.isalnum() else " " for c in t).split())


@dataclass(frozen=True)
class Miss:
    event_id: int
    text: str
    label: str | None
    confidence: float | None
    created_at: dt.datetime
    team: str | None


@dataclass
class MissGroup:
    """Similar misses; ``representative`` is the first (most recent) message."""

    items: list[Miss] = field(default_factory=list)

    @property
    def representative(self) -> Miss:
        return self.items[0]

    @property
    def size(self) -> int:
        return len(self.items)

    @property
    def suggested_label(self) -> str | None:
        labels = [m.label for m in self.items if m.label]
        return max(set(labels), key=labels.count) if labels else None


def group_misses(misses: Sequence[Miss], threshold: float = 80.0) -> list[MissGroup]:
    """Greedy single-pass clustering: a miss joins the first group whose representative is similar enough."""
    from rapidfuzz import fuzz  # here, not at the top: the admin page imports it, not every worker's start

    groups: list[tuple[str, MissGroup]] = []
    for m in misses:
        key = fold(m.text)
        if not key:
            continue
        for rep, g in groups:
            if fuzz.token_set_ratio(key, rep) >= threshold:
                g.items.append(m)
                break
        else:
            groups.append((key, MissGroup([m])))
    out = [g for _, g in groups]
    out.sort(key=lambda g: -g.size)
    return out


class Misses:
    """Reads misses from the events table and stores admin-assigned training examples."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine

    async def recent(self, *, team: str | None = None, since: dt.datetime | None = None,
                   limit: int = 500) -> list[Miss]:
        """Recent misses not yet assigned (an assigned event never shows again)."""
        done = select(TrainingExampleRow.event_id).where(TrainingExampleRow.event_id.is_not(None))
        q = (select(EventRow.id, EventRow.data, EventRow.created_at, EventRow.team)
             .where(EventRow.type.in_(MISS_TYPES), EventRow.id.not_in(done))
             .order_by(EventRow.id.desc()).limit(limit))
        if team is not None:
            q = q.where(EventRow.team == team)
        if since is not None:
            q = q.where(EventRow.created_at >= since)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(q)).all()
        out = []
        for r in rows:
            data = r.data or {}
            text = str(data.get("text") or "").strip()
            if text:
                out.append(Miss(r.id, text, data.get("label"), data.get("confidence"), r.created_at, r.team))
        return out

    async def groups(self, **kw: Any) -> list[MissGroup]:
        return group_misses(await self.recent(**kw))

    async def assign(self, event_ids: Iterable[int], label: str, author: str) -> int:
        """Turn the given miss events into training examples labelled ``label``; returns how many were added."""
        ids = list(event_ids)
        if not ids:
            return 0
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(EventRow.id, EventRow.data)
                                       .where(EventRow.id.in_(ids), EventRow.type.in_(MISS_TYPES)))).all()
            taken = set((await conn.execute(select(TrainingExampleRow.event_id)
                                            .where(TrainingExampleRow.event_id.in_(ids)))).scalars())
            values = [{"text": str((r.data or {}).get("text", "")).strip(), "label": label, "author": author,
                       "event_id": r.id, "created_at": dt.datetime.now(dt.UTC)}
                      for r in rows if r.id not in taken and str((r.data or {}).get("text", "")).strip()]
            if values:
                await conn.execute(insert(TrainingExampleRow), values)
        return len(values)

    async def examples(self) -> list[Example]:
        """Every assigned example, for `NluService.build` (``default_training_set(..., extra=...)``)."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(TrainingExampleRow.text, TrainingExampleRow.label)
                                       .order_by(TrainingExampleRow.id))).all()
        return [Example(text=r.text, label=r.label, style="admin") for r in rows]


# A citizen's erasure deleted labelled examples taken from their messages: every worker retrains without them.
EXAMPLES_TOPIC = "nlu-examples"


async def forget_erased_examples(nlu: Any, misses: Misses, content: Any) -> bool:
    """When the model serving now was trained with an example the database no longer holds (an erasure or the
    retention job removed it), train on what it holds now and delete the cached models that still hold the erased
    words. True when it retrained. New examples are not its business (assigning retrains on its own)."""
    import asyncio

    examples = tuple(await misses.examples())
    if not set(nlu.extra_examples) - set(examples):
        return False
    nlu.extra_examples = examples
    task = nlu.retrain(content.current)
    if task is not None:
        await task
    await asyncio.to_thread(nlu.prune_cache, content.current)
    return True
