"""Numbers and dates in Vietnamese words, as hộ tịch forms write a date of birth "bằng chữ".

Rules: 21 → hai mươi mốt (but 11 → mười một, 101 → một trăm linh một); 15/25 → mười lăm/hai mươi lăm
(but 105 → một trăm linh năm); 24 → hai mươi tư (14 → mười bốn); an inner group with no hundreds reads
"không trăm" (2026 → hai nghìn không trăm hai mươi sáu).
"""
from __future__ import annotations

import datetime as dt

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu", "tỷ")


def _triple(n: int, full: bool) -> list[str]:
    """Words of 0..999; ``full`` when a higher group precedes (forces "không trăm" and "linh")."""
    h, t, u = n // 100, (n // 10) % 10, n % 10
    out: list[str] = []
    if h or full:
        out += [_DIGITS[h], "trăm"]
    if t == 0:
        if u:
            if h or full:
                out.append("linh")
            out.append(_DIGITS[u])
        return out
    if t == 1:
        out.append("mười")
    else:
        out += [_DIGITS[t], "mươi"]
    if u == 1 and t >= 2:
        out.append("mốt")
    elif u == 5:
        out.append("lăm")
    elif u == 4 and t >= 2:
        out.append("tư")
    elif u:
        out.append(_DIGITS[u])
    return out


def number_words(n: int) -> str:
    """0 ≤ n < 10^12 in Vietnamese words (lower case)."""
    if n < 0:
        return "âm " + number_words(-n)
    if n == 0:
        return "không"
    if n >= 10**12:
        raise ValueError("số quá lớn")
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    words: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        words += _triple(g, full=bool(words))
        if _SCALES[i]:
            words.append(_SCALES[i])
    return " ".join(words)


_MONTHS = ("một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai")


def month_words(m: int) -> str:
    """Month names as said aloud: tháng tư (not bốn), tháng mười hai."""
    return _MONTHS[m - 1]


def date_words(d: dt.date) -> str:
    """"Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi sáu" — the form's "bằng chữ" line."""
    return f"Ngày {number_words(d.day)}, tháng {month_words(d.month)}, năm {number_words(d.year)}"


def parse_date(value: str) -> dt.date | None:
    """ISO (what the engine stores) or dd/mm/yyyy; None for anything else (e.g. a bare year)."""
    v = (value or "").strip()
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        pass
    for sep in ("/", "-", "."):
        parts = v.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            try:
                return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None
