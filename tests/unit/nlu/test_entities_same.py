"""``extract_entities`` skips the patterns a message cannot match (no digit, no cue word, no province's first
word); it finds exactly what trying every pattern on every message found (the code before, kept here)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import entities as E
from nlu.api import Entity
from nlu.fields.contact import normalize_phone
from nlu.fields.dates import find_dates
from nlu.fields.ids import check_id_number
from nlu.fields.registry import validate_field
from nlu.normalize import fold, nfc_lower

from .test_word_tables import _messages

TODAY = dt.date(2026, 11, 24)
RICH = [
    ("Tôi tên là Nguyễn Văn An, sinh ngày 12/3/1990, CCCD 001090123456, sđt 0912 345 678, dân tộc Kinh, "
     "địa chỉ thôn Đông, xã Hòa An, tỉnh Cao Bằng."), "bé sinh ngày 5 tháng 6 năm 2024", "hẹn 12 thg 3",
    "sinh 31/02/2020, số 999090123456", "giá 1.5 triệu, gọi +84 987.654.321", "be gai nha toi o ha noi",
    "toi ten la tran thi b, cmnd 123456789", "con 3 tuổi, giá 1.500.000 đồng, sđt 0912345678",
    "dt: tay, gioi tinh: nu, que quan thua thien hue", "song tai tp hcm, chuyen ra ha noi, ve da nang",
    "Tôi ở Bà Rịa - Vũng Tàu, con trai sinh 2019-05-07", "dân tộc Ê Đê ở Đắk Lắk, 20/11", "tphcm hue hcm",
    "ở ba ria vung tau và ba ria", "thằng trai út, cháu gái lớn", "ngày 1 tháng 13", "٣٤٥ ١٢/٣", "0084912345678",
]


def _reference(text: str, *, today: dt.date | None) -> tuple[Entity, ...]:
    text = unicodedata.normalize("NFC", text[:4000])
    low = nfc_lower(text)
    folded = fold(low)
    out: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, value: str, s: int, e: int) -> None:
        if not any(s < te and ts < e for ts, te in taken):
            out.append(E._ent(kind, value, text, s, e))
            taken.append((s, e))

    for m in E._DIGIT_RUN.finditer(folded):
        raw = m.group(1)
        digits = re.sub(r"\D", "", raw)
        phone = normalize_phone(raw)
        if phone:
            add("phone", phone, m.start(1), m.end(1))
        elif len(digits) == 12 and not raw.startswith("+") and check_id_number(digits, today) is None:
            add("id_number", digits, m.start(1), m.end(1))
        elif len(digits) == 9 and not raw.startswith("+") and re.fullmatch(r"[\d ]+", raw):
            add("old_id_number", digits, m.start(1), m.end(1))
    for d in find_dates(text, today) if today is not None else ():
        if d.value is None:
            continue
        span = folded[d.start:d.end]
        if d.year is None and "." in span and "thang" not in span:
            continue
        add("date", d.value.isoformat(), d.start, d.end)
    for m in E._GENDER_CUES.finditer(folded):
        word = m.group(1) or m.group(3)
        add("gender", "Nam" if word in ("nam", "trai") else "Nữ", m.start(), m.end())
    E._ethnicities(low, folded, add)
    E._person_names(text, folded, add)
    _reference_places(text, folded, add, today)
    for m in E._NUMBER.finditer(folded):
        add("number", m.group().replace(".", "").replace(",", "."), m.start(), m.end())
    out.sort(key=lambda e: e.start)
    return tuple(out)


def _reference_places(text: str, folded: str, add: Callable[[str, str, int, int], None],
                      today: dt.date | None) -> None:
    from nlu.geo import find_province, province_names_folded

    m = E._ADDRESS_CUE.search(folded)
    if m:
        end = len(folded)
        stop = re.search(r"[.;!?\n]|\s(?:va|sdt|so dien thoai|cccd|ngay)\s", folded[m.end():])
        if stop:
            end = m.end() + stop.start()
        seg = text[m.end():end].strip(" ,")
        if E._WARD_IN_TEXT.search(folded[m.end():end]) or any(find_province(p) for p in re.split(r"[,]", seg)):
            s = m.end()
            res = validate_field("address", seg, today=today or dt.date.min)
            add("address", res.value if res.ok and res.value else seg, s, s + len(seg))
    for name, _code in province_names_folded():
        if len(name) < 4 or " " not in name and name not in ("hue", "hcm", "tphcm") or name not in folded:
            continue
        for m in re.finditer(rf"(?<![a-z]){re.escape(name)}(?![a-z])", folded):
            hit = find_province(name)
            if hit:
                add("province", hit[0].name, m.start(), m.end())


def test_every_known_message_gets_the_same_entities() -> None:
    from nlu.geo import province_names_folded

    provinces = [name for name, _ in province_names_folded()]
    texts = [*RICH, *_messages(), *(f"tôi ở {p}, sinh 1/2/2003" for p in provinces), " ".join(provinces)]
    for text in texts:
        for today in (TODAY, None):
            assert E.extract_entities(text, today=today) == _reference(text, today=today), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["tôi", "ở", "hà nội", "ha", "noi", "hue", "hcm", "tp", "dân tộc", "dt", "kinh",
                                 "tày", "con", "trai", "gái", "giới tính", "nữ", "nam", "12/3", "2020", "0912345678",
                                 "001090123456", "1.500.000", ",", ".", "ngày", "tháng", "5", "địa chỉ", "xã",
                                 "hòa an", "tên là", "Nguyễn", "Văn", "An", "ba ria", "vung tau", "da nang", "-",
                                 "sống", "tại", "thường trú", "quê quán", "tôi là", "em la", "họ tên", ":"]),
                max_size=14).map(" ".join))
def test_any_mix_of_cues_gets_the_same_entities(text: str) -> None:
    assert E.extract_entities(text, today=TODAY) == _reference(text, today=TODAY)
