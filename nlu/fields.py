"""Validate and normalize one form-field answer typed by a citizen.

The engine calls `validate_field` for every answer it collects. It never raises:
a bad answer comes back with a short, polite Vietnamese reason the bot can show
as is, so the citizen knows what to fix.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nlu.api import Entity
from nlu.normalize import fold, nfc_lower

if TYPE_CHECKING:
    from nlu.geo import ProvinceInfo


@dataclass(frozen=True, slots=True)
class FieldResult:
    """Outcome of validating one answer."""

    ok: bool
    value: str | None = None
    display: str | None = None
    reason: str | None = None
    # Set when the value was typed without diacritics and could not be restored for sure (or names a commune
    # that was not found): ``check`` is the question to put to the citizen before the value is taken as theirs.
    check: str | None = None
    # Typed without diacritics and not restored for sure, yet not worth a question (free text): mark it only.
    unsure: bool = False


def _bad(reason: str) -> FieldResult:
    return FieldResult(ok=False, reason=reason)


def _good(value: str, display: str | None = None) -> FieldResult:
    return FieldResult(ok=True, value=value, display=display if display is not None else value)


_SPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


def _folded(text: str) -> str:
    return _SPACE.sub(" ", re.sub(r"[^\w/]+", " ", fold(nfc_lower(text)))).strip()


# ---------------------------------------------------------------- dates

_MONTHS_WORDS = {
    "gieng": 1, "gieng hai": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6,
    "bay": 7, "tam": 8, "chin": 9, "muoi": 10, "muoi mot": 11, "mot mot": 11, "chap": 12, "muoi hai": 12,
}
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*([/\-.])\s*(\d{1,2})(?:\s*\2\s*(\d{4}|\d{2}))?(?![\d/\-])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")
_WORD_DATE = re.compile(
    r"(?:ngay\s*)?(\d{1,2})\s*(?:thang|thg|th|t)\s*(\d{1,2})(?:\s*(?:nam|n|,|/)?\s*(\d{4}))?(?!\d)"
)
_MONTH_YEAR = re.compile(r"(?:thang\s*)(\d{1,2})\s*(?:nam|/|-)\s*(\d{4})(?!\d)")


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in folded text; ``problem`` says why it is not a real date."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    problem: str | None = None
    value: dt.date | None = None


def _full_year(y: str, today: dt.date) -> int:
    if len(y) == 4:
        return int(y)
    yy = int(y)
    return 2000 + yy if 2000 + yy <= today.year else 1900 + yy


def _check(day: int, month: int, year: int | None, today: dt.date) -> tuple[dt.date | None, str | None]:
    if not 1 <= month <= 12:
        return None, f"Tháng {month} không tồn tại, tháng chỉ từ 1 đến 12."
    if day < 1 or day > 31:
        return None, f"Ngày {day} không tồn tại, ngày chỉ từ 1 đến 31."
    try:
        value = dt.date(year if year is not None else 2000, month, day)  # 2000: leap, so 29/02 passes
    except ValueError:
        if month == 2 and day == 29 and year is not None:
            return None, f"Năm {year} không có ngày 29/02."
        return None, f"Ngày {day:02d}/{month:02d} không tồn tại."
    if year is None:
        try:
            value = dt.date(today.year, month, day)
        except ValueError:
            value = dt.date(today.year - today.year % 4, month, day)
    return value, None


def find_dates(text: str, today: dt.date) -> list[DateMatch]:
    """Every date-looking span in ``text`` (offsets index the NFC lower-cased text)."""
    folded = fold(nfc_lower(text))
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], d: int, mo: int, y: int | None) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        value, problem = _check(d, mo, y, today)
        found.append(DateMatch(m.start(), m.end(), d, mo, y, problem, value))
        taken.append((m.start(), m.end()))

    for m in _ISO_DATE.finditer(folded):
        add(m, int(m.group(3)), int(m.group(2)), int(m.group(1)))
    for m in _WORD_DATE.finditer(folded):
        add(m, int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
    for m in _NUMERIC_DATE.finditer(folded):
        y = _full_year(m.group(4), today) if m.group(4) else None
        add(m, int(m.group(1)), int(m.group(3)), y)
    for m in _COMPACT_DATE.finditer(folded):
        add(m, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    found.sort(key=lambda d: d.start)
    return found


_RELATIVE = {"hom nay": 0, "bua nay": 0, "hom qua": -1, "bua qua": -1, "hom kia": -2}


def _validate_date(text: str, today: dt.date, past_only: bool) -> FieldResult:
    f = _folded(text)
    if f in _RELATIVE:
        day = today + dt.timedelta(days=_RELATIVE[f])
        return _good(day.isoformat(), day.strftime("%d/%m/%Y"))
    dates = find_dates(text, today)
    if not dates:
        if re.fullmatch(r"\d{4}", f):
            return _bad("Vui lòng ghi đủ ngày, tháng và năm, ví dụ 15/03/2020.")
        return _bad("Chưa đọc được ngày. Vui lòng ghi theo dạng ngày/tháng/năm, ví dụ 15/03/2020.")
    if len(dates) > 1:
        return _bad("Vui lòng chỉ ghi một ngày, theo dạng ngày/tháng/năm, ví dụ 15/03/2020.")
    d = dates[0]
    if d.problem:
        return _bad(d.problem)
    if d.year is None:
        return _bad("Vui lòng ghi cả năm, ví dụ 15/03/2020.")
    assert d.value is not None
    if d.value.year < 1900:
        return _bad(f"Năm {d.value.year} có vẻ chưa đúng, vui lòng kiểm tra lại.")
    if past_only and d.value > today:
        return _bad(f"Ngày {d.value:%d/%m/%Y} chưa tới, vui lòng kiểm tra lại.")
    if d.value.year > today.year + 50:
        return _bad(f"Năm {d.value.year} có vẻ chưa đúng, vui lòng kiểm tra lại.")
    return _good(d.value.isoformat(), d.value.strftime("%d/%m/%Y"))


def _validate_year(text: str, today: dt.date) -> FieldResult:
    m = re.search(r"(?<!\d)(\d{4})(?!\d)", _folded(text))
    if not m or len(re.findall(r"\d+", text)) != 1:
        return _bad("Vui lòng ghi năm bằng 4 chữ số, ví dụ 2020.")
    y = int(m.group(1))
    if y < 1900 or y > today.year + 10:
        return _bad(f"Năm {y} có vẻ chưa đúng, vui lòng kiểm tra lại.")
    return _good(str(y))


# ---------------------------------------------------------------- identity numbers

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


def check_id_number(digits: str, today: dt.date) -> str | None:
    """Why a 12-digit number cannot be a personal ID, or None when it is plausible."""
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
    if year > today.year:
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


def _validate_id(text: str, today: dt.date) -> FieldResult:
    digits = _digits_only(text) or _number_in(text, (12,))
    if digits is None:
        return _bad("Số căn cước chỉ gồm 12 chữ số, ví dụ 001090123456.")
    problem = check_id_number(digits, today)
    return _bad(problem) if problem else _good(digits, _group_id(digits))


def _validate_old_id(text: str) -> FieldResult:
    digits = _digits_only(text)
    if digits is None or len(digits) != 9:
        if digits is not None and len(digits) == 12:
            return _bad("Đây là số căn cước 12 số. Mục này hỏi số CMND 9 số cũ, nếu không có bạn có thể bỏ qua.")
        return _bad("Số CMND cũ phải có đúng 9 chữ số.")
    return _good(digits, f"{digits[:3]} {digits[3:6]} {digits[6:]}")


_PASSPORT = re.compile(r"\b[a-z]\d{7,8}\b")


def _validate_identity_document(text: str, max_length: int, today: dt.date) -> FieldResult:
    t = clean_text(text)
    if len(t) > max_length:
        return _bad(f"Nội dung dài quá {max_length} ký tự, vui lòng ghi ngắn gọn hơn.")
    compact = re.sub(r"(?<=\d)[\s.\-](?=\d)", "", t)
    numbers = re.findall(r"\d+", compact)
    bare = _digits_only(t)
    if bare is not None and len(bare) == 12:   # a bare number is the personal ID on the căn cước card
        problem = check_id_number(bare, today)
        return _bad(problem) if problem else _good(f"Căn cước số {bare}")
    if any(len(n) in (9, 12) for n in numbers) or _PASSPORT.search(nfc_lower(t)):
        return _good(t)
    return _bad("Vui lòng ghi loại giấy tờ và số, ví dụ: CCCD số 001090123456 cấp ngày 15/03/2021.")


# ---------------------------------------------------------------- phone, email

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


def _validate_phone(text: str) -> FieldResult:
    p = normalize_phone(text.strip())
    if p is None:   # "sđt 0912 345 678", "số của tôi là 0912345678"
        runs = re.findall(r"\+?\d[\d .\-]{7,16}\d", text)
        p = normalize_phone(runs[0]) if len(runs) == 1 else None
    if p is None:
        digits = re.sub(r"\D", "", text)
        if len(digits) == 11 and digits.startswith("01"):
            return _bad("Số di động 11 số đầu 01 đã đổi sang 10 số từ năm 2018, vui lòng nhập số mới.")
        return _bad("Số điện thoại chưa đúng. Số di động có 10 chữ số bắt đầu bằng 0 (ví dụ 0912 345 678), "
                    "hoặc dạng +84.")
    return _good(p, format_phone(p))


_EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}$")


def _validate_email(text: str) -> FieldResult:
    t = text.strip().lower()
    if not _EMAIL.match(t) or ".." in t:
        return _bad("Địa chỉ email chưa đúng, ví dụ: ten@gmail.com.")
    return _good(t)


# ---------------------------------------------------------------- gender, ethnicity, nationality

_GENDER = {
    "nam": "Nam", "trai": "Nam", "con trai": "Nam", "be trai": "Nam", "dan ong": "Nam", "male": "Nam",
    "m": "Nam", "gioi tinh nam": "Nam", "nam gioi": "Nam", "ong": "Nam",
    "nu": "Nữ", "gai": "Nữ", "con gai": "Nữ", "be gai": "Nữ", "dan ba": "Nữ", "phu nu": "Nữ",
    "female": "Nữ", "f": "Nữ", "gioi tinh nu": "Nữ", "nu gioi": "Nữ", "ba": "Nữ",
}


def _validate_gender(text: str) -> FieldResult:
    f = _folded(text)
    for filler in ("la ", "gioi tinh ", "be ", "chau "):
        if f.startswith(filler) and f not in _GENDER:
            f = f[len(filler):]
    g = _GENDER.get(f)
    if g is None:
        return _bad("Vui lòng trả lời Nam hoặc Nữ.")
    return _good(g)


# The 54 ethnic groups (Quyết định 121-TCTK/PPCĐ), everyday spelling first, then other spellings.
ETHNIC_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Kinh", "Việt"), ("Tày",), ("Thái",), ("Hoa",), ("Khmer", "Khơ-me", "Khơ me"), ("Mường",),
    ("Nùng",), ("Mông", "H'Mông", "Hmông", "Hmong", "Mèo"), ("Dao",), ("Gia Rai", "Gia-rai", "Jrai"),
    ("Ngái",), ("Ê Đê", "Ê-đê", "Ede"), ("Ba Na", "Bahnar"), ("Xơ Đăng", "Xơ-đăng"), ("Sán Chay",),
    ("Cơ Ho", "Cơ-ho", "K'ho"), ("Chăm", "Chàm"), ("Sán Dìu",), ("Hrê", "H're"), ("Mnông", "M'nông"),
    ("Ra Glai", "Raglai", "Ra-glai"), ("Xtiêng", "X'tiêng", "Stiêng"), ("Bru - Vân Kiều", "Bru Vân Kiều", "Vân Kiều"),
    ("Thổ",), ("Giáy",), ("Cơ Tu", "Cơ-tu"), ("Gié Triêng", "Giẻ Triêng"), ("Mạ",),
    ("Khơ Mú", "Khơ-mú", "Khmu"), ("Co",), ("Tà Ôi", "Tà-ôi"), ("Chơ Ro", "Chơ-ro"), ("Kháng",),
    ("Xinh Mun", "Xinh-mun"), ("Hà Nhì",), ("Chu Ru", "Chu-ru"), ("Lào",), ("La Chí",), ("La Ha",),
    ("Phù Lá",), ("La Hủ",), ("Lự",), ("Lô Lô",), ("Chứt",), ("Mảng",), ("Pà Thẻn",), ("Cờ Lao", "Co Lao"),
    ("Cống",), ("Bố Y",), ("Si La",), ("Pu Péo",), ("Brâu",), ("Ơ Đu",), ("Rơ Măm", "Rơ-măm"),
)


def _eth_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold(nfc_lower(text)))


_ETH_INDEX: dict[str, str] = {}
for _group in ETHNIC_GROUPS:
    for _name in _group:
        _ETH_INDEX.setdefault(_eth_key(_name), _group[0])
# Folding merges "Co" with "Cờ Lao"-less "Cơ": keep exact accented matches first.
_ETH_ACCENTED = {nfc_lower(n).replace("-", " "): g[0] for g in ETHNIC_GROUPS for n in g}


def find_ethnicity(text: str) -> str | None:
    """Canonical name of the ethnic group named by ``text`` ("dân tộc kinh" → "Kinh")."""
    t = clean_text(nfc_lower(text)).replace("-", " ")
    t = re.sub(r"^(?:dân tộc|dan toc|người|nguoi|dt)\s+", "", t).strip(" .")
    if t in _ETH_ACCENTED:
        return _ETH_ACCENTED[t]
    key = _eth_key(t)
    if key in _ETH_INDEX:
        return _ETH_INDEX[key]
    if len(key) >= 4:
        from rapidfuzz import fuzz, process

        hit = process.extractOne(key, list(_ETH_INDEX), scorer=fuzz.ratio, score_cutoff=85)
        if hit:
            return _ETH_INDEX[hit[0]]
    return None


def _validate_ethnicity(text: str) -> FieldResult:
    e = find_ethnicity(text)
    if e is None:
        return _bad("Chưa nhận ra tên dân tộc. Vui lòng ghi một trong 54 dân tộc, ví dụ: Kinh, Tày, Thái, Khmer.")
    return _good(e)


_NATIONS = {
    "vn": "Việt Nam", "viet nam": "Việt Nam", "vietnam": "Việt Nam", "viet": "Việt Nam", "vietnamese": "Việt Nam",
    "nuoc viet nam": "Việt Nam", "quoc tich viet nam": "Việt Nam", "trung quoc": "Trung Quốc",
    "han quoc": "Hàn Quốc", "nhat ban": "Nhật Bản", "nhat": "Nhật Bản", "lao": "Lào", "campuchia": "Campuchia",
    "cam pu chia": "Campuchia", "thai lan": "Thái Lan", "my": "Hoa Kỳ", "hoa ky": "Hoa Kỳ", "usa": "Hoa Kỳ",
    "dai loan": "Đài Loan", "phap": "Pháp", "duc": "Đức", "uc": "Úc", "anh": "Anh", "nga": "Nga",
}


def _validate_nationality(text: str) -> FieldResult:
    t = clean_text(text).strip(" .")
    f = _folded(t)
    f = re.sub(r"^(?:quoc tich|nuoc)\s+", "", f)
    if f in _NATIONS:
        return _good(_NATIONS[f])
    if not t or len(t) > 60 or not re.fullmatch(r"[^\W\d_]+(?:[ \-'][^\W\d_]+)*", t):
        return _bad("Vui lòng ghi tên quốc tịch, ví dụ: Việt Nam.")
    return _good(_title(t))


# ---------------------------------------------------------------- names

_NAME = re.compile(r"[^\W\d_]+(?:[\-'][^\W\d_]+)*(?: [^\W\d_]+(?:[\-'][^\W\d_]+)*)*")


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))


def _validate_person_name(text: str, max_length: int) -> FieldResult:
    t = clean_text(text).strip(" .,")
    t = re.sub(r"^(?:(?:họ và tên|họ tên|tên|ho va ten|ho ten|ten)(?: là| la)?\s*:?\s+)", "", t, flags=re.IGNORECASE)
    if not t:
        return _bad("Vui lòng ghi họ và tên.")
    if len(t) > min(max_length, 100):
        return _bad("Họ tên dài quá, vui lòng kiểm tra lại.")
    if any(ch.isdigit() for ch in t):
        return _bad("Họ tên không được có chữ số.")
    if not _NAME.fullmatch(t):
        return _bad("Họ tên chỉ gồm chữ cái và dấu cách, ví dụ: Nguyễn Văn An.")
    if len(t.split()) < 2:
        return _bad("Vui lòng ghi đầy đủ cả họ và tên, ví dụ: Nguyễn Văn An.")
    from nlu.restore import is_plain, restore_name

    if is_plain(t):
        name = restore_name(t).text
        ask = f"Mình ghi tên có dấu là «{name}» — đúng chưa? Nếu chưa đúng, bấm «Sửa» và gõ lại có dấu."
        return FieldResult(ok=True, value=name, display=name, check=ask)
    return _good(_title(t))


# ---------------------------------------------------------------- address, province

_UNIT_WORD = re.compile(
    r"\b(?:xa|phuong|thi tran|dac khu|p|x|tt|f|thon|ap|ban|to dan pho|khu pho|to|khom|huyen|quan|thi xa|tinh"
    r"|thanh pho|tp)\b\.?"
)
_WARD_WORD = re.compile(r"^(?:xa|phuong|thi tran|dac khu|p|x|f)\.?\s+\S")


def _validate_province(text: str) -> FieldResult:
    from nlu.geo import find_province

    hit = find_province(clean_text(text).strip(" .,"))
    if hit is None:
        return _bad("Chưa nhận ra tên tỉnh/thành phố. Vui lòng ghi một trong 34 tỉnh, thành phố, ví dụ: Hà Nội, Nghệ An.")
    info, _old = hit
    return _good(info.name)


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
        if _WARD_WORD.match(_folded(p)):
            official = find_ward(p, province)
            if official:
                parts[i] = _lower_first(official)
            elif unknown is None:
                unknown = (i, suggest_ward(p, province))
    return unknown


def _validate_address(text: str, max_length: int) -> FieldResult:
    from nlu.restore import is_plain, place_lexicon, restore_phrases

    t = clean_text(text).strip(" .,")
    if len(t) > max_length:
        return _bad(f"Địa chỉ dài quá {max_length} ký tự, vui lòng ghi ngắn gọn hơn.")
    plain = is_plain(t)
    parts = [p.strip() for p in re.split(r"[,;\n]+", t) if p.strip()]
    if not parts:
        return _bad("Vui lòng ghi địa chỉ, ví dụ: số 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh.")
    province = _find_province_part(parts)
    parts = [p for p in _split_wards(parts, plain) if p]
    has_ward = any(_WARD_WORD.match(_folded(p)) for p in parts)
    unknown = _address_wards(parts, province) if province is not None else None
    if province is None and has_ward:
        from nlu.geo import find_ward_anywhere

        for i, p in enumerate(parts):
            if _WARD_WORD.match(_folded(p)):
                found = find_ward_anywhere(p)
                if found:
                    parts[i] = _lower_first(found[0])
                    parts.append(found[1].full_name)
                    province = found[1]
                break
    if province is None and not has_ward:
        return _bad("Địa chỉ cần có ít nhất xã/phường và tỉnh/thành phố, ví dụ: thôn Đông, xã Hòa An, tỉnh Cao Bằng.")
    if len(_folded(t)) < 4:
        return _bad("Địa chỉ quá ngắn, vui lòng ghi đầy đủ hơn.")
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


# ---------------------------------------------------------------- numbers, choices, text

_NUMBER_WORDS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
}


# Words citizens put around a quantity: "khoảng 250 m2", "tầm 2 bản", "50 triệu", "1,5 ha".
_APPROX = re.compile(r"^(?:khoang|tam|chung|gan|hon|duoi|tren|co|la|so)\s+")
_MULTIPLIERS = {"nghin": 1_000, "ngan": 1_000, "k": 1_000, "trieu": 1_000_000, "tr": 1_000_000,
                "ty": 1_000_000_000, "ti": 1_000_000_000}
_UNITS = re.compile(r"\s*(?:m2|m²|m 2|met vuong|met|m|lit|l|ban|bo|nguoi|chiec|cai|con|kg|tan|ha|dong|d|vnd)$")


def _validate_number(text: str) -> FieldResult:
    f = _folded(text)
    if f in _NUMBER_WORDS:
        return _good(str(_NUMBER_WORDS[f]))
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
        return _bad("Vui lòng nhập một con số, ví dụ 3.")
    if mult != 1:
        from decimal import Decimal

        value = Decimal(t) * mult
        t = str(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize())
    return _good(t)


def _validate_choice(text: str, choices: Sequence[str]) -> FieldResult:
    if not choices:
        return _validate_text(text, 300)
    f = _folded(text)
    m = re.fullmatch(r"(?:so |lua chon |chon )?(\d{1,2})", f)
    if m and 1 <= int(m.group(1)) <= len(choices):
        c = choices[int(m.group(1)) - 1]
        return _good(c)
    folded = [_folded(c) for c in choices]
    if f in folded:
        return _good(choices[folded.index(f)])
    if f:
        pref = [c for c, fc in zip(choices, folded) if fc.startswith(f) or f.startswith(fc)]
        if len(pref) == 1:
            return _good(pref[0])
        contains = [c for c, fc in zip(choices, folded) if f in fc]
        if len(contains) == 1:
            return _good(contains[0])
        from rapidfuzz import fuzz, process

        hits = process.extract(f, folded, scorer=fuzz.WRatio, limit=2, score_cutoff=85)
        if len(hits) == 1 or (len(hits) == 2 and hits[0][1] - hits[1][1] >= 8):
            return _good(choices[hits[0][2]])
    listing = "; ".join(f"{i}. {c}" for i, c in enumerate(choices, 1))
    return _bad(f"Vui lòng chọn một trong các mục: {listing}.")


def _validate_text(text: str, max_length: int) -> FieldResult:
    t = clean_text(text)
    if not t:
        return _bad("Vui lòng nhập nội dung.")
    if len(t) > max_length:
        return _bad(f"Nội dung dài quá {max_length} ký tự, vui lòng ghi ngắn gọn hơn.")
    from nlu.restore import is_plain, place_lexicon, restore_phrases

    if is_plain(t):   # free text is not asked back (too many turns), but the desk sees it lacks diacritics
        restored = restore_phrases(t, place_lexicon(None))
        return _good(restored.text) if restored.certain else FieldResult(ok=True, value=t, display=t, unsure=True)
    return _good(t)


# ---------------------------------------------------------------- entry point

_HARD_LIMIT = 5000


def validate_field(kind: str, text: str, *, today: dt.date, choices: Sequence[str] = (),
                   max_length: int = 300) -> FieldResult:
    """Check one answer of field type ``kind``; never raises."""
    try:
        if not isinstance(text, str):
            return _bad("Vui lòng nhập nội dung.")
        if len(text) > max(_HARD_LIMIT, max_length * 4):
            return _bad(f"Nội dung dài quá {max_length} ký tự, vui lòng ghi ngắn gọn hơn.")
        if not clean_text(text):
            return _bad("Vui lòng nhập nội dung.")
        validators: dict[str, Callable[[], FieldResult]] = {
            "text": lambda: _validate_text(text, max_length),
            "person_name": lambda: _validate_person_name(text, max_length),
            "date": lambda: _validate_date(text, today, past_only=False),
            "date_past": lambda: _validate_date(text, today, past_only=True),
            "year": lambda: _validate_year(text, today),
            "id_number": lambda: _validate_id(text, today),
            "old_id_number": lambda: _validate_old_id(text),
            "identity_document": lambda: _validate_identity_document(text, max_length, today),
            "phone": lambda: _validate_phone(text),
            "email": lambda: _validate_email(text),
            "gender": lambda: _validate_gender(text),
            "ethnicity": lambda: _validate_ethnicity(text),
            "nationality": lambda: _validate_nationality(text),
            "address": lambda: _validate_address(text, max_length),
            "province": lambda: _validate_province(text),
            "number": lambda: _validate_number(text),
            "choice": lambda: _validate_choice(text, choices),
        }
        fn = validators.get(kind, validators["text"])
        return fn()
    except Exception:  # noqa: BLE001 - an answer must never crash the conversation
        return _bad("Chưa đọc được câu trả lời, vui lòng nhập lại.")


def extract_entities(text: str, *, today: dt.date | None = None) -> tuple[Entity, ...]:
    """Typed values found in a free message (dates, ids, phones, …); see `nlu.entities`."""
    from nlu.entities import extract

    return extract(text, today=today or dt.date.today())


__all__ = ["FieldResult", "check_id_number", "extract_entities", "find_dates", "find_ethnicity",
           "normalize_phone", "validate_field"]
