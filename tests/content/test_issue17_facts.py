"""Issue 17: facts a reviewer found wrong, pinned through the conversation that reaches them.

Each test drives the real engine (pure, no servers) from the procedure's first question to the point where the
corrected fact is shown, so it fails if the wrong statement comes back.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.loader import load_content
from bot.content.snapshot import ContentSnapshot
from tests.unit.engine.helpers import Chat, u

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def content() -> ContentSnapshot:
    return load_content(ROOT, require_all=False)


def start(content: ContentSnapshot, pid: str, *answers: str) -> Chat:
    """A chat that picked ``pid`` and gave ``answers`` (button labels) in order, none rejected or handed off."""
    chat = Chat(content)
    chat.say("/start")
    chat.say("tôi cần làm thủ tục", u((pid, 0.95)))
    assert chat.event("procedure_identified")["procedure_id"] == pid
    for a in answers:
        assert a in chat.buttons, f"{a!r} not offered; buttons {chat.buttons}; text {chat.text}"
        chat.say(a)
        assert "handoff_requested" not in chat.events, chat.text
    return chat


def said_since(chat: Chat, *answers: str) -> str:
    """Everything the bot said while the citizen gave ``answers``."""
    out: list[str] = []
    for a in answers:
        assert a in chat.buttons, f"{a!r} not offered; buttons {chat.buttons}; text {chat.text}"
        chat.say(a)
        out.append(chat.text)
    return "\n".join(out)


# --- 1. căn cước fee --------------------------------------------------------------------------------

CC = "can-cuoc.cap-doi-lai"


def test_card_change_at_25_is_told_it_is_free(content: ContentSnapshot) -> None:
    chat = start(content, CC, "Đổi thẻ", "Từ 14 tuổi trở lên")
    text = said_since(chat, "Đến tuổi phải đổi")
    assert "không phải nộp lệ phí" in text
    assert "25" in text
    text = said_since(chat, "Đã có và đúng", "Không có hoặc không rõ")
    assert "đổi thẻ khi đủ 14, 25, 40, 60 tuổi" in text
    assert "2026" not in text  # the contested end of the 50 % reduction is not stated as fact


def test_fee_answer_lists_the_groups_exempted_and_no_end_date_as_fact(content: ContentSnapshot) -> None:
    chat = start(content, CC, "Đổi thẻ")
    chat.say("lệ phí bao nhiêu", u(("ask_fee", 0.9)))
    fee = chat.text
    for group in ("Trẻ em, người cao tuổi, người khuyết tật", "Người có công", "đặc khu", "hộ nghèo"):
        assert group in fee, group
    assert "đủ 14, 25, 40 hoặc 60 tuổi" in fee
    assert "50.000 đồng" in fee and "70.000 đồng" in fee
    assert not re.search(r"giảm 50% đến (hết )?(ngày )?31/12/2026", fee)
    assert "198/2025" not in fee  # the no-fee re-issue after the merger is Luật Căn cước Điều 38


def test_changing_a_cccd_card_does_not_promise_a_reduction_until_2026(content: ContentSnapshot) -> None:
    chat = start(content, CC, "Đổi thẻ", "Từ 14 tuổi trở lên")
    text = said_since(chat, "Đổi từ CCCD sang thẻ căn cước")
    assert "30.000 đồng" in text
    assert "hết năm 2026" not in text


def test_fee_circular_is_not_called_an_amendment_of_the_2019_circular(content: ContentSnapshot) -> None:
    proc = content.procedure(CC)
    assert proc is not None
    assert not any("59/2019" in f.text for f in proc.legal_basis)
    assert any("73/2024" in f.text and f.verified for f in proc.legal_basis)


def documents_shown(chat: Chat) -> dict[str, str]:
    """Walk the checklist the engine shows, answering 'có' to each: document id -> what was said about it."""
    seen: dict[str, str] = {}
    while chat.state.pending and chat.state.pending.kind == "document":
        ref = chat.state.pending.ref
        text = chat.text
        chat.say("Giấy này là gì?")
        seen[ref] = text + "\n" + chat.text
        chat.say("/giayto co")
    return seen


# --- 3. proxies: the relationship that counts is to the person who authorizes ------------------------

KS = "ho-tich.khai-sinh"
KS_TO_WHO = ("Có điều khác", "Có", "Không, đều là người Việt Nam", "Chỉ làm khai sinh", "Trong 60 ngày", "Đã có")


def test_aunt_registering_a_birth_needs_no_authorization_and_no_certification(content: ContentSnapshot) -> None:
    chat = start(content, KS, *KS_TO_WHO, "Đã đăng ký kết hôn")
    text = said_since(chat, "Ông, bà hoặc người thân thích khác")
    assert "không cần văn bản ủy quyền" in text
    assert "cô, dì, chú, bác" in text
    docs = documents_shown(chat)
    assert "van-ban-uy-quyen" not in docs
    assert not any("chứng thực" in t for t in docs.values())


def test_proxy_certification_depends_on_kinship_with_the_parent_not_the_child(content: ContentSnapshot) -> None:
    chat = start(content, KS, *KS_TO_WHO, "Đã đăng ký kết hôn")
    text = said_since(chat, "Người khác được cha mẹ ủy quyền")
    assert "anh, chị, em ruột của người ủy quyền" in text
    docs = documents_shown(chat)
    assert "van-ban-uy-quyen" in docs
    assert "của người ủy quyền" in docs["van-ban-uy-quyen"]
    assert "em ruột của bé" not in docs["van-ban-uy-quyen"]


def test_trich_luc_proxy_is_told_certification_is_the_rule(content: ContentSnapshot) -> None:
    chat = start(content, "ho-tich.trich-luc", "Có điều khác")
    text = said_since(chat, "Tôi đi xin thay theo ủy quyền")
    assert "phải được chứng thực" in text
    said_since(chat, "Ở xã/phường nơi tôi định nộp", "Không / chưa rõ")
    docs = documents_shown(chat)
    assert "nếu cán bộ yêu cầu" not in docs["van-ban-uy-quyen"]
    assert "phải được chứng thực" in docs["van-ban-uy-quyen"]


def test_trich_luc_any_commune_is_not_claimed_as_verified(content: ContentSnapshot) -> None:
    proc = content.procedure("ho-tich.trich-luc")
    assert proc is not None and proc.submission is not None
    assert not proc.submission.where.verified
    assert "bất kỳ" not in proc.authority.text


# --- 4. khai sinh together with nhận cha con ------------------------------------------------------------

def test_birth_with_father_acknowledging_asks_for_the_acknowledgement_papers(content: ContentSnapshot) -> None:
    chat = start(content, KS, *KS_TO_WHO, "Chưa đăng ký kết hôn")
    text = said_since(chat, "Có, nhận con luôn")
    assert "có mặt" in text
    said_since(chat, "Cha hoặc mẹ")
    docs = documents_shown(chat)
    assert {"to-khai-nhan-cha-con", "chung-cu-quan-he-cha-con"} <= set(docs)
    # TT 04/2020 Đ14: a medical/forensic paper, or a sworn statement with two witnesses (not the old TT 15/2015 list)
    assert "hai người làm chứng" in docs["chung-cu-quan-he-cha-con"]
    assert "thư từ" not in docs["chung-cu-quan-he-cha-con"]
    plain = start(content, KS, *KS_TO_WHO, "Chưa đăng ký kết hôn", "Không, để trống phần cha", "Cha hoặc mẹ")
    assert not {"to-khai-nhan-cha-con", "chung-cu-quan-he-cha-con"} & set(documents_shown(plain))


# --- 6. the ID example on hộ tịch forms -----------------------------------------------------------------

def test_id_example_names_the_police_department_that_issued_2021_cards(content: ContentSnapshot) -> None:
    chat = start(content, "ho-tich.trich-luc", "Đúng cả", "Không / chưa rõ")
    documents_shown(chat)
    asked = []
    for answer in ("Nguyễn Văn An", "bỏ qua"):
        asked.append(chat.text)
        chat.say(answer)
    asked.append(chat.text)
    prompt = next(t for t in asked if "Giấy tờ tùy thân của bạn" in t)
    assert "Cục Cảnh sát QLHC về TTXH cấp ngày 15/3/2021" in prompt
    assert "Bộ Công an cấp ngày 15/3/2021" not in prompt
    for proc in content.procedures.values():
        for f in proc.form.fields if proc.form else ():
            assert "Bộ Công an cấp ngày" not in (f.ask or ""), (proc.id, f.id)


# --- 2. thường trú in rented or borrowed housing ---------------------------------------------------------

TT = "cu-tru.thuong-tru"


def test_rented_housing_needs_a_notarised_contract_and_proof_of_floor_area(content: ContentSnapshot) -> None:
    chat = start(content, TT)
    text = said_since(chat, "Nhà thuê, mượn, ở nhờ")
    assert "công chứng hoặc chứng thực" in text
    assert "8 m²" in text  # the minimum-area question explains the floor
    said_since(chat, "Đủ", "Không", "Không", "Chưa có")
    docs = documents_shown(chat)
    assert "công chứng hoặc chứng thực" in docs["hop-dong-thue-muon"]
    assert "giay-to-dien-tich" in docs
    own = start(content, TT, "Nhà của tôi", "Không", "Không", "Chưa có")
    assert not {"hop-dong-thue-muon", "giay-to-dien-tich"} & set(documents_shown(own))


# --- 7. đặc khu, not huyện đảo ----------------------------------------------------------------------------

@pytest.mark.parametrize("pid,before", [
    ("cu-tru.thuong-tru", ("Nhà của tôi", "Không")),
    ("cu-tru.tam-tru", ()),
])
def test_phu_quoc_resident_is_told_they_are_exempt(content: ContentSnapshot, pid: str, before: tuple[str, ...]) -> None:
    chat = start(content, pid, *before)
    while chat.state.pending and chat.state.pending.ref != "exempt_group":
        assert chat.buttons, chat.text
        chat.say(chat.buttons[-1] if "Không" not in chat.buttons else "Không")
    assert "đặc khu" in chat.text and "huyện đảo?" not in chat.text
    chat.say("Phú Quốc")  # a Phú Quốc resident names the place instead of pressing "Có"
    assert "miễn lệ phí" in chat.text
    proc = content.procedure(pid)
    assert proc is not None and proc.fee is not None
    assert any("đặc khu" in e for e in proc.fee.exemptions)


# --- 5. trợ cấp hằng tháng form letters (NĐ 20/2021) ----------------------------------------------------

TC = "xa-hoi.tro-cap-hang-thang"


@pytest.mark.parametrize("asked,then,letter,group_word", [
    ("mẫu 1b", ("Đã được công nhận",), "Mẫu số 1b", "HIV"),
    ("mẫu 1c", ("Đã được công nhận",), "Mẫu số 1c", "đơn thân"),
    ("Người cao tuổi", ("Không phải", "Đã được công nhận"), "Mẫu số 1d", "người cao tuổi"),
    ("Người khuyết tật", ("Đã có",), "Mẫu số 1đ", "người khuyết tật"),
    ("mẫu 2b", ("Người khuyết tật",), "Mẫu số 2b", "nhận chăm sóc"),
])
def test_asking_for_a_form_letter_gets_that_form_for_the_right_group(
    content: ContentSnapshot, asked: str, then: tuple[str, ...], letter: str, group_word: str
) -> None:
    chat = start(content, TC)
    chat.say(asked)
    for a in then:
        said_since(chat, a)
    docs = documents_shown(chat)
    forms = {d: t for d, t in docs.items() if "Tờ khai" in t.split("\n")[0] or d.startswith("to-khai")}
    assert len(forms) == 1, forms.keys()
    (text,) = forms.values()
    assert letter in text and group_word in text


def test_orphan_is_asked_for_papers_showing_no_source_of_support(content: ContentSnapshot) -> None:
    chat = start(content, TC, "Trẻ mồ côi, không ai nuôi")
    docs = documents_shown(chat)
    assert "giay-to-khong-nguon-nuoi-duong" in docs
    assert "trích lục khai tử" in docs["giay-to-khong-nguon-nuoi-duong"]
    assert "Mẫu số 1a" in docs["to-khai-tre-em"]


# --- 8. facts marked verified that their source does not say, and well-known sources cited -----------------

def test_place_of_filing_claims_the_source_does_not_make_are_flagged(content: ContentSnapshot) -> None:
    xn = content.procedure("ho-tich.xac-nhan-tinh-trang-hon-nhan")
    tc = content.procedure("xa-hoi.tro-cap-hang-thang")
    ks = content.procedure("ho-tich.khai-sinh")
    assert xn and tc and ks and xn.submission and tc.submission and ks.submission
    assert not xn.authority.verified and not xn.submission.where.verified
    assert not tc.submission.where.verified
    assert ks.submission.online_note is not None and not ks.submission.online_note.verified


def test_asking_for_the_legal_basis_of_marriage_cites_the_family_law_with_a_source(content: ContentSnapshot) -> None:
    chat = start(content, "ho-tich.ket-hon")
    chat.say("căn cứ pháp lý là gì", u(("ask_legal", 0.9)))
    assert "Luật Hôn nhân và gia đình" in chat.text
    proc = content.procedure("ho-tich.ket-hon")
    assert proc is not None
    hngd = next(f for f in proc.legal_basis if "Hôn nhân và gia đình" in f.text)
    assert hngd.verified and hngd.sources


# --- 11. sourced referrals ---------------------------------------------------------------------------------

def test_driving_licence_referral_names_the_police_and_is_no_longer_flagged_unverified(content: ContentSnapshot) -> None:
    chat = Chat(content)
    chat.say("/start")
    chat.say("tôi muốn đổi bằng lái xe", u(("out_of_scope", 0.98)))
    assert "Phòng Cảnh sát giao thông" in chat.text
    assert "chưa được cán bộ xác minh" not in chat.text


def test_family_business_authorization_must_be_notarised_or_certified(content: ContentSnapshot) -> None:
    """NĐ 168/2025: the members' authorization of the household representative is notarised or certified."""
    chat = start(content, "kinh-doanh.ho-kinh-doanh", "Có điều khác", "Đã đủ 18 tuổi", "Không", "Cả gia đình cùng đăng ký",
                 "Chủ hộ tự đi nộp", "Nộp trực tiếp")
    docs = documents_shown(chat)
    assert "công chứng hoặc chứng thực" in docs["van-ban-uy-quyen-chu-ho"]
    assert "nếu cần chứng thực" not in docs["van-ban-uy-quyen-chu-ho"]
