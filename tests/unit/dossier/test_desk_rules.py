"""The desk's rules without storage: codes typed or scanned at the counter, official numbers, transitions."""
from __future__ import annotations

import random

import pytest

from bot.dossier.codes import ALPHABET, new_code, normalize_code
from bot.dossier.desk import (
    TRANSITIONS,
    InvalidInput,
    InvalidTransition,
    check_transition,
    clean_official_number,
    code_from_qr,
    read_code,
)


def code_with(symbols: str, seed: int = 0) -> str:
    rng = random.Random(seed)
    while True:
        c = new_code("ho-tich.khai-sinh", rng)
        if any(s in c[3:] for s in symbols):
            return c


@pytest.mark.parametrize("real, typed_as", [("D", "0"), ("Q", "O"), ("D", "O"), ("J", "1"), ("T", "I"), ("7", "l")])
def test_lookalikes_typed_at_the_desk_open_the_right_code(real: str, typed_as: str) -> None:
    code = code_with(real, seed=ord(real))
    i = code.index(real, 3)
    typed = (code[:i] + typed_as + code[i + 1:]).lower()
    assert read_code(typed) == code
    assert normalize_code(typed).code is None  # the citizen-side reading stays strict


def test_a_wrong_symbol_is_never_resolved_and_the_error_names_the_text() -> None:
    code = new_code("ho-tich.khai-sinh", random.Random(1))
    for ch in ALPHABET:
        if ch == code[-1]:
            continue
        typo = code[:-1] + ch
        with pytest.raises(InvalidInput) as err:
            read_code(typo)
        assert f"«{typo}»" in err.value.message and "ký tự kiểm tra" in err.value.message
    with pytest.raises(InvalidInput):
        read_code("   ")


def test_qr_text_is_the_officer_url() -> None:
    code = new_code("ho-tich.ket-hon", random.Random(2))
    assert code_from_qr([f"https://motcua.example/dossiers/{code}"]) == code
    assert code_from_qr([code.lower()]) == code
    assert code_from_qr(["079203012345|123456789|Nguyễn Văn An|01011990|Nam|Hà Nội|01012021"]) is None


@pytest.mark.parametrize("value", ["", "   ", "x" * 65, "abc\x07", "số\u200bhồ sơ", "a\nb"])
def test_bad_official_numbers_are_refused(value: str) -> None:
    with pytest.raises(InvalidInput):
        clean_official_number(value)


def test_official_number_is_trimmed() -> None:
    assert clean_official_number("  000.00.11.H12-261125-0001 ") == "000.00.11.H12-261125-0001"
    assert clean_official_number("Số 12/2026/HS-UBND") == "Số 12/2026/HS-UBND"


def test_transitions() -> None:
    check_transition("KS-X", "draft", "received")
    with pytest.raises(InvalidTransition) as err:
        check_transition("KS-X", "returned", "received")
    assert "đã trả kết quả" in err.value.message
    with pytest.raises(InvalidTransition) as err:
        check_transition("KS-X", "received", "received")
    assert "đã ở trạng thái" in err.value.message
    with pytest.raises(InvalidInput):
        check_transition("KS-X", "draft", "deleted")
    assert all(set(v) <= set(TRANSITIONS) for v in TRANSITIONS.values())
