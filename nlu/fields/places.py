"""Addresses and provinces, written with the official names of the communes and provinces."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nlu.fields.base import FieldResult, bad, clean_text, fold_words, good
from nlu.normalize import fold, nfc_lower

if TYPE_CHECKING:
    from nlu.geo import ProvinceInfo

_WARD_WORD = re.compile(r"^(?:xa|phuong|thi tran|dac khu|p|x|f)\.?\s+\S")


def validate_province(text: str) -> FieldResult:
    from nlu.geo import find_province

    hit = find_province(clean_text(text).strip(" .,"))
    if hit is None:
        return bad("Chưa nhận ra tên tỉnh/thành phố. Vui lòng ghi một trong 34 tỉnh, thành phố, ví dụ: Hà Nội, Nghệ An.")
    info, _old = hit
    return good(info.name)


def _split_wards(parts: list[str], plain: bool) -> list[str]:
    """"thon 3 xa ea tu" → "thon 3", "xa ea tu": a ward written after a village without a comma."""
    out: list[str] = []
    for p in parts:
        words = p.split(" ")
        cut = [j for j in range(1, len(words) - 1)
               if (nfc_lower(words[j]) in {"xã", "phường"} or (plain and fold(nfc_lower(words[j])) in {"xa", "phuong"}))
               and fold(nfc_lower(words[j - 1])) != "thi" and fold(nfc_lower(words[j + 1])) != "lo"]
        for a, b in zip([0, *cut], [*cut, len(words)]):
            out.append(" ".join(words[a:b]))
    return out


def _find_province_part(parts: list[str]) -> ProvinceInfo | None:
    """The province, the last part, possibly written without a comma ("xã Hòa An Cao Bằng"); rewrites ``parts``."""
    from nlu.geo import find_province

    hit = find_province(parts[-1])
    if hit is None:
        words = parts[-1].split()
        for n in (4, 3, 2, 1):
            if len(words) > n and (tail := find_province(" ".join(words[-n:]))) is not None:
                parts[-1] = " ".join(words[:-n])
                parts.append(" ".join(words[-n:]))
                hit = tail
                break
    if hit is None:
        return None
    parts[-1] = hit[0].full_name
    return hit[0]


def _lower_first(name: str) -> str:
    return name[0].lower() + name[1:]


def _address_wards(parts: list[str], province: ProvinceInfo) -> tuple[int, str | None] | None:
    """Write the wards of ``province`` by their official names; (index, suggestion) of the first one not found."""
    from nlu.geo import find_ward, suggest_ward

    unknown: tuple[int, str | None] | None = None
    for i, p in enumerate(parts[:-1]):
        if _WARD_WORD.match(fold_words(p)):
            official = find_ward(p, province)
            if official:
                parts[i] = _lower_first(official)
            elif unknown is None:
                unknown = (i, suggest_ward(p, province))
    return unknown


def validate_address(text: str, max_length: int) -> FieldResult:
    from nlu.restore import is_plain, place_lexicon, restore_phrases

    t = clean_text(text).strip(" .,")
    if len(t) > max_length:
        return bad(f"Địa chỉ dài quá {max_length} ký tự, vui lòng ghi ngắn gọn hơn.")
    plain = is_plain(t)
    parts = [p.strip() for p in re.split(r"[,;\n]+", t) if p.strip()]
    if not parts:
        return bad("Vui lòng ghi địa chỉ, ví dụ: số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh.")
    province = _find_province_part(parts)
    parts = [p for p in _split_wards(parts, plain) if p]
    has_ward = any(_WARD_WORD.match(fold_words(p)) for p in parts)
    unknown = _address_wards(parts, province) if province is not None else None
    if province is None and has_ward:
        from nlu.geo import find_ward_anywhere

        for i, p in enumerate(parts):
            if _WARD_WORD.match(fold_words(p)):
                found = find_ward_anywhere(p)
                if found:
                    parts[i] = _lower_first(found[0])
                    parts.append(found[1].full_name)
                    province = found[1]
                break
    if province is None and not has_ward:
        return bad("Địa chỉ cần có ít nhất xã/phường và tỉnh/thành phố, ví dụ: thôn Đông, xã Hòa An, tỉnh Cao Bằng.")
    if len(fold_words(t)) < 4:
        return bad("Địa chỉ quá ngắn, vui lòng ghi đầy đủ hơn.")
    certain = True
    if plain:
        lexicon = place_lexicon(province.code if province else None)
        for i, p in enumerate(parts):
            if is_plain(p):
                restored = restore_phrases(p, lexicon, title_unknown=p == p.lower())
                parts[i], certain = restored.text, certain and restored.certain
    return _address_result(parts, province, unknown, plain and not certain)


def _address_result(parts: list[str], province: ProvinceInfo | None, unknown: tuple[int, str | None] | None,
                     unsure: bool) -> FieldResult:
    """The address, with the question to ask when a commune was not found or diacritics were guessed."""
    check = None
    if unknown is not None and province is not None:
        i, suggestion = unknown
        typed = parts[i]
        if suggestion:
            parts[i] = _lower_first(suggestion)
            check = f"Mình chưa tìm thấy {typed} ở {province.name} — ý bạn là {parts[i]}?"
        else:
            check = f"Mình chưa tìm thấy {typed} ở {province.name}, bạn kiểm tra lại giúp mình."
    value = ", ".join(parts)
    if check:
        check += f" Địa chỉ sẽ ghi: «{value}»."
    elif unsure:
        check = f"Mình ghi lại có dấu: «{value}» — đúng chưa?"
    return FieldResult(ok=True, value=value, display=value, check=check)
