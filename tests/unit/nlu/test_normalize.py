"""Normalization: both the accented and the folded view must survive phone typing habits."""
from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from nlu.normalize import fold, normalize, untelex


def test_fold_maps_every_vietnamese_letter_and_keeps_length() -> None:
    text = "Đường đi Ứng Hòa, Quỳnh Lưu, Bắc Kạn — Ấp Mỹ Ơn"
    assert fold(text) == "Duong di Ung Hoa, Quynh Luu, Bac Kan — Ap My On"
    assert len(fold(text)) == len(text)


def test_nfd_input_is_folded_like_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Giấy khai sinh")
    assert normalize(nfd).folded == "giay khai sinh"
    assert normalize(nfd).accented == "giấy khai sinh"


def test_teencode_and_abbreviations_are_expanded() -> None:
    n = normalize("mk mún lm gks cho bé thì cần j, có dc ko ạ")
    assert n.accented == "mình muốn làm giấy khai sinh cho bé thì cần gì có được không ạ"
    assert normalize("sđt của cán bộ").accented.startswith("số điện thoại")
    assert "căn cước công dân" in normalize("cccd bị mất").accented


def test_ambiguous_bn_is_read_by_its_neighbour() -> None:
    assert normalize("mất bn tiền").accented == "mất bao nhiêu tiền"
    assert normalize("bn ơi cho hỏi").accented == "bạn ơi cho hỏi"


def test_southern_and_central_words_become_standard() -> None:
    assert normalize("ra xã mần răng").accented == "ra xã làm sao"
    assert normalize("tui hông biết").accented == "tôi không biết"
    assert normalize("nộp ở mô").accented == "nộp ở đâu"


def test_chi_is_only_gi_when_not_part_of_a_compound() -> None:
    assert normalize("cần mang chi").accented == "cần mang gì"
    assert normalize("chi phí bao nhiêu").accented == "chi phí bao nhiêu"


def test_repeated_letters_and_punctuation_are_squeezed() -> None:
    assert normalize("Khôngggg!!! đượcccc???").accented == "không được"


def test_telex_leftovers_are_repaired_but_real_words_are_left_alone() -> None:
    assert untelex("dduwowcj") == "được"
    assert untelex("khoong") == "không"
    assert untelex("toois") == "tối"
    for word in ("cccd", "thanks", "zalo", "xin", "bhyt"):
        assert untelex(word) == word


def test_folded_form_is_what_a_citizen_without_accents_types() -> None:
    assert normalize("Đăng ký kết hôn").folded == normalize("dang ky ket hon").folded


@given(st.text(max_size=300))
def test_normalize_never_raises_and_folded_is_ascii_for_vietnamese(text: str) -> None:
    n = normalize(text)
    assert n.folded == fold(n.accented)
    assert "  " not in n.accented


def test_emoji_citizens_answer_with_become_words() -> None:
    from nlu.normalize import normalize

    assert normalize("👍").accented == "đồng ý"
    assert normalize("👎🏻").accented == "không"
    assert normalize("🙏 cảm ơn ad").folded.startswith("cam on")
    assert normalize("😀").accented == ""          # an emoji with no clear meaning here stays out


def test_doubled_final_letters_and_stretched_vowels_are_squeezed() -> None:
    """Citizens stretch words for emphasis or hit a sticky key: the word must stay the same word."""
    assert normalize("tạmm biệtt nhé").accented == "tạm biệt nhé"
    assert normalize("cảmm ơnn nhiềuu").accented == "cảm ơn nhiều"
    assert normalize("tôi muốnn gặpp cán bộộ").accented == "tôi muốn gặp cán bộ"
    assert normalize("xinn chàoo").folded == "xin chao"
    assert normalize("bắtt đầuu lạii").accented == "bắt đầu lại"
    assert normalize("xoa hett du lieuu").folded == "xoa het du lieu"


def test_unaccented_doubles_are_kept_when_they_mean_something() -> None:
    """Telex keys ('dd', 'oo') and abbreviations with real letter runs are not squeezed away."""
    assert normalize("cccd").accented == "căn cước công dân"
    assert normalize("dduwowcj").accented == "được"
    assert normalize("khoong").accented == "không"


def test_old_and_new_tone_placement_are_one_word() -> None:
    assert normalize("xoá dữ liệu").accented == normalize("xóa dữ liệu").accented
    assert normalize("hoà giải").accented == "hòa giải"
    assert normalize("thuỷ").accented == "thủy"
    assert normalize("quý").accented == "quý"
