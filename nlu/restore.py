"""Putting diacritics back on names and places typed without them.

A citizen who types "thon 3, xa ea tul, dak lak" means "thôn 3, xã Ea Tul, tỉnh Đắk Lắk", and the form must
say so. Only whole phrases from known lists are restored: address and facility words (``data/place_words.yml``),
the 2025 wards (``data/wards_2025.csv``) and provinces (``vietnam-provinces``), through ``nlu.geo``, and name
syllables (``data/name_syllables.yml``). A word found in none of them stays as typed and makes the result uncertain, so
the caller can ask the citizen to confirm. The lists are read once, on first use.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from nlu.normalize import DATA_DIR, fold, nfc_lower

_WORD = re.compile(r"[^\W\d_]+")
_MAX_WORDS = 5


@dataclass(frozen=True, slots=True)
class Restored:
    """Text with diacritics put back; ``certain`` when every word came from a list."""

    text: str
    certain: bool


def is_plain(text: str) -> bool:
    """Whether ``text`` has letters and not one diacritic (nor đ): typed on a keyboard without Vietnamese."""
    return bool(_WORD.search(text)) and fold(text) == text


def _key(words: list[str]) -> str:
    return " ".join(fold(nfc_lower(w)) for w in words)


def _load(name: str) -> dict[str, list[str]]:
    import yaml

    raw = yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8")) or {}
    return {k: [str(x) for x in v] for k, v in raw.items()}


@lru_cache(maxsize=1)
def place_words() -> dict[str, str]:
    """Folded phrase → the phrase with its diacritics ("benh vien da khoa" → "bệnh viện đa khoa")."""
    out: dict[str, str] = {}
    for phrases in _load("place_words.yml").values():
        for p in phrases:
            out.setdefault(_key(p.split()), p)
    return out


@lru_cache(maxsize=1)
def name_syllables() -> dict[str, str]:
    """Folded syllable → its most common written form in names (the first one listed)."""
    out: dict[str, str] = {}
    for s in _load("name_syllables.yml")["syllables"]:
        out.setdefault(_key([s]), s)
    return out


@lru_cache(maxsize=64)
def place_lexicon(province_code: int | None) -> Mapping[str, str]:
    """Address words plus the province names and, for a known province, the short names of its wards."""
    from nlu.geo import provinces, ward_short_names

    lex = dict(place_words())
    for info in provinces().values():
        short = info.name.removeprefix("Thành phố ")
        lex.setdefault(_key(short.split()), short)
    if province_code is not None:
        for short in ward_short_names(province_code):
            lex.setdefault(_key(short.split()), short)
    return lex


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:]


def restore_phrases(text: str, lexicon: Mapping[str, str], title_unknown: bool = False) -> Restored:
    """Replace each longest run of words found in ``lexicon``; unknown words stay (title-cased if asked)."""
    words = list(_WORD.finditer(text))
    out: list[str] = []
    pos, i, certain = 0, 0, True
    while i < len(words):
        hit: tuple[int, str] | None = None
        for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            span = words[i:i + n]
            if any(text[a.end():b.start()].strip() for a, b in pairwise(span)):
                continue  # a phrase never spans punctuation
            rep = lexicon.get(_key([m.group() for m in span]))
            if rep is not None:
                hit = (n, rep)
                break
        first = words[i]
        if hit is None:
            certain = False
            out.append(text[pos:first.start()])
            out.append(_capital(first.group()) if title_unknown else first.group())
            pos, i = first.end(), i + 1
            continue
        n, rep = hit
        if first.group()[:1].isupper() and rep[:1].islower():
            rep = _capital(rep)
        out.append(text[pos:first.start()])
        out.append(rep)
        pos, i = words[i + n - 1].end(), i + n
    out.append(text[pos:])
    return Restored("".join(out), certain)


def restore_name(text: str) -> Restored:
    """A person's name typed without diacritics, with the most common form of each syllable; never certain,
    because the same letters are often two names (Hoa, Hòa)."""
    words = [w[:1].upper() + w[1:].lower() for w in text.split()]
    syll = name_syllables()
    return Restored(" ".join(syll.get(_key([w]), w) for w in words), False)


__all__ = ["Restored", "is_plain", "name_syllables", "place_lexicon", "place_words", "restore_name",
           "restore_phrases"]
