"""Cues in a citizen's message that are not answers: "toi khong biet", "kho qua" (``data/confusion.yml``).

The engine re-asks the pending question in plainer words when it sees one, instead of reading the message as a
new request. The list is read once, on first use.
"""
from __future__ import annotations

import re
from functools import lru_cache

from nlu.normalize import DATA_DIR, normalize


@lru_cache(maxsize=1)
def _confusion() -> tuple[int, re.Pattern[str]]:
    import yaml

    raw = yaml.safe_load((DATA_DIR / "confusion.yml").read_text(encoding="utf-8")) or {}
    phrases = sorted({str(p).strip() for p in raw.get("phrases", ()) if str(p).strip()}, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)")
    return int(raw.get("max_words", 8)), pattern


def is_confused(text: str) -> bool:
    """Whether a short message says the citizen does not know or understand what is asked."""
    folded = normalize(text).folded
    max_words, pattern = _confusion()
    if not folded or len(folded.split()) > max_words:
        return False
    return pattern.search(folded) is not None


__all__ = ["is_confused"]
