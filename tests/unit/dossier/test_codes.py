"""Draft codes: unambiguous alphabet, a check symbol that catches typos, tolerant reading, secret tokens."""
import random
import secrets

import pytest

from bot.dossier.codes import (
    ALPHABET,
    PREFIXES,
    check_char,
    find_code,
    hash_token,
    is_valid,
    new_code,
    normalize_code,
    prefix_for,
    token_matches,
)

SPEC_IDS = [
    "ho-tich.khai-sinh", "ho-tich.lien-thong-khai-sinh", "ho-tich.khai-tu", "ho-tich.ket-hon",
    "ho-tich.xac-nhan-tinh-trang-hon-nhan", "ho-tich.trich-luc", "ho-tich.thay-doi-cai-chinh",
    "ho-tich.nhan-cha-me-con", "ho-tich.giam-ho", "ho-tich.khai-sinh-lai", "chung-thuc.ban-sao",
    "chung-thuc.chu-ky", "chung-thuc.hop-dong", "dat-dai.cap-gcn-lan-dau", "dat-dai.chuyen-muc-dich",
    "dat-dai.bien-dong", "xay-dung.giay-phep-nha-o", "kinh-doanh.ho-kinh-doanh", "cong-thuong.ban-le-ruou",
    "cong-thuong.ban-le-thuoc-la", "cong-thuong.san-xuat-ruou-thu-cong", "cu-tru.thuong-tru", "cu-tru.tam-tru",
    "cu-tru.xac-nhan-cu-tru", "can-cuoc.cap-doi-lai", "xa-hoi.tro-cap-hang-thang", "xa-hoi.mai-tang-phi",
    "xa-hoi.xac-dinh-khuyet-tat", "xa-hoi.ho-ngheo",
]


def test_alphabet_has_no_lookalikes():
    assert not set("01OIL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_every_procedure_has_its_own_prefix_from_the_alphabet():
    prefixes = [prefix_for(pid) for pid in SPEC_IDS]
    assert len(set(prefixes)) == 29
    assert set(PREFIXES) == set(SPEC_IDS)
    assert all(set(p) <= set(ALPHABET) for p in prefixes)
    assert prefix_for("ho-tich.khai-sinh") == "KS" and prefix_for("ho-tich.ket-hon") == "KH"
    assert prefix_for("chung-thuc.ban-sao") == "CT"


def test_fallback_prefix_for_unknown_procedures():
    assert prefix_for("moi.dang-ky-xe") == "DKX"
    assert prefix_for("moi.lien-ket") == "HS"  # L is not in the alphabet, one letter is too short
    assert prefix_for("x.a") == "HS"


def test_codes_are_deterministic_with_a_seeded_rng_and_valid():
    a = new_code("ho-tich.khai-sinh", random.Random(7))
    assert a == new_code("ho-tich.khai-sinh", random.Random(7))
    assert a.startswith("KS-") and len(a) == 9 and is_valid(a)
    codes = {new_code("ho-tich.ket-hon", random.Random(i)) for i in range(300)}
    assert len(codes) == 300 and all(is_valid(c) and c.startswith("KH-") for c in codes)


def test_default_randomness_differs():
    assert len({new_code("chung-thuc.ban-sao") for _ in range(50)}) == 50


def test_every_single_symbol_typo_is_detected():
    rng = random.Random(1)
    for _ in range(40):
        code = new_code("ho-tich.khai-sinh", rng)
        body = code[3:]
        for i in range(len(body)):
            for ch in ALPHABET:
                if ch != body[i]:
                    typo = code[:3] + body[:i] + ch + body[i + 1:]
                    assert normalize_code(typo).code is None, typo


def test_adjacent_swaps_in_the_random_part_are_detected():
    rng = random.Random(2)
    for _ in range(200):
        code = new_code("ho-tich.khai-tu", rng)
        body = code[3:]
        for i in range(len(body) - 2):  # swaps among the random symbols
            if body[i] != body[i + 1]:
                swapped = body[:i] + body[i + 1] + body[i] + body[i + 2:]
                assert not is_valid(code[:3] + swapped)


def test_wrong_prefix_is_detected():
    code = new_code("ho-tich.khai-sinh", random.Random(3))
    assert not is_valid("KH" + code[2:])


@pytest.mark.parametrize("variant", ["{c}", "{lower}", "{nodash}", "{spaced}", "  {lower}  ", "{dotted}"])
def test_normalize_accepts_common_typing(variant):
    code = new_code("ho-tich.khai-sinh", random.Random(11))
    body = code[3:]
    text = variant.format(c=code, lower=code.lower(), nodash=code.replace("-", ""),
                          spaced=f"ks {body[:3]} {body[3:]}".lower(), dotted=code.replace("-", "."))
    assert normalize_code(text).code == code


def test_normalize_rejects_with_vietnamese_message():
    got = normalize_code("xin chào")
    assert got.code is None and "không hợp lệ" in got.error
    assert normalize_code("").code is None
    assert normalize_code("KS-0O1IL2").code is None


def test_find_code_in_a_sentence():
    code = new_code("ho-tich.khai-sinh", random.Random(5))
    assert find_code(f"xem lại hồ sơ {code.lower()} giúp tôi") == code
    assert find_code("xem lại hồ sơ của tôi") is None


def test_check_char_is_from_alphabet():
    assert check_char("KS", "ABCDE") in ALPHABET


def test_tokens_verify_in_constant_time_helpers():
    t = secrets.token_urlsafe(16)   # as bot/dossier/service.py makes a link token
    h = hash_token(t)
    assert t not in h
    assert token_matches(t, h)
    assert not token_matches(t + "x", h)
    assert not token_matches("", h) and not token_matches(None, h) and not token_matches(t, None)
