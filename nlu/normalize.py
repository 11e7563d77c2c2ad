"""Text normalization for Vietnamese typed on phones.

Two forms are kept side by side because each loses something: the accented form
tells "bán" from "bạn", the folded form matches the many citizens who type with
no diacritics at all.  `fold` maps one character to one character, so offsets in
a folded string point at the same characters of its NFC source.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("data")

_SRC = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
)
_DST = (
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
)
_FOLD_TABLE = str.maketrans(_SRC + _SRC.upper(), _DST + _DST.upper())

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_REPEAT = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)
_SPACE = re.compile(r"\s+")

# Telex leftovers: a keyboard without the IME turns "được" into "dduwowjc".
_TONE_KEYS = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_TELEX_PAIRS = (("dd", "đ"), ("aa", "â"), ("ee", "ê"), ("oo", "ô"), ("uow", "ươ"), ("uwow", "ươ"),
                ("aw", "ă"), ("ow", "ơ"), ("uw", "ư"))
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?$"
)
_VOWELS = "aăâeêioôơuưy"


def fold(text: str) -> str:
    """Accent-fold without changing length: 'Đăng ký' → 'Dang ky'. Input should be NFC."""
    return text.translate(_FOLD_TABLE)


def nfc_lower(text: str) -> str:
    """NFC then lower-case; length-preserving for Vietnamese."""
    return unicodedata.normalize("NFC", text).lower()


@dataclass(frozen=True, slots=True)
class Normalized:
    """The two views of one message, both lower-case and single-spaced."""

    accented: str
    folded: str

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.accented.split())


@lru_cache(maxsize=1)
def _teencode_yml() -> dict[str, Any]:
    """``data/teencode.yml``, read once for both of its tables, with libyaml's parser when PyYAML has it (the
    same data; ~2 ms instead of ~13 ms, and a worker's first parse reads it)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((DATA_DIR / "teencode.yml").read_text(encoding="utf-8"), Loader=loader) or {}


@lru_cache(maxsize=1)
def teencode_table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Phrase → replacement, both as token tuples, from ``data/teencode.yml``."""
    raw = _teencode_yml()
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for key, value in (raw.get("abbreviations") or {}).items():
        k = tuple(nfc_lower(str(key)).split())
        if k:
            table[k] = tuple(nfc_lower(str(value)).split())
    return table


@lru_cache(maxsize=1)
def _emoji() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Emoji → words (``emoji:`` in ``data/teencode.yml``), as one regex and its table."""
    raw = _teencode_yml()
    table = {str(k): f" {v} " for k, v in (raw.get("emoji") or {}).items() if str(k)}
    if not table:
        return None, table
    return re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))), table


def _words_for_emoji(text: str) -> str:
    rx, table = _emoji()
    return rx.sub(lambda m: table[m.group(0)], text) if rx else text


@lru_cache(maxsize=1)
def _max_key_len() -> int:
    return max((len(k) for k in teencode_table()), default=1)


def _place_tone(word: str, mark: str) -> str:
    """Put a combining tone mark on the main vowel of a syllable (modern placement)."""
    skip = 2 if word.startswith(("qu", "gi")) and len(word) > 2 and word[2] in _VOWELS else 0
    idx = [i for i, ch in enumerate(word) if ch in _VOWELS and i >= skip]
    if not idx:
        return word
    hatted = [i for i in idx if word[i] in "ăâêôơư"]
    if hatted:
        target = hatted[-1]
    elif word[-1] not in _VOWELS and len(idx) >= 1:
        target = idx[-1]
    elif len(idx) == 3:
        target = idx[1]
    else:
        target = idx[0]
    return unicodedata.normalize("NFC", word[: target + 1] + mark + word[target + 1:])


@lru_cache(maxsize=4096)
def untelex(token: str) -> str:
    """Repair one token typed with telex keys but no IME ('dduwowcj' → 'được').

    Only applied when the token is not a Vietnamese syllable as typed and the repaired
    form is one, so ordinary words and foreign words are left alone.
    """
    if not token.isalpha() or len(token) < 2 or not token.isascii():
        return token
    if _SYLLABLE.match(token) and token[-1] not in _TONE_KEYS and not any(p in token for p, _ in _TELEX_PAIRS[:5]):
        return token
    word, mark = token, ""
    # tone key may sit at the end or right after the vowel cluster ("dduwowjc")
    for i in range(len(word) - 1, 0, -1):
        ch = word[i]
        if ch in _TONE_KEYS and any(c in "aeiouyw" for c in word[:i]):
            rest = word[:i] + word[i + 1:]
            if not any(c in _TONE_KEYS for c in rest[i:]) or i == len(word) - 1:
                word, mark = rest, _TONE_KEYS[ch]
                break
    for src, dst in sorted(_TELEX_PAIRS, key=lambda p: -len(p[0])):
        word = word.replace(src, dst)
    word = word.removesuffix("w")
    if not _SYLLABLE.match(word):
        return token
    if word == token and not mark:
        return token
    return _place_tone(word, mark) if mark else word


