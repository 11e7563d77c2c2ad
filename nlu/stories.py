"""Long messages: find the sentence that says what the citizen needs now.

A citizen who explains their situation in three sentences mentions events (a wedding, a fire, a death) before
the request ("tôi cần xin lại một bản"). The classifier reads the whole message and also, weighted, the request
sentence, so the events do not outvote the need.

The need cues are learned from the training data, not listed by hand: word n-grams that are frequent in the
request frames (``ask_frames``, ``story_frames`` of ``data/templates.yml`` and the request sentences of the
shipped stories) and rare in the situation sentences (``stories:`` of the same file).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

from nlu.normalize import normalize

_SENTENCE_END = re.compile(r"(?<=[.?!;…\n])\s+|\s*\n+\s*")
_MIN_WORDS = 3


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (split at . ? ! ; … and line breaks), fragments under three words merged
    into their neighbour."""
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip()) if p and p.strip()]
    out: list[str] = []
    for p in parts:
        if out and (len(p.split()) < _MIN_WORDS or len(out[-1].split()) < _MIN_WORDS):
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out


def _grams(folded: str) -> set[str]:
    words = folded.split()
    return {*words, *(f"{a} {b}" for a, b in pairwise(words))}


def learn_need_cues(requests: Iterable[str], situations: Iterable[str], *, min_count: int = 3,
                    min_ratio: float = 1.5) -> dict[str, float]:
    """Folded n-grams that mark a request rather than a situation, with their log-odds weight."""
    req = Counter(g for t in requests for g in _grams(normalize(t).folded))
    sit = Counter(g for t in situations for g in _grams(normalize(t).folded))
    n_req, n_sit = max(1, sum(req.values())), max(1, sum(sit.values()))
    cues: dict[str, float] = {}
    for gram, count in req.items():
        if count < min_count or gram in ("x", "s"):
            continue
        ratio = math.log((count / n_req) / ((sit.get(gram, 0) + 0.5) / n_sit))
        if ratio >= min_ratio:
            cues[gram] = round(ratio, 3)
    return dict(sorted(cues.items()))


def request_sentence(text: str, cues: dict[str, float]) -> str | None:
    """The sentence of a multi-sentence message that most looks like the request (learned cues, a question
    mark; later sentences win ties), or None for a one-sentence message."""
    parts = sentences(text)
    if len(parts) < 2:
        return None
    best, best_score = None, -1.0
    for i, part in enumerate(parts):
        grams = _grams(normalize(part).folded)
        score = sum(cues.get(g, 0.0) for g in grams) + (2.0 if "?" in part else 0.0) + 0.01 * i
        if score >= best_score:
            best, best_score = part, score
    return best


def frames_and_situations(templates: dict, shipped: Sequence[str]) -> tuple[list[str], list[str]]:  # type: ignore[type-arg]
    """Request texts and situation texts to learn the cues from: the template frames without their slot, the
    last sentence of each shipped multi-sentence example, and the template situations."""
    requests = [re.sub(r"\{[xs]\}", " ", f) for f in [*(templates.get("ask_frames") or []),
                                                        *(templates.get("story_frames") or [])]]
    situations = [s for v in (templates.get("stories") or {}).values() for s in (v or [])]
    for story in shipped:
        parts = sentences(story)
        if len(parts) >= 2:
            requests.append(parts[-1])
            situations.extend(parts[:-1])
    return requests, situations


__all__ = ["frames_and_situations", "learn_need_cues", "request_sentence", "sentences"]
