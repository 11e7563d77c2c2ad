"""Reading a commune out of what the citizen wrote (issue 21): a 2025 commune by its name ("xã Ea Tul", "ea tul"),
one named inside a sentence or an address ("tôi ở xã Ea Tul", "thôn 3, xã Ea Kar, tỉnh Đắk Lắk"), or a pre-2025
name still in use ("xã Gia Cát, huyện Cao Lộc cũ", "phường 5 quận 3 cũ") through ``TurnContext.old_communes``.

Pure: the province's communes and old names reach the engine in the context."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.context import OldName
from nlu.normalize import fold, nfc_lower
from nlu.placekeys import district_key, plain, ward_key

_TYPE = re.compile(r"^(?:xa|phuong|dac khu|thi tran|p|x)\.?\s+")
_TYPED = re.compile(r"\b(?:xa|phuong|dac khu|thi tran|p)\b\s*(?=\w)")
_DISTRICT = re.compile(r"(?:^|\s)(?:huyen|quan|thi xa|thanh pho|tp|q)\.?\s*(?=\w)")
_OLD = re.compile(r"\bcu\b|\btruoc (?:day|kia|sap nhap)\b|\bngay xua\b")


@dataclass(frozen=True, slots=True)
class Found:
    """A commune read from text: its code(s) (several when an old unit was split) and, for an old name, how the
    bot repeats that name."""

    codes: tuple[str, ...]
    old: str | None = None


def _key(text: str) -> str:
    k = re.sub(r"[^\w\s]", " ", fold(nfc_lower(text)))
    return _TYPE.sub("", " ".join(k.split()))


def _typed_kind(text: str) -> str:
    head = fold(nfc_lower(text.strip())).split(" ", 1)[0]
    return {"xa": "xa", "x": "xa", "phuong": "phuong", "p": "phuong"}.get(head.rstrip("."), "")


@lru_cache(maxsize=8)
def _by_key(communes: tuple[tuple[str, str], ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The province's communes by compared name, built once per list (every free-text message looks names up)."""
    index: dict[str, list[tuple[str, str]]] = {}
    for code, name in communes:
        index.setdefault(_key(name), []).append((code, name))
    return {k: tuple(v) for k, v in index.items()}


def match_commune(text: str, communes: tuple[tuple[str, str], ...]) -> str | None:
    """The code of the one commune ``text`` names ("xã Ea Tul", "ea tul", "Phường Tân An"), None if none or several."""
    key, kind = _key(text), _typed_kind(text)
    if not key:
        return None
    hits = list(_by_key(tuple(communes)).get(key, ()))
    if len(hits) > 1 and kind:
        hits = [h for h in hits if fold(nfc_lower(h[1])).startswith(kind)]
    return hits[0][0] if len(hits) == 1 else None


def _spans(folded: str) -> list[str]:
    """Candidate place phrases: from each type word ("xa", "phuong", "p") to the end of the message."""
    return [folded[m.start():] for m in _TYPED.finditer(folded)]


def _old_in(span: str, old: Mapping[str, tuple[OldName, ...]]) -> Found | None:
    """A pre-2025 unit in ``span`` ("phuong 5 quan 3 cu"): the ward's words, then (if any) the district's."""
    words = span.split()
    for n in range(min(len(words), 6), 0, -1):
        ward = ward_key(" ".join(words[:n]))
        rest = " ".join(words[n:])
        dm = _DISTRICT.match(" " + rest) if rest else None
        if dm:
            tail = _OLD.split((" " + rest)[dm.end():])[0]
            dwords = tail.split()
            for k in range(min(len(dwords), 4), 0, -1):
                hit = old.get(f"{ward}|{district_key(' '.join(dwords[:k]))}")
                if hit:
                    return _merge(hit)
        hit = old.get(f"{ward}|")
        if hit:
            return _merge(hit)
    return None


def _district_in(folded: str, old: Mapping[str, tuple[OldName, ...]]) -> Found | None:
    """A pre-2025 district named alone ("huyện Krông Pắc cũ", "quận 3 cũ"): every commune its units went into."""
    for m in _DISTRICT.finditer(folded):
        words = _OLD.split(folded[m.end():])[0].split()
        for k in range(min(len(words), 4), 0, -1):
            hit = old.get(f"|{district_key(' '.join(words[:k]))}")
            if hit:
                return _merge(hit)
    return None


def _merge(names: tuple[OldName, ...]) -> Found:
    codes = tuple(dict.fromkeys(c for n in names for c in n.codes))
    return Found(codes, names[0].label if len(names) == 1 else names[0].label.split(",")[0])


def find_in_text(raw: str, communes: tuple[tuple[str, str], ...],
                 old: Mapping[str, tuple[OldName, ...]], *, whole: bool = False) -> Found | None:
    """The commune a message or an address names. A 2025 name wins unless the text says the name is old ("cũ");
    ``whole`` also reads a bare name ("ea tul") — for an answer to the commune question."""
    folded = plain(raw)   # punctuation (commas too) gone
    said_old = bool(_OLD.search(folded))
    spans = _spans(folded) + ([folded] if whole else [])
    if not said_old:
        for span in spans:
            code = _longest_current(span, communes)
            if code:
                return Found((code,))
    for span in spans if old else []:
        found = _old_in(span, old)
        if found:
            return found
    return _district_in(folded, old) if old and (said_old or whole) else None


def _longest_current(span: str, communes: tuple[tuple[str, str], ...]) -> str | None:
    """The longest run of words from the span's start that names a 2025 commune ("xa ea tul muon lam…")."""
    words = span.split()
    for n in range(min(len(words), 7), 0, -1):
        code = match_commune(" ".join(words[:n]), communes)
        if code:
            return code
    return None


def find_in_fields(fields: Iterable[tuple[str, str]], communes: tuple[tuple[str, str], ...],
                   old: Mapping[str, tuple[OldName, ...]]) -> Found | None:
    """The commune named by the first address the citizen gave ("…, xã Ea Tul, tỉnh Đắk Lắk"); only a part that
    starts with its type word counts, so a person's name never passes for a commune."""
    for _key_, value in fields:
        text = str(value or "")
        if "," not in text and not _TYPED.match(fold(nfc_lower(text.strip()))):
            continue
        for part in text.split(","):
            if _typed_kind(part) in {"xa", "phuong"} or fold(nfc_lower(part.strip())).startswith("dac khu "):
                code = match_commune(part, communes)
                if code:
                    return Found((code,))
        found = find_in_text(text, communes, old) if old else None
        if found is not None and found.old:
            return found
    return None


__all__ = ["Found", "find_in_fields", "find_in_text", "match_commune"]
