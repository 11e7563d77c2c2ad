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


def _offered(chat: Chat, answer: str) -> None:
    """``answer`` is on the buttons; at a usual-case question ("Đúng cả" / "Có điều khác") the citizen who gives
    their answers one by one first taps "Có điều khác"."""
    if answer not in chat.buttons and "Có điều khác" in chat.buttons:
        chat.say("Có điều khác")
    assert answer in chat.buttons, f"{answer!r} not offered; buttons {chat.buttons}; text {chat.text}"


def start(content: ContentSnapshot, pid: str, *answers: str) -> Chat:
    """A chat that picked ``pid`` and gave ``answers`` (button labels) in order, none rejected or handed off."""
    chat = Chat(content)
    chat.say("/start")
    chat.say("tôi cần làm thủ tục", u((pid, 0.95)))
    assert chat.event("procedure_identified")["procedure_id"] == pid
    for a in answers:
        _offered(chat, a)
        chat.say(a)
        assert "handoff_requested" not in chat.events, chat.text
    return chat


def said_since(chat: Chat, *answers: str) -> str:
    """Everything the bot said while the citizen gave ``answers``."""
    out: list[str] = []
    for a in answers:
        _offered(chat, a)
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


def test_allowance_time_limit_is_the_commune_10_working_days(content: ContentSnapshot) -> None:
    """NĐ 147/2025 Đ5: from 01/7/2025 the commune chairman decides within 10 working days (no district step)."""
    chat = start(content, TC, "Người khuyết tật", "Đã có")
    chat.say("bao lâu thì có kết quả", u(("ask_duration", 0.9)))
    assert "10 ngày làm việc" in chat.text
    assert "Phòng Lao động" not in chat.text and "hỏi cán bộ xã" not in chat.text
    assert "chưa được cán bộ xác minh" not in chat.text


def test_re_registering_a_birth_away_from_the_old_commune_is_told_the_verification_steps(content: ContentSnapshot) -> None:
    """NĐ 123/2015 Đ26 k2: 05 ngày; filed elsewhere, the old commune answers in 05 days, then 03 days."""
    chat = start(content, "ho-tich.khai-sinh-lai")
    chat.say("bao lâu thì có kết quả", u(("ask_duration", 0.9)))
    assert "05 ngày làm việc" in chat.text and "03 ngày làm việc" in chat.text
    assert "không tính vào thời hạn" not in chat.text
    assert "chưa được cán bộ xác minh" not in chat.text


# --- 8. facts marked verified that their source does not say, and well-known sources cited -----------------

def test_place_of_filing_claims_the_source_does_not_make_are_flagged(content: ContentSnapshot) -> None:
    xn = content.procedure("ho-tich.xac-nhan-tinh-trang-hon-nhan")
    tc = content.procedure("xa-hoi.tro-cap-hang-thang")
    ks = content.procedure("ho-tich.khai-sinh")
    assert xn and tc and ks and xn.submission and tc.submission and ks.submission
    assert not xn.authority.verified and not xn.submission.where.verified
    # trợ cấp: now read in NĐ 147/2025 Đ5 (press) and NĐ 20/2021 Đ8 k1 — the commune chairman where the person resides
    assert tc.submission.where.verified and "nd147-binhduong" in tc.submission.where.sources
    # khai sinh online: the note no longer leans on NĐ 63/2024 (the combined procedure) for a VNeID channel; it says
    # only what Luật Hộ tịch Đ9 k1 says (online via the civil-status system on the national portal)
    note = ks.submission.online_note
    assert note is not None and "VNeID" not in note.text and "S9" not in note.sources and "S2" in note.sources


def test_asking_for_the_legal_basis_of_marriage_cites_the_family_law_with_a_source(content: ContentSnapshot) -> None:
    chat = start(content, "ho-tich.ket-hon")
    chat.say("căn cứ pháp lý là gì", u(("ask_legal", 0.9)))
    assert "Luật Hôn nhân và gia đình" in chat.text
    proc = content.procedure("ho-tich.ket-hon")
    assert proc is not None
    hngd = next(f for f in proc.legal_basis if "Hôn nhân và gia đình" in f.text)
    assert hngd.verified and hngd.sources


# --- 11. land-use change after Nghị định 49/2026 and 50/2026 ------------------------------------------------

CMD = "dat-dai.chuyen-muc-dich"


def test_land_use_change_is_decided_by_the_province_under_decree_49(content: ContentSnapshot) -> None:
    """NĐ 49/2026 Điều 14 k1 and Điều 16 k3: the province decides (or delegates); NĐ 151 Điều 5 was repealed."""
    chat = start(content, CMD)
    chat.say("căn cứ pháp lý là gì", u(("ask_legal", 0.9)))
    text = chat.text
    assert "Nghị định 49/2026/NĐ-CP" in text
    assert "UBND tỉnh có thẩm quyền cho phép chuyển mục đích" in text  # the change in force on the chat's date
    proc = content.procedure(CMD)
    assert proc is not None
    assert proc.authority.verified and "Ủy ban nhân dân cấp tỉnh" in proc.authority.text
    assert "chuyển về xã theo Nghị định 151" not in proc.authority.text
    assert proc.form is not None and not proc.form.verified  # Mẫu 01 of NĐ 151 is no longer the national form


