"""Numbers ("khoảng 250 m2", "50 triệu"), one of a list of choices, and free text."""
from __future__ import annotations

import re
from collections.abc import Sequence

from nlu.fields.base import FieldResult, bad, clean_text, fold_words, good
from nlu.normalize import fold, nfc_lower

_NUMBER_WORDS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
}


# Words citizens put around a quantity: "khoảng 250 m2", "tầm 2 bản", "50 triệu", "1,5 ha".
_APPROX = re.compile(r"^(?:khoang|tam|chung|gan|hon|duoi|tren|co|la|so)\s+")
_MULTIPLIERS = {"nghin": 1_000, "ngan": 1_000, "k": 1_000, "trieu": 1_000_000, "tr": 1_000_000,
                "ty": 1_000_000_000, "ti": 1_000_000_000}
_UNITS = re.compile(r"\s*(?:m2|m²|m 2|met vuong|met|m|lit|l|ban|bo|nguoi|chiec|cai|con|kg|tan|ha|dong|d|vnd)$")


def validate_number(text: str) -> FieldResult:
    f = fold_words(text)
    if f in _NUMBER_WORDS:
        return good(str(_NUMBER_WORDS[f]))
    t = nfc_lower(text).strip().replace("m²", "m2")
    t = fold(t)
    t = _APPROX.sub("", t)
    t = _UNITS.sub("", t).strip()
    mult = 1
    m = re.fullmatch(r"(.+?)\s*(nghin|ngan|trieu|tr|ty|ti|k)", t)
    if m:
        t, mult = m.group(1), _MULTIPLIERS[m.group(2)]
    if re.fullmatch(r"\d{1,3}(?: \d{3})+", t):   # "1 000 000"
        t = t.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", t):
        t = t.replace(".", "")
    t = t.replace(",", ".")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", t) or len(t) > 18:
        return bad("Vui lòng nhập một con số, ví dụ 3.")
    if mult != 1:
        from decimal import Decimal

        value = Decimal(t) * mult
        t = str(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize())
    return good(t)


def validate_choice(text: str, choices: Sequence[str]) -> FieldResult:
    if not choices:
        return validate_text(text, 300)
    f = fold_words(text)
    m = re.fullmatch(r"(?:so |lua chon |chon )?(\d{1,2})", f)
    if m and 1 <= int(m.group(1)) <= len(choices):
        c = choices[int(m.group(1)) - 1]
        return good(c)
    folded = [fold_words(c) for c in choices]
    if f in folded:
        return good(choices[folded.index(f)])
    if f:
        pref = [c for c, fc in zip(choices, folded) if fc.startswith(f) or f.startswith(fc)]
        if len(pref) == 1:
            return good(pref[0])
        contains = [c for c, fc in zip(choices, folded) if f in fc]
        if len(contains) == 1:
            return good(contains[0])
        from rapidfuzz import fuzz, process

        hits = process.extract(f, folded, scorer=fuzz.WRatio, limit=2, score_cutoff=85)
        if len(hits) == 1 or (len(hits) == 2 and hits[0][1] - hits[1][1] >= 8):
            return good(choices[hits[0][2]])
    listing = "; ".join(f"{i}. {c}" for i, c in enumerate(choices, 1))
    return bad(f"Vui lòng chọn một trong các mục: {listing}.")


def validate_text(text: str, max_length: int) -> FieldResult:
    t = clean_text(text)
    if not t:
        return bad("Vui lòng nhập nội dung.")
    if len(t) > max_length:
        return bad(f"Nội dung dài quá {max_length} ký tự, vui lòng ghi ngắn gọn hơn.")
    from nlu.restore import is_plain, place_lexicon, restore_phrases

    if is_plain(t):   # free text is not asked back (too many turns), but the desk sees it lacks diacritics
        restored = restore_phrases(t, place_lexicon(None))
        return good(restored.text) if restored.certain else FieldResult(ok=True, value=t, display=t, unsure=True)
    return good(t)