def _expand(tokens: list[str]) -> list[str]:
    table = teencode_table()
    longest = _max_key_len()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            repl = table.get(tuple(tokens[i:i + n]))
            if repl is not None:
                out.extend(repl)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def clean_tokens(text: str) -> list[str]:
    """NFC, lower, no URLs or punctuation, squeezed letter repeats and doubled letters, tone placement
    unified, telex repaired."""
    text = _words_for_emoji(_URL.sub(" ", nfc_lower(text)))
    tokens = _NON_WORD.sub(" ", text).replace("_", " ").split()
    keys = _single_keys()
    return [t if t in keys else untelex(_old_tone(undouble(_REPEAT.sub(r"\1", t)))) for t in tokens]


# Old-style tone placement ("hoá", "thuỷ") → the form most of the data uses ("hóa", "thủy").
_OLD_TONE = re.compile(r"(o|u)([\u0300\u0301\u0303\u0309\u0323])?(a|e|y)([\u0300\u0301\u0303\u0309\u0323])$")


def _old_tone(token: str) -> str:
    """'hoá' → 'hóa', 'thuỷ' → 'thủy': the tone on the second vowel of an open oa/oe/uy syllable moves to
    the first, so both spellings are one word to the classifier ("qu" keeps the tone on its vowel)."""
    if token.isascii() or len(token) < 2 or token.startswith("qu"):
        return token
    nfd = unicodedata.normalize("NFD", token)
    m = _OLD_TONE.search(nfd)
    if m is None or m.group(2):
        return token
    start = m.start()
    return unicodedata.normalize("NFC", nfd[:start] + m.group(1) + m.group(4) + m.group(3))


_DOUBLE = re.compile(r"([^\W\d_])\1", re.UNICODE)


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """Folded words of the shipped data (``data/*.yml``) without doubled letters (the data holds typos too),
    plus the teencode keys: what a squeezed typo is checked against."""
    words: set[str] = {fold(k[0]) for k in teencode_table() if len(k) == 1}
    for path in sorted(DATA_DIR.glob("*.yml")):
        text = fold(nfc_lower(path.read_text(encoding="utf-8")))
        words.update(w for w in _NON_WORD.sub(" ", text).replace("_", " ").split()
                     if w.isalpha() and not _DOUBLE.search(w))
    return frozenset(words)


@lru_cache(maxsize=8192)
def undouble(token: str) -> str:
    """Drop doubled letters a citizen typed for emphasis or by a sticky key: 'biệtt' → 'biệt',
    'cảmm ơnn' → 'cảm ơn', 'chaoo' → 'chao', 'bộộ' → 'bộ'.

    A Vietnamese syllable never holds a doubled letter with diacritics on it, so such a token is squeezed;
    an unaccented token is squeezed only when the result is a known word and the token is not (telex "oo",
    "dd" and abbreviations like "cccd" stay).
    """
    if len(token) < 3 or not token.isalpha():
        return token
    doubles = [i for i in range(1, len(token)) if token[i] == token[i - 1]]
    if not doubles:
        return token
    squeezed = "".join(ch for i, ch in enumerate(token) if i not in doubles)
    if not token.isascii():
        return squeezed
    known = lexicon()
    if token in known:
        return token
    for candidate in (token[:-1] if doubles[-1] == len(token) - 1 else None, squeezed):
        if candidate and candidate in known:
            return candidate
    return token


@lru_cache(maxsize=1)
def _single_keys() -> frozenset[str]:
    """One-token abbreviations whose letter runs are real ("cccd")."""
    return frozenset(k[0] for k in teencode_table() if len(k) == 1)


@lru_cache(maxsize=2048)
def normalize(text: str) -> Normalized:
    """Both views of ``text``: cleaned, teencode expanded, then folded."""
    accented = " ".join(_expand(clean_tokens(text[:4000])))
    return Normalized(accented=accented, folded=fold(accented))


__all__ = ["Normalized", "fold", "lexicon", "nfc_lower", "normalize", "teencode_table", "undouble", "untelex"]