def test_land_use_change_fee_names_the_one_time_rate_for_households(content: ContentSnapshot) -> None:
    """NĐ 50/2026 Điều 6: one parcel per household at the NQ 254 rate, 100 % of the difference afterwards."""
    chat = start(content, CMD)
    chat.say("lệ phí bao nhiêu", u(("ask_fee", 0.9)))
    assert "01 thửa đất tự chọn" in chat.text and "Nghị định 50/2026/NĐ-CP" in chat.text
    chat = start(content, CMD, "Đã có sổ đỏ", "Đất nông nghiệp sang đất ở")
    text = said_since(chat, "Đã hỏi, được phép")
    assert "mức ưu đãi của Nghị quyết 254/2025/QH15" in text


def test_land_registration_forms_are_the_provinces_after_decree_49(content: ContentSnapshot) -> None:
    """NĐ 49/2026 Điều 16 k3 e2 repealed Mẫu 15 and 18 of NĐ 151; Điều 14 k2 sets who issues the certificate."""
    chat = start(content, "dat-dai.cap-gcn-lan-dau")
    chat.say("căn cứ pháp lý là gì", u(("ask_legal", 0.9)))
    assert "Nghị định 49/2026/NĐ-CP" in chat.text and "Mẫu số 15 của Nghị định 151/2025/NĐ-CP" in chat.text
    gcn = content.procedure("dat-dai.cap-gcn-lan-dau")
    bd = content.procedure("dat-dai.bien-dong")
    assert gcn is not None and bd is not None and gcn.form is not None and bd.form is not None
    assert gcn.authority.verified and "Nghị định 49/2026" in gcn.authority.text
    assert "Điều 5" not in gcn.authority.text  # NĐ 151 Điều 5 no longer gives the commune chairman this power
    for form in (gcn.form, bd.form):
        assert "theo mẫu của UBND tỉnh" in form.name and not form.verified


def test_residence_fee_no_longer_hints_at_an_unnamed_cut_by_resolution_66_18(content: ContentSnapshot) -> None:
    """NQ 66.18/2026 Phụ lục I.1 (Bộ Công an) cuts no residence paper; Luật Cư trú Đ27 k2 sets the 02-year stay."""
    for pid in ("cu-tru.tam-tru", "cu-tru.thuong-tru"):
        chat = start(content, pid)
        chat.say("lệ phí bao nhiêu", u(("ask_fee", 0.9)))
        assert "66.22/2026" in chat.text  # the online-filing exemption in force on the chat's date is still told
        assert "66.18" not in chat.text and "Có thể đã cắt giảm" not in chat.text
    proc = content.procedure("cu-tru.tam-tru")
    assert proc is not None and proc.result is not None
    assert proc.result.verified and "02 năm" in proc.result.text and "luat-cu-tru-d27-d28" in proc.result.sources


# --- 11. sourced referrals ---------------------------------------------------------------------------------

def test_driving_licence_referral_names_the_police_and_is_no_longer_flagged_unverified(content: ContentSnapshot) -> None:
    chat = Chat(content)
    chat.say("/start")
    chat.say("tôi muốn đổi bằng lái xe", u(("out_of_scope", 0.98)))
    assert "Phòng Cảnh sát giao thông" in chat.text
    assert "chưa được cán bộ xác minh" not in chat.text



def test_criminal_record_certificate_is_sent_to_the_police_not_the_justice_department(content: ContentSnapshot) -> None:
    """Luật Lý lịch tư pháp sửa đổi (in force 01/7/2026): Cục Hồ sơ nghiệp vụ and Công an tỉnh issue the Phiếu."""
    chat = Chat(content)
    chat.say("/start")
    chat.say("xin phiếu lý lịch tư pháp ở đâu", u(("out_of_scope", 0.98)))
    assert "Công an cấp tỉnh" in chat.text and "Cục Hồ sơ nghiệp vụ" in chat.text
    assert "do Sở Tư pháp" not in chat.text
    entry = next(e for e in content.elsewhere if e.id == "ly-lich-tu-phap")
    assert entry.authority is not None and entry.authority.verified and entry.authority.sources


def test_passport_referral_is_sourced_and_names_the_provincial_immigration_office(content: ContentSnapshot) -> None:
    chat = Chat(content)
    chat.say("/start")
    chat.say("làm hộ chiếu ở đâu", u(("out_of_scope", 0.98)))
    assert "Quản lý xuất nhập cảnh" in chat.text
    assert "chưa được cán bộ xác minh" not in chat.text


def test_craft_liquor_fee_names_the_appraisal_amount_from_the_circular(content: ContentSnapshot) -> None:
    """TT 299/2016/TT-BTC: 1.100.000 đồng per appraisal of a craft-liquor licence file (was: 'no amount known')."""
    chat = start(content, "cong-thuong.san-xuat-ruou-thu-cong")
    chat.say("lệ phí bao nhiêu", u(("ask_fee", 0.9)))
    assert "1.100.000 đồng" in chat.text
    assert "chưa có mức cụ thể" not in chat.text
    proc = content.procedure("cong-thuong.san-xuat-ruou-thu-cong")
    assert proc is not None and proc.fee is not None and proc.fee.verified

