"""Identity numbers: the 12-digit personal ID (căn cước), the old 9-digit CMND, an identity document."""
from __future__ import annotations

import datetime as dt
import re

from nlu.fields.base import FieldResult, bad, clean_text, good
from nlu.normalize import nfc_lower

# Province codes of the 12-digit personal identification number (Thông tư 07/2016/TT-BCA).
ID_PROVINCE_CODES = frozenset({
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38,
    40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80,
    82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
})
_SEPARATORS = re.compile(r"[\s.\-_]+")


def _digits_only(text: str) -> str | None:
    """The digits of ``text`` when it holds nothing but digits and separators."""
    t = _SEPARATORS.sub("", text)
    return t if t.isdigit() and t.isascii() else None


def check_id_number(digits: str, today: dt.date | None) -> str | None:
    """Why a 12-digit number cannot be a personal ID, or None when it is plausible (the birth year it holds is
    checked against ``today`` when it is given)."""
    if len(digits) != 12:
        if len(digits) == 9:
            return ("Đây có vẻ là số CMND 9 số cũ. Vui lòng nhập số định danh cá nhân 12 chữ số "
                    "(in trên thẻ căn cước hoặc xem trong VNeID).")
        return f"Số căn cước phải có đúng 12 chữ số (bạn đã nhập {len(digits)} chữ số)."
    if int(digits[:3]) not in ID_PROVINCE_CODES:
        return f"Ba số đầu {digits[:3]} không phải mã tỉnh hợp lệ. Vui lòng kiểm tra lại số căn cước."
    century_digit = int(digits[3])
    if century_digit > 3:
        return "Chữ số thứ tư (thế kỷ và giới tính) không hợp lệ. Vui lòng kiểm tra lại số căn cước."
    year = (1900 if century_digit < 2 else 2000) + int(digits[4:6])
    if today is not None and year > today.year:
        return "Năm sinh trong số căn cước chưa hợp lệ. Vui lòng kiểm tra lại số căn cước."
    return None


def _group_id(d: str) -> str:
    return f"{d[:3]} {d[3:6]} {d[6:]}" if len(d) == 12 else d


def _number_in(text: str, lengths: tuple[int, ...]) -> str | None:
    """The one digit run of ``text`` (spaces/dots inside allowed) whose length is one of ``lengths``:
    "CCCD 079203012345", "số căn cước: 079 203 012 345" → the number people mean."""
    compact = re.sub(r"(?<=\d)[\s.\-](?=\d)", "", text)
    runs = [r for r in re.findall(r"(?<![\d+])\d+(?!\d)", compact) if len(r) in lengths]
    return runs[0] if len(runs) == 1 else None


def validate_id(text: str, today: dt.date) -> FieldResult:
    digits = _digits_only(text) or _number_in(text, (12,))
    if digits is None:
        return bad("Số căn cước chỉ gồm 12 chữ số, ví dụ 001090123456.")
    problem = check_id_number(digits, today)
    return bad(problem) if problem else good(digits, _group_id(digits))


def validate_old_id(text: str) -> FieldResult:
    digits = _digits_only(text)
    if digits is None or len(digits) != 9:
        if digits is not None and len(digits) == 12:
            return bad("Đây là số căn cước 12 số. Mục này hỏi số CMND 9 số cũ, nếu không có bạn có thể bỏ qua.")
        return bad("Số CMND cũ phải có đúng 9 chữ số.")
    return good(digits, f"{digits[:3]} {digits[3:6]} {digits[6:]}")


_PASSPORT = re.compile(r"\b[a-z]\d{7,8}\b")


def validate_identity_document(text: str, max_length: int, today: dt.date) -> FieldResult:
    t = clean_text(text)
    if len(t) > max_length:
        return bad(f"Nội dung dài quá {max_length} ký tự, vui lòng ghi ngắn gọn hơn.")
    compact = re.sub(r"(?<=\d)[\s.\-](?=\d)", "", t)
    numbers = re.findall(r"\d+", compact)
    bare = _digits_only(t)
    if bare is not None and len(bare) == 12:   # a bare number is the personal ID on the căn cước card
        problem = check_id_number(bare, today)
        return bad(problem) if problem else good(f"Căn cước số {bare}")
    if any(len(n) in (9, 12) for n in numbers) or _PASSPORT.search(nfc_lower(t)):
        return good(t)
    return bad("Vui lòng ghi loại giấy tờ và số, ví dụ: CCCD số 001090123456 cấp ngày 15/03/2021.")
