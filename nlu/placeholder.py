"""The first, simple matcher: accent-insensitive search for catalog names in the message.

Kept as a baseline so the benchmark shows what the built-in parser gains, and as a
fallback backend (``nlu.backend: placeholder``) that needs no training at all.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from nlu.api import Candidate, KnowledgeItem, ParseContext, Understanding, today_of
from nlu.entities import extract_entities
from nlu.normalize import normalize

# A handful of keywords per chat intent (folded), matched as whole words.
_INTENT_WORDS: dict[str, tuple[str, ...]] = {
    "greet": ("xin chao", "chao", "alo", "hello"),
    "goodbye": ("tam biet", "hen gap lai", "bye"),
    "thanks": ("cam on",),
    "affirm": ("dung roi", "dung", "vang", "co", "dong y", "u"),
    "deny": ("khong phai", "khong", "sai roi", "sai"),
    "request_human": ("can bo", "nguoi that", "nhan vien"),
    "restart": ("lam lai", "huy", "bat dau lai"),
    "ask_fee": ("le phi", "bao nhieu tien", "phi"),
    "ask_duration": ("bao lau", "may ngay", "thoi han"),
    "ask_where": ("o dau", "nop o dau", "truc tuyen", "online"),
    "ask_status": ("tra cuu", "ho so cua toi", "tinh trang ho so"),
}


class PlaceholderParser:
    """Scores a label by the longest of its names found in the message."""

    def __init__(self, knowledge: Sequence[KnowledgeItem], labels: Sequence[str]) -> None:
        self.labels = tuple(dict.fromkeys([*labels, *(k.label for k in knowledge)]))
        self._names: list[tuple[str, re.Pattern[str]]] = []
        for k in knowledge:
            for name in k.names:
                folded = normalize(name).folded
                if folded:
                    self._names.append((k.label, re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")))
        for label, words in _INTENT_WORDS.items():
            if label in self.labels:
                for w in words:
                    self._names.append((label, re.compile(rf"(?<!\w){re.escape(w)}(?!\w)")))

    def parse(self, text: str, context: ParseContext | None = None) -> Understanding:
        folded = normalize(text if isinstance(text, str) else "").folded
        best: dict[str, float] = {}
        for label, pattern in self._names:
            if pattern.search(folded):
                score = float(len(pattern.pattern))
                best[label] = max(best.get(label, 0.0), score)
        fallback = "out_of_scope" if "out_of_scope" in self.labels else None
        if not best and fallback:
            best[fallback] = 1.0
        total = sum(best.values()) or 1.0
        scored = {l: 0.8 * v / total for l, v in best.items()}
        rest = [l for l in self.labels if l not in scored]
        left = 1.0 - sum(scored.values())
        for l in rest:
            scored[l] = left / max(1, len(rest))
        ranking = tuple(Candidate(l, c) for l, c in sorted(scored.items(), key=lambda kv: -kv[1]))
        return Understanding(text=text, ranking=ranking, entities=extract_entities(text, today=today_of(context)))

    async def aparse(self, text: str, context: ParseContext | None = None) -> Understanding:
        return self.parse(text, context)


__all__ = ["PlaceholderParser"]
