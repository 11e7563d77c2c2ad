"""Phone numbers and e-mail addresses."""
from __future__ import annotations

import re

from nlu.fields.base import FieldResult, bad, good

_MOBILE_PREFIXES = ("03", "05", "07", "08", "09")


def normalize_phone(text: str) -> str | None:
    """'+84 912.345.678' → '0912345678'; None when it is not a Vietnamese number."""
    t = re.sub(r"[\s.\-()]+", "", text)
    if t.startswith("+84"):
        t = "0" + t[3:]
    elif t.startswith("84") and len(t) in (11, 12):
        t = "0" + t[2:]
    elif t.startswith("0084"):
        t = "0" + t[4:]
    if not t.isdigit() or not t.isascii():
        return None
    if len(t) == 10 and t.startswith(_MOBILE_PREFIXES):
        return t
    if len(t) == 11 and t.startswith("02"):
        return t
    return None


def format_phone(p: str) -> str:
    return f"{p[:4]} {p[4:7]} {p[7:]}" if len(p) == 10 else f"{p[:3]} {p[3:7]} {p[7:]}"


def validate_phone(text: str) -> FieldResult:
    p = normalize_phone(text.strip())
    if p is None:   # "sđt 0912 345 678", "số của tôi là 0912345678"
        runs = re.findall(r"\+?\d[\d .\-]{7,16}\d", text)
        p = normalize_phone(runs[0]) if len(runs) == 1 else None
    if p is None:
        digits = re.sub(r"\D", "", text)
        if len(digits) == 11 and digits.startswith("01"):
            return bad("Số di động 11 số đầu 01 đã đổi sang 10 số từ năm 2018, vui lòng nhập số mới.")
        return bad("Số điện thoại chưa đúng. Số di động có 10 chữ số bắt đầu bằng 0 (ví dụ 0912 345 678), "
                    "hoặc dạng +84.")
    return good(p, format_phone(p))


_EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}$")


def validate_email(text: str) -> FieldResult:
    t = text.strip().lower()
    if not _EMAIL.match(t) or ".." in t:
        return bad("Địa chỉ email chưa đúng, ví dụ: ten@gmail.com.")
    return good(t)