def test_family_business_authorization_must_be_notarised_or_certified(content: ContentSnapshot) -> None:
    """NĐ 168/2025: the members' authorization of the household representative is notarised or certified."""
    chat = start(content, "kinh-doanh.ho-kinh-doanh", "Có điều khác", "Đã đủ 18 tuổi", "Không", "Cả gia đình cùng đăng ký",
                 "Chủ hộ tự đi nộp", "Nộp trực tiếp")
    docs = documents_shown(chat)
    assert "công chứng hoặc chứng thực" in docs["van-ban-uy-quyen-chu-ho"]
    assert "nếu cần chứng thực" not in docs["van-ban-uy-quyen-chu-ho"]


# --- khai tử: who issues the death notice for a death at home ------------------------------------------------

def test_death_at_home_notice_is_issued_by_the_commune_people_committee(content: ContentSnapshot) -> None:
    """NĐ 123/2015 Đ4 k2 đ: the UBND cấp xã where the person died issues the Giấy báo tử (not its chairman, not a substitute)."""
    chat = start(content, "ho-tich.khai-tu", "Đúng vậy", "Trong 15 ngày")
    text = said_since(chat, "Mất tại nhà, chưa có giấy")
    assert "Ủy ban nhân dân xã/phường nơi người đó mất có trách nhiệm cấp Giấy báo tử" in text
    assert "Chủ tịch UBND" not in text
    proc = content.procedure("ho-tich.khai-tu")
    assert proc is not None
    doc = next(d for d in proc.documents if d.id == "giay-bao-tu-ubnd-xa")
    assert doc.name == "Giấy báo tử do Ủy ban nhân dân cấp xã nơi người đó mất cấp"
    assert "03 ngày" not in proc.time_limit.text  # the 3-day verification limit is for border communes only


# --- kinh-doanh.ho-kinh-doanh: the dossier and time limit of NĐ 168/2025 Đ99 --------------------------------

def test_family_business_is_not_asked_for_meeting_minutes(content: ContentSnapshot) -> None:
    """NĐ 168/2025 Đ99 k2: giấy đề nghị + notarised authorization; the NĐ 01/2021 family-meeting minutes are gone."""
    chat = start(content, "kinh-doanh.ho-kinh-doanh", "Đã đủ 18 tuổi", "Không")
    said = said_since(chat, "Cả gia đình cùng đăng ký")
    assert "Không cần biên bản họp gia đình" in said
    chat.say("Chủ hộ tự đi nộp")
    chat.say("Nộp trực tiếp")
    docs = documents_shown(chat)
    assert "van-ban-uy-quyen-chu-ho" in docs
    assert not any("biên bản họp" in text.lower() for text in docs.values())


def test_household_business_time_limit_and_place_follow_nd_168(content: ContentSnapshot) -> None:
    proc = content.procedure("kinh-doanh.ho-kinh-doanh")
    assert proc is not None
    assert proc.time_limit.text.startswith("03 ngày làm việc kể từ ngày nhận hồ sơ")
    assert "nơi hộ kinh doanh đăng ký trụ sở" in proc.submission.where.text
    assert "địa điểm kinh doanh" not in proc.submission.where.text


# --- ho-tich.khai-sinh-lai: what the citizen vouches for, and where --------------------------------------------

def test_re_registration_without_a_copy_vouches_for_the_papers_not_a_separate_birth_statement(
        content: ContentSnapshot) -> None:
    """NĐ 123/2015 Đ26 k1 a puts the 'đã đăng ký khai sinh' statement in the tờ khai; TT 04/2020 Đ9 k3 asks to vouch
    that all papers one has were handed in."""
    proc = content.procedure("ho-tich.khai-sinh-lai")
    assert proc is not None
    doc = next(d for d in proc.documents if d.id == "van-ban-cam-doan")
    assert doc.name == "Văn bản cam đoan đã nộp đủ các giấy tờ mình có"
    assert "ghi ngay trong tờ khai" in doc.explain
    tokhai = next(d for d in proc.documents if d.id == "to-khai")
    assert "cam đoan" in tokhai.explain
    assert "trích lục nếu có yêu cầu" not in proc.result.text


def test_acknowledging_a_child_without_dna_is_not_sent_for_letters_and_photos(content: ContentSnapshot) -> None:
    """TT 04/2020 Đ14: without a medical/forensic paper the evidence is a sworn statement with two witnesses."""
    proc = content.procedure("ho-tich.nhan-cha-me-con")
    assert proc is not None
    assert not any("thư từ" in d.name.lower() for d in proc.documents)
    flow = content.flows["ho-tich.nhan-cha-me-con"]
    step = next(s for s in flow.steps if s.id == "has_dna")
    no = next(o for o in step.options if o.value == "no")
    assert "thư từ" not in (no.say or "") and "hai người làm chứng" in (no.say or "")
