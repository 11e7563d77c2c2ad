"""A person's name, gender, ethnic group and nationality."""
from __future__ import annotations

import re

from nlu.fields.base import FieldResult, bad, clean_text, fold_words, good, title_case
from nlu.normalize import fold, nfc_lower

_GENDER = {
    "nam": "Nam", "trai": "Nam", "con trai": "Nam", "be trai": "Nam", "dan ong": "Nam", "male": "Nam",
    "m": "Nam", "gioi tinh nam": "Nam", "nam gioi": "Nam", "ong": "Nam",
    "nu": "Nữ", "gai": "Nữ", "con gai": "Nữ", "be gai": "Nữ", "dan ba": "Nữ", "phu nu": "Nữ",
    "female": "Nữ", "f": "Nữ", "gioi tinh nu": "Nữ", "nu gioi": "Nữ", "ba": "Nữ",
}


def validate_gender(text: str) -> FieldResult:
    f = fold_words(text)
    for filler in ("la ", "gioi tinh ", "be ", "chau "):
        if f.startswith(filler) and f not in _GENDER:
            f = f[len(filler):]
    g = _GENDER.get(f)
    if g is None:
        return bad("Vui lòng trả lời Nam hoặc Nữ.")
    return good(g)


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


def validate_ethnicity(text: str) -> FieldResult:
    e = find_ethnicity(text)
    if e is None:
        return bad("Chưa nhận ra tên dân tộc. Vui lòng ghi một trong 54 dân tộc, ví dụ: Kinh, Tày, Thái, Khmer.")
    return good(e)


_NATIONS = {
    "vn": "Việt Nam", "viet nam": "Việt Nam", "vietnam": "Việt Nam", "viet": "Việt Nam", "vietnamese": "Việt Nam",
    "nuoc viet nam": "Việt Nam", "quoc tich viet nam": "Việt Nam", "trung quoc": "Trung Quốc",
    "han quoc": "Hàn Quốc", "nhat ban": "Nhật Bản", "nhat": "Nhật Bản", "lao": "Lào", "campuchia": "Campuchia",
    "cam pu chia": "Campuchia", "thai lan": "Thái Lan", "my": "Hoa Kỳ", "hoa ky": "Hoa Kỳ", "usa": "Hoa Kỳ",
    "dai loan": "Đài Loan", "phap": "Pháp", "duc": "Đức", "uc": "Úc", "anh": "Anh", "nga": "Nga",
}


def validate_nationality(text: str) -> FieldResult:
    t = clean_text(text).strip(" .")
    f = fold_words(t)
    f = re.sub(r"^(?:quoc tich|nuoc)\s+", "", f)
    if f in _NATIONS:
        return good(_NATIONS[f])
    if not t or len(t) > 60 or not re.fullmatch(r"[^\W\d_]+(?:[ \-'][^\W\d_]+)*", t):
        return bad("Vui lòng ghi tên quốc tịch, ví dụ: Việt Nam.")
    return good(title_case(t))


_NAME = re.compile(r"[^\W\d_]+(?:[\-'][^\W\d_]+)*(?: [^\W\d_]+(?:[\-'][^\W\d_]+)*)*")


def validate_person_name(text: str, max_length: int) -> FieldResult:
    t = clean_text(text).strip(" .,")
    t = re.sub(r"^(?:(?:họ và tên|họ tên|tên|ho va ten|ho ten|ten)(?: là| la)?\s*:?\s+)", "", t, flags=re.IGNORECASE)
    if not t:
        return bad("Vui lòng ghi họ và tên.")
    if len(t) > min(max_length, 100):
        return bad("Họ tên dài quá, vui lòng kiểm tra lại.")
    if any(ch.isdigit() for ch in t):
        return bad("Họ tên không được có chữ số.")
    if not _NAME.fullmatch(t):
        return bad("Họ tên chỉ gồm chữ cái và dấu cách, ví dụ: Nguyễn Văn An.")
    if len(t.split()) < 2:
        return bad("Vui lòng ghi đầy đủ cả họ và tên, ví dụ: Nguyễn Văn An.")
    from nlu.restore import is_plain, restore_name

    if is_plain(t):
        name = restore_name(t).text
        ask = f"Mình ghi tên có dấu là «{name}» — đúng chưa? Nếu chưa đúng, bấm «Sửa» và gõ lại có dấu."
        return FieldResult(ok=True, value=name, display=name, check=ask)
    return good(title_case(t))
